package dev.jllm.cli;

import dev.jllm.arch.LoadedModel;
import dev.jllm.chat.ChatTemplate;
import dev.jllm.io.DecoderFiles;
import dev.jllm.io.gguf.GgufDecoder;
import dev.jllm.io.gguf.GgufTokenizer;
import dev.jllm.io.gguf.GgufWriter;
import dev.jllm.model.DecoderModel;
import dev.jllm.tokenizer.GgmlVocabulary;
import dev.jllm.tokenizer.HfTokenizer;
import java.util.function.Consumer;
import dev.jllm.io.GptCheckpoint;
import dev.jllm.io.ModelFiles;
import dev.jllm.io.gguf.GgufFile;
import dev.jllm.io.gguf.GgufGpt2;
import dev.jllm.io.gguf.GgufRequantize;
import dev.jllm.kernels.quant.GgmlType;
import dev.jllm.tokenizer.Gpt2Tokenizer;
import dev.jllm.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jllm quantize}: a model folder to a GGUF file with quantized matrices (llama.cpp's format). */
@Command(name = "quantize", description = "Write a model as a GGUF file (llama.cpp's format) with its matrices quantized.")
final class QuantizeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|NAME", description = "Model folder, downloaded model name, or a GGUF file (requantized).")
    String model;

    @Option(names = "--type", required = true, paramLabel = "q8_0|q4_0|q4_k",
            description = "Type of the matrices: q8_0, q4_0, q4_1, q4_k, q5_k, q6_k, f16, bf16 or f32. Rows that are not whole"
                    + " blocks fall back (q4_k, q5_k, q6_k to q8_0, others to f32); vectors are f32.")
    String type;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "The GGUF file to write (atomically).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GgmlType t = parseType(type);
        Path path = LoadedModel.resolve(model);
        Path folder = LoadedModel.folderOf(path);
        String name = path.toAbsolutePath().normalize().getFileName().toString();
        if (path.getFileName().toString().endsWith(".gguf") && Files.isRegularFile(path)) {
            try (GgufFile in = GgufFile.open(path)) {
                GgufRequantize.write(in, t, out);
            }
        } else if (DecoderFiles.isDecoderFolder(folder)) {
            DecoderModel decoder = DecoderFiles.load(folder);
            Consumer<GgufWriter> vocabulary = !HfTokenizer.isIn(folder) ? null : w -> GgufTokenizer.write(w,
                    GgmlVocabulary.of(HfTokenizer.load(folder), decoder.config.vocabSize()),
                    ChatTemplate.isIn(folder) ? ChatTemplate.source(folder) : null);
            GgufDecoder.write(decoder, t, name, vocabulary, out);
        } else {
            GptCheckpoint checkpoint = ModelFiles.load(path);
            Tokenizer tokenizer = LoadedModel.tokenizerFor(folder, checkpoint.config());
            GgufGpt2.write(checkpoint.config(), checkpoint.weights(), tokenizer instanceof Gpt2Tokenizer g ? g : null, t, name, out);
        }
        spec.commandLine().getOut().printf("jllm: wrote %s (%s, %,d bytes)%n", out, t.name().toLowerCase(Locale.ROOT), Files.size(out));
        return 0;
    }

    /** A type name as llama.cpp spells it (case-insensitive), one jllm can write. */
    static GgmlType parseType(String name) {
        for (GgmlType t : GgmlType.values()) {
            if (t.name().equalsIgnoreCase(name)) return t;
        }
        throw new IllegalArgumentException("--type " + name + " is not one of q8_0, q4_0, q4_1, q4_k, q5_k, q6_k, f16, bf16, f32");
    }
}
