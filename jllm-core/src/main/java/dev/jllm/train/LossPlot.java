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
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the run's {@code loss.png}: training and validation loss against steps (top) and against tokens seen
 * (bottom), the two x axes of the book's chapter 5 plot. Headless: no display needed.
 */
public final class LossPlot {
    private LossPlot() {}

    private static final int WIDTH = 800, HEIGHT = 360;
    private static final BasicStroke DASHED =
            new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

    public static void write(List<MetricsLog.Row> rows, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage top = BitmapEncoder.getBufferedImage(chart(rows, false));
        BufferedImage bottom = BitmapEncoder.getBufferedImage(chart(rows, true));
        BufferedImage both = new BufferedImage(WIDTH, 2 * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(top, 0, 0, null);
        g.drawImage(bottom, 0, HEIGHT, null);
        g.dispose();
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        if (!ImageIO.write(both, "png", tmp.toFile())) throw new IOException("no PNG writer for " + png);
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static XYChart chart(List<MetricsLog.Row> rows, boolean byTokens) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(byTokens ? "Loss against tokens seen" : "Loss against steps")
                .xAxisTitle(byTokens ? "tokens seen" : "step").yAxisTitle("loss").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        double[] x = new double[rows.size()];
        double[] train = new double[rows.size()], val = new double[rows.size()];
        boolean hasVal = false;
        for (int i = 0; i < rows.size(); i++) {
            MetricsLog.Row r = rows.get(i);
            x[i] = byTokens ? r.tokensSeen() : r.step();
            train[i] = r.trainLoss();
            val[i] = r.valLoss();
            hasVal |= Double.isFinite(r.valLoss());
        }
        if (rows.isEmpty()) {
            x = new double[] {0};
            train = new double[] {0};
        }
        chart.addSeries("training loss", x, train).setMarker(SeriesMarkers.NONE);
        if (hasVal) {
            chart.addSeries("validation loss", x, val).setMarker(SeriesMarkers.NONE).setLineStyle(DASHED);
        }
        return chart;
    }
}
