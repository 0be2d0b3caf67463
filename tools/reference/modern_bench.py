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

from model_presets import PRESETS


def hf_model(name):
    """transformers' model class and config for one of the presets."""
    p = PRESETS[name]
    sizes = dict(vocab_size=p["vocab"], hidden_size=p["emb"], intermediate_size=p["hidden"],
                 num_hidden_layers=p["layers"], num_attention_heads=p["heads"], num_key_value_heads=p["kv_heads"],
                 head_dim=p["head_dim"], max_position_embeddings=p["context"], rms_norm_eps=p["eps"],
                 tie_word_embeddings=True)
    if p["family"] == "gemma3":
        return Gemma3ForCausalLM, Gemma3TextConfig(query_pre_attn_scalar=p["query_pre_attn_scalar"],
                                                   sliding_window=p["sliding_window"], **sizes)
    rope = dict(rope_type="default", rope_theta=p["rope_base"])
    if p["rope_scaling"] is not None:
        rope.update(rope_type="llama3", **p["rope_scaling"])
    if p["family"] == "llama":
        return LlamaForCausalLM, LlamaConfig(rope_parameters=rope, **sizes)
    return Qwen3ForCausalLM, Qwen3Config(rope_parameters=rope, **sizes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=sorted(PRESETS))
    ap.add_argument("--prompt", type=int, default=32)
    ap.add_argument("--new", type=int, default=64)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cls, config = hf_model(a.model)
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
