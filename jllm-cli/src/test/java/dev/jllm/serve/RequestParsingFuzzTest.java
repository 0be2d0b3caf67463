package dev.jllm.serve;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * The server's reading of a request body, in process (so every branch it takes is coverage the fuzzer sees, which
 * {@link RequestBodyFuzzTest}'s round trips through the HTTP server's own threads do not give it): the JSON, the
 * sampling settings and the chat messages are read, or refused with an {@link ApiException} of a 4xx status and a
 * message, never any other exception (Jazzer).
 */
class RequestParsingFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] body) {
        if (body.length == 0) return;
        boolean chat = (body[0] & 1) == 1;
        try {
            RequestFields f = RequestFields.parse(new String(body, 1, body.length - 1, StandardCharsets.UTF_8));
            if (chat) ChatPrompt.parse(f.node("messages"));
            Sampling.parse(f, chat, 16, 64);
        } catch (ApiException e) {
            if (e.status < 400 || e.status >= 500 || e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("a refusal that is not a 4xx with a message: " + e.status + " " + e.getMessage(), e);
            }
        }
    }
}
