package dev.jllm.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.io.JsonFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads a Hugging Face {@code tokenizer.json} into an {@link HfTokenizer}. Supported: the {@code BPE} model
 * (byte-level or with byte fallback); the normalizers NFC/NFD/NFKC/NFKD, Replace, Prepend, Lowercase and
 * Sequence; the pre-tokenizers Split, ByteLevel and Sequence; the post-processors ByteLevel, TemplateProcessing
 * and Sequence; the decoders ByteLevel, Replace, ByteFallback, Fuse, Strip and Sequence. Anything else is an
 * {@link IllegalArgumentException} of one line naming the file and the part.
 */
final class HfTokenizerReader {
    private HfTokenizerReader() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static HfTokenizer read(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        Streamed streamed = readTokenizerJson(file);
        try {
            HfTokenizer.Parts parts = parts(streamed);
            String bos = null;
            String eos = null;
            Path config = dir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(config)) {
                JsonNode c = readJson(config);
                bos = tokenName(c.get("bos_token"));
                eos = tokenName(c.get("eos_token"));
            }
            return new HfTokenizer(parts, bos, eos, dir);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** A token named in tokenizer_config.json: a string, or an object with "content"; null when absent. */
    static String tokenName(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.asText();
        if (node.has("content")) return node.get("content").asText();
        return null;
    }

    static JsonNode readJson(Path file) {
        return JsonFile.read(file);
    }

    /** tokenizer.json with the model's vocab and merges read as a stream (a tree of them is slow), the rest as a tree. */
    private record Streamed(ObjectNode root, Map<String, Integer> vocab, List<String[]> merges) {}

    private static Streamed readTokenizerJson(Path file) {
        ObjectNode root = JSON.createObjectNode();
        Map<String, Integer> vocab = new HashMap<>();
        List<String[]> merges = new ArrayList<>();
        try (JsonParser p = JSON.getFactory().createParser(Files.readAllBytes(file))) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException(file + ": not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("model") || p.currentToken() != JsonToken.START_OBJECT) {
                    root.set(field, p.readValueAsTree());
                    continue;
                }
                ObjectNode model = root.putObject("model");
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonToken t = p.nextToken();
                    if (key.equals("vocab") && t == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String token = p.currentName();
                            p.nextToken();
                            vocab.put(token, checkedId(token, p.getIntValue()));
                        }
                    } else if (key.equals("merges") && t == JsonToken.START_ARRAY) {
                        for (JsonToken m = p.nextToken(); m != JsonToken.END_ARRAY; m = p.nextToken()) {
                            if (m == JsonToken.VALUE_STRING) {
                                String line = p.getText();
                                int space = line.indexOf(' ', 1);
                                if (space < 0) throw new IllegalArgumentException(file + ": merge '" + line + "' is not two tokens separated by a space");
                                merges.add(new String[] {line.substring(0, space), line.substring(space + 1)});
                            } else if (m == JsonToken.START_ARRAY) {
                                p.nextToken();
                                String left = p.getText();
                                p.nextToken();
                                String right = p.getText();
                                if (p.nextToken() != JsonToken.END_ARRAY) throw new IllegalArgumentException(file + ": a merge is not a pair");
                                merges.add(new String[] {left, right});
                            } else {
                                throw new IllegalArgumentException(file + ": a merge is neither \"a b\" nor [\"a\", \"b\"]");
                            }
                        }
                    } else {
                        model.set(key, p.readValueAsTree());
                    }
                }
            }
        } catch (IOException e) {
            throw JsonFile.failure(file, e);
        }
        return new Streamed(root, vocab, merges);
    }

    private static HfTokenizer.Parts parts(Streamed streamed) {
        JsonNode root = streamed.root();
        JsonNode model = root.path("model");
        String modelType = model.path("type").asText(model.has("merges") ? "BPE" : "");
        if (!modelType.equals("BPE")) {
            throw new IllegalArgumentException("unsupported model type '" + modelType
                    + "' (jllm reads BPE tokenizers: byte-level like Llama 3 and Qwen3, or with byte fallback like Gemma 3)");
        }
        if (!model.path("dropout").isNull() && !model.path("dropout").isMissingNode()) {
            throw new IllegalArgumentException("BPE dropout is not supported");
        }
        for (String affix : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(affix).asText("").isEmpty()) {
                throw new IllegalArgumentException("unsupported BPE option " + affix + " = '" + model.path(affix).asText() + "'");
            }
        }

        List<Supplier<PieceSplitter>> splitters = new ArrayList<>();
        boolean[] byteLevel = {false, false}; // {byte level, prefix space}
        preTokenizer(root.path("pre_tokenizer"), splitters, byteLevel, true);

        Map<String, Integer> vocab = streamed.vocab();
        List<String[]> merges = streamed.merges();
        String unk = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        BpeModel bpe = BpeModel.of(vocab, merges, byteLevel[0], model.path("byte_fallback").asBoolean(false), unk,
                model.path("fuse_unk").asBoolean(false), model.path("ignore_merges").asBoolean(false));

        TextNormalizer normalizer = normalizer(root.path("normalizer"));
        List<AddedTokens.Token> added = new ArrayList<>();
        List<String> normalizedPatterns = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            String content = t.path("content").asText();
            AddedTokens.Token token = new AddedTokens.Token(checkedId(content, t.path("id").asInt(-1)), content,
                    t.path("special").asBoolean(false), t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false),
                    t.path("single_word").asBoolean(false), t.path("normalized").asBoolean(false));
            added.add(token);
            normalizedPatterns.add(token.normalized() ? normalizer.apply(token.content()) : token.content());
        }
        int[][] around = postProcessor(root.path("post_processor"), added, vocab);
        return new HfTokenizer.Parts(normalizer, splitters, byteLevel[1], bpe, added, normalizedPatterns,
                around[0], around[1], decoder(root.path("decoder")));
    }

    private static TextNormalizer normalizer(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return new TextNormalizer.None();
        String type = n.path("type").asText();
        return switch (type) {
            case "NFC" -> new TextNormalizer.UnicodeForm(Normalizer.Form.NFC);
            case "NFD" -> new TextNormalizer.UnicodeForm(Normalizer.Form.NFD);
            case "NFKC" -> new TextNormalizer.UnicodeForm(Normalizer.Form.NFKC);
            case "NFKD" -> new TextNormalizer.UnicodeForm(Normalizer.Form.NFKD);
            case "Lowercase" -> new TextNormalizer.Lowercase();
            case "Prepend" -> new TextNormalizer.Prepend(n.path("prepend").asText());
            case "Replace" -> new TextNormalizer.Replace(literal(n.path("pattern"), "Replace normalizer"), n.path("content").asText());
            case "Sequence" -> {
                List<TextNormalizer> steps = new ArrayList<>();
                for (JsonNode step : n.path("normalizers")) steps.add(normalizer(step));
                yield new TextNormalizer.Sequence(steps);
            }
            default -> throw new IllegalArgumentException("unsupported normalizer type '" + type + "'");
        };
    }

    private static void preTokenizer(JsonNode n, List<Supplier<PieceSplitter>> splitters, boolean[] byteLevel, boolean first) {
        if (n.isMissingNode() || n.isNull()) return;
        String type = n.path("type").asText();
        switch (type) {
            case "Sequence" -> {
                boolean isFirst = first;
                for (JsonNode step : n.path("pretokenizers")) {
                    preTokenizer(step, splitters, byteLevel, isFirst);
                    isFirst = false;
                }
            }
            case "ByteLevel" -> {
                byteLevel[0] = true;
                if (n.path("add_prefix_space").asBoolean(false)) {
                    if (!first) throw new IllegalArgumentException("a ByteLevel pre-tokenizer with add_prefix_space after another one");
                    byteLevel[1] = true;
                }
                if (n.path("use_regex").asBoolean(true)) splitters.add(() -> Pretokenizer::pieceEnd);
            }
            case "Split" -> {
                if (n.path("invert").asBoolean(false)) throw new IllegalArgumentException("a Split pre-tokenizer with invert = true");
                String behavior = n.path("behavior").asText();
                JsonNode pattern = n.path("pattern");
                if (pattern.has("Regex")) {
                    if (!behavior.equals("Isolated")) {
                        throw new IllegalArgumentException("a Split pre-tokenizer on a regex with behavior " + behavior);
                    }
                    String regex = pattern.get("Regex").asText();
                    Llama3Splitter scanner = Llama3Splitter.forPattern(regex);
                    if (scanner != null) {
                        splitters.add(() -> scanner);
                    } else {
                        new RegexSplitter(regex); // fails now on a pattern Java cannot read
                        splitters.add(() -> new RegexSplitter(regex));
                    }
                } else {
                    String delimiter = literal(pattern, "Split pre-tokenizer");
                    LiteralSplitter.Behavior b = switch (behavior) {
                        case "Isolated" -> LiteralSplitter.Behavior.ISOLATED;
                        case "MergedWithPrevious" -> LiteralSplitter.Behavior.MERGED_WITH_PREVIOUS;
                        case "MergedWithNext" -> LiteralSplitter.Behavior.MERGED_WITH_NEXT;
                        default -> throw new IllegalArgumentException("a Split pre-tokenizer with behavior " + behavior);
                    };
                    LiteralSplitter splitter = new LiteralSplitter(delimiter, b);
                    splitters.add(() -> splitter);
                }
            }
            default -> throw new IllegalArgumentException("unsupported pre_tokenizer type '" + type + "'");
        }
    }

    /** The ids the post-processor puts before and after a single sequence. */
    private static int[][] postProcessor(JsonNode n, List<AddedTokens.Token> added, Map<String, Integer> vocab) {
        int[][] none = {new int[0], new int[0]};
        if (n.isMissingNode() || n.isNull()) return none;
        String type = n.path("type").asText();
        switch (type) {
            case "ByteLevel":
                return none;
            case "Sequence": {
                int[][] result = none;
                for (JsonNode step : n.path("processors")) {
                    int[][] r = postProcessor(step, added, vocab);
                    if (r[0].length + r[1].length > 0) result = r;
                }
                return result;
            }
            case "TemplateProcessing": {
                List<Integer> before = new ArrayList<>();
                List<Integer> after = new ArrayList<>();
                boolean seenSequence = false;
                for (JsonNode item : n.path("single")) {
                    if (item.has("Sequence")) {
                        seenSequence = true;
                    } else if (item.has("SpecialToken")) {
                        String name = item.get("SpecialToken").path("id").asText();
                        JsonNode ids = n.path("special_tokens").path(name).path("ids");
                        if (!ids.isArray()) throw new IllegalArgumentException("post_processor: no ids for '" + name + "'");
                        for (JsonNode id : ids) (seenSequence ? after : before).add(id.asInt());
                    }
                }
                return new int[][] {before.stream().mapToInt(Integer::intValue).toArray(),
                        after.stream().mapToInt(Integer::intValue).toArray()};
            }
            default:
                throw new IllegalArgumentException("unsupported post_processor type '" + type + "'");
        }
    }

    private static TokenDecoder decoder(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return new TokenDecoder.None();
        String type = n.path("type").asText();
        return switch (type) {
            case "ByteLevel" -> new TokenDecoder.ByteLevelDecoder();
            case "ByteFallback" -> new TokenDecoder.ByteFallback();
            case "Fuse" -> new TokenDecoder.Fuse();
            case "Replace" -> new TokenDecoder.Replace(literal(n.path("pattern"), "Replace decoder"), n.path("content").asText());
            case "Strip" -> new TokenDecoder.Strip(n.path("content").asText(" ").charAt(0), n.path("start").asInt(),
                    n.path("stop").asInt());
            case "Sequence" -> {
                List<TokenDecoder> steps = new ArrayList<>();
                for (JsonNode step : n.path("decoders")) steps.add(decoder(step));
                yield new TokenDecoder.Sequence(steps);
            }
            default -> throw new IllegalArgumentException("unsupported decoder type '" + type + "'");
        };
    }

    /** A pattern that must be a literal string ({"String": ...}). */
    private static String literal(JsonNode pattern, String what) {
        if (pattern.has("String")) return pattern.get("String").asText();
        throw new IllegalArgumentException("a " + what + " with a regex pattern is not supported");
    }

    /** Ids at most this large: every real vocabulary is far smaller (Gemma 3's has 262,144 tokens). */
    static final int MAX_ID = (1 << 24) - 1;

    /** {@code id}, when it can be a token's id (the tables of ids are sized by the largest). */
    private static int checkedId(String token, int id) {
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException("tokenizer.json: token '" + token + "' has id " + id + "; ids run from 0 to "
                    + MAX_ID);
        }
        return id;
    }
}
