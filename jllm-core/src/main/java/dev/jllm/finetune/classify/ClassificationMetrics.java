package dev.jllm.finetune.classify;

import dev.jllm.train.MetricsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A classification run's {@code metrics.csv} (its columns, written by {@link MetricsFile}) and its two plots,
 * {@code loss.png} and {@code accuracy.png}, training and validation against steps.
 */
final class ClassificationMetrics implements AutoCloseable {

    static final String FILE = "metrics.csv";
    static final String HEADER = "step,epoch,examples_seen,train_loss,val_loss,train_accuracy,val_accuracy";

    private final Path dir;
    private final MetricsFile out;
    private final List<ClassifierTrainer.Row> rows = new ArrayList<>();

    ClassificationMetrics(Path dir) throws IOException {
        this.dir = dir;
        this.out = new MetricsFile(dir.resolve(FILE), HEADER, List.of());
    }

    void add(ClassifierTrainer.Row r) {
        rows.add(r);
        out.append(String.format(Locale.ROOT, "%d,%d,%d,%.6f,%.6f,%.6f,%.6f", r.step(), r.epoch(), r.examplesSeen(),
                r.trainLoss(), r.valLoss(), r.trainAccuracy(), r.valAccuracy()));
    }

    void writePlots() throws IOException {
        int n = rows.size();
        double[] step = new double[n], trainLoss = new double[n], valLoss = new double[n];
        double[] trainAcc = new double[n], valAcc = new double[n];
        for (int i = 0; i < n; i++) {
            ClassifierTrainer.Row r = rows.get(i);
            step[i] = r.step();
            trainLoss[i] = r.trainLoss();
            valLoss[i] = r.valLoss();
            trainAcc[i] = r.trainAccuracy();
            valAcc[i] = r.valAccuracy();
        }
        CurvePlot.write(dir.resolve("loss.png"), "Loss", "step", "cross-entropy", step,
                series("training loss", trainLoss, "validation loss", valLoss));
        CurvePlot.write(dir.resolve("accuracy.png"), "Accuracy", "step", "accuracy", step,
                series("training accuracy", trainAcc, "validation accuracy", valAcc));
    }

    private static Map<String, double[]> series(String a, double[] ya, String b, double[] yb) {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put(a, ya);
        m.put(b, yb);
        return m;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
