package dev.jllm;

/**
 * The settings of a run that the library can refuse, each with the words the library uses for it.
 *
 * <p>A {@link SettingException} names the setting it is about; a front end says how its user changes that setting
 * (the command line maps each one to its option in {@code cli/SettingFlags}).
 */
public enum Setting {
    /** Examples (or rows of windows) per optimizer step. */
    BATCH_SIZE("batch size"),
    /** AdamW's learning rate (the peak of a schedule). */
    LEARNING_RATE("learning rate"),
    /** The global gradient norm clipped to before each step. */
    GRADIENT_CLIP("a gradient-norm clip of"),
    /** AdamW's decoupled weight decay. */
    WEIGHT_DECAY("weight decay"),
    /** Passes over the training data. */
    EPOCHS("epochs"),
    /** Steps between two evaluations. */
    EVAL_EVERY("evaluation interval"),
    /** Batches of each split an evaluation averages over. */
    EVAL_BATCHES("evaluation batches"),
    /** The tokens a model sees at once (training windows, at most the model's own context length). */
    CONTEXT_LENGTH("context length"),
    /** The length texts are padded or cut to. */
    MAX_LENGTH("maximum length"),
    /** The rank of LoRA adapters. */
    LORA_RANK("LoRA rank"),
    /** Which parameters a finetune trains. */
    TRAINABLE("trainable part"),
    /** The column of a table that holds the texts. */
    TEXT_COLUMN("text column"),
    /** The column of a table that holds the labels. */
    LABEL_COLUMN("label column"),
    /** The folder a run writes (and later resumes from). */
    RUN_FOLDER("run folder"),
    /** Continuing the run in a folder from its latest checkpoint; followed by the folder. */
    RESUME("a resume of"),
    /** The model a run starts from. */
    INITIAL_MODEL("initial model"),
    /** The tokenizer a run encodes its text with. */
    TOKENIZER("tokenizer"),
    /** The prompt the samples during and after pretraining continue. */
    SAMPLE_PROMPT("sample prompt"),
    /** Tokens per sample during and after pretraining (0: no samples). */
    SAMPLE_TOKENS("sample tokens"),
    /** Sequences decoded together at most. */
    MAX_BATCH("maximum batch");

    private final String words;

    Setting(String words) {
        this.words = words;
    }

    /** How the library names the setting in its messages. */
    public String words() {
        return words;
    }
}
