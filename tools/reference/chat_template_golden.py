"""Golden renderings of the real chat templates (tokenizer_config.json's chat_template) by transformers'
apply_chat_template (Jinja2 with trim_blocks, lstrip_blocks and loop controls), with the token ids
(ChatTemplateGoldenTest reads them). Run from the repository root with a venv from tools/reference/make_venv.sh:

    /work/venv/bin/python tools/reference/chat_template_golden.py > jllm-core/src/test/resources/dev/jllm/chat/chat_template_golden.json
"""
import json
import sys

import transformers
from transformers import AutoTokenizer

CONVERSATIONS = {
    "single": [{"role": "user", "content": "Hello! Who are you?"}],
    "system": [{"role": "system", "content": "You are a pirate. Answer in one line."},
               {"role": "user", "content": "What is the capital of France?"}],
    "multi": [{"role": "user", "content": "Name a prime number."},
              {"role": "assistant", "content": "7 is prime."},
              {"role": "user", "content": "And a larger one?"}],
    "system_multi": [{"role": "system", "content": "Be brief."},
                     {"role": "user", "content": "  Spaces around  \n"},
                     {"role": "assistant", "content": "\nOK.  "},
                     {"role": "user", "content": "Ünïcödé 中文 😀 <b>tags</b> {{ not jinja }}"}],
    "thinking_history": [{"role": "user", "content": "What is 2+2?"},
                         {"role": "assistant", "content": "<think>\nAdd them.\n</think>\n\n4"},
                         {"role": "user", "content": "And 3+3?"}],
    "thinking_last": [{"role": "user", "content": "What is 2+2?"},
                      {"role": "assistant", "content": "<think>\nAdd them.\n</think>\n\n4"}],
    "assistant_last": [{"role": "user", "content": "Say hi."}, {"role": "assistant", "content": "Hi!"}],
    "not_alternating": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}],
    "quotes": [{"role": "user", "content": "He said \"don't\" & left\\n; tab\there"}],
}

out = {"transformers_version": transformers.__version__, "cases": []}
for family in ["llama3", "qwen3", "gemma3"]:
    tok = AutoTokenizer.from_pretrained(f"../shared/data/tokenizers/{family}")
    for name, messages in CONVERSATIONS.items():
        for gen in (True, False):
            for thinking in ((None, False) if family == "qwen3" else (None,)):
                kwargs = {} if thinking is None else {"enable_thinking": thinking}
                case = {"family": family, "name": name, "messages": messages, "add_generation_prompt": gen}
                if thinking is not None:
                    case["enable_thinking"] = thinking
                try:
                    text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen, **kwargs)
                    ids = tok(text, add_special_tokens=False)["input_ids"]
                    case.update(text=text, ids=ids)
                except Exception as e:  # the template's raise_exception
                    case["error"] = str(e)
                out["cases"].append(case)
# Jinja features one at a time, rendered by transformers' own compiled environment
from transformers.utils.chat_template_utils import _compile_jinja_template

V = {"xs": [3, 1, 2], "s": "  Hello, World  ", "d": {"b": 2, "a": [1, "x", None, True]}, "n": None, "t": True,
     "msgs": CONVERSATIONS["system_multi"], "u": "ünï😀code"}
JINJA = [
    "{% for x in xs %}\n  {{ x }}\n{% endfor %}\n",
    "a\n    {% if t %}\n    yes\n    {% endif %}\nb",
    "{%- for x in xs -%} {{ x }} {%- endfor %}",
    "{% for x in xs %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% if x == 2 %}{% break %}{% endif %}{% endfor %}",
    "{% for x in xs if x > 1 %}{{ loop.index }}/{{ loop.length }}:{{ x }}{{ ',' if not loop.last }}{% else %}none{% endfor %}",
    "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}",
    "{% set ns = namespace(total=0, seen=[]) %}{% for x in xs %}{% set ns.total = ns.total + x %}{% endfor %}{{ ns.total }}",
    "{% set y = 1 %}{% for x in xs %}{% set y = x %}{% endfor %}{{ y }}",
    "{{ xs[::-1] }} {{ xs[1:] }} {{ xs[-1] }} {{ u[::-1] }} {{ u[1:3] }} {{ xs[:-1] }} {{ xs[::2] }}",
    "{{ s | trim }}|{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'xxaxx'.strip('x') }}",
    "{{ s.split(',') }} {{ 'a b  c'.split() }} {{ 'a\\nb'.split('\\n')[-1] }}",
    "{{ s.startswith('  H') }} {{ s.endswith(('x', '  ')) }} {{ s.upper() }} {{ s.lower() }} {{ 'ab'.replace('a', 'c') }}",
    "{{ d | tojson }} {{ xs | tojson }} {{ u | tojson }} {{ 'a\"b\\\\c\\n' | tojson }} {{ n | tojson }}",
    "{{ d | tojson(indent=2) }}",
    "{{ n }} {{ t }} {{ xs }} {{ d }} {{ 1.5 }} {{ 2.0 }} {{ 7 // 2 }} {{ 7 / 2 }} {{ -7 % 3 }} {{ 2 ** 10 }}",
    "{{ undefined_thing }}|{{ undefined_thing is defined }}|{{ n is none }}|{{ s is string }}|{{ xs is iterable }}|{{ d is mapping }}",
    "{{ t is true }} {{ t is false }} {{ 3 is odd }} {{ 4 is even }} {{ xs is not string }} {{ 1 is number }}",
    "{{ 'a' ~ 1 ~ n }} {{ 'b' + 'c' }} {{ xs + [4] }} {{ 'ab' * 3 }}",
    "{{ 'x' if t else 'y' }}{{ 'z' if n }}|{{ n or 'default' }}|{{ t and 'both' }}|{{ not n }}",
    "{{ 'ell' in s }} {{ 2 in xs }} {{ 'a' in d }} {{ 'q' not in s }}",
    "{{ xs | length }} {{ s | length }} {{ u | length }} {{ d | length }} {{ xs | first }} {{ xs | last }} {{ xs | join('-') }}",
    "{{ missing | default('dflt') }} {{ '' | default('e', true) }} {{ xs | reverse | list }} {{ 'abc' | upper }} {{ 'hello world' | title }}",
    "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{{ d.get('zz', 'none') }}{{ d.keys() | list }}",
    "{% for m in msgs %}{{ loop.index0 }}{{ m.role[0] }}{{ m['content'] | length }}{% if loop.first %}F{% endif %}{% endfor %}",
    "{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }}",
    "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', '?') }}",
    "{% set block %}inner {{ xs[0] }}{% endset %}[{{ block }}]",
    "{# a comment #}\n  {#- another -#}  x {{- ' y ' -}} z",
    "{{ raise_exception('bad conversation: ' ~ xs | length) }}",
    "{% if xs[0] > 2 %}big{% elif xs[0] > 1 %}mid{% else %}small{% endif %}",
    "  {% if t %}\n  indented\n  {% endif %}\n  {{ 'kept' }}",
    "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ [1, 2] == [1, 2] }} {{ 1 == 1.0 }} {{ 'a' < 'b' }}",
    "{{ d.a[1] }} {{ d['a'][0] + 1 }} {{ d.missing is defined }} {{ (xs | length) - 1 }} {{ xs|length - 1 }}",
]
out["jinja"] = []
for template in JINJA:
    case = {"template": template}
    try:
        case["text"] = _compile_jinja_template(template).render(**V)
    except Exception as e:
        case["error"] = str(e)
    out["jinja"].append(case)
out["jinja_vars"] = V

json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
print()
