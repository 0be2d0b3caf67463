#!/usr/bin/env python3
"""PyTorch peer for jllm's decoding speed on the modern families: KV-cache greedy decoding of a random model of a
published size (config as jllm's presets), in bf16 weights, with transformers' own KV cache.

    venv/bin/python tools/reference/modern_bench.py qwen3-0.6b --prompt 32 --new 64 --threads 2

Prints one JSON line: {"model", "threads", "prompt", "new", "tokens_per_s", "dtype", "seconds", "decode_tokens_per_s"}:
tokens_per_s counts generate()'s time including the prompt's forward pass; decode_tokens_per_s times the decoding
steps alone (compare it with jllm's decode rate).
(The book's llms_from_scratch package was not installable here; transformers' implementation with its cache is
the PyTorch peer used instead.)
"""
import argparse
import json
import time

import torch
from transformers import Gemma3ForCausalLM, Gemma3TextConfig, LlamaConfig, LlamaForCausalLM, Qwen3Config, Qwen3ForCausalLM

PRESETS = {
    "llama3.2-1b": (LlamaForCausalLM, lambda: LlamaConfig(
        vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
        num_key_value_heads=8, head_dim=64, max_position_embeddings=131072, rms_norm_eps=1e-5,
        rope_parameters=dict(rope_type="llama3", rope_theta=500000.0, factor=32.0, low_freq_factor=1.0,
                             high_freq_factor=4.0, original_max_position_embeddings=8192),
        tie_word_embeddings=True)),
    "qwen3-0.6b": (Qwen3ForCausalLM, lambda: Qwen3Config(
        vocab_size=151936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
        num_key_value_heads=8, head_dim=128, max_position_embeddings=40960, rms_norm_eps=1e-6,
        rope_parameters=dict(rope_type="default", rope_theta=1000000.0), tie_word_embeddings=True)),
    "gemma3-270m": (Gemma3ForCausalLM, lambda: Gemma3TextConfig(
        vocab_size=262144, hidden_size=640, intermediate_size=2048, num_hidden_layers=18, num_attention_heads=4,
        num_key_value_heads=1, head_dim=256, query_pre_attn_scalar=256, sliding_window=512,
        max_position_embeddings=32768, rms_norm_eps=1e-6, tie_word_embeddings=True)),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=sorted(PRESETS))
    ap.add_argument("--prompt", type=int, default=32)
    ap.add_argument("--new", type=int, default=64)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cls, make = PRESETS[a.model]
    config = make()
    torch.manual_seed(0)
    model = cls(config).to(getattr(torch, a.dtype)).eval()
    prompt = torch.randint(0, config.vocab_size, (1, a.prompt))
    with torch.no_grad():
        model.generate(prompt, max_new_tokens=4, do_sample=False, use_cache=True, eos_token_id=None, pad_token_id=0)
        t0 = time.perf_counter()
        out = model.generate(prompt, max_new_tokens=a.new, min_new_tokens=a.new, do_sample=False, use_cache=True,
                             eos_token_id=None, pad_token_id=0)
        dt = time.perf_counter() - t0
        decode = decode_seconds(model, prompt, a.new)
    n = out.shape[1] - a.prompt
    print(json.dumps(dict(model=a.model, threads=a.threads, prompt=a.prompt, new=n, tokens_per_s=n / dt,
                          dtype=a.dtype, seconds=dt, decode_tokens_per_s=(a.new - 1) / decode)))


def decode_seconds(model, prompt, new):
    """The same greedy decoding as a loop over the model with its cache, timing only the new-1 steps after the
    prompt's forward pass (generate()'s tokens/s above include the prompt), to compare with jllm's decode rate."""
    out = model(prompt, use_cache=True)
    past, next_id = out.past_key_values, out.logits[:, -1:].argmax(dim=-1)
    t0 = time.perf_counter()
    for _ in range(new - 1):
        out = model(next_id, past_key_values=past, use_cache=True)
        past, next_id = out.past_key_values, out.logits[:, -1:].argmax(dim=-1)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
