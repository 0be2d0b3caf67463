package dev.jllm.download;

import java.io.IOException;

/** A download that failed for a reason worth one line to the user (offline, HTTP error, wrong size or hash). */
public final class DownloadException extends IOException {
    private final boolean retryable;

    DownloadException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    /** Whether trying again may help (a dropped connection, a server error) rather than not (404, wrong hash). */
    boolean retryable() {
        return retryable;
    }
}
