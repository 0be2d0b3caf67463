package dev.jllm.kernels.quant;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix W [rows, cols] stored row by row in ggml blocks of {@code type}: row j is the {@link #rowBytes}
 * bytes at {@code data[j · rowBytes]}. The segment may be a slice of a memory-mapped GGUF file or a heap array
 * made by {@link Quantize}; it is only read.
 */
public record QuantizedMatrix(GgmlType type, int rows, int cols, MemorySegment data) {

    public QuantizedMatrix {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape [" + rows + ", " + cols + "]");
        if (!type.fits(cols)) {
            throw new IllegalArgumentException(type + " rows hold whole blocks of " + type.blockSize + " values, not " + cols);
        }
        long need = (long) rows * type.bytes(cols);
        if (data.byteSize() != need) {
            throw new IllegalArgumentException(type + " [" + rows + ", " + cols + "] takes " + need + " bytes, not " + data.byteSize());
        }
    }

    /** Bytes of one row. */
    public long rowBytes() {
        return type.bytes(cols);
    }

    /** Byte offset of row j in {@link #data}. */
    public long rowOffset(int j) {
        return j * rowBytes();
    }

    /** Row j as floats into out[off ...] (an embedding lookup). */
    public void row(int j, float[] out, int off) {
        Dequantize.values(type, data, rowOffset(j), out, off, cols);
    }

    /** Bytes of the whole matrix (what a matrix-vector product streams). */
    public long byteSize() {
        return data.byteSize();
    }
}
