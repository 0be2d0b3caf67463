"""Golden values for LoRA's A initialisation (appendix E of the book).

The book creates A as torch.empty(in_dim, rank) and calls nn.init.kaiming_uniform_(A, a=math.sqrt(5)).
For a 2-D tensor PyTorch's fan_in is size(1), which here is the rank, not in_dim. This script records the fan
and bound PyTorch computes, and the extremes of one large draw, for the Java test LoRALinearTest.

Run: /usr/bin/python3 tools/reference/lora_init.py > jllm-core/src/test/resources/dev/jllm/nn/lora_init.json
"""
import json
import math

import torch

cases = []
for in_dim, rank in [(768, 16), (768, 8), (1024, 4), (3072, 2), (16, 768)]:
    a = torch.empty(in_dim, rank)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(a)
    gain = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    bound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))  # as kaiming_uniform_ computes it
    torch.manual_seed(123)
    torch.nn.init.kaiming_uniform_(a, a=math.sqrt(5))
    cases.append({
        "in": in_dim, "rank": rank, "fan_in": fan_in, "bound": bound,
        "sample_min": a.min().item(), "sample_max": a.max().item(),
    })
print(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))
