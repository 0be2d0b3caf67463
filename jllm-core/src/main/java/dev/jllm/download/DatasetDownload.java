package dev.jllm.download;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Fetches the book's datasets into {@code <cache>/datasets/}: each one downloaded (or extracted from its zip
 * archive), checked against its known SHA-256, and, for the JSON instruction sets, parsed as a JSON array of
 * records with {@code instruction} and {@code output}. A file already in place is kept.
 */
public final class DatasetDownload {
    private static final String BOOK = "https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/";

    /** The datasets by name. The hashes are those of the files in the book's repository (and UCI's archive). */
    public static final List<Dataset> CATALOG = List.of(
            Dataset.plain("the-verdict", BOOK + "ch02/01_main-chapter-code/the-verdict.txt", "the-verdict.txt",
                    "b41e41a68f0398a3154ae69e2e4c0e2694e17fe0d66730536837f1b01935b31f"),
            new Dataset("sms-spam", URI.create("https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip"),
                    "sms_spam_collection.tsv",
                    Optional.of("7d039a24a6083ed9ef0f806ebad56bbb976e3aeb8de05669173bfdc4996c239d"),
                    Optional.of("SMSSpamCollection")),
            Dataset.plain("instruction-data", BOOK + "ch07/01_main-chapter-code/instruction-data.json",
                    "instruction-data.json", "7e09a9af353722ca15c18bc580f093f9c39d3178335a75177319cb1e1d163944"),
            Dataset.plain("instruction-data-with-preference",
                    BOOK + "ch07/04_preference-tuning-with-dpo/instruction-data-with-preference.json",
                    "instruction-data-with-preference.json",
                    "305315abf14f65fa42c01a0877572f832606571c2a7d49f152ac1d758b16756e"),
            // No pinned hash for Alpaca: it is checked as a JSON array of instruction records instead.
            Dataset.plain("alpaca", "https://raw.githubusercontent.com/tatsu-lab/stanford_alpaca/main/alpaca_data.json",
                    "alpaca_data.json", null));

    private final Downloader downloader;

    public DatasetDownload(Downloader downloader) {
        this.downloader = downloader;
    }

    /** The catalog entry called {@code name}, or an error listing the known names. */
    public static Dataset named(String name) {
        return CATALOG.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown dataset '" + name + "' (known: "
                        + String.join(", ", CATALOG.stream().map(Dataset::name).toList()) + ")"));
    }

    /** Downloads {@code dataset} unless present, and returns its file. */
    public Path download(Dataset dataset, Path cacheRoot) throws IOException {
        Path dir = ModelCache.datasetsDir(cacheRoot);
        Path target = dir.resolve(dataset.file());
        if (Files.isRegularFile(target)) return target;
        if (dataset.zipEntry().isPresent()) {
            String archiveName = Path.of(dataset.url().getPath()).getFileName().toString();
            Path archive = dir.resolve(archiveName);
            if (!Files.isRegularFile(archive)) downloader.download(dataset.url(), archive, Optional.empty());
            extract(archive, dataset.zipEntry().get(), target, dataset.sha256());
            Files.delete(archive);
        } else {
            downloader.download(dataset.url(), target, dataset.sha256());
        }
        if (dataset.file().endsWith(".json")) checkInstructionJson(target);
        return target;
    }

    /** Copies one zip entry to {@code target} through a {@code .part} file, checking its hash before the rename. */
    static void extract(Path archive, String entryName, Path target, Optional<String> sha256) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry entry = zip.getEntry(entryName);
            if (entry == null) throw new IOException(archive + ": the archive has no entry " + entryName);
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (ZipException e) {
            Files.delete(archive);
            throw new IOException(archive + ": not a valid zip archive (" + e.getMessage() + "); deleted, try again");
        }
        if (sha256.isPresent()) {
            String actual = Sha256.of(part);
            if (!actual.equalsIgnoreCase(sha256.get())) {
                Files.delete(part);
                throw new IOException(archive + ": " + entryName + " has SHA-256 " + actual + ", expected "
                        + sha256.get() + " (nothing was kept from it)");
            }
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Fails, deleting the file, unless it is a JSON array of objects with "instruction" and "output" strings. */
    static void checkInstructionJson(Path file) throws IOException {
        String problem;
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            problem = !root.isArray() || root.isEmpty() ? "not a non-empty JSON array" : null;
            for (int i = 0; problem == null && i < root.size(); i++) {
                JsonNode record = root.get(i);
                if (!record.path("instruction").isTextual() || !record.path("output").isTextual()) {
                    problem = "entry " + i + " lacks the text fields \"instruction\" and \"output\"";
                }
            }
        } catch (JacksonException e) {
            problem = "not valid JSON (" + e.getOriginalMessage() + ")";
        }
        if (problem != null) {
            Files.delete(file);
            throw new IOException(file + ": " + problem + " (deleted)");
        }
    }
}
