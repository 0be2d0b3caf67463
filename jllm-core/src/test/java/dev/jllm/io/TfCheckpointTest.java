package dev.jllm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.model.GptConfig;
import dev.jllm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfCheckpointTest {

    @TempDir
    Path dir;

    /** Canonical weights under OpenAI's TensorFlow names, Conv1D weights as [1, in, out] the way OpenAI saved them. */
    static Map<String, Tensor> openAiNames(StateDict canonical, int layers) {
        Map<String, Tensor> tf = new LinkedHashMap<>();
        tf.put("model/wte", canonical.get("wte.weight"));
        tf.put("model/wpe", canonical.get("wpe.weight"));
        for (int i = 0; i < layers; i++) {
            String h = "h." + i + ".", b = "model/h" + i + "/";
            for (String ln : new String[] {"ln_1", "ln_2"}) {
                tf.put(b + ln + "/g", canonical.get(h + ln + ".weight"));
                tf.put(b + ln + "/b", canonical.get(h + ln + ".bias"));
            }
            for (String proj : new String[] {"attn/c_attn", "attn/c_proj", "mlp/c_fc", "mlp/c_proj"}) {
                Tensor w = canonical.get(h + proj.replace('/', '.') + ".weight");
                tf.put(b + proj + "/w", Tensor.of(w.data(), 1, w.dim(0), w.dim(1)));
                tf.put(b + proj + "/b", canonical.get(h + proj.replace('/', '.') + ".bias"));
            }
        }
        tf.put("model/ln_f/g", canonical.get("ln_f.weight"));
        tf.put("model/ln_f/b", canonical.get("ln_f.bias"));
        return tf;
    }

    /** A folder as the book's download_and_load_gpt2 leaves it (without the tokenizer files). */
    private StateDict writeOpenAiFolder(GptConfig config, int restartInterval, int blockSize) throws IOException {
        StateDict canonical = TestWeights.random(config, 7);
        new TfBundleWriter(restartInterval, blockSize).write(dir.resolve("model.ckpt"), openAiNames(canonical, config.nLayers()));
        Files.writeString(dir.resolve("hparams.json"), String.format(
                "{\"n_vocab\": %d, \"n_ctx\": %d, \"n_embd\": %d, \"n_head\": %d, \"n_layer\": %d}",
                config.vocabSize(), config.contextLength(), config.embDim(), config.nHeads(), config.nLayers()));
        return canonical;
    }

    @Test
    void readsEveryTensorWithItsShape() throws IOException {
        StateDict canonical = TestWeights.random(TestWeights.TINY, 5);
        Map<String, Tensor> tf = openAiNames(canonical, 2);
        new TfBundleWriter(3, 200).write(dir.resolve("model.ckpt"), tf);
        StateDict back = TfCheckpoint.read(dir.resolve("model.ckpt"));
        assertThat(back.names()).containsExactlyElementsOf(new TreeMap<>(tf).keySet()); // the table is sorted
        for (Map.Entry<String, Tensor> e : tf.entrySet()) {
            assertThat(back.get(e.getKey()).shape()).as(e.getKey()).containsExactly(e.getValue().shape());
            assertThat(back.get(e.getKey()).data()).as(e.getKey()).containsExactly(e.getValue().data());
        }
    }

    @Test
    void loadsOpenAisFolderLayoutOntoCanonicalNames() throws IOException {
        // 12 layers make the sorted TensorFlow order (h0, h1, h10, h11, h2, ...) differ from the canonical one
        GptConfig config = new GptConfig(13, 6, 8, 2, 12, 0.1f, true, true);
        for (int[] table : new int[][] {{1, 1 << 20}, {16, 4096}, {2, 64}}) { // restart interval, block size
            StateDict canonical = writeOpenAiFolder(config, table[0], table[1]);
            GptCheckpoint loaded = ModelFiles.load(dir);
            assertThat(loaded.config()).isEqualTo(config);
            assertThat(loaded.naming()).isEqualTo(GptNames.Naming.TENSORFLOW);
            TestWeights.assertSame(canonical, loaded.weights());
        }
    }

    @Test
    void corruptDataIsCaughtByTheChecksum() throws IOException {
        writeOpenAiFolder(TestWeights.TINY, 4, 256);
        Path data = dir.resolve("model.ckpt.data-00000-of-00001");
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length - 3] ^= 1; // inside model/ln_f/b, the last tensor written
        Files.write(data, bytes);
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("checksum mismatch (corrupt data file)");
    }

    @Test
    void truncatedDataFileIsNamed() throws IOException {
        writeOpenAiFolder(TestWeights.TINY, 4, 256);
        Path data = dir.resolve("model.ckpt.data-00000-of-00001");
        byte[] bytes = Files.readAllBytes(data);
        Files.write(data, Arrays.copyOf(bytes, bytes.length - 8));
        assertThatThrownBy(() -> ModelFiles.load(dir))
                .hasMessageStartingWith(data + ": tensor 'model/ln_f/b': bytes [")
                .hasMessageContaining("lie beyond the end of the file");
    }

    @Test
    void corruptOrTruncatedIndex() throws IOException {
        writeOpenAiFolder(TestWeights.TINY, 4, 256);
        Path index = dir.resolve("model.ckpt.index");
        byte[] bytes = Files.readAllBytes(index);
        Files.write(index, Arrays.copyOf(bytes, bytes.length - 10));
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageStartingWith(index + ": bad table magic");

        byte[] flipped = bytes.clone();
        flipped[40] ^= 0x55; // inside the first data block
        Files.write(index, flipped);
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageStartingWith(index + ": checksum mismatch in block");
    }

    @Test
    void missingHparamsOrDataFile() throws IOException {
        writeOpenAiFolder(TestWeights.TINY, 4, 256);
        Files.delete(dir.resolve("hparams.json"));
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("TensorFlow checkpoint without hparams.json");
        writeOpenAiFolder(TestWeights.TINY, 4, 256);
        Files.delete(dir.resolve("model.ckpt.data-00000-of-00001"));
        assertThatThrownBy(() -> ModelFiles.load(dir)).hasMessageContaining("checkpoint data file is missing");
    }

    @Test
    void unsupportedDtypeAndSizeMismatchAreNamed() throws IOException {
        TfBundleWriter writer = new TfBundleWriter(16, 4096);
        Files.write(TfCheckpoint.dataFile(dir.resolve("x"), 0, 1), new byte[64]);
        TreeMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", new byte[] {8, 1});
        entries.put("ids", TfBundleWriter.entry(9 /* DT_INT64 */, new int[] {2}, 0, 16, 0));
        Files.write(TfCheckpoint.indexFile(dir.resolve("x")), writer.table(entries));
        assertThatThrownBy(() -> TfCheckpoint.read(dir.resolve("x"))).hasMessageContaining("tensor 'ids': unsupported TensorFlow dtype 9");

        entries.put("ids", TfBundleWriter.entry(new int[] {2, 3}, 0, 16, 0));
        Files.write(TfCheckpoint.indexFile(dir.resolve("x")), writer.table(entries));
        assertThatThrownBy(() -> TfCheckpoint.read(dir.resolve("x")))
                .hasMessageContaining("tensor 'ids': shape [2, 3] of F32 needs 24 bytes but the index says 16");
    }
}
