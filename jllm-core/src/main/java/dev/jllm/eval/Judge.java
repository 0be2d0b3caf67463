package dev.jllm.eval;

import dev.jllm.prompt.PromptFormat;
import dev.jllm.prompt.ResponseExample;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/**
 * Scores model responses with a judge model, as the book's chapter 7 does with Llama 3 through Ollama.
 *
 * <p>Each entry gets the book's prompt; the judge must answer a number from 0 to 100 (an integer, or a decimal;
 * surrounding whitespace and one final period are allowed). Any other answer is reported for that entry and
 * left out of the average; when no entry gets a number, {@link #score} fails, since an average of nothing would
 * say nothing. A judge that cannot be reached, or does not speak its protocol, stops the evaluation at once
 * ({@link JudgeClient.JudgeException}).
 */
public final class Judge {

    private static final Pattern NUMBER = Pattern.compile("[+]?\\d+(\\.\\d+)?");

    private final JudgeClient client;
    private final PromptFormat format;

    /** @param format how the entry's instruction is shown to the judge (the book: Alpaca) */
    public Judge(JudgeClient client, PromptFormat format) {
        this.client = client;
        this.format = format;
    }

    /** The book's judge prompt for one entry. */
    public static String prompt(ResponseExample e, PromptFormat format) {
        return "Given the input `" + format.prompt(e) + "` "
                + "and correct output `" + e.output() + "`, "
                + "score the model response `" + e.modelResponse() + "`"
                + " on a scale from 0 to 100, where 100 is the best score. "
                + "Respond with the integer number only.";
    }

    /** The score in a judge's answer, or empty when the answer is not a number from 0 to 100. */
    public static OptionalDouble parseScore(String answer) {
        String s = answer.strip();
        if (s.endsWith(".")) s = s.substring(0, s.length() - 1);
        if (!NUMBER.matcher(s).matches()) return OptionalDouble.empty();
        double v = Double.parseDouble(s);
        return v <= 100 ? OptionalDouble.of(v) : OptionalDouble.empty();
    }

    /** {@link #score(List, Consumer, IntConsumer)} without progress reports. */
    public JudgeReport score(List<ResponseExample> responses, Consumer<JudgeReport.Failure> onFailure) {
        return score(responses, onFailure, done -> {});
    }

    /**
     * Asks the judge about every entry, in order.
     *
     * @param onFailure told about each entry whose answer is not a score, as it happens
     * @param progress  told the number of entries done after each one
     */
    public JudgeReport score(List<ResponseExample> responses, Consumer<JudgeReport.Failure> onFailure,
                             IntConsumer progress) {
        if (responses.isEmpty()) throw new IllegalArgumentException("no responses to evaluate");
        List<Double> scores = new ArrayList<>();
        List<JudgeReport.Failure> failures = new ArrayList<>();
        for (int i = 0; i < responses.size(); i++) {
            String answer = client.ask(prompt(responses.get(i), format));
            OptionalDouble score = parseScore(answer);
            if (score.isPresent()) {
                scores.add(score.getAsDouble());
            } else {
                JudgeReport.Failure f = new JudgeReport.Failure(i, answer);
                failures.add(f);
                onFailure.accept(f);
            }
            progress.accept(i + 1);
        }
        if (scores.isEmpty()) {
            throw new IllegalStateException("the judge answered no score for any of the " + responses.size()
                    + " responses (first answer: '" + oneLine(failures.getFirst().answer()) + "')");
        }
        return JudgeReport.of(scores, failures);
    }

    /** An answer shown on one line, shortened. */
    public static String oneLine(String answer) {
        String s = answer.strip().replaceAll("\\s+", " ");
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
