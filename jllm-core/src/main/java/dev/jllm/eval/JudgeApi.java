package dev.jllm.eval;

import java.net.URI;

/**
 * The chat protocol a judge speaks. {@link #AUTO} picks one from the URL's path, or tries Ollama then the
 * OpenAI-compatible path when the URL is only a server address.
 */
public enum JudgeApi {
    /** Ollama's {@code POST /api/chat} (non-streaming): the answer is {@code message.content}. */
    OLLAMA("/api/chat"),
    /** {@code POST /v1/chat/completions} (OpenAI, llama.cpp's server, vLLM...): the answer is {@code choices[0].message.content}. */
    OPENAI("/v1/chat/completions"),
    AUTO(null);

    final String path;

    JudgeApi(String path) {
        this.path = path;
    }

    /** The API a URL's path names, or null when it names none (a bare server address). */
    static JudgeApi fromPath(URI url) {
        String p = url.getPath() == null ? "" : url.getPath();
        if (p.endsWith("/api/chat")) return OLLAMA;
        if (p.endsWith("/chat/completions") || p.endsWith("/v1") || p.endsWith("/v1/")) return OPENAI;
        return null;
    }

    /** The endpoint of this API at {@code url}: the URL itself when it already ends with the endpoint's path. */
    URI endpoint(URI url) {
        String base = url.toString();
        if (this == OLLAMA && url.getPath().endsWith("/api/chat")) return url;
        if (this == OPENAI && url.getPath().endsWith("/chat/completions")) return url;
        base = base.replaceAll("/+$", "");
        if (this == OPENAI && base.endsWith("/v1")) return URI.create(base + "/chat/completions");
        return URI.create(base + path);
    }
}
