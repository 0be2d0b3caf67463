package dev.jllm.mpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jllm.cli.Main;
import dev.jllm.testing.SpamTable;
import dev.jllm.train.StoryCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mpirun -np 2 jllm pretrain --batch 2} against one process with {@code --batch 4}: same seed, same data
 * order, so the same global batches; the losses after each of 20 steps must agree up to float rounding (the two
 * ranks' gradients are summed in another order than one process sums its rows). Also: mismatched settings between
 * ranks stop the run at once with one line naming the rank.
 */
class DataParallelTrainingTest {

    private static final int STEPS = 20;

    private static List<String> args(Path data, Path out, int batch, int accum) {
        return List.of("pretrain", "--data", data.toString(), "--out", out.toString(), "--tokenizer", "bpe",
                "--vocab-size", "300", "--emb", "32", "--layers", "2", "--heads", "2", "--context", "32",
                "--dropout", "0", "--batch", Integer.toString(batch), "--grad-accum", Integer.toString(accum),
                "--steps", Integer.toString(STEPS), "--eval-every", "1", "--eval-batches", "2", "--lr", "1e-3",
                "--clip", "1.0", "--seed", "11", "--sample-tokens", "0", "--no-progress");
    }

    private static Path corpus(Path dir) throws Exception {
        Path data = dir.resolve("stories.txt");
        Files.writeString(data, StoryCorpus.generate(5, 60));
        return data;
    }

    /** metrics.csv rows after the header: step, tokens_seen, lr, train_loss, val_loss (throughput left out). */
    private static List<double[]> metrics(Path run) throws Exception {
        List<double[]> rows = new ArrayList<>();
        try (Stream<String> lines = Files.lines(run.resolve("metrics.csv"))) {
            for (String line : lines.skip(1).toList()) {
                String[] f = line.split(",");
                rows.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4])});
            }
        }
        return rows;
    }

    @Test
    void twoRanksOfBatchTwoTrainLikeOneProcessOfBatchFour(@TempDir Path dir) throws Exception {
        Path data = corpus(dir);
        Path alone = dir.resolve("alone"), ranks = dir.resolve("ranks");
        assertThat(Main.run(args(data, alone, 4, 1).toArray(String[]::new))).isZero();
        MpiRun.Result r = MpiRun.run(2, 300, Main.class, args(data, ranks, 2, 1).toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();
        // rank 0 alone printed the report, and alone wrote the run folder
        assertThat(r.output()).containsOnlyOnce("run folder: " + ranks);

        List<double[]> a = metrics(alone), b = metrics(ranks);
        assertThat(b).hasSize(STEPS + 1).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)[0]).isEqualTo(a.get(i)[0]);                        // step
            assertThat(b.get(i)[1]).as("tokens seen (global)").isEqualTo(a.get(i)[1]);
            assertThat(b.get(i)[3]).as("train loss after step %d", i).isCloseTo(a.get(i)[3], within(2e-5));
            assertThat(b.get(i)[4]).as("val loss after step %d", i).isCloseTo(a.get(i)[4], within(2e-5));
        }
        // training moved the weights: the losses are not all the same
        assertThat(a.getLast()[3]).isLessThan(a.getFirst()[3] - 0.05);
        assertThat(Files.isDirectory(ranks.resolve("checkpoints"))).isTrue();
    }

    /** Preference pairs about small sums, in the book's JSON (instruction, input, chosen, rejected). */
    private static Path preferences(Path dir) throws Exception {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 56; i++) {
            if (i > 0) json.append(',');
            json.append(String.format("{\"instruction\": \"Add %d and %d.\", \"input\": \"\", "
                    + "\"chosen\": \"The sum is %d.\", \"rejected\": \"I think it is %d, more or less.\"}",
                    i, 2 * i + 1, 3 * i + 1, 3 * i + 7));
        }
        Path file = dir.resolve("preferences.json");
        Files.writeString(file, json.append(']').toString());
        return file;
    }

    private static List<String> dpoArgs(Path model, Path data, Path out, int batch) {
        return List.of("finetune", "dpo", "--model", model.toString(), "--data", data.toString(), "--out",
                out.toString(), "--batch", Integer.toString(batch), "--epochs", "1", "--eval-every", "1",
                "--eval-batches", "2", "--lr", "1e-3", "--seed", "7");
    }

    @Test
    void dpoOnTwoRanksOfBatchTwoTrainsLikeOneProcessOfBatchFour(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model"), data = preferences(dir);
        assertThat(Main.run("init", "--emb", "32", "--layers", "2", "--heads", "2", "--context", "64", "--seed", "3",
                "--out", model.toString())).isZero();
        Path alone = dir.resolve("alone"), ranks = dir.resolve("ranks");
        assertThat(Main.run(dpoArgs(model, data, alone, 4).toArray(String[]::new))).isZero();
        MpiRun.Result r = MpiRun.run(2, 300, Main.class, dpoArgs(model, data, ranks, 2).toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();

        List<double[]> a = metrics(alone), b = metrics(ranks);
        assertThat(a).hasSizeGreaterThan(5);
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)[1]).as("tokens seen (global)").isEqualTo(a.get(i)[1]);
            assertThat(b.get(i)[3]).as("train DPO loss after step %d", i).isCloseTo(a.get(i)[3], within(2e-5));
            assertThat(b.get(i)[4]).as("val DPO loss after step %d", i).isCloseTo(a.get(i)[4], within(2e-5));
        }
        assertThat(a.getLast()[3]).as("the policy moved away from the reference").isLessThan(a.getFirst()[3] - 1e-3);
    }

    @Test
    void classificationOnTwoRanksOfBatchTwoTrainsLikeOneProcessOfBatchFour(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model"), table = dir.resolve("messages.tsv");
        assertThat(Main.run("init", "--emb", "32", "--layers", "2", "--heads", "2", "--context", "64", "--seed", "3",
                "--out", model.toString())).isZero();
        SpamTable.write(table, 80, 6);
        Path alone = dir.resolve("alone"), ranks = dir.resolve("ranks");
        List<String> common = List.of("finetune", "classify", "--model", model.toString(), "--data", table.toString(),
                "--epochs", "1", "--eval-every", "2", "--eval-batches", "2", "--lr", "1e-3", "--seed", "5");
        List<String> one = new ArrayList<>(common), two = new ArrayList<>(common);
        one.addAll(List.of("--batch", "4", "--out", alone.toString()));
        two.addAll(List.of("--batch", "2", "--out", ranks.toString()));
        assertThat(Main.run(one.toArray(String[]::new))).isZero();
        MpiRun.Result r = MpiRun.run(2, 300, Main.class, two.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();

        // step, epoch, examples_seen, train_loss, val_loss (accuracies follow)
        List<double[]> a = metrics(alone), b = metrics(ranks);
        assertThat(a).hasSizeGreaterThan(4);
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)[2]).as("examples seen (global)").isEqualTo(a.get(i)[2]);
            assertThat(b.get(i)[3]).as("train loss after step %d", i).isCloseTo(a.get(i)[3], within(2e-5));
            assertThat(b.get(i)[4]).as("val loss after step %d", i).isCloseTo(a.get(i)[4], within(2e-5));
        }
        assertThat(a.getLast()[3]).as("the classifier learned").isNotEqualTo(a.getFirst()[3]);
    }

    @Test
    void mismatchedSettingsStopEveryRankWithOneLineNamingTheRank(@TempDir Path dir) throws Exception {
        Path data = corpus(dir);
        // an MPMD launch: rank 0 with --batch 2, rank 1 with --batch 3
        List<String> rank0 = args(data, dir.resolve("run"), 2, 1);
        List<String> rank1 = args(data, dir.resolve("run"), 3, 1);
        List<String> all = new ArrayList<>(rank0);
        all.add(":");
        all.addAll(MpiRun.rankCommand(1, Main.class));
        all.addAll(rank1);
        MpiRun.Result r = MpiRun.run(1, 120, Main.class, all.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).containsOnlyOnce("jllm: error: rank 1 of 2")
                .contains("settings of rank 1 differ from rank 0's");
        assertThat(r.seconds()).isLessThan(120);
    }
}
