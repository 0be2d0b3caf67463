"""Golden assistant masks for `finetune instruct|dpo --format chat` (ChatFormatGoldenTest reads them).

jllm finds the assistant's replies in a rendered conversation by rendering prefixes of it (dev.jllm.prompt.ChatFormat).
This script computes the same masks independently, the way transformers and TRL do for assistant-only loss: each
family's real chat template is rewritten with `{% generation %}` blocks around the assistant's reply and its
end-of-turn token, the rewritten template is first checked to render exactly the text of the original on every
case, and transformers' `apply_chat_template(..., return_assistant_tokens_mask=True)` then marks the tokens whose
characters lie in those blocks (through the tokenizer's offsets).

The rules written down here (the same as ChatFormat's documentation):
- enable_thinking=False, unless a reply holds thinking (`<think>` in its content or a `reasoning_content`): then the
  template's default. With enable_thinking=False, Qwen3's empty think block belongs to the prompt, not the reply.
- Each example is cut after its last learned token. When every reply, rendered as the last message of the
  conversation up to it, is also the beginning of the whole conversation's tokens, the conversation is one example
  with every reply learned; otherwise each reply is an example of its own (the conversation up to it, only that
  reply learned).
- DPO: each reply rendered as the last message after the prompt; its tokens through the end-of-turn token, and the
  position of its first token.

Run from the repository root with a venv from tools/reference/make_venv.sh (transformers, tokenizers, jinja2):

    /work/venv/bin/python tools/reference/chat_mask_golden.py > jllm-core/src/test/resources/dev/jllm/prompt/chat_mask_golden.json
"""
import json
import sys

import transformers
from transformers import AutoTokenizer

LLAMA3 = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% if loop.index0 == 0 %}{{ bos_token }}{% endif %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}"
    "{% if message['role'] == 'assistant' %}{% generation %}{{ message['content'] | trim + '<|eot_id|>' }}{% endgeneration %}"
    "{% else %}{{ message['content'] | trim + '<|eot_id|>' }}{% endif %}"
    "{% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
)

GEMMA3 = """{{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- if (message['role'] == 'assistant') -%}
        {%- set role = "model" -%}
    {%- else -%}
        {%- set role = message['role'] -%}
    {%- endif -%}
    {{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else "") }}
    {%- if role == 'model' -%}
        {% generation %}{{ message['content'] | trim }}{{ '<end_of_turn>' }}{% endgeneration %}{{ '\n' }}
    {%- else -%}
        {{ message['content'] | trim }}{{ '<end_of_turn>\n' }}
    {%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model\n'}}
{%- endif -%}
"""

QWEN3 = """{%- if messages[0].role == 'system' %}
    {{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}
{%- endif %}
{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}
{%- for message in messages[::-1] %}
    {%- set index = (messages|length - 1) - loop.index0 %}
    {%- if ns.multi_step_tool and message.role == "user" and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
        {%- set ns.multi_step_tool = false %}
        {%- set ns.last_query_index = index %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
    {%- elif message.role == "assistant" %}
        {%- set content = message.content %}
        {%- set reasoning_content = '' %}
        {%- if message.reasoning_content is defined and message.reasoning_content is not none %}
            {%- set reasoning_content = message.reasoning_content %}
        {%- else %}
            {%- if '</think>' in message.content %}
                {%- set content = message.content.split('</think>')[-1].lstrip('\\n') %}
                {%- set reasoning_content = message.content.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}
            {%- endif %}
        {%- endif %}
        {%- set head = '<|im_start|>' + message.role + '\\n' %}
        {%- set body = content %}
        {%- if loop.index0 > ns.last_query_index %}
            {%- if loop.last or (not loop.last and reasoning_content) %}
                {%- set think = '<think>\\n' + reasoning_content.strip('\\n') + '\\n</think>\\n\\n' %}
                {%- set body = content.lstrip('\\n') %}
                {%- if enable_thinking is defined and enable_thinking is false and not reasoning_content %}
                    {%- set head = head + think %}
                {%- else %}
                    {%- set body = think + body %}
                {%- endif %}
            {%- endif %}
        {%- endif %}
        {{- head }}{% generation %}{{- body + '<|im_end|>' }}{% endgeneration %}{{- '\\n' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\\n\\n</think>\\n\\n' }}
    {%- endif %}
{%- endif %}
"""

PATCHED = {"llama3": LLAMA3, "qwen3": QWEN3, "gemma3": GEMMA3}


def u(text):
    return {"role": "user", "content": text}


def a(text, **extra):
    return {"role": "assistant", "content": text, **extra}


CONVERSATIONS = {
    "single": [u("Hello! Who are you?"), a("I am a small model.")],
    "book": [u("Rewrite the sentence in passive voice.\n\nThe cat chased the mouse."), a("The mouse was chased by the cat.")],
    "system": [{"role": "system", "content": "You are a pirate. Answer in one line."},
               u("What is the capital of France?"), a("Arr, Paris it be.")],
    "multi": [u("Name a prime number."), a("7 is prime."), u("And a larger one?"), a("13.")],
    "system_multi": [{"role": "system", "content": "Be brief."}, u("  Spaces around  \n"), a("\nOK.  "),
                     u("Ünïcödé 中文 😀 <b>tags</b> {{ not jinja }}"), a("Noted: 中文 😀.")],
    "trailing_user": [u("Say hi."), a("Hi!"), u("Again?")],
    "empty_reply": [u("Say nothing."), a("")],
    "quotes": [u("He said \"don't\" & left\\n; tab\there"), a("'Quoted' \"text\" \\ back")],
    "thinking": [u("What is 2+2?"), a("<think>\nAdd them.\n</think>\n\n4")],
    "thinking_multi": [u("What is 2+2?"), a("<think>\nAdd them.\n</think>\n\n4"), u("And 3+3?"),
                       a("<think>\nAgain.\n</think>\n\n6")],
    "reasoning_field": [u("What is 5-3?"), a("2", reasoning_content="Subtract.")],
    "not_alternating": [u("a"), u("b"), a("c")],
}

PAIRS = {
    "single": {"prompt": [u("Give me a colour.")], "chosen": "Blue.", "rejected": "I will not."},
    "system": {"prompt": [{"role": "system", "content": "Be kind."}, u("Rate my poem.")],
               "chosen": "It is lovely!", "rejected": "Bad poem."},
    "multi": {"prompt": [u("Hi."), a("Hello!"), u("Tell a joke.")],
              "chosen": "Why did the chicken cross the road?", "rejected": "No."},
    "thinking": {"prompt": [u("What is 2+2?")], "chosen": "<think>\nEasy.\n</think>\n\n4",
                 "rejected": "<think>\nHmm.\n</think>\n\n5"},
}


def holds_thinking(messages):
    return any(m["role"] == "assistant" and ("reasoning_content" in m or "<think>" in m["content"]) for m in messages)


def kwargs(messages):
    return {} if holds_thinking(messages) else {"enable_thinking": False}


def runs(mask):
    """The [start, end) runs of ones."""
    out, start = [], None
    for i, m in enumerate(mask + [0]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            out.append((start, i))
            start = None
    return out


def masked(tok, family, messages, **kw):
    """ids and assistant mask by the template with generation blocks, after checking its text equals the original's."""
    original = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=False, **kw)
    patched = tok.apply_chat_template(messages, chat_template=PATCHED[family], tokenize=False,
                                      add_generation_prompt=False, **kw)
    assert patched == original, (family, messages, patched, original)
    out = tok.apply_chat_template(messages, chat_template=PATCHED[family], tokenize=True, return_dict=True,
                                  return_assistant_tokens_mask=True, add_generation_prompt=False, **kw)
    ids = list(out["input_ids"])
    assert ids == tok(original, add_special_tokens=False)["input_ids"]
    return ids, list(out["assistant_masks"])


def check_generation_prompt(tok, family, messages, **kw):
    """The generation prompt's text, rendered by the original and the patched template alike."""
    for gen in (True, False):
        o = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen, **kw)
        p = tok.apply_chat_template(messages, chat_template=PATCHED[family], tokenize=False, add_generation_prompt=gen, **kw)
        assert o == p, (family, messages, gen, o, p)


def conversation_case(tok, family, name, messages):
    case = {"family": family, "name": name, "messages": messages}
    kw = kwargs(messages)
    try:
        whole_ids, whole_mask = masked(tok, family, messages, **kw)
    except Exception as e:  # the template's raise_exception
        case["error"] = str(e)
        return case
    replies = []  # (ids, mask) of each reply rendered as the last message, cut after it, only it learned
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        check_generation_prompt(tok, family, messages[:i], **kw)
        ids, mask = masked(tok, family, messages[:i + 1], **kw)
        start, end = runs(mask)[-1]
        replies.append((ids[:end], [0] * start + [1] * (end - start)))
    if all(whole_ids[:len(ids)] == ids for ids, _ in replies):
        end = runs(whole_mask)[-1][1]
        examples = [(whole_ids[:end], whole_mask[:end])]
    else:
        examples = replies
    case["examples"] = [{"ids": ids, "mask": mask} for ids, mask in examples]
    return case


def pair_case(tok, family, name, pair):
    case = {"family": family, "name": name, **pair}
    kw = kwargs([a(pair["chosen"]), a(pair["rejected"])] + pair["prompt"])
    check_generation_prompt(tok, family, pair["prompt"], **kw)
    for key in ("chosen", "rejected"):
        ids, mask = masked(tok, family, pair["prompt"] + [a(pair[key])], **kw)
        start, end = runs(mask)[-1]
        case[key + "_ids"] = ids[:end]
        assert case.setdefault("start", start) == start  # the same prompt before both replies
    return case


out = {"transformers_version": transformers.__version__, "conversations": [], "pairs": []}
for family in ["llama3", "qwen3", "gemma3"]:
    tok = AutoTokenizer.from_pretrained(f"../shared/data/tokenizers/{family}")
    for name, messages in CONVERSATIONS.items():
        out["conversations"].append(conversation_case(tok, family, name, messages))
    for name, pair in PAIRS.items():
        out["pairs"].append(pair_case(tok, family, name, pair))

json.dump(out, sys.stdout, ensure_ascii=False, separators=(",", ":"))
print()
