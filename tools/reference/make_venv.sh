#!/usr/bin/env bash
# Makes a Python venv with the reference libraries the golden scripts in tools/reference/ use.
# Usage: bash tools/reference/make_venv.sh [DIR]   (default /work/venv)
# pip reads its indexes from pip.conf (a local mirror where there is one).
set -euo pipefail
dir="${1:-/work/venv}"
python3 -m venv "$dir"
"$dir/bin/pip" install -q tokenizers transformers jinja2 numpy safetensors gguf
"$dir/bin/pip" install -q torch || echo "make_venv: torch not installed (only the model goldens need it)"
echo "make_venv: ready: $dir/bin/python"
