package pando.cli;

import java.io.PrintWriter;

/**
 * One line on stderr, redrawn, for a load: share done (of a file's bytes or of a count of
 * records), records written and per second, ETA, records rejected.
 */
final class LoadProgressBar {
  private static final int WIDTH = 20;
  private final PrintWriter err;
  private final long total;

  /** {@code total}: the units of {@link #show}'s {@code done} that make the whole load. */
  LoadProgressBar(PrintWriter err, long total) {
    this.err = err;
    this.total = Math.max(1, total);
  }

  void show(long done, long written, long rejected, long startedNanos) {
    double share = Math.min(1, done / (double) total);
    double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
    double perSecond = written / seconds;
    String eta = share > 0.001 && share < 1 ? minutesAndSeconds(Math.round(seconds * (1 - share) / share)) : "-";
    int filled = (int) Math.round(share * WIDTH);
    err.printf("\rload [%s%s] %3.0f%%  %,d written  %,.0f/s  ETA %s  %,d rejected   ", "#".repeat(filled),
        "-".repeat(WIDTH - filled), share * 100, written, perSecond, eta, rejected);
    err.flush();
  }

  private static String minutesAndSeconds(long seconds) {
    return seconds < 120 ? seconds + "s" : seconds / 60 + "m" + String.format("%02d", seconds % 60) + "s";
  }

  void end() {
    err.println();
    err.flush();
  }
}
