#!/usr/bin/env bash
# Makes the Python venv that the scripts in tools/reference/ use (default /work/venv; first argument overrides).
# pip installs from the local package mirror configured for this machine.
set -euo pipefail
VENV=${1:-/work/venv}
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q numpy gguf torch transformers tokenizers jinja2 safetensors
echo "venv ready: $VENV"
