package dev.jllm.download;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A small HTTP server on 127.0.0.1 for download tests: serves byte arrays, honours Range, can redirect and fail. */
final class LocalServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    /** What a path serves: a body with extra headers, or a 302 to another path with extra headers. */
    record Resource(byte[] body, Map<String, String> headers, String redirectTo) {
        static Resource of(byte[] body) {
            return new Resource(body, Map.of(), null);
        }
    }

    /** One request the server saw: its path and its Range header (or null). */
    record Request(String path, String range) {}

    private final HttpServer server;
    private final Map<String, Resource> resources = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile boolean honourRange = true;
    /** When positive, the next full (200) response stops after this many bytes and drops the connection. */
    volatile int dropAfter;
    /** When positive, the next full (200) response stops after this many bytes and then hangs until the server closes. */
    volatile int stallAfter;
    private final CountDownLatch closing = new CountDownLatch(1);
    /** When set, requests without {@code Authorization: Bearer <token>} get a 401 (a gated repository). */
    volatile String requiredToken;

    LocalServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool()); // a stalled response must not hold up the next request
        server.start();
    }

    void put(String path, Resource resource) {
        resources.put(path, resource);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    List<Request> requests() {
        return requests;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String range = exchange.getRequestHeaders().getFirst("Range");
        requests.add(new Request(path, range));
        Resource resource = resources.get(path);
        try (exchange) {
            if (requiredToken != null
                    && !("Bearer " + requiredToken).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (resource == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            resource.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            if (resource.redirectTo() != null) {
                exchange.getResponseHeaders().add("Location", resource.redirectTo());
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            byte[] body = resource.body();
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (honourRange && m != null && m.matches()) {
                int from = Integer.parseInt(m.group(1));
                if (from >= body.length) {
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
                exchange.sendResponseHeaders(206, body.length - from);
                exchange.getResponseBody().write(body, from, body.length - from);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            int drop = dropAfter;
            if (drop > 0) {
                dropAfter = 0;
                out.write(body, 0, drop);
                out.flush();
                return; // closing short of the promised length makes the server drop the connection

            }
            int stall = stallAfter;
            if (stall > 0) {
                stallAfter = 0;
                out.write(body, 0, stall);
                out.flush();
                awaitClosing();
                return;
            }
            out.write(body);
        }
    }

    private void awaitClosing() throws IOException {
        try {
            closing.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
