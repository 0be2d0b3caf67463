package dev.jllm.finetune.classify;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import dev.jllm.data.Batches;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Tokenized classification examples, padded to one fixed length as the book's {@code SpamDataset} does.
 *
 * <p>Every message becomes exactly {@link #length()} ids: longer ones are truncated to their first
 * {@code length} tokens (counted in {@link #truncated()}), shorter ones padded with {@link #padId()}. The book pads
 * the validation and test sets to the training set's length too, so build all three with the same length.
 */
public final class ClassificationDataset {

    /** GPT-2's {@code <|endoftext|>}, the book's padding token. */
    public static final int GPT2_PAD_ID = 50256;

    private final int[][] tokens; // each already cut to at most length
    private final int[] labels;
    private final int length;
    private final int padId;
    private final int truncated;

    private ClassificationDataset(int[][] tokens, int[] labels, int length, int padId, int truncated) {
        this.tokens = tokens;
        this.labels = labels;
        this.length = length;
        this.padId = padId;
        this.truncated = truncated;
    }

    /** Encodes each text with {@code tokenizer}; an empty encoding is an error (there is no last token to read). */
    public static List<int[]> encode(List<LabeledText> examples, Function<String, int[]> tokenizer) {
        List<int[]> out = new ArrayList<>(examples.size());
        for (LabeledText e : examples) {
            int[] ids = tokenizer.apply(e.text());
            if (ids.length == 0) throw new IllegalArgumentException("the text '" + e.text() + "' encodes to no tokens");
            out.add(ids);
        }
        return out;
    }

    /** The longest encoding, the book's default padded length (taken on the training set). */
    public static int longest(List<int[]> encoded) {
        int max = 0;
        for (int[] ids : encoded) max = Math.max(max, ids.length);
        return max;
    }

    /**
     * The padded length for a run: {@code maxLength} when given (it must fit the model's context), else the longest
     * training message capped at the context length (longer messages are then truncated).
     */
    public static int paddedLength(List<int[]> encodedTrain, Integer maxLength, int contextLength) {
        if (maxLength != null) {
            if (maxLength < 1) throw new SettingException(Setting.MAX_LENGTH, " must be positive, got " + maxLength);
            if (maxLength > contextLength) {
                throw new SettingException(Setting.MAX_LENGTH, " " + maxLength + " exceeds the model's context length "
                        + contextLength);
            }
            return maxLength;
        }
        return Math.min(longest(encodedTrain), contextLength);
    }

    /** Pads or truncates encoded messages to {@code length}. */
    public static ClassificationDataset of(List<int[]> encoded, List<LabeledText> examples, int length, int padId) {
        if (encoded.size() != examples.size()) {
            throw new IllegalArgumentException(encoded.size() + " encodings for " + examples.size() + " examples");
        }
        if (length < 1) throw new IllegalArgumentException("padded length must be positive, got " + length);
        int n = examples.size();
        int[][] tokens = new int[n][];
        int[] labels = new int[n];
        int truncated = 0;
        for (int i = 0; i < n; i++) {
            int[] ids = encoded.get(i);
            if (ids.length > length) truncated++;
            tokens[i] = ids.length > length ? Arrays.copyOf(ids, length) : ids;
            labels[i] = examples.get(i).label();
        }
        return new ClassificationDataset(tokens, labels, length, padId, truncated);
    }

    /** Encodes and pads in one step. */
    public static ClassificationDataset of(List<LabeledText> examples, Function<String, int[]> tokenizer, int length,
                                           int padId) {
        return of(encode(examples, tokenizer), examples, length, padId);
    }

    public int size() {
        return labels.length;
    }

    public int length() {
        return length;
    }

    public int padId() {
        return padId;
    }

    /** How many messages were longer than {@link #length()} and lost their tail. */
    public int truncated() {
        return truncated;
    }

    /** Example {@code i}'s ids, padded to {@link #length()}. */
    public int[] ids(int i) {
        int[] row = new int[length];
        Arrays.fill(row, padId);
        System.arraycopy(tokens[i], 0, row, 0, tokens[i].length);
        return row;
    }

    public int label(int i) {
        return labels[i];
    }

    /** The batch of the examples at {@code indices}, in that order. */
    public ClassificationBatch batch(int[] indices) {
        int b = indices.length;
        int[] ids = new int[b * length];
        int[] last = new int[b];
        int[] y = new int[b];
        Arrays.fill(ids, padId);
        for (int r = 0; r < b; r++) {
            int[] t = tokens[indices[r]];
            System.arraycopy(t, 0, ids, r * length, t.length);
            last[r] = t.length - 1;
            y[r] = labels[indices[r]];
        }
        return new ClassificationBatch(ids, last, y, b, length);
    }

    /**
     * One pass over the data in batches of {@code batchSize}, as the book's DataLoader: the training loader
     * shuffles ({@code shuffle} non-null) and drops the last incomplete batch; validation and test keep it.
     */
    public List<ClassificationBatch> batches(int batchSize, Random shuffle, boolean dropLast) {
        List<ClassificationBatch> out = new ArrayList<>();
        for (int[] indices : Batches.indices(size(), batchSize, shuffle, dropLast)) out.add(batch(indices));
        return out;
    }
}
