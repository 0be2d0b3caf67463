package dev.jllm.tokenizer;

import java.text.Normalizer;
import java.util.List;

/**
 * A {@code tokenizer.json} normalizer: rewrites text before pre-tokenization (Qwen3: Unicode NFC; Gemma 3:
 * spaces become {@code ▁}). Added tokens are matched before it runs, so it never sees them.
 */
sealed interface TextNormalizer {

    String apply(String text);

    /** No normalizer. */
    record None() implements TextNormalizer {
        @Override
        public String apply(String text) {
            return text;
        }
    }

    /** One of Unicode's normal forms; ASCII text is left as it is without asking the normalizer. */
    record UnicodeForm(Normalizer.Form form) implements TextNormalizer {
        @Override
        public String apply(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) >= 0x80) return Normalizer.normalize(text, form);
            }
            return text;
        }
    }

    /** Every occurrence of {@code pattern} (a literal string) becomes {@code content}. */
    record Replace(String pattern, String content) implements TextNormalizer {
        @Override
        public String apply(String text) {
            return text.replace(pattern, content);
        }
    }

    /** {@code prefix} before non-empty text (SentencePiece's dummy prefix). */
    record Prepend(String prefix) implements TextNormalizer {
        @Override
        public String apply(String text) {
            return text.isEmpty() ? text : prefix + text;
        }
    }

    /** Lower case, as Rust's {@code str::to_lowercase}. */
    record Lowercase() implements TextNormalizer {
        @Override
        public String apply(String text) {
            return text.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The normalizers one after the other. */
    record Sequence(List<TextNormalizer> steps) implements TextNormalizer {
        @Override
        public String apply(String text) {
            for (TextNormalizer step : steps) text = step.apply(text);
            return text;
        }
    }
}
