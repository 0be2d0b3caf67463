package dev.jllm.download;

import java.net.URI;
import java.util.Optional;

/**
 * A dataset that {@code jllm download dataset NAME} knows: where it comes from and the file it becomes in
 * {@code <cache>/datasets/}.
 *
 * @param file     the final file name
 * @param sha256   the SHA-256 of the final file, when known
 * @param zipEntry when the URL is a zip archive: the entry that becomes {@code file}
 */
public record Dataset(String name, URI url, String file, Optional<String> sha256, Optional<String> zipEntry) {

    static Dataset plain(String name, String url, String file, String sha256) {
        return new Dataset(name, URI.create(url), file, Optional.ofNullable(sha256), Optional.empty());
    }
}
