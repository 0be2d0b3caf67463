#!/usr/bin/env python3
"""The PyTorch peer of `jllm bench`: the book's GPTModel, trained and sampled the book's way.

Run with a Python that has torch (Debian's torch 1.13 as /usr/bin/python3, or pip's torch in a venv made by
tools/reference/make_venv.sh):  OMP_WAIT_POLICY=PASSIVE python3 tools/bench/gpt_torch.py [--json] [train|generate]
Training steps and prefills: 2 warm-up steps, then the median of max(5, --reps) timed ones.

Each configuration runs in a fresh subprocess so that its peak resident memory is its own.
Prints one JSON object shaped like `jllm bench --json`:
  {"threads": n, "train": [{"model", "batch", "context", "tokens_per_second", "peak_rss_mib"}...],
   "generate": [{"model", "kv_cache", "tokens_per_second", "peak_rss_mib"}...],
   "prefill": [{"model", "prompt", "tokens_per_second"}...]}
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

CONFIGS = {
    "124M": dict(vocab_size=50257, context_length=1024, emb_dim=768, n_heads=12, n_layers=12),
    "355M": dict(vocab_size=50257, context_length=1024, emb_dim=1024, n_heads=16, n_layers=24),
}


def build_model(size, drop_rate, torch, nn):
    """The book's chapter-4 GPTModel (separate query/key/value Linear layers, no qkv bias)."""

    class MultiHeadAttention(nn.Module):
        def __init__(self, d_in, d_out, context_length, dropout, num_heads):
            super().__init__()
            self.d_out, self.num_heads, self.head_dim = d_out, num_heads, d_out // num_heads
            self.W_query = nn.Linear(d_in, d_out, bias=False)
            self.W_key = nn.Linear(d_in, d_out, bias=False)
            self.W_value = nn.Linear(d_in, d_out, bias=False)
            self.out_proj = nn.Linear(d_out, d_out)
            self.dropout = nn.Dropout(dropout)
            self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))
            self.cache_k = self.cache_v = None

        def split(self, t, b, n):
            return t.view(b, n, self.num_heads, self.head_dim).transpose(1, 2)

        def forward(self, x, use_cache=False):
            b, n, _ = x.shape
            q = self.split(self.W_query(x), b, n)
            k = self.split(self.W_key(x), b, n)
            v = self.split(self.W_value(x), b, n)
            if use_cache:  # the KV-cache variant (book, ch04 bonus): append this step's keys and values
                if self.cache_k is not None:
                    k = torch.cat([self.cache_k, k], dim=2)
                    v = torch.cat([self.cache_v, v], dim=2)
                self.cache_k, self.cache_v = k, v
            total = k.shape[2]
            scores = q @ k.transpose(2, 3)
            mask = self.mask.bool()[total - n:total, :total]
            scores.masked_fill_(mask, -torch.inf)
            w = self.dropout(torch.softmax(scores / self.head_dim ** 0.5, dim=-1))
            ctx = (w @ v).transpose(1, 2).contiguous().view(b, n, self.d_out)
            return self.out_proj(ctx)

    class LayerNorm(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.eps, self.scale, self.shift = 1e-5, nn.Parameter(torch.ones(d)), nn.Parameter(torch.zeros(d))

        def forward(self, x):
            mean = x.mean(dim=-1, keepdim=True)
            var = x.var(dim=-1, keepdim=True, unbiased=False)
            return self.scale * (x - mean) / torch.sqrt(var + self.eps) + self.shift

    class GELU(nn.Module):
        def forward(self, x):
            return 0.5 * x * (1 + torch.tanh(torch.sqrt(torch.tensor(2.0 / torch.pi)) * (x + 0.044715 * torch.pow(x, 3))))

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            e = c["emb_dim"]
            self.att = MultiHeadAttention(e, e, c["context_length"], drop_rate, c["n_heads"])
            self.ff = nn.Sequential(nn.Linear(e, 4 * e), GELU(), nn.Linear(4 * e, e))
            self.norm1, self.norm2 = LayerNorm(e), LayerNorm(e)
            self.drop_shortcut = nn.Dropout(drop_rate)

        def forward(self, x, use_cache=False):
            x = x + self.drop_shortcut(self.att(self.norm1(x), use_cache))
            return x + self.drop_shortcut(self.ff(self.norm2(x)))

    class GPTModel(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.tok_emb = nn.Embedding(c["vocab_size"], c["emb_dim"])
            self.pos_emb = nn.Embedding(c["context_length"], c["emb_dim"])
            self.drop_emb = nn.Dropout(drop_rate)
            self.trf_blocks = nn.ModuleList([Block(c) for _ in range(c["n_layers"])])
            self.final_norm = LayerNorm(c["emb_dim"])
            self.out_head = nn.Linear(c["emb_dim"], c["vocab_size"], bias=False)
            self.pos = 0

        def reset_cache(self):
            self.pos = 0
            for blk in self.trf_blocks:
                blk.att.cache_k = blk.att.cache_v = None

        def forward(self, idx, use_cache=False):
            n = idx.shape[1]
            start = self.pos if use_cache else 0
            pos = torch.arange(start, start + n, device=idx.device)
            if use_cache:
                self.pos += n
            x = self.drop_emb(self.tok_emb(idx) + self.pos_emb(pos))
            for blk in self.trf_blocks:
                x = blk(x, use_cache)
            return self.out_head(self.final_norm(x))

    return GPTModel(CONFIGS[size])


WARM_UP = 2    # untimed steps first: PyTorch's first steps are slow (allocator, AdamW state), the JVM's too (JIT)
MIN_STEPS = 5  # timed training steps and prefills at least, whatever --reps says (jllm bench does the same)


def run_one(kind, size, a, b, reps):
    import torch
    import torch.nn as nn
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(123)
    if kind == "train":
        batch, context = a, b
        model = build_model(size, 0.1, torch, nn)
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=4e-4, weight_decay=0.1)
        x = torch.randint(0, 50257, (batch, context))
        y = torch.randint(0, 50257, (batch, context))
        times = []
        for i in range(WARM_UP + max(MIN_STEPS, reps)):
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
            loss.backward()
            opt.step()
            if i >= WARM_UP:
                times.append(time.perf_counter() - t0)
        tps = batch * context / statistics.median(times)
        return {"model": size, "batch": batch, "context": context, "tokens_per_second": tps}
    model = build_model(size, 0.0, torch, nn)
    model.eval()
    if kind == "prefill":
        x = torch.randint(0, 50257, (1, a))
        times = []
        with torch.no_grad():
            for i in range(WARM_UP + max(MIN_STEPS, reps)):
                t0 = time.perf_counter()
                model(x)
                if i >= WARM_UP:
                    times.append(time.perf_counter() - t0)
        return {"model": size, "prompt": a, "tokens_per_second": a / statistics.median(times)}
    use_cache, new_tokens = bool(a), b
    prompt = torch.randint(0, 50257, (1, 10))
    times = []
    with torch.no_grad():
        for i in range(max(1, reps // 2) + 1):
            idx = prompt
            t0 = time.perf_counter()
            if use_cache:  # prefill the prompt, then one token at a time
                model.reset_cache()
                logits = model(idx, use_cache=True)
                for i in range(new_tokens):
                    nxt = logits[:, -1].argmax(dim=-1, keepdim=True)
                    idx = torch.cat([idx, nxt], dim=1)
                    if i + 1 < new_tokens:  # the last token needs no logits after it
                        logits = model(nxt, use_cache=True)
            else:  # the book's generate_text_simple: the whole (cropped) sequence every step
                for _ in range(new_tokens):
                    logits = model(idx[:, -1024:])
                    idx = torch.cat([idx, logits[:, -1].argmax(dim=-1, keepdim=True)], dim=1)
            if i > 0:
                times.append(time.perf_counter() - t0)
    return {"model": size, "kv_cache": use_cache, "tokens_per_second": new_tokens / statistics.median(times)}


def blas_info(torch):
    """The BLAS torch was built with (MKL or OpenBLAS), from its build configuration."""
    cfg = torch.__config__.show()
    for line in cfg.splitlines():
        if "BLAS_INFO=" in line:
            return line.split("BLAS_INFO=")[1].split(",")[0]
    return "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("part", nargs="?", default="all", choices=["all", "train", "generate"])
    p.add_argument("--json", action="store_true")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--new-tokens", type=int, default=200)
    p.add_argument("--models", default="124M,355M", help="model sizes for generation, comma-separated")
    p.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        kind, size, a, b = args.one
        r = run_one(kind, size, int(a), int(b), args.reps)
        r["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(json.dumps(r))
        return
    plan = []
    if args.part in ("all", "train"):
        plan += [("train", "124M", 2, 256), ("train", "124M", 8, 256), ("train", "124M", 1, 1024)]
    if args.part in ("all", "generate"):
        models = args.models.split(",")
        for size in models:
            plan += [("generate", size, 1, args.new_tokens), ("generate", size, 0, args.new_tokens)]
        plan.append(("prefill", models[0], 512, 0))
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    import torch
    out = {"threads": os.cpu_count(), "torch": torch.__version__, "blas": blas_info(torch),
           "train": [], "generate": [], "prefill": []}
    for kind, size, a, b in plan:
        cmd = [sys.executable, __file__, "--reps", str(args.reps), "--one", kind, size, str(a), str(b)]
        r = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
        out[kind].append(r)
        if not args.json:
            print(kind, r, file=sys.stderr, flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
