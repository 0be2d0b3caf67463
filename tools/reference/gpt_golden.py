#!/usr/bin/python3
"""Golden values for jllm's GPT model, computed with PyTorch (Debian's python3-torch 1.13, no transformers).

Builds a small random GPT-2 the book's way (chapter 4: pre-norm blocks, tanh GELU, causal multi-head attention,
head tied to the token embedding, qkv bias on as in OpenAI's weights), saves it as a Hugging Face model folder
(config.json + model.safetensors with Conv1D [in, out] weights), and records for two sequences the logits, the
mean cross-entropy loss and the gradient of every parameter, plus a greedy continuation that runs past the context.

    /usr/bin/python3 tools/reference/gpt_golden.py jllm-core/src/test/resources/dev/jllm/model/golden

Outputs (all small): model/config.json, model/model.safetensors, golden.safetensors (logits, grad.<hf name>),
golden.json (input ids, targets, loss, greedy prompt and ids).
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn

CFG = dict(vocab_size=257, context_length=24, emb_dim=48, n_heads=4, n_layers=2, drop_rate=0.0, qkv_bias=True)


class LayerNorm(nn.Module):
    def __init__(self, emb_dim):
        super().__init__()
        self.eps = 1e-5
        self.scale = nn.Parameter(torch.ones(emb_dim))
        self.shift = nn.Parameter(torch.zeros(emb_dim))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        return self.scale * (x - mean) / torch.sqrt(var + self.eps) + self.shift


class GELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


class MultiHeadAttention(nn.Module):
    def __init__(self, d, context_length, n_heads, qkv_bias):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d // n_heads
        self.W_query = nn.Linear(d, d, bias=qkv_bias)
        self.W_key = nn.Linear(d, d, bias=qkv_bias)
        self.W_value = nn.Linear(d, d, bias=qkv_bias)
        self.out_proj = nn.Linear(d, d)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, t, d = x.shape
        q = self.W_query(x).view(b, t, self.n_heads, self.head_dim).transpose(1, 2)
        k = self.W_key(x).view(b, t, self.n_heads, self.head_dim).transpose(1, 2)
        v = self.W_value(x).view(b, t, self.n_heads, self.head_dim).transpose(1, 2)
        scores = q @ k.transpose(2, 3)
        scores.masked_fill_(self.mask.bool()[:t, :t], -torch.inf)
        w = torch.softmax(scores / self.head_dim ** 0.5, dim=-1)
        ctx = (w @ v).transpose(1, 2).contiguous().view(b, t, d)
        return self.out_proj(ctx)


class FeedForward(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(d, 4 * d), GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        return self.layers(x)


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["emb_dim"]
        self.att = MultiHeadAttention(d, cfg["context_length"], cfg["n_heads"], cfg["qkv_bias"])
        self.ff = FeedForward(d)
        self.norm1, self.norm2 = LayerNorm(d), LayerNorm(d)

    def forward(self, x):
        x = x + self.att(self.norm1(x))
        return x + self.ff(self.norm2(x))


class GPTModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.pos_emb = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
        self.trf_blocks = nn.Sequential(*[TransformerBlock(cfg) for _ in range(cfg["n_layers"])])
        self.final_norm = LayerNorm(cfg["emb_dim"])

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(t))
        x = self.final_norm(self.trf_blocks(x))
        return x @ self.tok_emb.weight.T  # head tied to the token embedding, as in GPT-2


def randomise(model, generator):
    """Random values everywhere (LayerNorm and biases too, so that their gradients are checked for real)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 0.2 + (1.0 if name.endswith("scale") else 0.0))


def hf_state_dict(model, tensors):
    """Maps the book's modules to Hugging Face GPT-2 names; tensors(p) picks the value or the gradient."""
    out = {"wte.weight": tensors(model.tok_emb.weight), "wpe.weight": tensors(model.pos_emb.weight)}
    for i, blk in enumerate(model.trf_blocks):
        a, p = blk.att, f"h.{i}."
        out[p + "ln_1.weight"], out[p + "ln_1.bias"] = tensors(blk.norm1.scale), tensors(blk.norm1.shift)
        # Conv1D stores [in, out]: the transpose of nn.Linear's [out, in]; q|k|v fused along out.
        out[p + "attn.c_attn.weight"] = torch.cat([tensors(a.W_query.weight), tensors(a.W_key.weight),
                                                   tensors(a.W_value.weight)], 0).T
        out[p + "attn.c_attn.bias"] = torch.cat([tensors(a.W_query.bias), tensors(a.W_key.bias),
                                                 tensors(a.W_value.bias)])
        out[p + "attn.c_proj.weight"], out[p + "attn.c_proj.bias"] = tensors(a.out_proj.weight).T, tensors(a.out_proj.bias)
        out[p + "ln_2.weight"], out[p + "ln_2.bias"] = tensors(blk.norm2.scale), tensors(blk.norm2.shift)
        fc, proj = blk.ff.layers[0], blk.ff.layers[2]
        out[p + "mlp.c_fc.weight"], out[p + "mlp.c_fc.bias"] = tensors(fc.weight).T, tensors(fc.bias)
        out[p + "mlp.c_proj.weight"], out[p + "mlp.c_proj.bias"] = tensors(proj.weight).T, tensors(proj.bias)
    out["ln_f.weight"], out["ln_f.bias"] = tensors(model.final_norm.scale), tensors(model.final_norm.shift)
    return out


def write_safetensors(path, tensors):
    """The safetensors format by hand: 8-byte little-endian header size, JSON header, raw little-endian F32 data."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)


def greedy(model, ids, max_new, context):
    """The book's generate_text_simple: each token from the last `context` tokens only."""
    ids, min_gap = torch.tensor([ids]), math.inf
    for _ in range(max_new):
        logits = model(ids[:, -context:])[:, -1, :]
        top2 = logits.topk(2, dim=-1).values[0]
        min_gap = min(min_gap, (top2[0] - top2[1]).item())  # a tiny gap would make float32 ties flip
        ids = torch.cat([ids, logits.argmax(dim=-1, keepdim=True)], dim=1)
    print(f"smallest top-1/top-2 logit gap in the greedy run: {min_gap:.4f}")
    return ids[0].tolist()


def main(out_dir):
    g = torch.Generator().manual_seed(1234)
    model = GPTModel(CFG)
    randomise(model, g)
    model = model.double()  # goldens in float64; Java's float32 error is then its own

    os.makedirs(os.path.join(out_dir, "model"), exist_ok=True)
    write_safetensors(os.path.join(out_dir, "model", "model.safetensors"), hf_state_dict(model, lambda p: p))
    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": CFG["vocab_size"],
              "n_positions": CFG["context_length"], "n_ctx": CFG["context_length"], "n_embd": CFG["emb_dim"],
              "n_layer": CFG["n_layers"], "n_head": CFG["n_heads"], "activation_function": "gelu_new",
              "layer_norm_epsilon": 1e-5, "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
              "tie_word_embeddings": True}
    with open(os.path.join(out_dir, "model", "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    t = CFG["context_length"]
    data = torch.randint(0, CFG["vocab_size"], (2, t + 1), generator=g)
    inputs, targets = data[:, :-1], data[:, 1:]
    logits = model(inputs)
    loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())
    loss.backward()

    golden = {"logits": logits}
    golden.update({"grad." + k: v for k, v in hf_state_dict(model, lambda p: p.grad).items()})
    write_safetensors(os.path.join(out_dir, "golden.safetensors"), golden)

    prompt = data[0, :5].tolist()
    with torch.no_grad():
        continuation = greedy(model, prompt, 30, t)  # 35 tokens in all: past the context of 24
    with open(os.path.join(out_dir, "golden.json"), "w") as f:
        json.dump({"inputs": inputs.tolist(), "targets": targets.tolist(), "loss": loss.item(),
                   "greedy_prompt": prompt, "greedy_ids": continuation[len(prompt):]}, f)
    print(f"loss {loss.item():.6f}, greedy {continuation[len(prompt):]}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "jllm-core/src/test/resources/dev/jllm/model/golden")
