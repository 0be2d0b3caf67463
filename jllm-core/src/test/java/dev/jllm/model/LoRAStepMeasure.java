package dev.jllm.model;

import dev.jllm.bench.EndToEndBench;
import dev.jllm.kernels.Bf16;
import dev.jllm.kernels.Parallel;
import dev.jllm.nn.ParameterSource;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.Tensor;
import dev.jllm.tensor.Workspace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Measures LoRA finetuning steps of a random model of a published size (not a test; run by hand):
 * forward, cross-entropy and backward at batch × context random tokens, AdamW on the adapters only (rank 16,
 * alpha 16, on every block Linear), over a frozen bf16 base (as a published bf16 checkpoint loads: every matrix
 * bfloat16, read in place; {@code fp32} as a fifth argument measures a float32 base instead). Prints tokens/s of
 * the median step and the peak resident memory.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp jllm-core/target/classes:jllm-core/target/test-classes:$(cat cp.txt) \
 *     dev.jllm.model.LoRAStepMeasure qwen3-0.6b 4 256 3</pre>
 */
public final class LoRAStepMeasure {
    private static final ValueLayout.OfShort BF16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static void main(String[] args) {
        String preset = args[0];
        int batch = Integer.parseInt(args[1]), context = Integer.parseInt(args[2]), reps = Integer.parseInt(args[3]);
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        boolean fp32 = args.length > 4 && args[4].equals("fp32");
        DecoderConfig config = DecoderConfig.preset(preset);
        SplittableRandom rng = new SplittableRandom(1);
        // N(0, 0.02) as DecoderModel.create draws, each value rounded to bf16 straight into memory off the heap
        DecoderModel m = fp32 ? DecoderModel.create(config, 1) : new DecoderModel(config, (name, initial, shape) -> {
            if (shape.length != 2) return ParameterSource.NEW.get(name, initial, shape);
            long n = Tensor.numel(shape);
            MemorySegment values = Arena.ofAuto().allocate(2 * n, 2);
            for (long i = 0; i < n; i++) values.set(BF16_LE, 2 * i, Bf16.fromFloat((float) (rng.nextGaussian() * 0.02)));
            return Tensor.bf16(values, shape);
        });
        m.freeze();
        m.addLoRA(16, 16f, false, new SplittableRandom(2));
        m.train();
        AdamW opt = new AdamW(m.trainableParameters(), AdamW.Options.withWeightDecay(0));
        int[] x = EndToEndBench.randomIds(batch * context, 1), y = EndToEndBench.randomIds(batch * context, 2);
        Workspace workspace = new Workspace();
        double seconds = EndToEndBench.median(reps, () -> {
            opt.zeroGrad();
            try (Workspace.Scope step = workspace.open()) {
                m.loss(x, y, batch, context).backward();
            }
            opt.step(1e-4);
        });
        System.out.printf("{\"model\":\"%s\",\"base\":\"%s\",\"weight_bytes\":%d,\"batch\":%d,\"context\":%d,"
                        + "\"trainable\":%d,\"seconds_per_step\":%.2f,\"tokens_per_second\":%.1f,\"peak_rss_mib\":%.0f}%n",
                preset, fp32 ? "fp32" : "bf16", m.parameterBytes(), batch, context, m.trainableParameterCount(), seconds,
                batch * context / seconds, EndToEndBench.peakRssMib());
    }
}
