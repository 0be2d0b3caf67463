package dev.jllm.chat;

/** A chat template that cannot be read or rendered: one line, with the template's line where known. */
public final class TemplateException extends IllegalArgumentException {
    TemplateException(int line, String message) {
        super(line > 0 ? "chat template, line " + line + ": " + message : "chat template: " + message);
    }

    TemplateException(String message) {
        this(0, message);
    }
}
