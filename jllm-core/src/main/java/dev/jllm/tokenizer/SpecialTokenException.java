package dev.jllm.tokenizer;

/**
 * The text holds a special token that the caller did not allow ({@link Tokenizer#encode(String, java.util.Set)}):
 * allow it to encode it as its id, or encode it as ordinary text ({@link Tokenizer#encodeOrdinary}).
 */
public final class SpecialTokenException extends IllegalArgumentException {

    private final String token;
    private final int id;

    public SpecialTokenException(String token, int id) {
        super("the text contains the special token " + token + "; allow it to encode it as id " + id
                + ", or encode it as ordinary text");
        this.token = token;
        this.id = id;
    }

    /** The special token, e.g. {@code <|endoftext|>}. */
    public String token() {
        return token;
    }

    /** Its id in the vocabulary. */
    public int id() {
        return id;
    }
}
