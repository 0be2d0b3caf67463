package dev.jllm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jllm.finetune.classify.Classifier;
import dev.jllm.io.TextFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jllm classify}: label texts with a classifier made by {@code jllm finetune classify}. */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify a text (or each line of a file) with a finetuned classifier: its label and probability.")
final class ClassifyCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "RUN_DIR", description = "A folder written by jllm finetune classify.")
    Path model;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "The text to classify.")
    String text;

    @Option(names = "--file", paramLabel = "F", description = "Classify each non-empty line of this UTF-8 file.")
    Path file;

    @Option(names = "--json", description = "Print {\"label\": ..., \"probability\": ...}, one object per line.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((text == null) == (file == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either a TEXT or --file F");
        }
        List<String> texts;
        if (file != null) {
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
            texts = TextFiles.readLines(file).stream().filter(l -> !l.isBlank()).toList();
            if (texts.isEmpty()) throw new IllegalArgumentException(file + ": no text in the file");
        } else {
            texts = List.of(text);
        }
        if (!Files.isDirectory(model)) throw new IllegalArgumentException(model + ": no such folder");
        Classifier classifier = Classifier.load(model);
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        for (String t : texts) {
            Classifier.Classification c = classifier.classify(t);
            if (json) {
                ObjectNode node = mapper.createObjectNode();
                node.put("label", c.label());
                node.put("probability", c.probability());
                out.println(mapper.writeValueAsString(node));
            } else if (file != null) {
                out.printf(Locale.ROOT, "%s\t%.4f\t%s%n", c.label(), c.probability(), t);
            } else {
                out.printf(Locale.ROOT, "%s (%.4f)%n", c.label(), c.probability());
            }
        }
        out.flush();
        return 0;
    }
}
