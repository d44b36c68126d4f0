package pando.benchcompare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws the sweep as a PNG: p50 and p99 read latency against achieved throughput, per store. */
final class SweepChart {
  private static final int WIDTH = 1000;
  private static final int HEIGHT = 620;

  private SweepChart() {}

  static void write(List<SweepPoint> points, String title, Path png) throws IOException {
    // No display on a server: without this, AWT looks for one and fails.
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    Color[] colors = {new Color(0x1f77b4), new Color(0xd62728)};
    for (Store store : Store.values()) {
      XYSeries p50 = new XYSeries(store.label() + " p50", false);
      XYSeries p99 = new XYSeries(store.label() + " p99", false);
      for (SweepPoint point : points) {
        // A log axis cannot show zero; a step with no reads has nothing to plot.
        if (point.store() == store && point.readP50Ms() > 0) {
          p50.add(point.achievedOpsPerSecond(), point.readP50Ms());
          p99.add(point.achievedOpsPerSecond(), point.readP99Ms());
        }
      }
      data.addSeries(p50);
      data.addSeries(p99);
    }
    NumberAxis x = new NumberAxis("achieved throughput (ops/s)");
    LogAxis y = new LogAxis("read latency (ms, log scale)");
    y.setSmallestValue(0.01);
    // Plain numbers on the ticks (0.5, 2, 10), not powers of ten with fractional exponents.
    y.setNumberFormatOverride(new DecimalFormat("0.#", DecimalFormatSymbols.getInstance(Locale.ROOT)));
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int s = 0; s < data.getSeriesCount(); s++) {
      renderer.setSeriesPaint(s, colors[s / 2]);
      // p99 dashed, p50 solid: the colour says the store, the line says the percentile.
      renderer.setSeriesStroke(s, s % 2 == 0 ? new BasicStroke(2f)
          : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
  }
}
