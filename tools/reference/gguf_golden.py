#!/usr/bin/env python3
"""Goldens for jllm's GGUF reader, dequantizers and quantizers, written with the `gguf` package (llama.cpp's
gguf-py, 0.19.0). Output: jllm-core/src/test/resources/gguf/types.gguf, a small GGUF v3 file holding

  metadata   one key of every value type (u8 ... f64, bool, string, arrays of numbers/strings, a nested array)
  deq.T      for each tensor type T jllm reads: 3 rows x 512 values of random blocks (any bytes are valid
             blocks; the fp16 scales are set to sane random values) ...
  deq.T.f32  ... and gguf.quants.dequantize of them (float32): jllm must match these bit for bit
  input      float32 [4, 256], normal(0, 1) with a few exact zeros and a zero block
  quant.T    gguf.quants.quantize(input, T) for the types gguf-py can write (F16, BF16, Q8_0, Q4_0, Q4_1):
             jllm's encoders must write the same bytes

usage: VENV/bin/python tools/reference/gguf_golden.py [OUT]   (a venv with: pip install gguf==0.19.0 numpy)
"""
import sys
import numpy as np
import gguf
from gguf import GGMLQuantizationType as T, GGUFValueType as VT

OUT = sys.argv[1] if len(sys.argv) > 1 else "jllm-core/src/test/resources/gguf/types.gguf"
READ = [T.F32, T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q4_1, T.Q4_K, T.Q5_K, T.Q6_K]
WRITE = [T.F16, T.BF16, T.Q8_0, T.Q4_0, T.Q4_1]
# byte offsets of the fp16 scales in a block, per type
SCALES = {T.Q8_0: [0], T.Q4_0: [0], T.Q4_1: [0, 2], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208]}

rng = np.random.default_rng(17)
w = gguf.GGUFWriter(OUT, "jllm-test")
w.add_uint8("test.u8", 200)
w.add_int8("test.i8", -100)
w.add_uint16("test.u16", 60000)
w.add_int16("test.i16", -30000)
w.add_uint32("test.u32", 4000000000)
w.add_int32("test.i32", -2000000000)
w.add_float32("test.f32", 0.1)
w.add_uint64("test.u64", 2**63 + 5)
w.add_int64("test.i64", -(2**62))
w.add_float64("test.f64", 0.1)
w.add_bool("test.bool", True)
w.add_string("test.string", "héllo ▁ wörld")
w.add_key_value("test.array.i32", [1, -2, 3], VT.ARRAY, sub_type=VT.INT32)
w.add_key_value("test.array.f32", [0.5, -1.25], VT.ARRAY, sub_type=VT.FLOAT32)
w.add_key_value("test.array.u8", [0, 255], VT.ARRAY, sub_type=VT.UINT8)
w.add_array("test.array.string", ["a", "", "ß"])
w.add_array("test.array.nested", [[1, 2], [3]])

for t in READ:
    block, size = gguf.GGML_QUANT_SIZES[t]
    rows, cols = 3, 512
    if t in (T.F32, T.F16, T.BF16):
        vals = rng.standard_normal((rows, cols)).astype(np.float32)
        raw = gguf.quants.quantize(vals, t) if t != T.F32 else vals
        if raw.dtype != np.float32:
            raw = raw.view(np.uint8).reshape(rows, -1)
    else:
        raw = rng.integers(0, 256, size=(rows, cols // block * size), dtype=np.uint8)
        blocks = raw.reshape(-1, size)
        for off in SCALES[t]:
            scale = (rng.standard_normal(blocks.shape[0]) * 0.01).astype(np.float16)
            blocks[:, off:off + 2] = scale.view(np.uint8).reshape(-1, 2)
    w.add_tensor(f"deq.{t.name}", raw, raw_dtype=t)
    deq = gguf.quants.dequantize(raw, t).astype(np.float32)
    assert deq.shape == (rows, cols), deq.shape
    w.add_tensor(f"deq.{t.name}.f32", deq)

x = rng.standard_normal((4, 256)).astype(np.float32)
x[1, :32] = 0.0
x[2, 5] = 0.0
x[3, 40:72] = np.float32(0.0123)  # a constant block
w.add_tensor("input", x)
for t in WRITE:
    q = gguf.quants.quantize(x, t)
    if q.dtype != np.uint8:
        q = q.view(np.uint8).reshape(4, -1)
    w.add_tensor(f"quant.{t.name}", q, raw_dtype=t)

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print("wrote", OUT)
