package dev.jllm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.data.TokenFileWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run folders that a kill -9 or a second run can reach at any moment: each state they can be left in either resumes
 * or is refused with a line that says what to do (issue 19, "Runs and data").
 */
class RunResilienceTest {

    @TempDir
    static Path shared;
    static Path stories;

    @TempDir
    Path tmp;

    private static final PrintWriter QUIET = new PrintWriter(Writer.nullWriter());
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void writeStories() throws IOException {
        stories = shared.resolve("stories.txt");
        Files.writeString(stories, StoryCorpus.generate(11, 20));
    }

    /** A 2-layer, 32-wide model on the stories, {@code steps} steps, evaluated every 2, no periodic checkpoints. */
    static PretrainSpec tiny(long steps, String prompt) {
        TrainConfig t = TrainConfig.builder().contextLength(16).batchSize(8).epochs(1).maxSteps(steps).lr(2e-3)
                .evalEvery(2).evalBatches(2).seed(42).samplePrompt(prompt).sampleTokens(4).build();
        return new PretrainSpec(stories.toString(), PretrainSpec.BPE, 320, null, null, 32, 2, 2, 0f, t);
    }

    @Test
    void aConfigWithoutItsTrainingSettingsResumesFromTheCopyInTheCheckpoint() throws IOException {
        Path run = tmp.resolve("run");
        Pretraining.start(tiny(6, "Once"), run, new PretrainingTest.StopAt(3), QUIET);
        // What kill -9 between writing the model's config.json and adding "training" to it left behind.
        ObjectNode config = (ObjectNode) JSON.readTree(run.resolve(RunFolder.CONFIG).toFile());
        config.remove("training");
        JSON.writeValue(run.resolve(RunFolder.CONFIG).toFile(), config);

        Pretraining.Report resumed = Pretraining.resume(run, TrainProgress.silent(), QUIET);
        assertThat(resumed.result().steps()).isEqualTo(6);
        assertThat(JSON.readTree(run.resolve(RunFolder.CONFIG).toFile()).has("training")).isTrue();
    }

    @Test
    void aRunKilledBeforeItsFirstCheckpointStartsAgainWithResume() throws IOException {
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        Pretraining.start(tiny(4, "Once"), whole, TrainProgress.silent(), QUIET);
        assertThatThrownBy(() -> Pretraining.start(tiny(4, "Once"), killed, new DieAt(1), QUIET))
                .hasMessage("killed");
        assertThat(killed.resolve(RunFolder.CHECKPOINTS)).doesNotExist();

        assertThatThrownBy(() -> Pretraining.start(tiny(4, "Once"), killed, TrainProgress.silent(), QUIET))
                .hasMessage(killed + " holds a run that stopped before its first checkpoint; start it again from step 0"
                        + " with a resume of " + killed + ", or choose another run folder");
        Pretraining.Report again = Pretraining.resume(killed, TrainProgress.silent(), QUIET);
        assertThat(again.result().steps()).isEqualTo(4);
        assertThat(lossRows(killed)).isEqualTo(lossRows(whole));
    }

    @Test
    void aRunFolderIsLockedWhileARunHoldsIt() throws IOException {
        Path run = tmp.resolve("run");
        Pretraining.start(tiny(2, "Once"), run, TrainProgress.silent(), QUIET);
        try (RunFolder training = RunFolder.open(run)) {
            assertThatThrownBy(() -> Pretraining.resume(run, TrainProgress.silent(), QUIET))
                    .hasMessageStartingWith(run + " is in use by a training run that is still going (process "
                            + ProcessHandle.current().pid() + ")");
            assertThatThrownBy(() -> Pretraining.start(tiny(2, "Once"), run, TrainProgress.silent(), QUIET))
                    .hasMessageContaining("is in use by a training run");
        }
        assertThat(Pretraining.resume(run, TrainProgress.silent(), QUIET).result().steps()).isEqualTo(2);
    }

    @Test
    void temporaryFilesOfAKilledSaveAreRemovedWhenTheRunIsOpenedAgain() throws IOException {
        Path run = tmp.resolve("run");
        Pretraining.start(tiny(4, "Once"), run, new PretrainingTest.StopAt(2), QUIET);
        Path staleWeights = run.resolve(".model.safetensors.4242.1a2b3c.tmp");
        Path staleCheckpoint = run.resolve(RunFolder.CHECKPOINTS).resolve(".step-00000003.tmp");
        Files.write(staleWeights, new byte[1 << 20]);
        Files.createDirectories(staleCheckpoint);
        Files.write(staleCheckpoint.resolve("optimizer.safetensors"), new byte[1 << 20]);

        try (RunFolder opened = RunFolder.open(run)) {
            assertThat(staleWeights).doesNotExist();
            assertThat(staleCheckpoint).doesNotExist();
            assertThat(opened.latestCheckpointStep()).contains(2L);
        }
    }

    @Test
    void aMetricsRowCutShortByAKillDoesNotBlockResume() throws IOException {
        Path run = tmp.resolve("run");
        Pretraining.start(tiny(6, "Once"), run, new PretrainingTest.StopAt(4), QUIET);
        Files.writeString(run.resolve(RunFolder.METRICS), "6,1234,0.00", java.nio.file.StandardOpenOption.APPEND);
        assertThat(Pretraining.resume(run, TrainProgress.silent(), QUIET).result().steps()).isEqualTo(6);
        List<String> rows = Files.readAllLines(run.resolve(RunFolder.METRICS));
        assertThat(rows).allMatch(r -> r.split(",").length == 6).doesNotContain("");
    }

    @Test
    void aSpecialTokenInThePromptIsRefusedBeforeTraining() {
        Path run = tmp.resolve("run");
        assertThatThrownBy(() -> Pretraining.start(tiny(2, "Once<|endoftext|>"), run, TrainProgress.silent(), QUIET))
                .hasMessage("the sample prompt contains the special token <|endoftext|>, which a sample cannot start"
                        + " from; remove it from the sample prompt (or give sample tokens 0 for no samples)");
        assertThat(run).doesNotExist();
    }

    @Test
    void tokenIdsBeyondTheModelsVocabularyAreFoundBeforeTrainingWithFileAndPosition() throws IOException {
        Path tokens = tmp.resolve("corpus.tok");
        int[] ids = new int[2000];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 300;
        ids[1234] = 60_000; // below the header's 65,536 but beyond GPT-2's 50,257
        try (TokenFileWriter w = new TokenFileWriter(tokens, 65_536)) {
            w.write(ids);
            w.finish();
        }
        TrainConfig t = tiny(2, "Once").train();
        PretrainSpec spec = new PretrainSpec(tokens.toString(), PretrainSpec.GPT2, 0, null, null, 32, 1, 2, 0f, t);
        assertThatThrownBy(() -> Pretraining.start(spec, tmp.resolve("run"), TrainProgress.silent(), QUIET))
                .hasMessageStartingWith(tokens + ": token id 60000 at position 1,234 is beyond the model's vocabulary"
                        + " of 50,257 tokens");
    }

    /** step, tokens seen, train loss, val loss of each metrics row, rounded as printed. */
    private static List<String> lossRows(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve(RunFolder.METRICS));
        return lines.subList(1, lines.size()).stream().map(l -> {
            String[] f = l.split(",");
            return f[0] + "," + f[1] + "," + f[3].substring(0, 6) + "," + f[4].substring(0, 6);
        }).toList();
    }

    /** Ends the run abruptly after the given step, before any checkpoint, as kill -9 would. */
    private record DieAt(long at) implements TrainProgress {
        @Override
        public void step(long step, int epoch, double loss, double tokensPerSecond) {
            if (step == at) throw new IllegalStateException("killed");
        }
    }
}
