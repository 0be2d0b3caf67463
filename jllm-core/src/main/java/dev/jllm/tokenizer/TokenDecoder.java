package dev.jllm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code tokenizer.json} decoder: turns the tokens' strings back into text, as the {@code tokenizers}
 * library's decoders do, step by step over the list of token strings ({@code decode_chain}).
 */
sealed interface TokenDecoder {

    List<String> decodeChain(List<String> tokens);

    /** The text of the tokens: the chain, then the pieces joined. */
    default String decode(List<String> tokens) {
        return String.join("", decodeChain(tokens));
    }

    /** GPT-2's byte characters back to bytes, decoded as UTF-8 with U+FFFD for invalid bytes (one string). */
    record ByteLevelDecoder() implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) bytes.writeBytes(bytesOf(t));
            return List.of(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
        }

        /** A token's bytes: its byte characters, or its UTF-8 when it has a character outside the table. */
        static byte[] bytesOf(String token) {
            byte[] b = ByteLevel.toBytes(token);
            return b != null ? b : token.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Each token with {@code pattern} (a literal string) replaced by {@code content}. */
    record Replace(String pattern, String content) implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return tokens.stream().map(t -> t.replace(pattern, content)).toList();
        }
    }

    /**
     * Runs of {@code <0xXX>} tokens become the text of their bytes, or one U+FFFD per byte when the run is not
     * valid UTF-8.
     */
    record ByteFallback() implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            for (String t : tokens) {
                int b = byteOf(t);
                if (b >= 0) {
                    run.write(b);
                    continue;
                }
                flush(run, out);
                out.add(t);
            }
            flush(run, out);
            return out;
        }

        /** The byte of a {@code <0xXX>} token, or -1. */
        static int byteOf(String t) {
            if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') return -1;
            int hi = Character.digit(t.charAt(3), 16);
            int lo = Character.digit(t.charAt(4), 16);
            return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
        }

        private static void flush(ByteArrayOutputStream run, List<String> out) {
            if (run.size() == 0) return;
            byte[] bytes = run.toByteArray();
            try {
                out.add(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                for (int i = 0; i < bytes.length; i++) out.add("\uFFFD");
            }
            run.reset();
        }
    }

    /** All the tokens joined into one. */
    record Fuse() implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** Up to {@code start} leading and {@code stop} trailing occurrences of {@code content} removed from each token. */
    record Strip(char content, int start, int stop) implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return tokens.stream().map(t -> {
                int from = 0;
                int to = t.length();
                while (from < start && from < to && t.charAt(from) == content) from++;
                for (int k = 0; k < stop && to > from && t.charAt(to - 1) == content; k++) to--;
                return t.substring(from, to);
            }).toList();
        }
    }

    /** The decoders one after the other. */
    record Sequence(List<TokenDecoder> steps) implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            for (TokenDecoder step : steps) tokens = step.decodeChain(tokens);
            return tokens;
        }
    }

    /** No decoder: the tokens joined by spaces, as {@code tokenizers} does without one. */
    record None() implements TokenDecoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join(" ", tokens));
        }
    }
}
