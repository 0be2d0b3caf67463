package dev.jllm.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a run's curves from its metrics rows, as the book's chapters 5 and 6 plot them: {@code loss.png}, training
 * and validation loss against steps (top) and against tokens or examples seen (bottom), and for each further metric
 * {@code NAME.png} (classification's {@code accuracy.png}), training and validation against steps. Headless: no
 * display needed; each PNG is written atomically.
 */
public final class MetricsPlot {
    private MetricsPlot() {}

    public static final String LOSS = "loss.png";
    private static final int WIDTH = 800, HEIGHT = 360;
    private static final BasicStroke DASHED =
            new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

    /** Writes {@value #LOSS} and one {@code NAME.png} per further metric of {@code columns} into {@code dir}. */
    public static void write(List<MetricsLog.Row> rows, MetricsLog.Columns columns, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        boolean examples = columns.standard().contains(MetricsLog.Column.EXAMPLES_SEEN);
        XYChart bySteps = chart("Loss against steps", "step", "loss", rows, MetricsLog.Row::step,
                MetricsLog.Row::trainLoss, MetricsLog.Row::valLoss);
        XYChart bySeen = examples
                ? chart("Loss against examples seen", "examples seen", "loss", rows, MetricsLog.Row::examplesSeen,
                        MetricsLog.Row::trainLoss, MetricsLog.Row::valLoss)
                : chart("Loss against tokens seen", "tokens seen", "loss", rows, MetricsLog.Row::tokensSeen,
                        MetricsLog.Row::trainLoss, MetricsLog.Row::valLoss);
        write(dir.resolve(LOSS), bySteps, bySeen);
        for (int m = 0; m < columns.metrics().size(); m++) {
            String name = columns.metrics().get(m);
            int train = 2 * m, val = 2 * m + 1;
            write(dir.resolve(name + ".png"), chart(name.replace('_', ' ') + " against steps", "step",
                    name.replace('_', ' '), rows, MetricsLog.Row::step, r -> r.metrics()[train], r -> r.metrics()[val]));
        }
    }

    /** The charts stacked into one PNG, written atomically. */
    private static void write(Path png, XYChart... charts) throws IOException {
        BufferedImage all = new BufferedImage(WIDTH, charts.length * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        for (int i = 0; i < charts.length; i++) g.drawImage(BitmapEncoder.getBufferedImage(charts[i]), 0, i * HEIGHT, null);
        g.dispose();
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        if (!ImageIO.write(all, "png", tmp.toFile())) throw new IOException("no PNG writer for " + png);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Training (solid) and validation (dashed, where there is any) values against {@code x}. */
    private static XYChart chart(String title, String xTitle, String yTitle, List<MetricsLog.Row> rows,
                                 ToDoubleFunction<MetricsLog.Row> x, ToDoubleFunction<MetricsLog.Row> train,
                                 ToDoubleFunction<MetricsLog.Row> val) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        int n = rows.size();
        double[] xs = new double[n], ts = new double[n], vs = new double[n];
        boolean hasVal = false;
        for (int i = 0; i < n; i++) {
            MetricsLog.Row r = rows.get(i);
            xs[i] = x.applyAsDouble(r);
            ts[i] = train.applyAsDouble(r);
            vs[i] = val.applyAsDouble(r);
            hasVal |= Double.isFinite(vs[i]);
        }
        if (n == 0) {
            xs = new double[] {0};
            ts = new double[] {0};
        }
        chart.addSeries("training " + yTitle, xs, ts).setMarker(SeriesMarkers.NONE);
        if (hasVal) chart.addSeries("validation " + yTitle, xs, vs).setMarker(SeriesMarkers.NONE).setLineStyle(DASHED);
        return chart;
    }
}
