package dev.jllm.io.gguf;

import dev.jllm.model.QuantizedWeights;
import dev.jllm.kernels.quant.Dequantize;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.kernels.quant.Quantize;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A GGUF file rewritten with its matrices in another type: every 2-D tensor is dequantized and quantized again as
 * the new type ({@link QuantizedWeights#typeFor} where rows are not whole blocks); 1-D tensors and all metadata are
 * copied unchanged, except {@code general.file_type}. The output is written atomically.
 */
public final class GgufRequantize {
    private GgufRequantize() {}

    public static void write(GgufFile in, GgmlType type, Path out) throws IOException {
        GgufWriter w = new GgufWriter();
        in.metadata().forEach(w::put);
        w.put("general.file_type", GgufValue.uint32(GgufGpt2.fileType(type)));
        for (GgufFile.TensorInfo t : in.tensors().values()) {
            if (t.ne().length != 2) {
                w.tensor(t.name(), t.type(), t.ne(), in.bytes(t));
                continue;
            }
            int cols = (int) t.ne()[0], rows = (int) t.ne()[1];
            GgmlType target = QuantizedWeights.typeFor(type, cols);
            if (target == t.type()) {
                w.tensor(t.name(), t.type(), t.ne(), in.bytes(t));
                continue;
            }
            MemorySegment src = in.bytes(t), dst = MemorySegment.ofArray(new byte[Math.toIntExact(rows * target.bytes(cols))]);
            float[] row = new float[cols];
            for (int j = 0; j < rows; j++) {
                Dequantize.values(t.type(), src, j * t.type().bytes(cols), row, 0, cols);
                Quantize.values(row, 0, cols, target, dst, j * target.bytes(cols));
            }
            w.tensor(t.name(), target, t.ne(), dst);
        }
        w.write(out);
    }
}
