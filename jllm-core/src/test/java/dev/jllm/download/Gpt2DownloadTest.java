package dev.jllm.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2DownloadTest {
    @TempDir
    Path cache;

    @Test
    void fetchesTheFourFilesLikeFromHuggingFaceAndResolvesTheModel() throws Exception {
        byte[] weights = "pretend safetensors".getBytes(StandardCharsets.UTF_8);
        try (LocalServer hub = new LocalServer()) {
            String repo = "/openai-community/gpt2-medium/resolve/main/";
            for (String small : new String[] {"config.json", "vocab.json", "merges.txt"}) {
                hub.put(repo + small, LocalServer.Resource.of(small.getBytes(StandardCharsets.UTF_8)));
            }
            // LFS file: a redirect carrying the SHA-256, like huggingface.co's resolve endpoint
            hub.put(repo + "model.safetensors", new LocalServer.Resource(null,
                    Map.of("X-Linked-Etag", "\"" + DownloaderTest.sha256(weights) + "\""), "/lfs/blob"));
            hub.put("/lfs/blob", LocalServer.Resource.of(weights));

            Path dir = new Gpt2Download(DownloaderTest.downloader(), hub.uri("/")).download(Gpt2Size.of("355m"), cache);

            assertThat(dir).isEqualTo(cache.resolve("models/gpt2-355M"));
            assertThat(dir.resolve("model.safetensors")).hasBinaryContent(weights);
            assertThat(dir.resolve("merges.txt")).hasContent("merges.txt");
            assertThat(ModelCache.resolve("gpt2-355M", cache)).isEqualTo(dir);
            // a second run finds everything in place and asks the server nothing
            int requests = hub.requests().size();
            new Gpt2Download(DownloaderTest.downloader(), hub.uri("/")).download(Gpt2Size.S355M, cache);
            assertThat(hub.requests()).hasSize(requests);
        }
    }

    @Test
    void resolvingAModelThatIsNotThereSaysHowToGetIt() throws Exception {
        assertThatThrownBy(() -> ModelCache.resolve("gpt2-124M", cache))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model gpt2-124M is not downloaded (no folder " + cache.resolve("models/gpt2-124M")
                        + "): run `jllm download gpt2 --size 124M`");
        Files.createDirectories(cache.resolve("models/gpt2-774M"));
        Files.writeString(cache.resolve("models/gpt2-774M/config.json"), "{}");
        assertThatThrownBy(() -> ModelCache.resolve("gpt2-774M", cache))
                .hasMessageContaining("is incomplete (missing vocab.json, merges.txt, model.safetensors)")
                .hasMessageEndingWith("run `jllm download gpt2 --size 774M`");
        assertThatThrownBy(() -> ModelCache.resolve("../etc", cache)).hasMessageContaining("is not a model name");
    }

    @Test
    void sizesMapToTheOpenAiRepositories() {
        assertThat(Gpt2Size.of("124M").repository()).isEqualTo("openai-community/gpt2");
        assertThat(Gpt2Size.of("1558M").repository()).isEqualTo("openai-community/gpt2-xl");
        assertThat(new Gpt2Download(DownloaderTest.downloader(), java.net.URI.create("https://huggingface.co/"))
                        .url(Gpt2Size.S774M, "config.json"))
                .hasToString("https://huggingface.co/openai-community/gpt2-large/resolve/main/config.json");
        assertThatThrownBy(() -> Gpt2Size.of("13M"))
                .hasMessage("unknown GPT-2 size '13M' (choose one of 124M, 355M, 774M, 1558M)");
    }
}
