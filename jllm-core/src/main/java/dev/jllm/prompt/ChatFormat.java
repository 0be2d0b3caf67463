package dev.jllm.prompt;

import dev.jllm.chat.ChatTemplate;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Training text in a model's own chat template ({@code --format chat}): each conversation rendered as transformers'
 * {@code apply_chat_template} renders it, encoded with its special tokens, and which of its tokens are the
 * assistant's replies, the only tokens the loss learns: each reply from its first token through its end-of-turn
 * token, as TRL's assistant-only loss does with a template's {@code {% generation %}} blocks. What the template
 * writes around a reply (the role header, the generation prompt, the newline after the end-of-turn token) is not
 * learned.
 *
 * <p>The templates of real models have no generation blocks, so a reply is found by rendering prefixes: for the reply
 * at message i, the template renders messages [0, i) with the generation prompt (what the model reads before it
 * answers) and messages [0, i] without; the first one's tokens must begin the second one's, and the reply is what
 * follows, up to and including the first end-of-turn token ({@link ChatTemplate#endIds}; the rest of the
 * rendering when there is none). A template that renders the prompt differently from the beginning of the
 * conversation is refused in one line.
 *
 * <p>When every reply, with what precedes it, is also the beginning of the whole conversation's tokens, the
 * conversation is one example with all its replies learned. Where a template renders an earlier turn differently
 * once later turns follow (Qwen3 drops the thinking block of earlier replies), each reply becomes an example of its
 * own: the conversation up to it, as the model saw it when it answered.
 *
 * <p>Thinking (Qwen3): conversations are rendered with {@code enable_thinking=false}, so the template's empty thinking
 * block is part of the prompt and the model learns to answer without thinking; a conversation whose replies hold
 * thinking ({@link ChatExample#holdsThinking}) is rendered with the template's default instead, and the thinking is
 * learned as part of the reply.
 */
public final class ChatFormat {

    /** The format's name on the command line and under {@code training.format} in a run's config.json. */
    public static final String NAME = "chat";

    /**
     * A conversation's tokens and which of them the loss learns.
     *
     * @param ids     the rendered conversation's ids, cut after the last learned token
     * @param learned {@code learned[k]}: token k belongs to an assistant reply (so predicting it is learned)
     */
    public record Tokens(int[] ids, boolean[] learned) {}

    /**
     * One reply in its conversation.
     *
     * @param ids   the conversation's ids through the reply's end-of-turn token
     * @param start the position of the reply's first token (the number of prompt tokens)
     */
    public record Reply(int[] ids, int start) {}

    private final ChatTemplate template;
    private final Tokenizer tokenizer;
    private final Set<Integer> endIds;

    public ChatFormat(ChatTemplate template, Tokenizer tokenizer) {
        this.template = template;
        this.tokenizer = tokenizer;
        this.endIds = ChatTemplate.endIds(tokenizer);
    }

    /**
     * The chat format of a model's tokenizer: the chat template of the tokenizer_config.json beside its
     * tokenizer.json; one line when there is none (GPT-2's vocabulary files have none).
     */
    public static ChatFormat of(Tokenizer tokenizer) {
        if (!(tokenizer instanceof HfTokenizer hf)) {
            throw new IllegalArgumentException("the model has no chat template (its tokenizer is GPT-2's vocabulary, not a "
                    + "tokenizer.json beside a tokenizer_config.json with chat_template)");
        }
        if (hf.folder() == null) {
            throw new IllegalArgumentException("the model has no chat template folder (its tokenizer comes from a GGUF file)");
        }
        if (!ChatTemplate.isIn(hf.folder())) {
            throw new IllegalArgumentException(hf.folder().resolve("tokenizer_config.json") + " has no chat_template");
        }
        return new ChatFormat(ChatTemplate.load(hf.folder()), tokenizer);
    }

    /** {@code enable_thinking}: false, or the template's default (null) for a conversation that holds thinking. */
    public static Boolean enableThinking(boolean holdsThinking) {
        return holdsThinking ? null : Boolean.FALSE;
    }

    /**
     * The examples of one conversation: one with every reply learned, or one per reply where the template renders
     * earlier turns differently once later ones follow (see the class comment).
     */
    public List<Tokens> encode(ChatExample example) {
        List<Map<String, Object>> messages = example.messages();
        Boolean thinking = enableThinking(example.holdsThinking());
        int[] whole = ids(messages, false, thinking);
        List<Reply> replies = new ArrayList<>();
        boolean consistent = true;
        for (int i = 0; i < messages.size(); i++) {
            if (!ChatExample.isReply(messages.get(i))) continue;
            Reply r = reply(messages.subList(0, i + 1), thinking);
            replies.add(r);
            consistent &= startsWith(whole, r.ids());
        }
        if (consistent) {
            int end = replies.getLast().ids().length;
            boolean[] learned = new boolean[end];
            for (Reply r : replies) Arrays.fill(learned, r.start(), r.ids().length, true);
            return List.of(new Tokens(Arrays.copyOf(whole, end), learned));
        }
        List<Tokens> out = new ArrayList<>(replies.size());
        for (Reply r : replies) {
            boolean[] learned = new boolean[r.ids().length];
            Arrays.fill(learned, r.start(), learned.length, true);
            out.add(new Tokens(r.ids(), learned));
        }
        return out;
    }

    /**
     * The last message of {@code messages} (the assistant's) as a reply to the ones before it: the tokens through its
     * end-of-turn token, and where it starts. One line when the template does not render the prompt as the
     * beginning of the conversation, or renders the reply as nothing.
     *
     * @param enableThinking see {@link #enableThinking}
     */
    public Reply reply(List<Map<String, Object>> messages, Boolean enableThinking) {
        int[] prompt = ids(messages.subList(0, messages.size() - 1), true, enableThinking);
        int[] full = ids(messages, false, enableThinking);
        int reply = messages.size();
        if (!startsWith(full, prompt)) {
            throw new IllegalArgumentException("the chat template does not render prefixes consistently: the prompt "
                    + "before message " + reply + " (with the generation prompt) is not how the conversation up to "
                    + "that message begins" + firstDifference(prompt, full) + ", so its reply cannot be told apart");
        }
        int end = full.length;
        for (int k = prompt.length; k < full.length; k++) {
            if (endIds.contains(full[k])) {
                end = k + 1;
                break;
            }
        }
        if (end == prompt.length) {
            throw new IllegalArgumentException("the chat template renders message " + reply + " (the assistant's) as no tokens");
        }
        return new Reply(Arrays.copyOf(full, end), prompt.length);
    }

    /** The ids the model answers at test time: {@code context} with the generation prompt, without thinking. */
    public int[] promptIds(List<Map<String, Object>> context) {
        return ids(context, true, Boolean.FALSE);
    }

    /** A generated reply as text: up to the first end-of-turn token, special tokens left out, stripped. */
    public String replyText(int[] continuation) {
        int n = 0;
        while (n < continuation.length && !endIds.contains(continuation[n])) n++;
        return tokenizer.decode(Arrays.copyOf(continuation, n), true).strip();
    }

    /** The ids that end a reply (the tokenizer's EOS and the end-of-turn tokens it has). */
    public Set<Integer> endIds() {
        return endIds;
    }

    private int[] ids(List<Map<String, Object>> messages, boolean generationPrompt, Boolean enableThinking) {
        return tokenizer.encodeWithSpecials(template.render(messages, generationPrompt, enableThinking));
    }

    private static boolean startsWith(int[] ids, int[] prefix) {
        return prefix.length <= ids.length && Arrays.equals(ids, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static String firstDifference(int[] prompt, int[] full) {
        int k = Arrays.mismatch(prompt, full);
        return k < 0 || k >= prompt.length ? "" : " (they differ at token " + k + ")";
    }
}
