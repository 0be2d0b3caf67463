package dev.jllm.tensor;

import static dev.jllm.tensor.GradCheck.relErr;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jllm.kernels.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A training-sized forward and backward gives the same values with one thread and with several. */
class ThreadsTest {

    /** Runs a GPT-like block plus loss at shapes large enough to be split; returns output, loss and all grads. */
    private static List<float[]> run() {
        Random rnd = new Random(5);
        int bs = 2, t = 64, c = 96, heads = 4, vocab = 300;
        List<Tensor> p = new ArrayList<>();
        for (int[] s : new int[][] {{vocab, c}, {t, c}, {c}, {c}, {3 * c, c}, {3 * c}, {4 * c, c}, {c, 4 * c}}) {
            p.add(GradCheck.param(rnd, s));
        }
        int[] ids = new int[bs * t], targets = new int[bs * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rnd.nextInt(vocab);
            targets[i] = i % 7 == 0 ? Ops.IGNORE_INDEX : rnd.nextInt(vocab);
        }
        var drop = new SplittableRandom(1);
        Tensor x = Ops.dropout(Ops.add(Ops.embedding(p.get(0), ids, bs, t), p.get(1)), 0.1f, drop, true);
        List<Tensor> qkv = Ops.split(Ops.linear(Ops.layerNorm(x, p.get(2), p.get(3), 1e-5f), p.get(4), p.get(5)), 2, c, c, c);
        x = Ops.add(x, Ops.causalAttention(qkv.get(0), qkv.get(1), qkv.get(2), heads, 0.1f, drop));
        x = Ops.add(x, Ops.linear(Ops.gelu(Ops.linear(x, p.get(6), null)), p.get(7), null));
        Tensor logits = Ops.matmul(x, Ops.transpose(p.get(0), 0, 1));
        Tensor loss = Ops.add(Ops.crossEntropy(logits.reshape(bs * t, vocab), targets),
                Ops.mean(Ops.logSoftmax(Ops.softmax(logits))));
        loss.backward();
        List<float[]> out = new ArrayList<>(List.of(logits.data(), loss.data()));
        for (Tensor q : p) out.add(q.grad());
        return out;
    }

    @Test
    void oneThreadAndManyAgree() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            run(); // warm-up: the Vector API's interpreted fallback rounds differently from the compiled code
            List<float[]> one = run();
            Parallel.setThreads(Math.max(3, before));
            List<float[]> many = run();
            for (int i = 0; i < one.size(); i++) {
                // Kernels split work so that each output is computed the same way on any thread count; the tolerance
                // leaves room for a JIT tier change between the runs, not for a race.
                assertThat(relErr(many.get(i), one.get(i))).as("result " + i).isLessThan(1e-4);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
