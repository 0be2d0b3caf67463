package dev.jllm.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A made-up labelled table for classification runs: alternating spam and ham messages of a few telling words. */
public final class SpamTable {
    private SpamTable() {}

    /** Writes {@code rows} lines {@code label<TAB>text} (the SMS Spam Collection's layout), each of {@code words} words. */
    public static Path write(Path file, int rows, int words) throws IOException {
        StringBuilder text = new StringBuilder();
        String[] spam = {"free", "win", "prize", "call", "now", "cash"}, ham = {"see", "you", "at", "lunch", "ok", "mom"};
        for (int i = 0; i < rows; i++) {
            String[] pool = i % 2 == 0 ? spam : ham;
            text.append(i % 2 == 0 ? "spam" : "ham").append('\t');
            for (int w = 0; w < words; w++) text.append(pool[(i * 7 + w * 3) % pool.length]).append(' ');
            text.append('\n');
        }
        Files.writeString(file, text);
        return file;
    }
}
