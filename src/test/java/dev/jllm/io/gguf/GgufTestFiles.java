package dev.jllm.io.gguf;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The committed GGUF test files under src/test/resources/gguf (made by tools/reference/gguf_*.py). */
public final class GgufTestFiles {
    private GgufTestFiles() {}

    public static Path resource(String name) {
        try {
            return Path.of(GgufTestFiles.class.getResource("/gguf/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource gguf/" + name, e);
        }
    }

    /** types.gguf: metadata of every type, random blocks of every tensor type with gguf-py's dequantization. */
    public static Path types() {
        return resource("types.gguf");
    }
}
