"""Golden files for jllm's checkpoint readers (package dev.jllm.io), made with PyTorch.

Run: /usr/bin/python3 tools/reference/safetensors_golden.py
Writes small files to jllm-core/src/test/resources/io/:
  dtypes.safetensors + dtypes.json   F32, F16 and BF16 tensors and the floats torch widens them to
  book_tiny[_qkvbias].safetensors    the state dict of the book's GPTModel (chapter 4) at tiny sizes
  book_tiny[_qkvbias]_logits.json     that model's logits [6, 13] for the ids 1 5 7 2 12 0
  book_tiny[_qkvbias]_hf.safetensors the same weights under Hugging Face GPT-2 names (Conv1D [in, out] layout,
                                     q|k|v fused), derived here independently of the Java mapping
  hf_tiny/                           a Hugging Face style folder (config.json + model.safetensors with the
                                     "transformer." prefix, attention mask buffers and an untied lm_head)

The `safetensors` package is not installed on Debian, so the format is written by hand (header length as
little-endian u64, JSON header, space padding to 8 bytes, raw little-endian data), the way its writer lays it out.
"""
import json
import os
import struct

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "io")
LOGITS_IDS = [1, 5, 7, 2, 12, 0]
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.bool: "BOOL", torch.int64: "I64"}


def save_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.detach().contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.dim() > 0 else t.reshape(1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


# ---- the book's GPT model (chapter 4), verbatim in structure ----
class MultiHeadAttention(nn.Module):
    def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
        super().__init__()
        self.d_out, self.num_heads, self.head_dim = d_out, num_heads, d_out // num_heads
        self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = nn.Linear(d_out, d_out)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), diagonal=1))

    def forward(self, x):
        b, t, _ = x.shape
        split = lambda y: y.view(b, t, self.num_heads, self.head_dim).transpose(1, 2)
        q, k, v = split(self.W_query(x)), split(self.W_key(x)), split(self.W_value(x))
        scores = (q @ k.transpose(2, 3)).masked_fill(self.mask.bool()[:t, :t], -torch.inf)
        weights = self.dropout(torch.softmax(scores / k.shape[-1] ** 0.5, dim=-1))
        return self.out_proj((weights @ v).transpose(1, 2).contiguous().view(b, t, self.d_out))


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


class FeedForward(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(cfg["emb_dim"], 4 * cfg["emb_dim"]), nn.GELU(approximate="tanh"),
                                    nn.Linear(4 * cfg["emb_dim"], cfg["emb_dim"]))

    def forward(self, x):
        return self.layers(x)


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.att = MultiHeadAttention(cfg["emb_dim"], cfg["emb_dim"], cfg["context_length"], cfg["drop_rate"],
                                      cfg["n_heads"], cfg["qkv_bias"])
        self.ff = FeedForward(cfg)
        self.norm1 = LayerNorm(cfg["emb_dim"])
        self.norm2 = LayerNorm(cfg["emb_dim"])
        self.drop_shortcut = nn.Dropout(cfg["drop_rate"])

    def forward(self, x):
        x = x + self.drop_shortcut(self.att(self.norm1(x)))
        return x + self.drop_shortcut(self.ff(self.norm2(x)))


class GPTModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.pos_emb = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
        self.drop_emb = nn.Dropout(cfg["drop_rate"])
        self.trf_blocks = nn.Sequential(*[TransformerBlock(cfg) for _ in range(cfg["n_layers"])])
        self.final_norm = LayerNorm(cfg["emb_dim"])
        self.out_head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False)

    def forward(self, ids):
        x = self.tok_emb(ids) + self.pos_emb(torch.arange(ids.shape[1]))
        x = self.trf_blocks(self.drop_emb(x))
        return self.out_head(self.final_norm(x))


def to_hf(sd, n_layers, qkv_bias):
    """The book's state dict under Hugging Face GPT-2 names: Linear [out, in] becomes Conv1D [in, out]."""
    hf = {"wte.weight": sd["tok_emb.weight"], "wpe.weight": sd["pos_emb.weight"]}
    for i in range(n_layers):
        b, h = f"trf_blocks.{i}.", f"h.{i}."
        hf[h + "ln_1.weight"] = sd[b + "norm1.scale"]
        hf[h + "ln_1.bias"] = sd[b + "norm1.shift"]
        qkv = [sd[b + f"att.{w}.weight"] for w in ("W_query", "W_key", "W_value")]
        hf[h + "attn.c_attn.weight"] = torch.cat([w.t() for w in qkv], dim=1)
        if qkv_bias:
            hf[h + "attn.c_attn.bias"] = torch.cat([sd[b + f"att.{w}.bias"] for w in ("W_query", "W_key", "W_value")])
        hf[h + "attn.c_proj.weight"] = sd[b + "att.out_proj.weight"].t()
        hf[h + "attn.c_proj.bias"] = sd[b + "att.out_proj.bias"]
        hf[h + "ln_2.weight"] = sd[b + "norm2.scale"]
        hf[h + "ln_2.bias"] = sd[b + "norm2.shift"]
        hf[h + "mlp.c_fc.weight"] = sd[b + "ff.layers.0.weight"].t()
        hf[h + "mlp.c_fc.bias"] = sd[b + "ff.layers.0.bias"]
        hf[h + "mlp.c_proj.weight"] = sd[b + "ff.layers.2.weight"].t()
        hf[h + "mlp.c_proj.bias"] = sd[b + "ff.layers.2.bias"]
    hf["ln_f.weight"] = sd["final_norm.scale"]
    hf["ln_f.bias"] = sd["final_norm.shift"]
    hf["lm_head.weight"] = sd["out_head.weight"]
    return hf


def randomize(model):
    # LayerNorm starts at ones/zeros; random values make a swapped scale/shift visible.
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.5)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1234)

    # dtypes: values chosen to exercise signs, zero, subnormals, rounding, the largest half
    f32 = torch.tensor([[1.0, -2.5, 3.1415927], [0.0, -0.0, 1e-30]], dtype=torch.float32)
    f16 = torch.tensor([0.0, -1.0, 65504.0, 6e-8, 0.333, -1234.5, 1e-4], dtype=torch.float32).to(torch.float16)
    bf16 = torch.tensor([0.0, -1.0, 3.14159, 1e-20, 3.0e38, -7.77e-3, 100.1], dtype=torch.float32).to(torch.bfloat16)
    save_safetensors(os.path.join(OUT, "dtypes.safetensors"), {"f32": f32, "f16": f16, "bf16": bf16},
                     {"format": "pt", "note": "golden"})
    with open(os.path.join(OUT, "dtypes.json"), "w") as f:
        json.dump({"f32": f32.flatten().tolist(), "f16": f16.float().tolist(), "bf16": bf16.float().tolist()}, f,
                  indent=1)

    for suffix, qkv_bias in (("", False), ("_qkvbias", True)):
        cfg = {"vocab_size": 13, "context_length": 6, "emb_dim": 8, "n_heads": 2, "n_layers": 2, "drop_rate": 0.0,
               "qkv_bias": qkv_bias}
        model = GPTModel(cfg)
        randomize(model)
        sd = model.state_dict()
        save_safetensors(os.path.join(OUT, f"book_tiny{suffix}.safetensors"), sd)
        save_safetensors(os.path.join(OUT, f"book_tiny{suffix}_hf.safetensors"), to_hf(sd, cfg["n_layers"], qkv_bias))
        # the book model's logits, so that loading its file into jllm's GptModel is checked end to end
        model.eval()
        with torch.no_grad():
            logits = model(torch.tensor([LOGITS_IDS]))
        with open(os.path.join(OUT, f"book_tiny{suffix}_logits.json"), "w") as f:
            json.dump({"ids": LOGITS_IDS, "logits": logits[0].flatten().tolist()}, f)

    # A Hugging Face folder as GPT2LMHeadModel.save_pretrained lays it out, with the buffers older versions kept.
    hf = to_hf(GPTModel(dict(cfg, qkv_bias=True)).state_dict(), 2, True)
    on_disk = {}
    for name, t in hf.items():
        if name == "lm_head.weight":
            on_disk[name] = t
            continue
        on_disk["transformer." + name] = t
        if name.endswith("ln_1.weight"):
            layer = name.split(".")[1]
            on_disk[f"transformer.h.{layer}.attn.bias"] = torch.tril(torch.ones(6, 6, dtype=torch.bool)).view(1, 1, 6, 6)
            on_disk[f"transformer.h.{layer}.attn.masked_bias"] = torch.tensor(-1e4)
    folder = os.path.join(OUT, "hf_tiny")
    os.makedirs(folder, exist_ok=True)
    save_safetensors(os.path.join(folder, "model.safetensors"), on_disk, {"format": "pt"})
    save_safetensors(os.path.join(OUT, "hf_tiny_canonical.safetensors"), hf)
    config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 13, "n_positions": 6,
              "n_ctx": 6, "n_embd": 8, "n_head": 2, "n_layer": 2, "layer_norm_epsilon": 1e-5,
              "activation_function": "gelu_new", "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1,
              "tie_word_embeddings": False}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)


if __name__ == "__main__":
    main()
