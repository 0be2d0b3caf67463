"""Golden ids from Hugging Face `tokenizers` for a vocabulary trained by `jllm bpe train`.

Shows that HF tools read our vocab.json + merges.txt and encode exactly as we do.
Needs `pip install tokenizers` (not part of the build). Run from the repository root:

    ./jllm bpe train --corpus ../shared/data/the-verdict.txt --vocab-size 1000 --out /tmp/verdict-bpe
    python3 tools/reference/hf_bpe_golden.py /tmp/verdict-bpe > jllm-core/src/test/resources/dev/jllm/tokenizer/hf_verdict_bpe_1000.json
"""
import json
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers

folder = sys.argv[1]
tok = Tokenizer(models.BPE.from_file(folder + "/vocab.json", folder + "/merges.txt"))
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tok.decoder = decoders.ByteLevel()

verdict = open("../shared/data/the-verdict.txt", encoding="utf-8").read()
texts = [
    verdict[:2000],
    "Hello, world! It's 2026 \U0001F600 naïve café\n\n  spaces   end ",
    "def f(x):\n    return x ** 2  # 12345\r\n",
    "中文 and Ελληνικά, ½ ² ٣",
]
out = {"vocab_size": tok.get_vocab_size(), "cases": [{"text": t, "ids": tok.encode(t).ids} for t in texts]}
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
print()
