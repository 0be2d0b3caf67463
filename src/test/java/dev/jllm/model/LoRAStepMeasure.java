package dev.jllm.model;

import dev.jllm.bench.EndToEndBench;
import dev.jllm.kernels.Parallel;
import dev.jllm.optim.AdamW;
import dev.jllm.tensor.Workspace;
import java.util.SplittableRandom;

/**
 * Measures LoRA finetuning steps of a random model of a published size (not a test; run by hand):
 * forward, cross-entropy and backward at batch × context random tokens, AdamW on the adapters only (rank 16,
 * alpha 16, on every block Linear), base frozen. Prints tokens/s of the median step and the peak resident memory.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:$(cat cp.txt) \
 *     dev.jllm.model.LoRAStepMeasure qwen3-0.6b 4 256 3</pre>
 */
public final class LoRAStepMeasure {
    public static void main(String[] args) {
        String preset = args[0];
        int batch = Integer.parseInt(args[1]), context = Integer.parseInt(args[2]), reps = Integer.parseInt(args[3]);
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        DecoderModel m = DecoderModel.create(DecoderConfig.preset(preset), 1);
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
        System.out.printf("{\"model\":\"%s\",\"batch\":%d,\"context\":%d,\"trainable\":%d,\"seconds_per_step\":%.2f,"
                        + "\"tokens_per_second\":%.1f,\"peak_rss_mib\":%.0f}%n", preset, batch, context,
                m.trainableParameterCount(), seconds, batch * context / seconds, EndToEndBench.peakRssMib());
    }
}
