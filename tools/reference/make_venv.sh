#!/bin/sh
# A Python environment for the reference scripts that need PyTorch and transformers (modern_golden.py):
#   sh tools/reference/make_venv.sh /work/venv
# Uses whatever package index pip is configured with; the versions the goldens were made with are pinned.
set -e
VENV=${1:-venv}
python3 -m venv "$VENV"
"$VENV/bin/pip" install torch==2.13.0 transformers==5.18.0 safetensors numpy
