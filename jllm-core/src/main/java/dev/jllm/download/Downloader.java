package dev.jllm.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one URL to a file, the way a package manager does: into {@code <file>.part}, resumed with an HTTP
 * {@code Range} request when a previous attempt left a partial file, checked against the size the server announced
 * and a SHA-256, and only then renamed into place. So a file at the target path is always complete.
 *
 * <p>The SHA-256 is the caller's known hash or else the one a Hugging Face server sends for LFS files
 * ({@code X-Linked-Etag}, or the {@code ETag} of a response marked with {@code X-Repo-Commit}). Dropped connections
 * and server errors are retried with a growing pause, and a connection that stops delivering data for a minute is
 * dropped and resumed; an unknown host, a 404 or a wrong hash are not retried.
 */
public final class Downloader {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    private final HttpClient client;
    private final int attempts;
    private final Duration pause;
    private final DownloadProgress progress;
    private final Duration stallLimit;
    /** Sent as {@code Authorization: Bearer ...} (gated Hugging Face repositories), or null. */
    private final String token;

    /** A downloader with 4 attempts, showing its transfers on {@code progress}. */
    public Downloader(DownloadProgress progress) {
        this(HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(30))
                        .build(),
                4, Duration.ofSeconds(2), progress);
    }

    /**
     * @param attempts tries per file before giving up
     * @param pause    pause after the first failed try; the n-th pause is n times as long
     */
    public Downloader(HttpClient client, int attempts, Duration pause, DownloadProgress progress) {
        this(client, attempts, pause, progress, Duration.ofSeconds(60));
    }

    /** @param stallLimit a connection that delivers no byte for this long is dropped (and the download resumed) */
    Downloader(HttpClient client, int attempts, Duration pause, DownloadProgress progress, Duration stallLimit) {
        this(client, attempts, pause, progress, stallLimit, null);
    }

    private Downloader(HttpClient client, int attempts, Duration pause, DownloadProgress progress, Duration stallLimit,
                       String token) {
        if (attempts < 1) throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        this.token = token;
        this.client = client;
        this.attempts = attempts;
        this.pause = pause;
        this.progress = progress;
        this.stallLimit = stallLimit;
    }

    /** The same downloader sending {@code token} as a bearer token (null or blank: none). */
    public Downloader withToken(String token) {
        return new Downloader(client, attempts, pause, progress, stallLimit,
                token == null || token.isBlank() ? null : token.strip());
    }

    /** Whether a token is sent. */
    public boolean hasToken() {
        return token != null;
    }

    /**
     * Downloads {@code url} to {@code target} (replacing it), checking {@code sha256} when given (lower- or
     * upper-case hex), else the server's hash when it sends one. On a wrong hash nothing is left behind.
     */
    public void download(URI url, Path target, Optional<String> sha256) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Optional<String> serverHash = fetchWithRetries(url, part, target.getFileName().toString());
        Optional<String> expected = sha256.isPresent() ? sha256 : serverHash;
        if (expected.isPresent()) {
            String actual = Sha256.of(part);
            if (!actual.equalsIgnoreCase(expected.get())) {
                Files.delete(part);
                throw new DownloadException(url + ": SHA-256 mismatch: got " + actual + ", expected "
                        + expected.get().toLowerCase(Locale.ROOT) + " (the download was deleted; try again)", false);
            }
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Completes {@code part}, retrying what may pass; returns the SHA-256 the server announced, if any. */
    private Optional<String> fetchWithRetries(URI url, Path part, String name) throws IOException {
        for (int attempt = 1; ; attempt++) {
            DownloadException failure;
            try {
                return transfer(url, part, name);
            } catch (DownloadException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("download of " + url + " interrupted");
            } catch (IOException e) {
                failure = describe(url, e);
            }
            if (!failure.retryable()) throw failure;
            if (attempt == attempts) {
                throw new DownloadException(failure.getMessage() + " (gave up after " + attempts + " attempts)", false);
            }
            sleep(pause.multipliedBy(attempt));
        }
    }

    /** One attempt: fetches the rest of the file into {@code part}; returns the SHA-256 the server announced, if any. */
    private Optional<String> transfer(URI url, Path part, String name) throws IOException, InterruptedException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(60))
                .header("User-Agent", "jllm");
        if (have > 0) request.header("Range", "bytes=" + have + "-");
        if (token != null) request.header("Authorization", "Bearer " + token);
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            long total;
            boolean append;
            if (status == 206 && have > 0) {
                long[] range = contentRange(url, response);
                if (range[0] != have) {
                    Files.delete(part);
                    throw new DownloadException(url + ": the server resumed at byte " + range[0] + " instead of "
                            + have + "; starting over", true);
                }
                total = range[1];
                append = true;
            } else if (status == 200) {
                total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                append = false;
                have = 0;
            } else if (status == 416) {
                Files.delete(part);
                throw new DownloadException(url + ": the server cannot resume the partial file (HTTP 416); starting over", true);
            } else {
                throw httpError(url, status);
            }
            copy(body, part, append, have, total, name, url);
            long size = Files.size(part);
            if (total >= 0 && size != total) {
                String what = size < total ? "the connection closed after " : "received ";
                throw new DownloadException(url + ": " + what + size + " of " + total + " bytes", true);
            }
            return serverSha256(response);
        }
    }

    private void copy(InputStream body, Path part, boolean append, long have, long total, String name, URI url)
            throws IOException {
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        // HttpClient has no read timeout for a body: a watchdog closes the stream when it stalls, which ends read()
        AtomicLong lastData = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                while (System.nanoTime() - lastData.get() < stallLimit.toNanos()) Thread.sleep(stallLimit.dividedBy(10));
                stalled.set(true);
                body.close();
            } catch (InterruptedException | IOException e) {
                // the copy ended first
            }
        });
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
                DownloadProgress.Transfer shown = progress.start(name, have, total)) {
            byte[] buffer = new byte[1 << 16];
            long done = have;
            for (int n; (n = body.read(buffer)) > 0; ) {
                lastData.set(System.nanoTime());
                out.write(buffer, 0, n);
                done += n;
                shown.reached(done);
            }
        } catch (IOException e) {
            if (!stalled.get()) throw e;
            throw new DownloadException(url + ": no data for " + stallLimit.toSeconds() + " s, the connection stalled", true);
        } finally {
            watchdog.interrupt();
        }
    }

    /** [first byte, total size] of a 206 response's {@code Content-Range: bytes first-last/total}. */
    private static long[] contentRange(URI url, HttpResponse<?> response) throws DownloadException {
        String header = response.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(header);
        if (!m.matches()) throw new DownloadException(url + ": bad Content-Range '" + header + "' in a 206 response", true);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(3))};
    }

    /**
     * The SHA-256 a Hugging Face server gives for an LFS file: {@code X-Linked-Etag} on the redirect, or the
     * {@code ETag} of a response that carries {@code X-Repo-Commit}. Other servers' ETags mean nothing here.
     */
    static Optional<String> serverSha256(HttpResponse<?> last) {
        for (HttpResponse<?> r = last; r != null; r = r.previousResponse().orElse(null)) {
            Optional<String> linked = r.headers().firstValue("X-Linked-Etag").map(Downloader::unquote);
            if (linked.filter(Sha256::isHash).isPresent()) return linked.map(s -> s.toLowerCase(Locale.ROOT));
            if (r.headers().firstValue("X-Repo-Commit").isPresent()) {
                Optional<String> etag = r.headers().firstValue("ETag").map(Downloader::unquote);
                if (etag.filter(Sha256::isHash).isPresent()) return etag.map(s -> s.toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }

    private static String unquote(String etag) {
        String s = etag.startsWith("W/") ? etag.substring(2) : etag;
        return s.replace("\"", "").trim();
    }

    private static DownloadException httpError(URI url, int status) {
        return switch (status) {
            case 404 -> new DownloadException(url + ": not found (HTTP 404)", false);
            case 401, 403 -> new DownloadException(url + ": access denied (HTTP " + status + ")", false);
            case 408, 429, 500, 502, 503, 504 -> new DownloadException(url + ": server error (HTTP " + status + ")", true);
            default -> new DownloadException(url + ": unexpected HTTP status " + status, false);
        };
    }

    /** A one-line reason for a transport failure, and whether it is worth another try. */
    static DownloadException describe(URI url, IOException e) {
        String host = url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return new DownloadException("cannot reach " + host + ": unknown host (are you offline?)", false);
            }
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new DownloadException("cannot reach " + host + ": the connection timed out (are you offline?)", true);
        }
        if (e instanceof ConnectException) {
            return new DownloadException("cannot reach " + host + ": connection refused (is the server up?)", true);
        }
        if (e instanceof HttpTimeoutException) {
            return new DownloadException(host + " did not answer in time", true);
        }
        return new DownloadException("download of " + url + " failed: " + e, true);
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download interrupted");
        }
    }
}
