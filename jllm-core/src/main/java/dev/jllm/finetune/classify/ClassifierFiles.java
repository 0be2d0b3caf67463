package dev.jllm.finetune.classify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jllm.arch.Architectures;
import dev.jllm.io.Safetensors;
import dev.jllm.io.StateDict;
import dev.jllm.model.CausalLM;
import dev.jllm.nn.LoRA;
import dev.jllm.tensor.Tensor;
import dev.jllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A finetuned classifier on disk. The folder is a Hugging Face GPT-2 model folder plus the head:
 * <pre>
 *   config.json, model.safetensors   the body (LoRA adapters merged in), loadable by any GPT-2 tool
 *   vocab.json, merges.txt           the tokenizer
 *   classifier.safetensors           the head: score.weight [classes, emb] and score.bias [classes]
 *   classifier.json                  labels, pooling, max length, pad id, what was trained, the run's settings
 *   adapters.safetensors             LoRA only: the adapters and the head alone (small), to load on the base model
 * </pre>
 */
public final class ClassifierFiles {
    private ClassifierFiles() {}

    public static final String HEAD = "classifier.safetensors";
    public static final String ADAPTERS = LoRA.FILE;

    /** The classifier body for a pretrained model: a copy with its LM head dropped, dropout set to {@code dropRate}. */
    public static CausalLM body(CausalLM pretrained, float dropRate, RandomGenerator dropoutRng) {
        return pretrained.copy(dropRate, CausalLM.Head.TIED, dropoutRng);
    }

    /**
     * The body for training {@code trainable}: when the body's own weights stay frozen (the head alone, or LoRA
     * adapters), a {@link CausalLM#frozenCopy} (a bf16 checkpoint stays bf16 and mapped); else a float32 copy.
     */
    public static CausalLM body(CausalLM pretrained, float dropRate, RandomGenerator dropoutRng, Trainable trainable) {
        return trainable == Trainable.HEAD || trainable == Trainable.LORA
                ? pretrained.frozenCopy(dropRate, CausalLM.Head.TIED, dropoutRng)
                : body(pretrained, dropRate, dropoutRng);
    }

    /** Writes the classifier folder (see the class comment); {@code training} goes into classifier.json. */
    public static void save(Path dir, GptClassifier model, Tokenizer tokenizer, ClassifierInfo info, JsonNode training)
            throws IOException {
        if (info.labels().size() != model.classes()) {
            throw new IllegalArgumentException(info.labels().size() + " labels for a head of " + model.classes() + " classes");
        }
        Files.createDirectories(dir);
        Architectures.save(model.mergedBody(), dir);
        tokenizer.save(dir);
        StateDict head = new StateDict();
        head.put("score.weight", model.head.mergedWeight());
        head.put("score.bias", Tensor.of(model.head.bias.data().clone(), model.head.out));
        Safetensors.write(dir.resolve(HEAD), head);
        if (model.hasLoRA()) {
            StateDict adapters = new StateDict();
            model.copyParameters(ClassifierFiles::adapterOrHead).forEach(adapters::put);
            Safetensors.write(dir.resolve(ADAPTERS), adapters);
        }
        info.write(dir, training);
    }

    /** The classifier saved in {@code dir}, in evaluation mode. */
    public static GptClassifier load(Path dir, ClassifierInfo info) throws IOException {
        CausalLM saved = Architectures.load(dir, new SplittableRandom(0));
        GptClassifier model = new GptClassifier(saved.frozenCopy(0f, CausalLM.Head.TIED, new SplittableRandom(0)), info.labels().size(),
                info.pooling(), new SplittableRandom(0));
        Path headFile = dir.resolve(HEAD);
        if (!Files.isRegularFile(headFile)) throw new IllegalArgumentException(dir + ": no " + HEAD + " (the head)");
        Map<String, Tensor> head = new LinkedHashMap<>(); // the file's score.* are the head's out_head.*
        Safetensors.read(headFile).tensors().forEach((name, t) -> head.put(name.replaceFirst("^score\\.", "out_head."), t));
        model.loadParameters(head, name -> name.startsWith("out_head."), headFile.toString());
        model.eval();
        return model;
    }

    /**
     * A LoRA classifier rebuilt from its base model and the small {@code adapters.safetensors} of its run folder,
     * without the merged weights: the same function as {@link #load} gives.
     */
    public static GptClassifier loadAdapters(Path baseModel, Path runDir) throws IOException {
        ClassifierInfo info = ClassifierInfo.read(runDir);
        if (info.trainable() != Trainable.LORA) throw new IllegalArgumentException(runDir + " was not trained with LoRA");
        GptClassifier model = new GptClassifier(Architectures.load(baseModel, new SplittableRandom(0))
                        .frozenCopy(0f, CausalLM.Head.TIED, new SplittableRandom(0)),
                info.labels().size(), info.pooling(), new SplittableRandom(0));
        model.setTrainable(Trainable.LORA, info.loraRank(), info.loraAlpha(), new SplittableRandom(0));
        Path file = runDir.resolve(ADAPTERS);
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(runDir + ": no " + ADAPTERS);
        model.loadParameters(Safetensors.read(file).tensors(), ClassifierFiles::adapterOrHead, file.toString());
        model.eval();
        return model;
    }

    /** What adapters.safetensors holds: the LoRA adapters and the classification head. */
    private static boolean adapterOrHead(String name) {
        return LoRA.isAdapter(name) || name.startsWith("out_head.");
    }
}
