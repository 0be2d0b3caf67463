package dev.jllm.serve;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Who may use the server. A web page the user visits must not drive it: requests a browser sends on behalf of
 * another origin (an {@code Origin} that is not this server, {@code Sec-Fetch-Site: cross-site}) are refused, and a
 * server on loopback answers only to loopback names in {@code Host} (so a name rebound to 127.0.0.1 cannot reach
 * it). API bodies must be JSON (a form or {@code text/plain} post, which a page may send without asking, is
 * refused), and with an API key every API request must carry it as OpenAI clients send theirs:
 * {@code Authorization: Bearer KEY}.
 */
final class Access {
    private final ServerOptions options;
    private final boolean loopbackOnly;
    private final byte[] key;

    Access(ServerOptions options) {
        this.options = options;
        this.loopbackOnly = options.loopbackOnly();
        this.key = options.apiKey() == null ? null : options.apiKey().getBytes(StandardCharsets.UTF_8);
    }

    boolean keyRequired() {
        return key != null;
    }

    /** Every request: on a loopback server, the {@code Host} must name this machine. */
    void checkHost(Context ctx) {
        if (!loopbackOnly) return;
        String host = hostName(ctx.header("Host"));
        if (host == null || !isLocalName(host)) {
            throw forbidden("the Host header '" + ctx.header("Host") + "' does not name this server", "host_not_allowed");
        }
    }

    /** API requests: same-origin or not from a browser, the key when one is set, and a JSON body for a POST. */
    void checkApi(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin != null && !sameOrigin(origin, ctx.header("Host"))) {
            throw forbidden("cross-origin requests are refused (Origin: " + origin + ")", "cross_origin_forbidden");
        }
        if ("cross-site".equalsIgnoreCase(ctx.header("Sec-Fetch-Site"))) {
            throw forbidden("cross-site requests are refused", "cross_origin_forbidden");
        }
        if (key != null) checkKey(ctx.header("Authorization"));
        if (ctx.method().name().equals("POST")) checkJson(ctx.header("Content-Type"));
    }

    private void checkKey(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("You didn't provide an API key. You need to provide your API key in an Authorization "
                    + "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        byte[] given = parts.length == 2 && parts[0].equalsIgnoreCase("Bearer")
                ? parts[1].getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, key)) { // in constant time: the comparison tells nothing about the key
            throw unauthorized("Incorrect API key provided. Give the key this server was started with (--api-key or "
                    + "JLLM_API_KEY) as 'Authorization: Bearer KEY'.");
        }
    }

    private static void checkJson(String contentType) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json")) {
            throw new ApiException(415, "invalid_request_error", "the body must be JSON sent with 'Content-Type: "
                    + "application/json'" + (contentType == null ? "" : ", not '" + contentType + "'"), null,
                    "unsupported_media_type");
        }
    }

    /** Whether an {@code Origin} is http(s)://HOST of this request (the chat page's own requests). */
    private static boolean sameOrigin(String origin, String host) {
        if (host == null) return false;
        try {
            URI o = new URI(origin);
            if (o.getHost() == null || !("http".equals(o.getScheme()) || "https".equals(o.getScheme()))) return false;
            int port = o.getPort() >= 0 ? o.getPort() : o.getScheme().equals("https") ? 443 : 80;
            URI h = new URI("http://" + host);
            int hostPort = h.getPort() >= 0 ? h.getPort() : 80;
            return o.getHost().equalsIgnoreCase(h.getHost()) && port == hostPort;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** The name in a Host header without its port ("[::1]:8080" → "[::1]"), or null when there is none. */
    private static String hostName(String header) {
        if (header == null || header.isBlank()) return null;
        try {
            return new URI("http://" + header.trim()).getHost();
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private boolean isLocalName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost") || h.equalsIgnoreCase(options.host())) return true;
        String literal = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        if (!literal.matches("[0-9.]+|[0-9a-f.]*:[0-9a-f:.]*")) return false; // a name: never resolved here
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static ApiException forbidden(String message, String code) {
        return new ApiException(403, "invalid_request_error", message, null, code);
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, "invalid_request_error", message, null, "invalid_api_key");
    }
}
