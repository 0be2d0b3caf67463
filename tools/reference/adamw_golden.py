#!/usr/bin/python3
"""Golden values for dev.jllm.optim: AdamW steps, global-norm clipping and the warm-up + cosine schedule.

Run with Debian's torch 1.13:  /usr/bin/python3 tools/reference/adamw_golden.py
Writes jllm-core/src/test/resources/optim/adamw_golden.json, read by AdamWGoldenTest.

Each AdamW case holds the initial parameters, the gradients of every step, the learning rate of every step,
and the parameters after every step, so the Java optimizer can replay the same steps and compare.
"""
import json
import math
import os

import torch

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "optim", "adamw_golden.json")

SHAPES = {"w": [3, 4], "b": [4], "cube": [2, 2, 3]}
STEPS = 5


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def warmup_cosine(step, initial_lr, peak_lr, min_lr, warmup, total):
    """Appendix D of the book: linear warm-up from initial_lr to peak_lr, then cosine decay to min_lr."""
    if step < warmup:
        return initial_lr + step * (peak_lr - initial_lr) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_lr + (peak_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


def adamw_case(name, weight_decay, matrices_only, clip, frozen=(), grad_scale=1.0):
    params = {k: torch.randn(*s, dtype=torch.float32) for k, s in SHAPES.items()}
    initial = {k: flat(v) for k, v in params.items()}
    for k, v in params.items():
        v.requires_grad_(k not in frozen)
    trainable = [params[k] for k in SHAPES if k not in frozen]
    if matrices_only:
        groups = [
            {"params": [p for p in trainable if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in trainable if p.dim() < 2], "weight_decay": 0.0},
        ]
    else:
        groups = [{"params": trainable, "weight_decay": weight_decay}]
    opt = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    lrs = [warmup_cosine(s, 1e-3, 5e-2, 1e-3, 2, STEPS) for s in range(STEPS)]
    steps = []
    for s in range(STEPS):
        grads = {k: torch.randn(*SHAPES[k]) * grad_scale for k in SHAPES if k not in frozen}
        for k, g in grads.items():
            params[k].grad = g.clone()
        norm = None
        if clip is not None:
            norm = float(torch.nn.utils.clip_grad_norm_(trainable, clip))
        for group in opt.param_groups:
            group["lr"] = lrs[s]
        opt.step()
        steps.append({
            "lr": lrs[s],
            "grads": {k: flat(g) for k, g in grads.items()},
            "grad_norm": norm,
            "params_after": {k: flat(v) for k, v in params.items()},
        })
    return {
        "name": name,
        "weight_decay": weight_decay,
        "matrices_only": matrices_only,
        "clip": clip,
        "frozen": list(frozen),
        "shapes": SHAPES,
        "initial": initial,
        "steps": steps,
    }


def schedule_case():
    args = dict(initial_lr=1e-4, peak_lr=1e-2, min_lr=1e-5, warmup=20, total=100)
    return {**args, "lrs": [warmup_cosine(s, **args) for s in range(120)]}


golden = {
    "torch": torch.__version__,
    "adamw": [
        adamw_case("decay_all", weight_decay=0.1, matrices_only=False, clip=None),
        adamw_case("decay_matrices_only", weight_decay=0.1, matrices_only=True, clip=None),
        adamw_case("clip_large_grads", weight_decay=0.01, matrices_only=False, clip=1.0, grad_scale=5.0),
        adamw_case("clip_inactive", weight_decay=0.0, matrices_only=False, clip=100.0),
        adamw_case("frozen_bias", weight_decay=0.1, matrices_only=False, clip=0.5, frozen=("b",)),
    ],
    "schedule": schedule_case(),
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(golden, f, indent=1)
print("wrote", os.path.normpath(OUT))
