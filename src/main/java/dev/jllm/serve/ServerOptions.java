package dev.jllm.serve;

/**
 * Where and how much {@code jllm serve} serves.
 *
 * @param host          address to listen on (127.0.0.1: this machine only)
 * @param port          TCP port, 0 for any free one
 * @param maxConcurrent generations running at once
 * @param queue         requests that may wait for a slot; more are answered 503
 */
public record ServerOptions(String host, int port, int maxConcurrent, int queue) {
    public ServerOptions {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        if (maxConcurrent < 1) throw new IllegalArgumentException("--max-concurrent must be >= 1, got " + maxConcurrent);
        if (queue < 0) throw new IllegalArgumentException("--queue must be >= 0, got " + queue);
    }
}
