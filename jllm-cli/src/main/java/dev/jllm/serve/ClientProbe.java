package dev.jllm.serve;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Tells whether the client of a request being handled has hung up. While a request is handled Jetty does not read
 * its connection, so a client that closes it goes unnoticed until the answer is written; the probe reads the
 * connection without blocking and sees the end of its input. Bytes a client sends after its request (HTTP
 * pipelining, which no common client does) are discarded and the connection is closed after the answer.
 */
final class ClientProbe {
    private final Context ctx;
    private final EndPoint endPoint;
    private final ByteBuffer scratch = BufferUtil.allocate(512);
    private boolean gone;

    private ClientProbe(Context ctx, EndPoint endPoint) {
        this.ctx = ctx;
        this.endPoint = endPoint;
    }

    static ClientProbe of(Context ctx) {
        Request base = Request.getBaseRequest(ctx.req());
        return new ClientProbe(ctx, base == null || base.getHttpChannel() == null ? null
                : base.getHttpChannel().getEndPoint());
    }

    /** True once the client has closed its side of the connection. */
    boolean gone() {
        if (gone || endPoint == null) return gone;
        try {
            int n = endPoint.fill(scratch);
            BufferUtil.clear(scratch);
            if (n < 0) gone = true;
            else if (n > 0 && !ctx.res().isCommitted()) ctx.header("Connection", "close");
        } catch (IOException e) {
            gone = true;
        }
        return gone;
    }
}
