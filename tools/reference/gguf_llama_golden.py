#!/usr/bin/env python3
"""Goldens for decoding Llama-family GGUF files: tiny random Llama 3 (with llama3 rope scaling) and Qwen3 models
built in transformers, written as F32 GGUF files the way llama.cpp's convert_hf_to_gguf.py lays them out (llama:
attn_q/attn_k rows permuted, rope_freqs.weight; qwen3: unpermuted, q/k norms), and the logits transformers computes
for a sequence longer than Llama's original context.

Writes jllm-core/src/test/resources/gguf/{llama,qwen3}-tiny.gguf and gguf/llama_golden.json ({file: {ids, logits[pos][vocab]}}).
usage: /work/venv/bin/python tools/reference/gguf_llama_golden.py   (torch, transformers 5, gguf 0.19)
"""
import json
import math
import numpy as np
import torch
import gguf
from gguf_common import decoder_writer, finish
from transformers import LlamaConfig, LlamaForCausalLM, Qwen3Config, Qwen3ForCausalLM

OUT = "jllm-core/src/test/resources/gguf/"
SEQ = 40
torch.manual_seed(17)

common = dict(vocab_size=96, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, head_dim=16, max_position_embeddings=128, attention_bias=False,
              bos_token_id=1, eos_token_id=2)
MODELS = {
    "llama": (LlamaForCausalLM, LlamaConfig(**common, rms_norm_eps=1e-5, mlp_bias=False, tie_word_embeddings=True,
              rope_parameters=dict(rope_type="llama3", rope_theta=10000.0, factor=8.0, low_freq_factor=1.0,
                                   high_freq_factor=4.0, original_max_position_embeddings=16))),
    "qwen3": (Qwen3ForCausalLM, Qwen3Config(**common, rms_norm_eps=1e-6, tie_word_embeddings=False, use_sliding_window=False,
              rope_parameters=dict(rope_type="default", rope_theta=1000.0))),
}


def permute(w, n_head):
    """llama.cpp convert_hf_to_gguf.py LlamaModel.permute."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def rope_factors(theta, hd, factor, low, high, old):
    """llama.cpp's converter: rope_freqs.weight, one divisor per frequency."""
    freqs = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    lo_w, hi_w = old / low, old / high
    out = []
    for f in freqs:
        wl = 2 * math.pi / f
        if wl < hi_w:
            out.append(1)
        elif wl > lo_w:
            out.append(factor)
        else:
            s = (old / wl - low) / (high - low)
            out.append(1 / ((1 - s) / factor + s))
    return np.array(out, dtype=np.float32)


golden = {}
for arch, (cls, cfg) in MODELS.items():
    model = cls(cfg).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif "embed" in name:
                p.copy_(torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) / math.sqrt(p.shape[1]))
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    path = OUT + f"{arch}-tiny.gguf"
    w = decoder_writer(path, arch, cfg)
    rp = cfg.rope_parameters
    w.add_rope_freq_base(rp["rope_theta"])
    if arch == "llama":
        w.add_tensor("rope_freqs.weight", rope_factors(rp["rope_theta"], cfg.head_dim, rp["factor"], rp["low_freq_factor"],
                                                       rp["high_freq_factor"], rp["original_max_position_embeddings"]))
    w.add_tensor("token_embd.weight", sd["model.embed_tokens.weight"])
    if not cfg.tie_word_embeddings:
        w.add_tensor("output.weight", sd["lm_head.weight"])
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        q, k = sd[p + "self_attn.q_proj.weight"], sd[p + "self_attn.k_proj.weight"]
        if arch == "llama":
            q, k = permute(q, cfg.num_attention_heads), permute(k, cfg.num_key_value_heads)
        t = {"attn_norm": sd[p + "input_layernorm.weight"], "attn_q": q, "attn_k": k,
             "attn_v": sd[p + "self_attn.v_proj.weight"], "attn_output": sd[p + "self_attn.o_proj.weight"],
             "ffn_norm": sd[p + "post_attention_layernorm.weight"], "ffn_gate": sd[p + "mlp.gate_proj.weight"],
             "ffn_up": sd[p + "mlp.up_proj.weight"], "ffn_down": sd[p + "mlp.down_proj.weight"]}
        if arch == "qwen3":
            t["attn_q_norm"] = sd[p + "self_attn.q_norm.weight"]
            t["attn_k_norm"] = sd[p + "self_attn.k_norm.weight"]
        for n, v in t.items():
            w.add_tensor(f"blk.{i}.{n}.weight", np.ascontiguousarray(v))
    w.add_tensor("output_norm.weight", sd["model.norm.weight"])
    finish(w)
    ids = torch.randint(0, cfg.vocab_size, (1, SEQ))
    with torch.no_grad():
        logits = model(ids).logits[0].float().numpy()
    golden[f"{arch}-tiny.gguf"] = {"ids": ids[0].tolist(), "logits": [[round(float(x), 6) for x in row] for row in logits]}
    print("wrote", path)
with open(OUT + "llama_golden.json", "w") as f:
    json.dump(golden, f)
