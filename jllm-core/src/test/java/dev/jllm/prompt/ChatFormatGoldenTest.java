package dev.jllm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.tokenizer.HfTokenizer;
import dev.jllm.tokenizer.SharedTokenizers;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The assistant masks of {@link ChatFormat} on the real Llama 3, Qwen3 and Gemma 3 templates, against masks that
 * transformers computes from the same templates rewritten with {@code {% generation %}} blocks
 * ({@code return_assistant_tokens_mask}, TRL's assistant-only loss): ids, learned positions, and where a conversation
 * becomes one example per reply (tools/reference/chat_mask_golden.py).
 */
class ChatFormatGoldenTest {

    private static final JsonNode GOLDEN = read();

    private static JsonNode read() {
        try (InputStream in = ChatFormatGoldenTest.class.getResourceAsStream("chat_mask_golden.json")) {
            return new ObjectMapper().readTree(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<JsonNode> conversations() {
        List<JsonNode> cases = new ArrayList<>();
        GOLDEN.get("conversations").forEach(cases::add);
        return cases.stream();
    }

    static Stream<JsonNode> pairs() {
        List<JsonNode> cases = new ArrayList<>();
        GOLDEN.get("pairs").forEach(cases::add);
        return cases.stream();
    }

    static ChatFormat format(String family) {
        HfTokenizer tokenizer = SharedTokenizers.get(family);
        return new ChatFormat(ChatTemplate.load(SharedTokenizers.dir(family)), tokenizer);
    }

    static List<Map<String, Object>> messages(JsonNode list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode m : list) {
            Map<String, Object> map = new LinkedHashMap<>();
            m.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
            out.add(map);
        }
        return out;
    }

    static int[] ints(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i).asInt();
        return out;
    }

    static boolean[] flags(JsonNode list) {
        boolean[] out = new boolean[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i).asInt() == 1;
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void repliesAreMaskedAsTransformersMasksGenerationBlocks(JsonNode c) {
        ChatFormat format = format(c.get("family").asText());
        ChatExample example = new ChatExample(messages(c.get("messages")));
        if (c.has("error")) {
            assertThatThrownBy(() -> format.encode(example)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c.get("error").asText()).hasMessageNotContaining("\n");
            return;
        }
        List<ChatFormat.Tokens> got = format.encode(example);
        JsonNode want = c.get("examples");
        assertThat(got).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            assertThat(got.get(i).ids()).as("ids of example %d", i).containsExactly(ints(want.get(i).get("ids")));
            assertThat(got.get(i).learned()).as("mask of example %d", i).containsExactly(flags(want.get(i).get("mask")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void preferenceRepliesStartAfterTheGenerationPrompt(JsonNode c) {
        ChatFormat format = format(c.get("family").asText());
        ChatPreference pair = new ChatPreference(messages(c.get("prompt")), c.get("chosen").asText(), c.get("rejected").asText());
        Boolean thinking = ChatFormat.enableThinking(pair.holdsThinking());
        ChatFormat.Reply chosen = format.reply(pair.withReply(pair.chosen()), thinking);
        ChatFormat.Reply rejected = format.reply(pair.withReply(pair.rejected()), thinking);
        assertThat(chosen.ids()).containsExactly(ints(c.get("chosen_ids")));
        assertThat(rejected.ids()).containsExactly(ints(c.get("rejected_ids")));
        assertThat(chosen.start()).isEqualTo(c.get("start").asInt());
        assertThat(rejected.start()).isEqualTo(c.get("start").asInt());
    }

    @Test
    void theBooksEntryIsTheUsersMessageAndTheReply() {
        JsonNode c = conversations().filter(n -> n.get("name").asText().equals("book")).findFirst().orElseThrow();
        ChatExample book = ChatExample.of(new InstructionExample("Rewrite the sentence in passive voice.",
                "The cat chased the mouse.", ""), "The mouse was chased by the cat.");
        assertThat(book.messages()).isEqualTo(messages(c.get("messages")));
    }
}
