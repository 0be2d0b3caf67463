#!/usr/bin/python3
"""Golden values for dev.jllm.tensor.Ops: each op's inputs, output and input gradients from PyTorch (fp32).

Run with Debian's torch 1.13:  /usr/bin/python3 tools/reference/ops_golden.py
Writes jllm-core/src/test/resources/golden/ops/ops.json, read by OpsGoldenTest.

Every case runs one op in float32 on seeded random inputs, then back-propagates L = sum(out * w) with a
random w of the output's shape, and records the inputs, w, the output and the gradient of every float input.
Dropout is absent: its mask comes from jllm's own counter hash, which PyTorch does not share.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(2024)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden", "ops", "ops.json")


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def attention(q, k, v, heads):
    """The book's MultiHeadAttention core (no projections): causal, scaled by 1/sqrt(head_dim)."""
    b, t, c = q.shape
    hd = c // heads
    split = lambda x: x.view(b, t, heads, hd).transpose(1, 2)
    q, k, v = split(q), split(k), split(v)
    att = q @ k.transpose(2, 3) / math.sqrt(hd)
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    att = att.masked_fill(mask, float("-inf")).softmax(dim=-1)
    return (att @ v).transpose(1, 2).reshape(b, t, c)


def case(name, op, fn, inputs, **extra):
    """inputs: name -> float tensor (gets a gradient) or list of ints (passed through, e.g. ids)."""
    tensors = {k: v.clone().requires_grad_(True) for k, v in inputs.items() if torch.is_tensor(v)}
    args = {k: tensors.get(k, v) for k, v in inputs.items()}
    out = fn(**args)
    w = torch.randn(out.shape)
    (out * w).sum().backward()
    return {
        "name": name,
        "op": op,
        "inputs": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in tensors.items()},
        "ints": {k: v for k, v in inputs.items() if not torch.is_tensor(v)},
        "extra": extra,
        "w": flat(w),
        "output": {"shape": list(out.shape), "data": flat(out)},
        "grads": {k: flat(v.grad) for k, v in tensors.items()},
    }


r = torch.randn
cases = [
    case("linear", "linear", lambda x, w, b: F.linear(x, w, b), {"x": r(2, 3, 13), "w": r(7, 13), "b": r(7)}),
    case("linear_nobias", "linear", lambda x, w: F.linear(x, w), {"x": r(5, 9), "w": r(4, 9)}),
    case("matmul", "matmul", lambda a, b: a @ b, {"a": r(2, 3, 4, 5), "b": r(2, 3, 5, 6)}),
    case("matmul_shared", "matmul", lambda a, b: a @ b, {"a": r(2, 4, 11), "b": r(11, 3)}),
    case("embedding", "embedding", lambda weight, ids: F.embedding(torch.tensor(ids).view(2, 3), weight),
         {"weight": r(10, 6), "ids": [1, 9, 4, 4, 0, 9]}),
    case("layer_norm", "layerNorm",
         lambda x, gamma, beta: F.layer_norm(x, (x.shape[-1],), gamma, beta, eps=1e-5),
         {"x": r(2, 3, 20) * 3 + 1, "gamma": r(20), "beta": r(20)}),
    case("gelu", "gelu", lambda x: F.gelu(x, approximate="tanh"), {"x": r(3, 17) * 2}),
    case("softmax", "softmax", lambda x: x.softmax(-1), {"x": r(4, 19) * 3}),
    case("log_softmax", "logSoftmax", lambda x: x.log_softmax(-1), {"x": r(4, 19) * 3}),
    case("attention", "causalAttention", lambda q, k, v: attention(q, k, v, 3),
         {"q": r(2, 6, 12), "k": r(2, 6, 12), "v": r(2, 6, 12)}, heads=3),
    case("cross_entropy", "crossEntropy",
         lambda logits, targets: F.cross_entropy(logits, torch.tensor(targets), ignore_index=-100),
         {"logits": r(6, 23) * 2, "targets": [3, -100, 22, 0, 7, -100]}, ignoreIndex=-100),
    case("add_bias", "add", lambda a, b: a + b, {"a": r(2, 5, 9), "b": r(9)}),
    case("add_positions", "add", lambda a, b: a + b, {"a": r(2, 5, 9), "b": r(5, 9)}),
    case("mul", "mul", lambda a, b: a * b, {"a": r(3, 10), "b": r(3, 10)}),
    case("scale", "scale", lambda x: x * 0.37, {"x": r(4, 9)}, s=0.37),
    case("transpose", "transpose", lambda x: x.transpose(1, 2).contiguous(), {"x": r(2, 3, 4, 5)}, dim0=1, dim1=2),
    case("concat", "concat", lambda a, b: torch.cat([a, b], dim=1), {"a": r(2, 3, 4), "b": r(2, 2, 4)}, dim=1),
    case("narrow", "narrow", lambda x: x.narrow(2, 3, 5), {"x": r(2, 3, 12)}, dim=2, start=3, length=5),
    case("sum", "sum", lambda x: x.sum(), {"x": r(7, 13)}),
    case("mean", "mean", lambda x: x.mean(), {"x": r(7, 13)}),
]

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", len(cases), "cases to", os.path.normpath(OUT))
