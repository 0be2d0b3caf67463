package dev.jllm.serve;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where and how much {@code jllm serve} serves.
 *
 * @param host          address to listen on (127.0.0.1: this machine only)
 * @param port          TCP port, 0 for any free one
 * @param maxConcurrent generations running at once: the continuous batch's size ({@code --max-batch})
 * @param queue         requests that may wait for a slot; more are answered 503
 * @param apiKey        the key every API request must send as {@code Authorization: Bearer KEY}, or null for none
 */
public record ServerOptions(String host, int port, int maxConcurrent, int queue, String apiKey) {
    public ServerOptions {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        if (maxConcurrent < 1) throw new IllegalArgumentException("--max-batch must be >= 1, got " + maxConcurrent);
        if (queue < 0) throw new IllegalArgumentException("--queue must be >= 0, got " + queue);
        if (apiKey != null && apiKey.isBlank()) apiKey = null;
        if (apiKey != null && !apiKey.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IllegalArgumentException("--api-key must be printable ASCII without spaces");
        }
    }

    /** Without an API key. */
    public ServerOptions(String host, int port, int maxConcurrent, int queue) {
        this(host, port, maxConcurrent, queue, null);
    }

    /** Whether only this machine can reach the address (a loopback one); unknown names count as beyond it. */
    public boolean loopbackOnly() {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) if (!a.isLoopbackAddress()) return false;
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The loud warning of a server that anyone on the network may use (bound beyond loopback, no API key), or null.
     */
    public String exposureWarning() {
        if (apiKey != null || loopbackOnly()) return null;
        return """
                jllm: WARNING: listening on %s, beyond this machine, WITHOUT AN API KEY:
                jllm: WARNING: anyone who can reach port %d can use this model and this machine's processors.
                jllm: WARNING: set --api-key KEY (or JLLM_API_KEY) to require 'Authorization: Bearer KEY',
                jllm: WARNING: or listen on 127.0.0.1 (the default) behind a proxy that authenticates."""
                .formatted(host, port);
    }
}
