package dev.jllm;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A setting that cannot work, said in the library's words. The message is made of parts, some of them
 * {@link Setting}s: {@link #getMessage()} names those in the library's words ({@link Setting#words()}); a front end
 * names them its own way with {@link #message(Function)}, so that the command line says "use a smaller --batch" where
 * the library says "use a smaller batch size".
 */
public class SettingException extends IllegalArgumentException {

    private final Object[] parts;

    /**
     * The message {@code parts} in order: each {@link Setting} is named, anything else is written as
     * {@link String#valueOf(Object)} writes it. Example: {@code new SettingException(Setting.LORA_RANK, " ", rank,
     * " is outside 1..", width)}.
     */
    public SettingException(Object... parts) {
        super(join(parts, Setting::words));
        this.parts = parts.clone();
    }

    /** The settings the message names, in order. */
    public Setting[] settings() {
        return Arrays.stream(parts).filter(p -> p instanceof Setting).toArray(Setting[]::new);
    }

    /** The message with each setting named by {@code name}. */
    public String message(Function<Setting, String> name) {
        return join(parts, name);
    }

    private static String join(Object[] parts, Function<Setting, String> name) {
        return Arrays.stream(parts)
                .map(p -> p instanceof Setting s ? name.apply(s) : String.valueOf(p))
                .collect(Collectors.joining());
    }
}
