package dev.jllm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.chat.ChatTemplate;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ChatFormat} on small templates with GPT-2's vocabulary ({@code <|endoftext|>} ends each turn): which tokens
 * are learned, when a conversation becomes one example per reply, and the templates it refuses.
 */
class ChatFormatTest {

    static final Gpt2Tokenizer GPT2 = Gpt2Tokenizer.builtIn();
    static final int END = GPT2.eotId();

    /** Each message as "role: content" and the end token; the generation prompt is "assistant:". */
    static final String PLAIN = "{% for m in messages %}{{ m.role }}: {{ m.content }}<|endoftext|>\n{% endfor %}"
            + "{% if add_generation_prompt %}assistant:{% endif %}";

    static ChatFormat format(String template) {
        return new ChatFormat(ChatTemplate.of(template, Map.of()), GPT2);
    }

    static List<Map<String, Object>> conversation(String... roleContent) {
        Map<String, Object>[] out = new Map[roleContent.length / 2];
        for (int i = 0; i < out.length; i++) out[i] = ChatTemplate.message(roleContent[2 * i], roleContent[2 * i + 1]);
        return List.of(out);
    }

    static int[] ids(String text) {
        return GPT2.encodeWithSpecials(text);
    }

    static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void everyReplyThroughItsEndTokenIsLearnedAndNothingElse() {
        List<ChatFormat.Tokens> got = format(PLAIN).encode(new ChatExample(conversation("system", "Be brief.",
                "user", "Hi there", "assistant", "Hello!", "user", "Bye", "assistant", "See you.", "user", "Left?")));
        assertThat(got).hasSize(1);
        int[] prompt1 = ids("system: Be brief.<|endoftext|>\nuser: Hi there<|endoftext|>\nassistant:");
        int[] reply1 = concat(ids(" Hello!"), new int[] {END});
        int[] prompt2 = ids("\nuser: Bye<|endoftext|>\nassistant:");
        int[] reply2 = concat(ids(" See you."), new int[] {END});
        // cut after the last reply: the trailing user message teaches nothing
        assertThat(got.getFirst().ids()).containsExactly(concat(prompt1, reply1, prompt2, reply2));
        boolean[] want = new boolean[got.getFirst().ids().length];
        Arrays.fill(want, prompt1.length, prompt1.length + reply1.length, true);
        Arrays.fill(want, want.length - reply2.length, want.length, true);
        assertThat(got.getFirst().learned()).containsExactly(want);
    }

    @Test
    void aTemplateThatWritesEarlierRepliesDifferentlyGivesOneExamplePerReply() {
        String marksHistory = "{% for m in messages %}{% if m.role == 'assistant' and not loop.last %}(earlier) {% endif %}"
                + "{{ m.role }}: {{ m.content }}<|endoftext|>\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";
        List<ChatFormat.Tokens> got = format(marksHistory).encode(new ChatExample(conversation(
                "user", "One", "assistant", "1", "user", "Two", "assistant", "2")));
        assertThat(got).hasSize(2);
        // the first reply as the model saw it when it answered: the last message of a shorter conversation
        int[] prompt = ids("user: One<|endoftext|>\nassistant:");
        assertThat(got.get(0).ids()).containsExactly(concat(prompt, ids(" 1"), new int[] {END}));
        assertThat(learnedIds(got.get(0))).containsExactly(concat(ids(" 1"), new int[] {END}));
        assertThat(learnedIds(got.get(1))).containsExactly(concat(ids(" 2"), new int[] {END}));
        assertThat(GPT2.decode(got.get(1).ids())).startsWith("user: One<|endoftext|>\n(earlier) assistant: 1");
    }

    static int[] learnedIds(ChatFormat.Tokens t) {
        int n = 0;
        int[] out = new int[t.ids().length];
        for (int i = 0; i < t.ids().length; i++) if (t.learned()[i]) out[n++] = t.ids()[i];
        return Arrays.copyOf(out, n);
    }

    @Test
    void aPromptThatIsNotTheBeginningOfTheConversationIsRefused() {
        // "assistant: " ends with a space that the reply's first word takes into its token (" Hello")
        String trailingSpace = PLAIN.replace("assistant:{% endif %}", "assistant: {% endif %}");
        assertThatThrownBy(() -> format(trailingSpace).encode(new ChatExample(conversation("user", "Hi", "assistant", "Hello"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the chat template does not render prefixes consistently: the prompt before message 2")
                .hasMessageNotContaining("\n");
        String noReplies = "{% for m in messages %}{% if m.role != 'assistant' %}{{ m.content }}\n{% endif %}{% endfor %}";
        assertThatThrownBy(() -> format(noReplies).encode(new ChatExample(conversation("user", "Hi", "assistant", "Hello"))))
                .hasMessage("the chat template renders message 2 (the assistant's) as no tokens");
    }

    @Test
    void aTemplateThatRaisesIsOneLine() {
        String strict = "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}" + PLAIN;
        assertThatThrownBy(() -> format(strict).encode(new ChatExample(conversation("system", "s", "user", "u", "assistant", "a"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("chat template: System role not supported");
    }

    @Test
    void aTemplateWithoutEndTokensLearnsTheRestOfTheReply() {
        String noEnd = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}";
        ChatFormat.Reply r = format(noEnd).reply(conversation("user", "Hi", "assistant", "Yo"), false);
        assertThat(r.start()).isEqualTo(ids("user: Hi\nassistant:").length);
        assertThat(r.ids()).containsExactly(ids("user: Hi\nassistant: Yo\n"));
    }

    @Test
    void testPromptsAndGeneratedReplies() {
        ChatFormat f = format(PLAIN);
        ChatExample e = new ChatExample(conversation("user", "Q1", "assistant", "A1", "user", "Q2", "assistant", "A2"));
        assertThat(e.context()).hasSize(3);
        assertThat(e.reply()).isEqualTo("A2");
        assertThat(e.lastUserText()).isEqualTo("Q2");
        assertThat(f.promptIds(e.context())).containsExactly(ids("user: Q1<|endoftext|>\nassistant: A1<|endoftext|>\nuser: Q2<|endoftext|>\nassistant:"));
        assertThat(f.replyText(concat(ids(" Fine, thanks. "), new int[] {END}, ids(" ignored")))).isEqualTo("Fine, thanks.");
    }

    @Test
    void thinkingIsLeftToTheTemplateOnlyWhereTheRepliesHoldIt() {
        assertThat(new ChatExample(conversation("user", "q", "assistant", "<think>hm</think>a")).holdsThinking()).isTrue();
        assertThat(new ChatExample(List.of(ChatTemplate.message("user", "q"),
                Map.<String, Object>of("role", "assistant", "content", "a", "reasoning_content", "hm"))).holdsThinking()).isTrue();
        assertThat(new ChatExample(conversation("user", "<think>", "assistant", "a")).holdsThinking()).isFalse();
        assertThat(ChatFormat.enableThinking(false)).isFalse();
        assertThat(ChatFormat.enableThinking(true)).isNull();
        assertThatThrownBy(() -> new ChatExample(conversation("user", "q"))).hasMessage("the conversation has no assistant message to learn");
        assertThatThrownBy(() -> ChatFormat.of(GPT2)).hasMessageStartingWith("the model has no chat template");
    }
}
