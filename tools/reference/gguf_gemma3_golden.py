#!/usr/bin/env python3
"""Golden for Gemma 3 GGUF files, and small seeds for the GGUF fuzz test.

1. A tiny random Gemma 3 built in transformers, written as an F32 GGUF file the way llama.cpp's convert_hf_to_gguf.py
   (Gemma3Model) lays it out: gguf-py's tensor names for MODEL_ARCH.GEMMA3 (attn_norm, post_attention_norm, ffn_norm =
   pre_feedforward_layernorm, post_ffw_norm), every *norm.weight stored as 1 + w (norm_shift), no permutation of q/k,
   gemma3.attention.sliding_window, rope.freq_base for the global layers (the local base is llama.cpp's fixed 10000),
   and the logits transformers computes for a sequence longer than the sliding window.
   Writes jllm-core/src/test/resources/gguf/gemma3-tiny.gguf and gguf/gemma3_golden.json ({file: {ids, logits[pos][vocab]}}).
2. Seeds for io/gguf/GgufFuzzTest: a tiny llama model with a gpt2/llama-bpe vocabulary, merges and
   a chat template, and a tiny gemma3 model with a llama (SentencePiece) vocabulary with scores and byte tokens.

usage: /work/venv/bin/python tools/reference/gguf_gemma3_golden.py   (torch, transformers 5, gguf 0.19)
"""
import json
import numpy as np
import torch
import gguf
from gguf_common import decoder_writer, finish
from transformers import Gemma3ForCausalLM, Gemma3TextConfig

OUT = "jllm-core/src/test/resources/gguf/"
SEEDS = "jllm-core/src/test/resources/dev/jllm/io/gguf/GgufFuzzTestInputs/fuzz/"
SEQ = 24
torch.manual_seed(23)

# layer 1 is global; llama.cpp scales q by head_dim^-1/2 (query_pre_attn_scalar = head_dim) and uses 10000 locally
cfg = Gemma3TextConfig(
    vocab_size=96, hidden_size=64, intermediate_size=128, num_hidden_layers=3, num_attention_heads=4,
    num_key_value_heads=2, head_dim=16, query_pre_attn_scalar=16, max_position_embeddings=128, rms_norm_eps=1e-6,
    sliding_window=8, layer_types=["sliding_attention", "full_attention", "sliding_attention"],
    rope_parameters={"full_attention": dict(rope_type="default", rope_theta=1000000.0),
                     "sliding_attention": dict(rope_type="default", rope_theta=10000.0)},
    final_logit_softcapping=None, attn_logit_softcapping=None, hidden_activation="gelu_pytorch_tanh",
    tie_word_embeddings=True, bos_token_id=2, eos_token_id=1, pad_token_id=0)
model = Gemma3ForCausalLM(cfg).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        if "norm" in name:
            p.copy_(0.5 * torch.randn_like(p))            # Gemma's norms multiply by 1 + w
        elif "embed" in name:
            p.copy_(0.5 * torch.randn_like(p))
        else:
            p.copy_(2.0 * torch.randn_like(p) / p.shape[1] ** 0.5)
sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}

NAMES = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
         "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "self_attn.q_norm": "attn_q_norm",
         "self_attn.k_norm": "attn_k_norm", "post_attention_layernorm": "post_attention_norm",
         "pre_feedforward_layernorm": "ffn_norm", "post_feedforward_layernorm": "post_ffw_norm",
         "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
# check the names against gguf-py's own mapping for GEMMA3
tmap = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GEMMA3, cfg.num_hidden_layers)
for hf, g in NAMES.items():
    assert tmap.get_name(f"model.layers.0.{hf}.weight", try_suffixes=(".weight",)) == f"blk.0.{g}.weight", hf


def gemma_file(path, tokenizer=None):
    w = decoder_writer(path, "gemma3", cfg)
    w.add_rope_freq_base(cfg.rope_parameters["full_attention"]["rope_theta"])
    w.add_sliding_window(cfg.sliding_window)
    # llama.cpp's default pattern is every 6th layer global; this model's layer types are written explicitly
    w.add_array("gemma3.attention.sliding_window_pattern", [t == "sliding_attention" for t in cfg.layer_types])
    if tokenizer:
        tokenizer(w)
    w.add_tensor("token_embd.weight", sd["model.embed_tokens.weight"])
    for i in range(cfg.num_hidden_layers):
        for hf, g in NAMES.items():
            v = sd[f"model.layers.{i}.{hf}.weight"]
            if hf.endswith("norm"):
                v = v + 1.0                                    # convert_hf_to_gguf.py Gemma3Model.norm_shift
            w.add_tensor(f"blk.{i}.{g}.weight", np.ascontiguousarray(v))
    w.add_tensor("output_norm.weight", sd["model.norm.weight"] + 1.0)
    finish(w)


gemma_file(OUT + "gemma3-tiny.gguf")
ids = torch.randint(0, cfg.vocab_size, (1, SEQ))
with torch.no_grad():
    logits = model(ids).logits[0].float().numpy()
with open(OUT + "gemma3_golden.json", "w") as f:
    json.dump({"gemma3-tiny.gguf": {"ids": ids[0].tolist(),
                                    "logits": [[round(float(x), 6) for x in row] for row in logits]}}, f)
print("wrote", OUT + "gemma3-tiny.gguf")

# ---- fuzz seeds: tiny models with each kind of vocabulary ----
def seed_llama_bpe(path, blocks=1):
    tokens = ["<|begin_of_text|>", "<|eot_id|>"] + [chr(c) for c in range(ord("a"), ord("h"))] + ["ab", "abc", "Ġ"]
    w = gguf.GGUFWriter(path, "llama")
    for k, v in [("block_count", blocks), ("context_length", 16), ("embedding_length", 32), ("feed_forward_length", 32),
                 ("head_count", 2), ("head_count_kv", 1)]:
        getattr(w, "add_" + k)(v)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("llama-bpe")
    w.add_token_list(tokens)
    w.add_token_types([3, 3] + [1] * (len(tokens) - 2))
    w.add_token_merges(["a b", "ab c"])
    w.add_bos_token_id(0)
    w.add_eos_token_id(1)
    w.add_chat_template("{{ bos_token }}{% for m in messages %}{{ m['content'] }}<|eot_id|>{% endfor %}")
    rng = np.random.default_rng(1)
    n = len(tokens)
    w.add_tensor("token_embd.weight", rng.standard_normal((n, 32), dtype=np.float32))
    w.add_tensor("output_norm.weight", np.ones(32, dtype=np.float32))
    for g, shape in [("attn_norm", (32,)), ("ffn_norm", (32,)), ("attn_q", (32, 32)), ("attn_k", (16, 32)),
                     ("attn_v", (16, 32)), ("attn_output", (32, 32)), ("ffn_gate", (32, 32)), ("ffn_up", (32, 32)),
                     ("ffn_down", (32, 32))]:
        v = rng.standard_normal(shape, dtype=np.float32)
        if len(shape) == 2:
            v = gguf.quantize(v, gguf.GGMLQuantizationType.Q8_0)
            w.add_tensor(f"blk.0.{g}.weight", v, raw_shape=v.shape, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            w.add_tensor(f"blk.0.{g}.weight", v)
    finish(w)


def seed_spm(w):
    pieces = ["<pad>", "<eos>", "<bos>", "<unk>"] + [f"<0x{b:02X}>" for b in range(8)] + ["▁", "a", "b", "▁a", "ab", "▁ab", "  "]
    types = [3, 3, 3, 2] + [6] * 8 + [1] * 6 + [4]
    w.add_tokenizer_model("llama")
    w.add_token_list(pieces)
    w.add_token_types(types)
    w.add_token_scores([0.0] * 12 + [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -1000.0])
    w.add_bos_token_id(2)
    w.add_eos_token_id(1)
    w.add_unk_token_id(3)
    w.add_add_space_prefix(False)


seed_llama_bpe(SEEDS + "llama_bpe_q8")
# found by fuzzing: a block count of 2^31 - 1 over one block of tensors made millions of names before any check (hang)
seed_llama_bpe(SEEDS + "huge_block_count", blocks=2**31 - 1)
# a gemma seed: small sizes, its own vocabulary
cfg = Gemma3TextConfig(vocab_size=19, hidden_size=32, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                       num_key_value_heads=1, head_dim=16, query_pre_attn_scalar=16, max_position_embeddings=16,
                       sliding_window=4, layer_types=["sliding_attention"], tie_word_embeddings=True,
                       rope_parameters={"full_attention": dict(rope_type="default", rope_theta=1000000.0),
                                        "sliding_attention": dict(rope_type="default", rope_theta=10000.0)})
model = Gemma3ForCausalLM(cfg).eval()
sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
gemma_file(SEEDS + "gemma3_spm", seed_spm)
print("wrote fuzz seeds in", SEEDS)
