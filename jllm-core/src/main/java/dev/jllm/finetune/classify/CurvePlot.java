package dev.jllm.finetune.classify;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** A PNG line chart of a few named series over one x axis (headless), written atomically. */
final class CurvePlot {
    private CurvePlot() {}

    static void write(Path png, String title, String xTitle, String yTitle, double[] x, Map<String, double[]> series)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(400).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        series.forEach((name, y) -> chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE));
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", tmp.toFile())) {
            throw new IOException("no PNG writer for " + png);
        }
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
