package dev.jllm.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {
    @TempDir
    Path dir;

    private LocalServer server;
    private final byte[] body = new byte[300_000];

    static Downloader downloader() {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        return new Downloader(client, 3, Duration.ZERO, DownloadProgress.NONE);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @BeforeEach
    void start() throws IOException {
        new Random(1).nextBytes(body);
        server = new LocalServer();
        server.put("/file.bin", LocalServer.Resource.of(body));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void downloadsTheWholeFileAndChecksItsHash() throws Exception {
        Path target = dir.resolve("sub/file.bin");
        downloader().download(server.uri("/file.bin"), target, Optional.of(sha256(body).toUpperCase()));
        assertThat(target).hasBinaryContent(body);
        assertThat(dir.resolve("sub/file.bin.part")).doesNotExist();
    }

    @Test
    void resumesAPartialFileWithARangeRequest() throws Exception {
        Path target = dir.resolve("file.bin");
        Files.write(dir.resolve("file.bin.part"), Arrays.copyOf(body, 120_000));
        downloader().download(server.uri("/file.bin"), target, Optional.of(sha256(body)));
        assertThat(target).hasBinaryContent(body);
        assertThat(server.requests()).containsExactly(new LocalServer.Request("/file.bin", "bytes=120000-"));
    }

    @Test
    void theProgressDisplayHearsEachAttemptFromWhereItStartsToTheLastByte() throws Exception {
        server.dropAfter = 100_000;
        List<String> heard = new ArrayList<>();
        DownloadProgress progress = (name, have, total) -> {
            heard.add("start " + name + " " + have + " " + total);
            return new DownloadProgress.Transfer() {
                long last = have;

                @Override
                public void reached(long done) {
                    if (done <= last) heard.add("not increasing: " + done);
                    last = done;
                }

                @Override
                public void close() {
                    heard.add("closed at " + last);
                }
            };
        };
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        new Downloader(client, 3, Duration.ZERO, progress).download(server.uri("/file.bin"), dir.resolve("file.bin"),
                Optional.empty());
        assertThat(heard).hasSize(4);
        assertThat(heard.get(0)).isEqualTo("start file.bin 0 " + body.length);
        long resumedAt = Long.parseLong(heard.get(1).substring("closed at ".length()));
        assertThat(resumedAt).isPositive().isLessThan(body.length);
        assertThat(heard.subList(2, 4)).containsExactly("start file.bin " + resumedAt + " " + body.length,
                "closed at " + body.length);
    }

    @Test
    void startsOverWhenTheServerIgnoresTheRange() throws Exception {
        server.honourRange = false;
        Path target = dir.resolve("file.bin");
        Files.write(dir.resolve("file.bin.part"), Arrays.copyOf(body, 1000));
        downloader().download(server.uri("/file.bin"), target, Optional.of(sha256(body)));
        assertThat(target).hasBinaryContent(body);
    }

    @Test
    void aDroppedConnectionIsRetriedFromWhereItStopped() throws Exception {
        server.dropAfter = 100_000;
        Path target = dir.resolve("file.bin");
        downloader().download(server.uri("/file.bin"), target, Optional.of(sha256(body)));
        assertThat(target).hasBinaryContent(body);
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(0).range()).isNull();
        assertThat(server.requests().get(1).range()).matches("bytes=\\d+-").isNotEqualTo("bytes=0-");
    }

    @Test
    @Timeout(30) // without the stall watchdog the first response would hang until the server closes
    void aStalledConnectionIsDroppedAndResumed() throws Exception {
        server.stallAfter = 50_000;
        HttpClient client = HttpClient.newBuilder().build();
        Path target = dir.resolve("file.bin");
        new Downloader(client, 2, Duration.ZERO, DownloadProgress.NONE, Duration.ofMillis(500))
                .download(server.uri("/file.bin"), target, Optional.of(sha256(body)));
        assertThat(target).hasBinaryContent(body);
        assertThat(server.requests()).extracting(LocalServer.Request::range).containsExactly(null, "bytes=50000-");
    }

    @Test
    void aWrongHashLeavesNoFile() {
        Path target = dir.resolve("file.bin");
        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> downloader().download(server.uri("/file.bin"), target, Optional.of(wrong)))
                .isInstanceOf(DownloadException.class)
                .hasMessageStartingWith(server.uri("/file.bin") + ": SHA-256 mismatch: got ")
                .hasMessageEndingWith("expected " + wrong + " (the download was deleted; try again)");
        assertThat(target).doesNotExist();
        assertThat(dir.resolve("file.bin.part")).doesNotExist();
    }

    @Test
    void huggingFaceLinkedEtagOnTheRedirectIsTheHash() throws Exception {
        server.put("/repo/resolve/main/good.bin", new LocalServer.Resource(null,
                Map.of("X-Linked-Etag", "\"" + sha256(body) + "\"", "X-Repo-Commit", "abc"), "/cdn/good"));
        server.put("/repo/resolve/main/bad.bin", new LocalServer.Resource(null,
                Map.of("X-Linked-Etag", "\"" + "ab".repeat(32) + "\""), "/cdn/good"));
        server.put("/cdn/good", LocalServer.Resource.of(body));
        downloader().download(server.uri("/repo/resolve/main/good.bin"), dir.resolve("good.bin"), Optional.empty());
        assertThat(dir.resolve("good.bin")).hasBinaryContent(body);
        assertThatThrownBy(() -> downloader().download(server.uri("/repo/resolve/main/bad.bin"), dir.resolve("bad.bin"),
                        Optional.empty()))
                .hasMessageContaining("SHA-256 mismatch").hasMessageContaining("ab".repeat(32));
        assertThat(dir.resolve("bad.bin")).doesNotExist();
    }

    @Test
    void notFoundIsNotRetried() {
        assertThatThrownBy(() -> downloader().download(server.uri("/missing"), dir.resolve("m"), Optional.empty()))
                .isInstanceOf(DownloadException.class)
                .hasMessage(server.uri("/missing") + ": not found (HTTP 404)");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aServerThatIsDownIsAClearError() {
        URI url = server.uri("/file.bin");
        server.close();
        assertThatThrownBy(() -> downloader().download(url, dir.resolve("file.bin"), Optional.empty()))
                .isInstanceOf(DownloadException.class)
                .hasMessage("cannot reach 127.0.0.1:" + url.getPort()
                        + ": connection refused (is the server up?) (gave up after 3 attempts)");
        assertThat(dir.resolve("file.bin")).doesNotExist();
    }

    @Test
    void anUnknownHostSaysOfflineAndIsNotRetried() {
        ConnectException e = new ConnectException();
        e.initCause(new UnresolvedAddressException());
        DownloadException d = Downloader.describe(URI.create("https://huggingface.co/x"), e);
        assertThat(d).hasMessage("cannot reach huggingface.co: unknown host (are you offline?)");
        assertThat(d.retryable()).isFalse();
    }
}
