package dev.jllm.tensor;

import java.util.Arrays;

/** Shape arithmetic and the checks that turn a bad shape into a one-line error naming both shapes. */
final class Shapes {
    private Shapes() {}

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** Product of shape[from .. to). */
    static int prod(int[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return Math.toIntExact(n);
    }

    /** A dimension index, negative counting from the end, checked against the rank. */
    static int axis(String op, int dim, int rank) {
        int d = dim < 0 ? rank + dim : dim;
        require(d >= 0 && d < rank, op + ": dimension " + dim + " out of range for rank " + rank);
        return d;
    }

    /** The shape without its leading 1s ([1, T, C] broadcasts like [T, C]). */
    static int[] stripLeadingOnes(int[] shape) {
        int i = 0;
        while (i < shape.length && shape[i] == 1) i++;
        return Arrays.copyOfRange(shape, i, shape.length);
    }

    /** True if {@code small} (without leading 1s) equals the trailing dimensions of {@code big}. */
    static boolean isTrailing(int[] small, int[] big) {
        int[] s = stripLeadingOnes(small);
        if (s.length > big.length) return false;
        for (int i = 0; i < s.length; i++) if (s[i] != big[big.length - s.length + i]) return false;
        return true;
    }
}
