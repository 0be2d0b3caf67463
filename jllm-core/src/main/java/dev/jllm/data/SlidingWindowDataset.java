package dev.jllm.data;

/**
 * Next-token prediction examples cut from one long token sequence, like the book's {@code GPTDatasetV1}: window
 * {@code i} starts at token {@code i * stride}; its input is the {@code maxLength} tokens from there and its target
 * the same span shifted one token to the right.
 *
 * <p>As in the book ({@code range(0, len(ids) - max_length, stride)}), a window starts at every multiple of the
 * stride below {@code length - maxLength}, so the last target token always exists. The windows are read from the
 * sequence on demand, so a memory-mapped {@link TokenFile} is never loaded as a whole.
 */
public final class SlidingWindowDataset {
    private final TokenSequence tokens;
    private final int maxLength;
    private final int stride;
    private final int size;

    public SlidingWindowDataset(TokenSequence tokens, int maxLength, int stride) {
        if (maxLength < 1) throw new IllegalArgumentException("max length must be >= 1, got " + maxLength);
        if (stride < 1) throw new IllegalArgumentException("stride must be >= 1, got " + stride);
        long n = tokens.length();
        if (n <= maxLength) {
            throw new IllegalArgumentException("too few tokens for one window: " + n
                    + " tokens, but a window of max length " + maxLength + " needs at least " + (maxLength + 1L));
        }
        long windows = (n - maxLength + stride - 1) / stride; // ceil((n - maxLength) / stride)
        if (windows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(windows + " windows are too many for one dataset; use a larger stride");
        }
        this.tokens = tokens;
        this.maxLength = maxLength;
        this.stride = stride;
        this.size = (int) windows;
    }

    /** Number of (input, target) windows. */
    public int size() {
        return size;
    }

    public int maxLength() {
        return maxLength;
    }

    public int stride() {
        return stride;
    }

    /** One example: the input ids and the target ids, each {@code maxLength} long. */
    public record Example(int[] input, int[] target) {}

    public Example get(int index) {
        int[] input = new int[maxLength], target = new int[maxLength];
        copyInto(index, input, target, 0);
        return new Example(input, target);
    }

    /** Writes window {@code index} into {@code inputs[offset..offset+maxLength)} and the same range of {@code targets}. */
    public void copyInto(int index, int[] inputs, int[] targets, int offset) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("window " + index + " of a dataset of " + size);
        }
        long start = (long) index * stride;
        tokens.copy(start, inputs, offset, maxLength);
        tokens.copy(start + 1, targets, offset, maxLength);
    }
}
