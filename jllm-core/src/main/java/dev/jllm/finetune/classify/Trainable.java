package dev.jllm.finetune.classify;

import dev.jllm.Setting;
import dev.jllm.SettingException;
import java.util.Arrays;
import java.util.Locale;

/** Which parameters a classification finetune trains; the rest stay frozen (no gradients, no backward work). */
public enum Trainable {
    /** Only the new output head. */
    HEAD,
    /** The last transformer block, the final norm and the head: the book's choice (chapter 6). */
    LAST_BLOCK,
    /** The last two blocks, the final norm and the head. */
    LAST_2_BLOCKS,
    /** Every parameter. */
    ALL,
    /** LoRA adapters on every Linear of the blocks and on the head; the model's own weights frozen (appendix E). */
    LORA;

    /** The command-line spelling: {@code head}, {@code last-block}, {@code last-2-blocks}, {@code all}, {@code lora}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Trainable parse(String name) {
        for (Trainable t : values()) if (t.cliName().equalsIgnoreCase(name)) return t;
        throw new SettingException("unknown ", Setting.TRAINABLE, " '" + name + "' (choose one of "
                + String.join(", ", Arrays.stream(values()).map(Trainable::cliName).toList()) + ")");
    }
}
