package dev.jllm.cli;

import dev.jllm.Setting;
import dev.jllm.SettingException;

/** The command-line option for each setting the library can refuse, so that its errors name the option to change. */
final class SettingFlags {

    private SettingFlags() {}

    static String of(Setting setting) {
        return switch (setting) {
            case BATCH_SIZE -> "--batch";
            case LEARNING_RATE -> "--lr";
            case GRADIENT_CLIP -> "--clip";
            case WEIGHT_DECAY -> "--weight-decay";
            case EPOCHS -> "--epochs";
            case EVAL_EVERY -> "--eval-every";
            case EVAL_BATCHES -> "--eval-batches";
            case CONTEXT_LENGTH -> "--context";
            case MAX_LENGTH -> "--max-length";
            case LORA_RANK -> "--lora-rank";
            case TRAINABLE -> "--trainable";
            case TEXT_COLUMN -> "--text-column";
            case LABEL_COLUMN -> "--label-column";
            case RUN_FOLDER -> "--out";
            case RESUME -> "--resume";
            case INITIAL_MODEL -> "--init";
            case TOKENIZER -> "--tokenizer";
            case SAMPLE_PROMPT -> "--prompt";
            case SAMPLE_TOKENS -> "--sample-tokens";
            case MAX_BATCH -> "--max-batch";
        };
    }

    /** The exception's message with each setting named by its option. */
    static String message(SettingException e) {
        return e.message(SettingFlags::of);
    }
}
