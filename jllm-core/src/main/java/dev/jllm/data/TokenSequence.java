package dev.jllm.data;

/**
 * A read-only sequence of token ids, indexed by {@code long} so that a memory-mapped corpus may hold more than
 * 2^31 tokens. Backed either by an {@code int[]} in memory ({@link #of}) or by a {@link TokenFile} on disk.
 */
public interface TokenSequence {

    /** Number of tokens. */
    long length();

    /** The id at {@code index} (0 ≤ index < length). */
    int get(long index);

    /** Copies {@code count} ids starting at {@code from} into {@code dst[offset..offset+count)}. */
    default void copy(long from, int[] dst, int offset, int count) {
        for (int i = 0; i < count; i++) dst[offset + i] = get(from + i);
    }

    /** The ids of an in-memory array (not copied: the caller must not change it afterwards). */
    static TokenSequence of(int... ids) {
        return new TokenSequence() {
            @Override
            public long length() {
                return ids.length;
            }

            @Override
            public int get(long index) {
                return ids[Math.toIntExact(index)];
            }

            @Override
            public void copy(long from, int[] dst, int offset, int count) {
                System.arraycopy(ids, Math.toIntExact(from), dst, offset, count);
            }
        };
    }
}
