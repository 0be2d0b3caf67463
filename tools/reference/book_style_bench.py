#!/usr/bin/env python3
"""A second PyTorch peer for jllm's decoding speed: Llama 3.2 and Qwen3 written the way the book's bonus chapters
build them (plain nn.Modules: token embedding, blocks of RMSNorm -> grouped-query attention with RoPE and a KV cache
-> RMSNorm -> SwiGLU feed-forward, a final norm and a tied output head; greedy decoding one token at a time through
the cache). The book's `llms_from_scratch` package is not installable here, so this is our own code in its style,
not a copy of it. Random weights at the published sizes, as jllm's presets.

    venv/bin/python tools/reference/book_style_bench.py llama3.2-1b --prompt 10 --new 32 --threads 2 --dtype float32

Prints one JSON line: {"model", "threads", "dtype", "prompt", "new", "decode_tokens_per_s", "prefill_seconds"}.
Only the decoding steps are timed (after one untimed warm-up generation), so the number compares with jllm's
decode tokens/s.
"""
import argparse
import json
import time

import torch
import torch.nn as nn

from model_presets import PRESETS

FAMILIES = ("llama", "qwen3")  # the two this file builds; Gemma 3 is modern_bench.py's alone


def rope_tables(head_dim, base, length, scaling):
    """cos and sin of each position times each inverse frequency, shape (length, head_dim)."""
    inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim))
    if scaling is not None:  # Llama 3.1/3.2: long wavelengths divided by the factor (32), a smooth blend in between
        factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
        original = scaling["original_max_position_embeddings"]
        wavelen = 2 * torch.pi / inv_freq
        smooth = (original / wavelen - low) / (high - low)
        scaled = torch.where(wavelen > original / low, inv_freq / factor, inv_freq)
        blended = (1 - smooth) * inv_freq / factor + smooth * inv_freq
        medium = (wavelen <= original / low) & (wavelen >= original / high)
        inv_freq = torch.where(medium, blended, scaled)
    angles = torch.arange(length).float()[:, None] * inv_freq[None, :]
    angles = torch.cat([angles, angles], dim=1)
    return torch.cos(angles), torch.sin(angles)


def apply_rope(x, cos, sin, offset):
    """x: (batch, heads, tokens, head_dim), rotated by the positions offset .. offset+tokens-1."""
    n = x.shape[2]
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    c, s = cos[offset:offset + n].to(x.dtype), sin[offset:offset + n].to(x.dtype)
    return x * c + rotated * s


class FeedForward(nn.Module):
    def __init__(self, cfg, dtype):
        super().__init__()
        self.fc1 = nn.Linear(cfg["emb"], cfg["hidden"], bias=False, dtype=dtype)
        self.fc2 = nn.Linear(cfg["emb"], cfg["hidden"], bias=False, dtype=dtype)
        self.fc3 = nn.Linear(cfg["hidden"], cfg["emb"], bias=False, dtype=dtype)

    def forward(self, x):  # (b, t, emb) -> (b, t, emb)
        return self.fc3(nn.functional.silu(self.fc1(x)) * self.fc2(x))


class GroupedQueryAttention(nn.Module):
    def __init__(self, cfg, dtype):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = cfg["heads"], cfg["kv_heads"], cfg["head_dim"]
        self.W_query = nn.Linear(cfg["emb"], self.heads * self.head_dim, bias=False, dtype=dtype)
        self.W_key = nn.Linear(cfg["emb"], self.kv_heads * self.head_dim, bias=False, dtype=dtype)
        self.W_value = nn.Linear(cfg["emb"], self.kv_heads * self.head_dim, bias=False, dtype=dtype)
        self.out_proj = nn.Linear(self.heads * self.head_dim, cfg["emb"], bias=False, dtype=dtype)
        self.q_norm = nn.RMSNorm(self.head_dim, eps=cfg["eps"], dtype=dtype) if cfg["qk_norm"] else None
        self.k_norm = nn.RMSNorm(self.head_dim, eps=cfg["eps"], dtype=dtype) if cfg["qk_norm"] else None
        self.cache_k = self.cache_v = None

    def forward(self, x, cos, sin):  # (b, t, emb) -> (b, t, emb); appends t positions to the cache
        b, t, _ = x.shape
        q = self.W_query(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.W_key(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.W_value(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        offset = 0 if self.cache_k is None else self.cache_k.shape[2]
        q, k = apply_rope(q, cos, sin, offset), apply_rope(k, cos, sin, offset)
        self.cache_k = k if self.cache_k is None else torch.cat([self.cache_k, k], dim=2)
        self.cache_v = v if self.cache_v is None else torch.cat([self.cache_v, v], dim=2)
        group = self.heads // self.kv_heads
        keys = self.cache_k.repeat_interleave(group, dim=1)
        values = self.cache_v.repeat_interleave(group, dim=1)
        scores = q @ keys.transpose(2, 3) / self.head_dim ** 0.5
        if t > 1:  # causal mask over the new positions
            n = keys.shape[2]
            mask = torch.triu(torch.ones(t, n, dtype=torch.bool), diagonal=n - t + 1)
            scores = scores.masked_fill(mask, float("-inf"))
        weights = torch.softmax(scores.float(), dim=-1).to(v.dtype)
        context = (weights @ values).transpose(1, 2).reshape(b, t, self.heads * self.head_dim)
        return self.out_proj(context)


class TransformerBlock(nn.Module):
    def __init__(self, cfg, dtype):
        super().__init__()
        self.norm1 = nn.RMSNorm(cfg["emb"], eps=cfg["eps"], dtype=dtype)
        self.att = GroupedQueryAttention(cfg, dtype)
        self.norm2 = nn.RMSNorm(cfg["emb"], eps=cfg["eps"], dtype=dtype)
        self.ff = FeedForward(cfg, dtype)

    def forward(self, x, cos, sin):
        x = x + self.att(self.norm1(x), cos, sin)
        return x + self.ff(self.norm2(x))


class Model(nn.Module):
    def __init__(self, cfg, dtype, context):
        super().__init__()
        self.tok_emb = nn.Embedding(cfg["vocab"], cfg["emb"], dtype=dtype)
        self.trf_blocks = nn.ModuleList(TransformerBlock(cfg, dtype) for _ in range(cfg["layers"]))
        self.final_norm = nn.RMSNorm(cfg["emb"], eps=cfg["eps"], dtype=dtype)
        self.out_head = nn.Linear(cfg["emb"], cfg["vocab"], bias=False, dtype=dtype)
        self.out_head.weight = self.tok_emb.weight  # tied, as both published models are
        cos, sin = rope_tables(cfg["head_dim"], cfg["rope_base"], context, cfg["rope_scaling"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def reset_cache(self):
        for block in self.trf_blocks:
            block.att.cache_k = block.att.cache_v = None

    def forward(self, ids):  # (b, t) -> logits of the last position (b, vocab)
        x = self.tok_emb(ids)
        for block in self.trf_blocks:
            x = block(x, self.cos, self.sin)
        return self.out_head(self.final_norm(x[:, -1:, :]))[:, -1, :]


def generate(model, prompt, new):
    """Greedy decoding through the KV cache: returns (prefill seconds, decode seconds, ids)."""
    model.reset_cache()
    t0 = time.perf_counter()
    next_id = model(prompt).argmax(dim=-1, keepdim=True)
    t1 = time.perf_counter()
    ids = [next_id]
    for _ in range(new - 1):
        next_id = model(next_id).argmax(dim=-1, keepdim=True)
        ids.append(next_id)
    return t1 - t0, time.perf_counter() - t1, torch.cat(ids, dim=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=sorted(k for k, p in PRESETS.items() if p["family"] in FAMILIES))
    ap.add_argument("--prompt", type=int, default=10)
    ap.add_argument("--new", type=int, default=32)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg = PRESETS[a.model]
    model = Model(cfg, getattr(torch, a.dtype), a.prompt + a.new + 8).eval()
    prompt = torch.randint(0, cfg["vocab"], (1, a.prompt))
    with torch.no_grad():
        generate(model, prompt, 4)  # warm-up
        prefill, decode, _ = generate(model, prompt, a.new)
    print(json.dumps(dict(model=a.model, threads=a.threads, dtype=a.dtype, prompt=a.prompt, new=a.new,
                          decode_tokens_per_s=(a.new - 1) / decode, prefill_seconds=prefill)))


if __name__ == "__main__":
    main()
