#!/usr/bin/python3
"""Golden values for jllm's DPO loss: the book's compute_logprobs and compute_dpo_loss (chapter 7 bonus) in PyTorch.

Run with Debian's torch 1.13:  /usr/bin/python3 tools/reference/dpo_golden.py
Writes jllm-core/src/test/resources/golden/dpo/dpo.json, read by DpoLossGoldenTest.

Each case: policy and reference logits for the chosen and the rejected texts [B, T, V], their ids and selection
masks [B, T], and beta; recorded are the loss, the mean chosen and rejected rewards, the reward accuracy and the
gradients of the loss with respect to the two policy logits.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(77)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden", "dpo", "dpo.json")


def compute_logprobs(logits, labels, selection_mask):
    """As the book: token t is scored by the logits at t - 1; average over the selected tokens of each row."""
    labels = labels[:, 1:].clone()
    logits = logits[:, :-1, :]
    log_probs = F.log_softmax(logits, dim=-1)
    selected = torch.gather(log_probs, -1, labels.unsqueeze(-1)).squeeze(-1)
    mask = selection_mask[:, 1:].clone()
    selected = selected * mask
    return selected.sum(-1) / mask.sum(-1)


def compute_dpo_loss(pc, pr, rc, rr, beta):
    logits = (pc - pr) - (rc - rr)
    losses = -F.logsigmoid(beta * logits)
    chosen_rewards = (pc - rc).detach()
    rejected_rewards = (pr - rr).detach()
    return losses.mean(), chosen_rewards, rejected_rewards


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def mask_for(b, t, starts, lengths):
    m = torch.zeros(b, t)
    for i in range(b):
        m[i, starts[i]:lengths[i]] = 1.0
    return m


def case(name, b, t, v, beta, starts, chosen_len, rejected_len, scale):
    pc_logits = (scale * torch.randn(b, t, v)).requires_grad_(True)
    pr_logits = (scale * torch.randn(b, t, v)).requires_grad_(True)
    rc_logits = scale * torch.randn(b, t, v)
    rr_logits = scale * torch.randn(b, t, v)
    chosen = torch.randint(0, v, (b, t))
    rejected = torch.randint(0, v, (b, t))
    cm = mask_for(b, t, starts, chosen_len)
    rm = mask_for(b, t, starts, rejected_len)
    pc = compute_logprobs(pc_logits, chosen, cm)
    pr = compute_logprobs(pr_logits, rejected, rm)
    rc = compute_logprobs(rc_logits, chosen, cm)
    rr = compute_logprobs(rr_logits, rejected, rm)
    loss, cr, rj = compute_dpo_loss(pc, pr, rc, rr, beta)
    loss.backward()
    return {
        "name": name, "b": b, "t": t, "v": v, "beta": beta,
        "policy_chosen_logits": flat(pc_logits), "policy_rejected_logits": flat(pr_logits),
        "reference_chosen_logits": flat(rc_logits), "reference_rejected_logits": flat(rr_logits),
        "chosen": chosen.reshape(-1).tolist(), "rejected": rejected.reshape(-1).tolist(),
        "chosen_mask": [bool(x) for x in cm.reshape(-1).tolist()],
        "rejected_mask": [bool(x) for x in rm.reshape(-1).tolist()],
        "policy_chosen_logprobs": flat(pc), "policy_rejected_logprobs": flat(pr),
        "loss": float(loss), "chosen_reward": float(cr.mean()), "rejected_reward": float(rj.mean()),
        "reward_accuracy": float((cr > rj).float().mean()),
        "grad_policy_chosen_logits": flat(pc_logits.grad), "grad_policy_rejected_logits": flat(pr_logits.grad),
    }


cases = [
    case("beta 0.1", 2, 6, 11, 0.1, [2, 3], [6, 5], [4, 6], 1.0),
    case("beta 0.5, sharp logits", 3, 5, 9, 0.5, [1, 2, 2], [5, 4, 5], [3, 5, 4], 4.0),
]
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"cases": cases}, f)
print("wrote", OUT)
