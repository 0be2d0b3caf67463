package dev.jllm.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.arch.LoadedModel;
import dev.jllm.io.DecoderFiles;
import dev.jllm.io.Dtype;
import dev.jllm.model.DecoderConfig;
import dev.jllm.model.DecoderModel;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jllm download ORG/NAME} against a local server that plays Hugging Face: listing, files, gating, resume. */
class HfDownloadTest {

    @TempDir
    Path tmp;

    static Downloader downloader() {
        return new Downloader(HttpClient.newHttpClient(), 2, Duration.ofMillis(1), DownloadProgress.NONE);
    }

    /** Serves a small Qwen3 model folder as repository Org/Tiny-Qwen, with an LFS hash on the weights. */
    static Path serve(LocalServer server, Path tmp) throws Exception {
        Path src = tmp.resolve("src");
        DecoderModel m = DecoderModel.create(DecoderConfig.preset("qwen3-0.6b").withSizes(32, 48, 2, 4, 2, 8)
                .withVocabSize(64).withMaxPositions(32), 5);
        DecoderFiles.save(src, m, Dtype.BF16);
        byte[] weights = Files.readAllBytes(src.resolve("model.safetensors"));
        server.put("/api/models/Org/Tiny-Qwen", LocalServer.Resource.of(("{\"id\":\"Org/Tiny-Qwen\",\"siblings\":["
                + "{\"rfilename\":\".gitattributes\"},{\"rfilename\":\"README.md\"},{\"rfilename\":\"config.json\"},"
                + "{\"rfilename\":\"model.safetensors\"},{\"rfilename\":\"original/consolidated.00.pth\"}]}")
                .getBytes(StandardCharsets.UTF_8)));
        server.put("/Org/Tiny-Qwen/resolve/main/config.json",
                LocalServer.Resource.of(Files.readAllBytes(src.resolve("config.json"))));
        server.put("/Org/Tiny-Qwen/resolve/main/model.safetensors", new LocalServer.Resource(weights,
                Map.of("X-Linked-Etag", "\"" + Sha256.of(src.resolve("model.safetensors")) + "\""), null));
        return src;
    }

    @Test
    void downloadsTheConfigAndWeightsOfARepositoryAndNamesItByItsId() throws Exception {
        try (LocalServer server = new LocalServer()) {
            serve(server, tmp);
            server.dropAfter = 100; // the weights' first transfer breaks off: resumed with a Range request
            Path dir = new HfDownload(downloader(), server.uri("/")).download("Org/Tiny-Qwen", tmp.resolve("cache"));
            assertThat(dir).isEqualTo(tmp.resolve("cache/models/Org--Tiny-Qwen"));
            assertThat(dir.resolve("config.json")).exists();
            assertThat(dir.resolve("model.safetensors")).exists();
            assertThat(dir.resolve("README.md")).doesNotExist();
            assertThat(dir.resolve("original")).doesNotExist();
            assertThat(server.requests()).anyMatch(r -> r.range() != null);
            assertThat(DecoderFiles.load(ModelCache.resolveRepo("Org/Tiny-Qwen", tmp.resolve("cache"))).config.family())
                    .isEqualTo(DecoderConfig.Family.QWEN3);
            int before = server.requests().size();
            new HfDownload(downloader(), server.uri("/")).download("Org/Tiny-Qwen", tmp.resolve("cache"));
            assertThat(server.requests().size() - before).isEqualTo(1); // only the listing again
        }
    }

    @Test
    void aGatedRepositoryNeedsTheToken() throws Exception {
        try (LocalServer server = new LocalServer()) {
            serve(server, tmp);
            server.requiredToken = "hf_secret";
            assertThatThrownBy(() -> new HfDownload(downloader(), server.uri("/")).download("Org/Tiny-Qwen", tmp.resolve("c1")))
                    .hasMessageContaining("access denied").hasMessageContaining("HF_TOKEN");
            Path dir = new HfDownload(downloader().withToken("hf_secret"), server.uri("/"))
                    .download("Org/Tiny-Qwen", tmp.resolve("c2"));
            assertThat(dir.resolve("model.safetensors")).exists();
        }
    }

    @Test
    void aWrongHashLeavesNothingAndARepositoryIdIsChecked() throws Exception {
        try (LocalServer server = new LocalServer()) {
            serve(server, tmp);
            server.put("/Org/Tiny-Qwen/resolve/main/model.safetensors", new LocalServer.Resource(new byte[] {1, 2, 3},
                    Map.of("X-Linked-Etag", "\"" + "0".repeat(64) + "\""), null));
            assertThatThrownBy(() -> new HfDownload(downloader(), server.uri("/")).download("Org/Tiny-Qwen", tmp.resolve("c")))
                    .hasMessageContaining("SHA-256 mismatch");
            assertThat(tmp.resolve("c/models/Org--Tiny-Qwen/model.safetensors")).doesNotExist();
        }
        assertThat(HfDownload.isRepoId("Qwen/Qwen3-0.6B")).isTrue();
        assertThat(HfDownload.isRepoId("../etc")).isFalse();
        assertThat(HfDownload.isRepoId("a/b/c")).isFalse();
        assertThatThrownBy(() -> ModelCache.resolveRepo("Org/Missing", tmp)).hasMessageContaining("jllm download Org/Missing");
        assertThatThrownBy(() -> LoadedModel.resolve("Org/NotThere-" + System.nanoTime()))
                .hasMessageContaining("jllm download");
    }
}
