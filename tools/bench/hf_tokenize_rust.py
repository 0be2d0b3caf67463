"""Encoding throughput of the Rust `tokenizers` library (through its Python binding) on tinyshakespeare, the
peer of HfTokenizeSpeed.java: one thread on the whole text, one thread on chunks of 100 lines, then all cores on
the chunks (encode_batch). The library is much slower on one 1.1 MB string than on its chunks.
Usage: /work/venv/bin/python tools/bench/hf_tokenize_rust.py [families...]   (from the repository root)
"""
import os
import sys
import time

from tokenizers import Tokenizer

text = open("../shared/data/tinyshakespeare.txt", encoding="utf-8").read()
mb = len(text.encode("utf-8")) / 1e6
lines = text.splitlines(keepends=True)
chunks = ["".join(lines[i:i + 100]) for i in range(0, len(lines), 100)]


def best(f, reps=5):
    f()  # warm-up
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


for family in sys.argv[1:] or ["llama3", "qwen3", "gemma3"]:
    tok = Tokenizer.from_file(f"../shared/data/tokenizers/{family}/tokenizer.json")
    single = best(lambda: tok.encode(text, add_special_tokens=False))
    chunked = best(lambda: [tok.encode(c, add_special_tokens=False) for c in chunks])
    batch = best(lambda: tok.encode_batch(chunks, add_special_tokens=False))
    print(f"{family}: whole text {mb / single:.2f} MB/s, chunks on one thread {mb / chunked:.2f} MB/s, "
          f"all cores ({os.cpu_count()}) {mb / batch:.2f} MB/s")
