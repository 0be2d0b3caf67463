package dev.jllm.generate;

import dev.jllm.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns generated tokens into text as they arrive, for a {@link Generator.TokenListener}.
 *
 * <p>A token may end in the middle of a UTF-8 character, and the text so far may end with the start of a stop
 * string, so the streamer holds such a tail back until the next tokens settle it. When a stop string appears,
 * the text before it is emitted and generation stops; {@link #text()} is then cut there.
 */
public final class TextStreamer implements Generator.TokenListener {
    private final Tokenizer tokenizer;
    private final List<String> stopStrings;
    private final Consumer<String> sink;
    private int[] ids = new int[16];
    private int count;
    private String text = "";
    private int emitted;
    private boolean stopped;

    /** {@code sink} receives each new piece of text (never a broken character). */
    public TextStreamer(Tokenizer tokenizer, List<String> stopStrings, Consumer<String> sink) {
        this.tokenizer = tokenizer;
        this.stopStrings = List.copyOf(stopStrings);
        this.sink = sink;
    }

    @Override
    public boolean onToken(int id) {
        if (count == ids.length) ids = Arrays.copyOf(ids, 2 * count);
        ids[count++] = id;
        text = tokenizer.decode(Arrays.copyOf(ids, count));
        int stop = firstStop(text);
        if (stop >= 0) {
            text = text.substring(0, stop);
            stopped = true;
            flush();
            return false;
        }
        emit(settledLength(text));
        return true;
    }

    /** Emits whatever was held back (call when generation ended). */
    public void flush() {
        emit(text.length());
    }

    /** The generated text, cut before the stop string if one appeared. */
    public String text() {
        return text;
    }

    /** Whether a stop string ended generation. */
    public boolean stopped() {
        return stopped;
    }

    private void emit(int upTo) {
        if (upTo > emitted) {
            sink.accept(text.substring(emitted, upTo));
            emitted = upTo;
        }
    }

    private int firstStop(String s) {
        int first = -1;
        for (String stop : stopStrings) {
            int i = s.indexOf(stop, Math.max(0, emitted - stop.length()));
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        return first;
    }

    /** Length of the prefix that no later token can change: without a trailing U+FFFD or a stop string's start. */
    private int settledLength(String s) {
        int end = s.length();
        while (end > emitted && s.charAt(end - 1) == '\uFFFD') end--;
        for (String stop : stopStrings) {
            for (int k = Math.min(stop.length() - 1, end); k > 0; k--) {
                if (s.startsWith(stop.substring(0, k), end - k)) {
                    end -= k;
                    break;
                }
            }
        }
        return Math.max(end, emitted);
    }
}
