#!/usr/bin/env python3
"""Golden values for jllm's Llama 3.2, Qwen3 and Gemma 3 models, computed with Hugging Face transformers (5.18,
PyTorch 2.13, fp32, eager attention). Make the environment with tools/reference/make_venv.sh, then:

    venv/bin/python tools/reference/modern_golden.py jllm-core/src/test/resources/dev/jllm/model/modern

For each family it builds a tiny random model whose config exercises what a parity test must catch: Llama 3's
rope scaling with a small original_max_position_embeddings and a tied head, Qwen3's explicit head_dim (not
hidden / heads) and q/k norms, Gemma 3's sliding window (shorter than the sequences) interleaved with global
layers, its separate rope bases, query_pre_attn_scalar, (1 + w) norms and final logit soft-capping (Qwen3 and
Gemma 3 untied). Weights are drawn wide enough that greedy decoding does not settle on one token. Outputs per family, in FAMILY/:
  model/config.json, model/model.safetensors   the model as save_pretrained writes it (fp32)
  golden.safetensors                          logits [B, T, V] and grad.<name> for every parameter
  golden.json                                 input ids, targets, loss, greedy prompt and continuation
and for Qwen3 also model-bf16/ (the same weights rounded to bf16, saved as bf16) with golden-bf16.json (loss and
greedy ids of the bf16-rounded weights computed in fp32).
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import (Gemma3ForCausalLM, Gemma3TextConfig, LlamaConfig, LlamaForCausalLM, Qwen3Config,
                          Qwen3ForCausalLM)

BATCH, SEQ = 2, 80          # longer than Llama's original context (32) and Gemma's window (16)
PROMPT, NEW = 5, 90         # greedy continuation to position 95


def llama():
    return LlamaForCausalLM, LlamaConfig(
        vocab_size=160, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
        num_key_value_heads=2, head_dim=8, max_position_embeddings=256, rms_norm_eps=1e-5,
        rope_parameters=dict(rope_type="llama3", rope_theta=10000.0, factor=8.0, low_freq_factor=1.0,
                             high_freq_factor=4.0, original_max_position_embeddings=32),
        tie_word_embeddings=True, attention_bias=False, mlp_bias=False, bos_token_id=1, eos_token_id=2)


def qwen3():
    return Qwen3ForCausalLM, Qwen3Config(
        vocab_size=160, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
        num_key_value_heads=2, head_dim=12, max_position_embeddings=256, rms_norm_eps=1e-6,
        rope_parameters=dict(rope_type="default", rope_theta=1000.0), tie_word_embeddings=False,
        attention_bias=False, use_sliding_window=False, bos_token_id=1, eos_token_id=2)


def gemma3():
    return Gemma3ForCausalLM, Gemma3TextConfig(
        vocab_size=160, hidden_size=32, intermediate_size=64, num_hidden_layers=4, num_attention_heads=4,
        num_key_value_heads=1, head_dim=16, query_pre_attn_scalar=12, max_position_embeddings=256,
        rms_norm_eps=1e-6, sliding_window=16,
        layer_types=["sliding_attention", "sliding_attention", "full_attention", "sliding_attention"],
        rope_parameters={"full_attention": dict(rope_type="default", rope_theta=1000.0),
                         "sliding_attention": dict(rope_type="default", rope_theta=50.0)},
        final_logit_softcapping=30.0, attn_logit_softcapping=None, hidden_activation="gelu_pytorch_tanh",
        tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, pad_token_id=0)


# Per family: embedding std, matrix std · √fan_in, norm weight std (chosen so that greedy decoding keeps
# producing new tokens; Gemma's scaled embedding otherwise makes the next token repeat the current one).
WIDTHS = {"llama": (1.0, 3.0, 0.2), "qwen3": (1.0, 1.5, 0.2), "gemma3": (0.3, 4.0, 1.0)}


def randomize(model, seed, family):
    """Wide random weights: matrices N(0, s/√fan_in), embeddings N(0, e), norms 1 + N(0, n) (Gemma: N(0, n))."""
    emb, scale, norm = WIDTHS[family]
    g = torch.Generator().manual_seed(seed)
    gemma = family == "gemma3"
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2 and "embed_tokens" in name:
                p.copy_(torch.randn(p.shape, generator=g) * emb)
            elif p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=g) * scale / p.shape[1] ** 0.5)
            elif "norm" in name:
                p.copy_(torch.randn(p.shape, generator=g) * norm + (0.0 if gemma else 1.0))
            else:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)


def greedy(model, prompt):
    out = model.generate(torch.tensor([prompt]), max_new_tokens=NEW, do_sample=False, use_cache=True,
                         eos_token_id=None, pad_token_id=0)
    ids = out[0, len(prompt):].tolist()
    # the same continuation without a cache, one full forward per token
    x = list(prompt)
    for _ in range(NEW):
        x.append(int(model(torch.tensor([x])).logits[0, -1].argmax()))
    assert x[len(prompt):] == ids, "greedy decoding differs with and without the cache"
    return ids


def goldens(model, seed):
    g = torch.Generator().manual_seed(seed + 1)
    vocab = model.config.vocab_size
    ids = torch.randint(0, vocab, (BATCH, SEQ + 1), generator=g)
    inputs, targets = ids[:, :-1].clone(), ids[:, 1:].clone()
    targets[0, :3] = -100                       # ignored positions
    logits = model(inputs).logits
    loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=-100)
    model.zero_grad()
    loss.backward()
    tensors = {"logits": logits.detach().contiguous()}
    for name, p in model.named_parameters():
        tensors["grad." + name] = p.grad.detach().contiguous()
    prompt = torch.randint(0, vocab, (PROMPT,), generator=g).tolist()
    with torch.no_grad():
        ids_out = greedy(model, prompt)
    distinct = len(set(ids_out))
    assert distinct > 10, f"greedy continuation has only {distinct} distinct tokens"
    return tensors, dict(inputs=inputs.tolist(), targets=targets.tolist(), loss=loss.item(), prompt=prompt,
                         greedy=ids_out)


def main(out):
    for i, (name, make) in enumerate([("llama", llama), ("qwen3", qwen3), ("gemma3", gemma3)]):
        cls, config = make()
        config._attn_implementation = "eager"
        torch.manual_seed(0)
        model = cls(config).float().eval()
        randomize(model, 100 + i, name)
        d = os.path.join(out, name)
        model.save_pretrained(os.path.join(d, "model"), safe_serialization=True)
        tensors, info = goldens(model, 100 + i)
        save_file(tensors, os.path.join(d, "golden.safetensors"), metadata={"format": "pt"})
        with open(os.path.join(d, "golden.json"), "w") as f:
            json.dump(info, f)
        print(name, "loss", info["loss"], "greedy", info["greedy"][:12], "...")
        if name == "qwen3":
            with torch.no_grad():
                for p in model.parameters():
                    p.copy_(p.to(torch.bfloat16).float())
            bf = {k: v.to(torch.bfloat16).contiguous() for k, v in model.state_dict().items()
                  if k != "lm_head.weight" or not config.tie_word_embeddings}
            os.makedirs(os.path.join(d, "model-bf16"), exist_ok=True)
            save_file(bf, os.path.join(d, "model-bf16", "model.safetensors"), metadata={"format": "pt"})
            config.save_pretrained(os.path.join(d, "model-bf16"))
            inputs = torch.tensor(info["inputs"])
            targets = torch.tensor(info["targets"])
            with torch.no_grad():
                logits = model(inputs).logits
                loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=-100)
                ids_out = greedy(model, info["prompt"])
            with open(os.path.join(d, "golden-bf16.json"), "w") as f:
                json.dump(dict(loss=loss.item(), greedy=ids_out), f)
            print(name, "bf16 loss", loss.item(), "greedy", ids_out[:12])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "jllm-core/src/test/resources/dev/jllm/model/modern")
