"""Encoding throughput of the Rust `tokenizers` library (through its Python binding) on tinyshakespeare, the
peer of HfEncodeBenchmark: one thread on the whole text, then all cores on chunks of 100 lines (encode_batch).
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
    batch = best(lambda: tok.encode_batch(chunks, add_special_tokens=False))
    print(f"{family}: single {mb / single:.2f} MB/s, all cores ({os.cpu_count()}) {mb / batch:.2f} MB/s")
