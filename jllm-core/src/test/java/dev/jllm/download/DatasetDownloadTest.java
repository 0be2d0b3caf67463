package dev.jllm.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jllm.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetDownloadTest {
    private static final byte[] SMS = "ham\tOk lar...\nspam\tWIN a prize\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path cache;

    private LocalServer server;

    @BeforeEach
    void start() throws IOException {
        server = new LocalServer();
        server.put("/sms.zip", LocalServer.Resource.of(zip("readme", "about", "SMSSpamCollection", SMS)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] zip(String name1, String text1, String name2, byte[] bytes2) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name1));
            zip.write(text1.getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry(name2));
            zip.write(bytes2);
        }
        return out.toByteArray();
    }

    private Dataset smsLike(String sha256) {
        return new Dataset("sms", server.uri("/sms.zip"), "sms.tsv", Optional.of(sha256), Optional.of("SMSSpamCollection"));
    }

    @Test
    void extractsTheEntryFromTheZipAndChecksItsHash() throws Exception {
        Path file = new DatasetDownload(DownloaderTest.downloader()).download(smsLike(DownloaderTest.sha256(SMS)), cache);
        assertThat(file).isEqualTo(cache.resolve("datasets/sms.tsv")).hasBinaryContent(SMS);
        assertThat(cache.resolve("datasets")).isDirectoryNotContaining("glob:**.{zip,part}");
    }

    @Test
    void aWrongHashOfTheExtractedFileLeavesNoFile() {
        assertThatThrownBy(() -> new DatasetDownload(DownloaderTest.downloader()).download(smsLike("1".repeat(64)), cache))
                .hasMessageContaining("SMSSpamCollection has SHA-256 ")
                .hasMessageContaining("expected " + "1".repeat(64));
        assertThat(cache.resolve("datasets/sms.tsv")).doesNotExist();
        assertThat(cache.resolve("datasets/sms.tsv.part")).doesNotExist();
    }

    @Test
    void instructionJsonIsCheckedWhenNoHashIsKnown() throws Exception {
        server.put("/good.json", LocalServer.Resource.of(
                "[{\"instruction\": \"Add\", \"input\": \"1+1\", \"output\": \"2\"}]".getBytes(StandardCharsets.UTF_8)));
        server.put("/bad.json", LocalServer.Resource.of("[{\"prompt\": \"x\"}]".getBytes(StandardCharsets.UTF_8)));
        DatasetDownload datasets = new DatasetDownload(DownloaderTest.downloader());
        Path good = datasets.download(new Dataset("g", server.uri("/good.json"), "good.json", Optional.empty(), Optional.empty()), cache);
        assertThat(good).exists();
        Path bad = cache.resolve("datasets/bad.json");
        assertThatThrownBy(() -> datasets.download(
                        new Dataset("b", server.uri("/bad.json"), "bad.json", Optional.empty(), Optional.empty()), cache))
                .hasMessage(bad + ": entry 0 lacks the text fields \"instruction\" and \"output\" (deleted)");
        assertThat(bad).doesNotExist();
    }

    @Test
    void theCatalogHashesAreThoseOfTheSharedCopies() throws Exception {
        Map<String, String> shared = Map.of("the-verdict", "the-verdict.txt", "sms-spam", "sms_spam_collection.tsv",
                "instruction-data", "instruction-data.json",
                "instruction-data-with-preference", "instruction-data-with-preference.json");
        for (var e : shared.entrySet()) {
            Dataset d = DatasetDownload.named(e.getKey());
            assertThat(d.file()).isEqualTo(e.getValue());
            assertThat(d.sha256()).contains(Sha256.of(SharedData.file(e.getValue())));
        }
        assertThat(DatasetDownload.named("alpaca").sha256()).isEmpty();
    }

    @Test
    void theCatalogKnowsTheBookDatasets() {
        assertThat(DatasetDownload.CATALOG).extracting(Dataset::name).containsExactly(
                "the-verdict", "sms-spam", "instruction-data", "instruction-data-with-preference", "alpaca");
        assertThat(DatasetDownload.named("sms-spam").file()).isEqualTo("sms_spam_collection.tsv");
        assertThatThrownBy(() -> DatasetDownload.named("imdb")).hasMessageStartingWith("unknown dataset 'imdb' (known: the-verdict,");
    }
}
