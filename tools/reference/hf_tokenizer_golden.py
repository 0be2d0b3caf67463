"""Golden ids from the Hugging Face `tokenizers` library for the real tokenizer.json files of Llama 3, Qwen3
and Gemma 3 in ../shared/data/tokenizers (HfTokenizerGoldenTest reads them).

Run from the repository root with a venv from tools/reference/make_venv.sh:

    for f in llama3 qwen3 gemma3; do
      /work/venv/bin/python tools/reference/hf_tokenizer_golden.py $f \
          > jllm-core/src/test/resources/dev/jllm/tokenizer/hf_golden_$f.json
    done

Each case is encoded four ways: as `tokenizers` encodes by default but without the post-processor
(add_special_tokens=False), with it, and with split_special_tokens (special tokens as text). Decoding cases
include random id sequences (byte tokens that do not form valid UTF-8, added tokens) with and without
skip_special_tokens.
"""
import json
import random
import sys

import tokenizers
from tokenizers import Tokenizer

family = sys.argv[1]
tok = Tokenizer.from_file(f"../shared/data/tokenizers/{family}/tokenizer.json")
rng = random.Random(15)

prose = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "It was a bright cold day in April, and the clocks were striking thirteen.",
    "I HAD always thought Jack Gisburn rather a cheap genius--though a good fellow enough--so it was no great surprise to me to hear that, in the height of his glory, he had dropped his painting.",
    "Der schnelle braune Fuchs springt über den faulen Hund. Größe, Maß, Straße.",
    "Le cœur a ses raisons que la raison ne connaît point.",
    "Быстрая коричневая лиса перепрыгивает через ленивую собаку.",
    "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο.",
    "שלום עולם! مرحبا بالعالم! नमस्ते दुनिया! สวัสดีชาวโลก",
    "Tiếng Việt có dấu: Người ta nói rằng học, học nữa, học mãi.",
    "naïve café résumé coöperate façade jalapeño Ångström",
    "Mr. O'Neil's dog—a 'good boy'—isn't here; he's 'out'.",
    "Q: What's 2+2?\nA: 4.\n\nQ: And 10/3?\nA: 3.333...",
    "e-mail: someone@example.com, web: https://example.org/a/b?c=d&e=f#g",
    ".NET and .net and ...and... and ,comma and !bang",
]
code = [
    "def f(x):\n    return x ** 2  # 12345\r\n",
    "for (int i = 0; i < n; i++) {\n\tsum += a[i] * b[i];\n}\n",
    "public static void main(String[] args) { System.out.println(\"hi\"); }",
    "<div class=\"x\"><p>Hello</p></div>\n<br/>",
    "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;",
    "x = {'a': [1, 2, 3], \"b\": None}  # dict\n\n\nprint(x)",
    "    indented\n        more\n\t\ttabs\n",
    "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
    "#include <stdio.h>\nint main(void){printf(\"%d\\n\", 42);}",
    "$ ls -la | grep '^d' && echo \"done\" >> log.txt 2>&1",
]
numbers = [
    "12345678901234567890", "3.14159265358979", "1,000,000.00", "-42", "+7e-10", "0x1F 0b1010 0o777",
    "2026-12-03T09:38:24Z", "٣٤٥ ۱۲۳ १२३", "½ ² ³ ¼ ⅞ Ⅻ ①②③", "１２３４５", "99 bottles, 100%", "a1b22c333d4444",
]
contractions = [
    "I'm you're he's she'll we've they'd it's can't won't", "I'M YOU'RE HE'S SHE'LL WE'VE THEY'D",
    "'s 't 're 've 'm 'll 'd", "'S 'T 'RE 'VE 'M 'LL 'D", "''s '''ll 'x 'reve", "rock'n'roll o'clock y'all",
    "it\u2019s curly", "'ſ 'ſt long s", "don't'nt",
]
whitespace = [
    " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r\n\r\n", " \n ", "a  b", "a   b", "a\tb", "a \tb",
    "  leading", "trailing  ", "  both  ", "a\n\nb", "a \n\n b", "a\n \n b", "\u00a0nbsp", "x\u3000y\u3000\u3000z",
    "\u2028\u2029", "\u000b\u000c", "\u0085next", " \t \n \r ", "word\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nword",
    " " * 40 + "x", "\t" * 35 + "x", "x" + "\n" * 40, "a" + " " * 7 + "\n" * 3 + " " * 5 + "b",
]
cjk = [
    "中文分词测试：我们今天去公园散步。", "日本語のテキストです。カタカナとひらがな、漢字。", "한국어 텍스트입니다. 안녕하세요!",
    "中文 and English 混合 text", "繁體中文與簡體中文", "𠀀𠀁𪚥 rare ideographs", "（全角括号）「引用」『二重』",
]
emoji = [
    "👨‍👩‍👧‍👦 family", "🏳️‍🌈 flag", "🇺🇸🇯🇵🇩🇪", "👍🏽 👍🏿", "😀😃😄😁", "🧑‍💻 coder", "❤️‍🔥", "a😀b😀c",
    "🤖🤖🤖🤖🤖🤖🤖🤖🤖🤖", "text 🎉🎉 more",
]
combining = [
    "e\u0301", "cafe\u0301", "A\u030a", "\u212b", "\u1100\u1161\u11a8", "n\u0303o\u0308",
    "Z\u0351\u0352\u0357\u035b\u0363\u0364\u0365\u0366", "\u0915\u094d\u0937", "ﬁ ﬂ ﬃ", "\u00c5 vs A\u030a",
    "\u0041\u0300\u0301\u0302", "x\u20dd", "ǆ ǅ Ǆ", "Ｈｅｌｌｏ",
]
long_words = [
    "a" * 1000, "supercalifragilisticexpialidocious" * 20, "ab" * 300,
    "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(600)),
    "7" * 300, "!" * 200, "😀" * 100, "中" * 300, "x" * 70 + " " + "y" * 70,
    "Pneumonoultramicroscopicsilicovolcanoconiosis", "\u0301" * 50,
]
specials = [
    "<|begin_of_text|>Hello<|end_of_text|>", "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
    "<|eot_id|><|eot_id|>", "<|reserved_special_token_5|>", "<|im_start|>user\nhi<|im_end|>\n",
    "<think>\nhmm\n</think>\n\nanswer", "<tool_call>x</tool_call>", "<|endoftext|>", "text<|endoftext|>text",
    "<start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n", "<bos><eos><pad><unk><mask>", "<b>bold</b> <br>",
    "<|im_start", "im_end|>", "<<|im_end|>>", "< |im_end| >", "<start_of_image>", "<unused0><unused99>",
    "a <|im_end|> b", "a<|eot_id|> b", "▁▁▁x", "▁ ▁", "<0x41>", "[INST] hi [/INST]",
]

pool = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789     \n\n\t\r'\"!?.,;:-_()[]{}<>|/\\@#$%^&*+="
        "éüßñçøåœ中文日本語한국어😀👍🏽\u200d\u0301\u00a0\u3000½²٣ſ▁")
rand = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 60))) for _ in range(120)]
spec_pool = ["<|im_start|>", "<|im_end|>", "<think>", "<|eot_id|>", "<|begin_of_text|>", "<start_of_turn>",
             "<end_of_turn>", "<bos>", "\n\n", "  ", "▁▁"]
rand += ["".join(rng.choice(pool) if rng.random() < 0.8 else rng.choice(spec_pool) for _ in range(rng.randint(1, 30)))
         for _ in range(60)]

texts = prose + code + numbers + contractions + whitespace + cjk + emoji + combining + long_words + specials + rand
texts += [t + " " + u for t, u in zip(prose, contractions)] + [t.upper() for t in prose[:8]] + [t.lower() for t in prose[:8]]


def encode(text, add_special, split_special):
    tok.encode_special_tokens = split_special
    ids = tok.encode(text, add_special_tokens=add_special).ids
    tok.encode_special_tokens = False
    return ids


cases = []
for t in texts:
    case = {"text": t, "ids": encode(t, False, False)}
    with_special = encode(t, True, False)
    if with_special != case["ids"]:
        case["with_special"] = with_special
    as_text = encode(t, False, True)
    if as_text != case["ids"]:
        case["special_as_text"] = as_text
    cases.append(case)

size = tok.get_vocab_size(with_added_tokens=True)
added = sorted(tok.get_added_tokens_decoder().keys())
decodes = []
for n in range(80):
    ids = [rng.randrange(size) for _ in range(rng.randint(1, 12))]
    if n % 3 == 0:
        ids += [rng.choice(added) for _ in range(3)]
    if n % 4 == 0:  # byte tokens alone: invalid or partial UTF-8
        vocab = tok.get_vocab()
        byte_tokens = [v for k, v in vocab.items() if k.startswith("<0x") and len(k) == 6] or \
                      [v for k, v in vocab.items() if len(k) == 1 and ord(k[0]) in range(0x80, 0x100)]
        ids += [rng.choice(byte_tokens) for _ in range(rng.randint(1, 4))]
    rng.shuffle(ids)
    decodes.append({"ids": ids, "text": tok.decode(ids, skip_special_tokens=False),
                    "skip_special": tok.decode(ids, skip_special_tokens=True)})

out = {"family": family, "tokenizers_version": tokenizers.__version__, "vocab_size": size,
       "cases": cases, "decodes": decodes}
json.dump(out, sys.stdout, ensure_ascii=False, indent=0)
print()
