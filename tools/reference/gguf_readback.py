#!/usr/bin/env python3
"""Reads GGUF files that jllm wrote with the gguf package (llama.cpp's gguf-py 0.19.0) and prints, per file, the
architecture and each tensor's type, shape (outermost first), and the float64 sum and sum of magnitudes of its
dequantized values: jllm-core/src/test/resources/gguf/readback.json, which GgufGpt2Test compares with jllm's own reading.

usage: mvn test -Dtest=GgufGpt2Test#ggufPackageReadsBackWhatJllmWrites -Djllm.gguf.dump=/tmp/rb   (writes the files)
       VENV/bin/python tools/reference/gguf_readback.py /tmp/rb/gpt2-q8_0.gguf ... > jllm-core/src/test/resources/gguf/readback.json
"""
import json
import os
import sys
import numpy as np
import gguf

out = {}
for path in sys.argv[1:]:
    r = gguf.GGUFReader(path)
    arch = r.fields["general.architecture"]
    tensors = {}
    for t in r.tensors:
        values = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float64)
        tensors[t.name] = {"type": t.tensor_type.name, "shape": [int(d) for d in reversed(t.shape)],
                           "sum": float(values.sum()), "abs": float(np.abs(values).sum())}
    out[os.path.basename(path)] = {"architecture": bytes(arch.parts[arch.data[0]]).decode(), "tensors": tensors}
print(json.dumps(out, indent=1, sort_keys=True))
