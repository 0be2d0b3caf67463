package dev.jllm.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent event stream as OpenAI's streaming endpoints send it: {@code data: {json}\n\n} per chunk, flushed
 * at once, and {@code data: [DONE]\n\n} at the end. A failed write means the client went away: the stream is then
 * {@link #closed()} and later writes are dropped, which is how a generation learns to stop.
 */
final class EventStream {
    private final OutputStream out;
    private volatile boolean closed;

    EventStream(HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("text/event-stream;charset=utf-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no"); // a proxy in front must not hold chunks back
        out = response.getOutputStream();
        response.flushBuffer();
    }

    void send(JsonNode data) {
        try {
            write("data: " + RequestFields.JSON.writeValueAsString(data) + "\n\n");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    void done() {
        write("data: [DONE]\n\n");
    }

    /** True once a write failed: the client disconnected. */
    boolean closed() {
        return closed;
    }

    private void write(String event) {
        if (closed) return;
        try {
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            closed = true;
        }
    }
}
