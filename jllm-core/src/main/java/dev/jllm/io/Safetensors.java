package dev.jllm.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reading and writing whole safetensors files. Tensors are written as F32; files are replaced atomically, so a
 * crash mid-write never leaves a half-written checkpoint under the final name.
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_FLOATS = 1 << 18; // 1 MiB of floats per write

    private Safetensors() {}

    /** Every tensor of {@code file}, converted to float32, with the file's metadata. */
    public static StateDict read(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.readAll();
        }
    }

    /** Writes {@code dict} (tensors in its order, as F32, and its metadata) to {@code file}, atomically. */
    public static void write(Path file, StateDict dict) throws IOException {
        write(file, dict, Dtype.F32);
    }

    /**
     * Writes {@code dict} with every tensor as {@code dtype}: F32, or BF16 (each value rounded to the nearest
     * bfloat16, as published checkpoints are stored), atomically. A {@link Tensor#isBf16 bfloat16} tensor is
     * written as it is (BF16) or widened (F32), never rounded.
     */
    public static void write(Path file, StateDict dict, Dtype dtype) throws IOException {
        if (dtype != Dtype.F32 && dtype != Dtype.BF16) throw new IllegalArgumentException("jllm writes F32 or BF16, not " + dtype);
        write(file, dict, t -> dtype);
    }

    /**
     * Writes {@code dict} with each tensor in the type it is held in: {@link Tensor#isBf16 bfloat16} tensors as BF16
     * (their bytes as they are), float32 ones as F32; nothing is rounded. Atomically.
     */
    public static void writeAsHeld(Path file, StateDict dict) throws IOException {
        write(file, dict, t -> t.isBf16() ? Dtype.BF16 : Dtype.F32);
    }

    private static void write(Path file, StateDict dict, java.util.function.Function<Tensor, Dtype> dtypes)
            throws IOException {
        byte[] header = header(dict, dtypes);
        AtomicFiles.write(file, out -> {
            ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putLong(header.length).put(header).flip();
            writeFully(out, prefix);
            ByteBuffer buf = ByteBuffer.allocateDirect(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : dict.tensors().values()) {
                Dtype dtype = dtypes.apply(t);
                if (t.isBf16() && dtype == Dtype.BF16) { // its bytes as they are
                    MemorySegment bytes = t.bf16Values();
                    for (long off = 0; off < bytes.byteSize(); off += 4L * CHUNK_FLOATS) {
                        writeFully(out, bytes.asSlice(off, Math.min(4L * CHUNK_FLOATS, bytes.byteSize() - off)).asByteBuffer());
                    }
                    continue;
                }
                float[] values = t.toFloat32().data();
                for (int off = 0; off < values.length; off += CHUNK_FLOATS) {
                    int n = Math.min(CHUNK_FLOATS, values.length - off);
                    buf.clear();
                    if (dtype == Dtype.F32) {
                        buf.asFloatBuffer().put(values, off, n);
                        buf.limit(4 * n);
                    } else {
                        for (int i = 0; i < n; i++) buf.putShort(dev.jllm.kernels.Bf16.fromFloat(values[off + i]));
                        buf.flip();
                    }
                    writeFully(out, buf);
                }
            }
        });
    }

    /**
     * The JSON header, padded with spaces so the data region starts at a multiple of 8 bytes (as Hugging Face's
     * writer does), which keeps every F32 tensor aligned when the file is mapped.
     */
    static byte[] header(StateDict dict) {
        return header(dict, t -> Dtype.F32);
    }

    static byte[] header(StateDict dict, java.util.function.Function<Tensor, Dtype> dtypes) {
        ObjectNode root = JSON.createObjectNode();
        if (!dict.metadata().isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            for (Map.Entry<String, String> m : dict.metadata().entrySet()) meta.put(m.getKey(), m.getValue());
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : dict.tensors().entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is not a tensor name");
            Tensor t = e.getValue();
            Dtype dtype = dtypes.apply(t);
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            long bytes = (long) dtype.bytes * t.size();
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        for (int i = json.length; i < padded; i++) header[i] = ' ';
        return header;
    }

    private static void writeFully(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) out.write(buf);
    }
}
