#!/usr/bin/env python3
"""The corpus of broken GGUF files in jllm-core/src/test/resources/gguf/broken/ (plain python3, no packages): each file is
wrong in one way; GgufBrokenFilesTest checks that jllm refuses each with one clear line (no out-of-memory, no stack
trace). The expected message fragment of each file is listed in EXPECTED below and in the test.

usage: python3 tools/reference/gguf_broken.py [OUT_DIR]
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "jllm-core/src/test/resources/gguf/broken"
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)


def s(text):
    b = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(b)) + b


def kv(key, vtype, payload):
    return s(key) + struct.pack("<I", vtype) + payload


def tinfo(name, ne, ttype, offset):
    return s(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne) + struct.pack("<II", ttype, 0)[:4] + struct.pack("<Q", offset)


def gguf(kvs, infos, data=b"", version=3, n_tensors=None, n_kv=None, align=32):
    head = b"GGUF" + struct.pack("<IQQ", version, len(infos) if n_tensors is None else n_tensors,
                                 len(kvs) if n_kv is None else n_kv)
    head += b"".join(kvs) + b"".join(infos)
    head += b"\0" * (-len(head) % align)
    return head + data


ARCH = kv("general.architecture", STR, s("llama"))
Q8 = 8
F32T = 0
good_info = tinfo("w", [32, 2], Q8, 0)
good_data = (struct.pack("<e", 0.5) + bytes(range(32))) * 2

FILES = {
    "empty.gguf": b"",
    "not-gguf.gguf": b"GGML" + b"\0" * 60,
    "version1.gguf": gguf([ARCH], [], version=1),
    "big-endian.gguf": b"GGUF" + struct.pack(">IQQ", 3, 0, 0),
    "truncated-header.gguf": gguf([ARCH, kv("general.name", STR, s("a model name"))], [good_info], good_data)[:50],
    "huge-string.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 62) + b"key" + b"\0" * 16,
    "huge-array.gguf": gguf([ARCH, kv("tokenizer.ggml.tokens", ARR, struct.pack("<IQ", STR, 1 << 40))], []),
    "huge-tensor-count.gguf": gguf([ARCH], [], n_tensors=1 << 50),
    "huge-kv-count.gguf": gguf([ARCH], [], n_kv=(1 << 64) - 1),
    "unknown-value-type.gguf": gguf([ARCH, kv("x", 77, b"\0" * 8)], []),
    "bad-bool.gguf": gguf([ARCH, kv("x", BOOL, b"\x07")], []),
    "deep-array.gguf": gguf([ARCH, kv("x", ARR, struct.pack("<IQ", ARR, 1) * 20 + struct.pack("<IQ", U8, 0))], []),
    "duplicate-key.gguf": gguf([ARCH, ARCH], []),
    "bad-alignment.gguf": gguf([ARCH, kv("general.alignment", U32, struct.pack("<I", 24))], [], align=24),
    "unknown-tensor-type.gguf": gguf([ARCH], [tinfo("w", [32, 2], 99, 0)], good_data),
    "unsupported-tensor-type.gguf": gguf([ARCH], [tinfo("w", [32, 2], 6, 0)], good_data),
    "too-many-dims.gguf": gguf([ARCH], [tinfo("w", [1] * 7, F32T, 0)], b"\0" * 4),
    "huge-dims.gguf": gguf([ARCH], [tinfo("w", [1 << 40, 1 << 40], F32T, 0)], b"\0" * 4),
    "partial-block.gguf": gguf([ARCH], [tinfo("w", [33, 2], Q8, 0)], good_data),
    "offset-past-end.gguf": gguf([ARCH], [tinfo("w", [32, 2], Q8, 1 << 40)], good_data),
    "misaligned-offset.gguf": gguf([ARCH], [tinfo("w", [32, 2], Q8, 4)], b"\0" * 4 + good_data),
    "truncated-data.gguf": gguf([ARCH], [good_info], good_data[:40]),
    "overlap.gguf": gguf([ARCH], [good_info, tinfo("v", [32, 1], Q8, 32)], good_data),
    "duplicate-tensor.gguf": gguf([ARCH], [good_info, good_info], good_data),
    # valid as a GGUF file; refused when loaded as a model
    "unsupported-arch.gguf": gguf([kv("general.architecture", STR, s("mamba"))], [good_info], good_data),
}

os.makedirs(OUT, exist_ok=True)
for name, data in FILES.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"wrote {len(FILES)} files to {OUT}")
