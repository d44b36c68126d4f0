package pando.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Loads records, then runs a workload against a {@link BenchTarget} for a fixed time while a
 * progress line reports throughput and tail latency, and returns the measured result.
 */
public final class BenchRunner {
  private static final int LOAD_BATCH = 100;
  private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final BenchConfig config;
  private final PrintWriter progress;
  private final boolean terminal;

  /**
   * @param progress where progress goes (stderr for the CLI)
   * @param terminal redraw one line in place; otherwise print a line every few seconds
   */
  public BenchRunner(BenchConfig config, PrintWriter progress, boolean terminal) {
    this.config = config;
    this.progress = progress;
    this.terminal = terminal;
  }

  /** Writes {@code records} records of {@code valueBytes} each, in batches. */
  public void load(BenchTarget target) throws Exception {
    byte[] value = value();
    long loaded = 0;
    long started = System.nanoTime();
    while (loaded < config.records()) {
      List<byte[]> keys = new ArrayList<>(LOAD_BATCH);
      for (int i = 0; i < LOAD_BATCH && loaded + i < config.records(); i++) {
        keys.add(BenchConfig.key(loaded + i));
      }
      target.load(keys, value);
      loaded += keys.size();
      if (terminal || loaded == config.records()) {
        progress.printf("%sload %s %d/%d records%s", terminal ? "\r" : "", bar((double) loaded / config.records()),
            loaded, config.records(), terminal && loaded < config.records() ? "" : "\n");
        progress.flush();
      }
    }
    progress.printf("loaded %d records in %.1f s%n", loaded, (System.nanoTime() - started) / 1e9);
    progress.flush();
  }

  private byte[] value() {
    return loadValue(config);
  }

  /** The value every loaded record gets: {@code valueBytes} bytes drawn from the run's seed. */
  public static byte[] loadValue(BenchConfig config) {
    byte[] value = new byte[config.valueBytes()];
    new SplittableRandom(config.seed()).nextBytes(value);
    return value;
  }

  /** Runs the workload for the configured duration. */
  public BenchResult run(BenchTarget target) throws Exception {
    OpStats reads = new OpStats("read");
    OpStats updates = new OpStats("update");
    KeyChooser chooser = KeyChooser.of(config.distribution(), config.records(), config.theta());
    byte[] value = value();
    long start = System.nanoTime();
    long end = start + config.duration().toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(config.threads());
    List<Future<?>> clients = new ArrayList<>();
    for (int t = 0; t < config.threads(); t++) {
      SplittableRandom random = new SplittableRandom(config.seed() * 31 + t);
      clients.add(pool.submit(() -> {
        client(target, chooser, random, value, start, end, reads, updates);
        return null;
      }));
    }
    try {
      reportUntil(end, start, reads, updates);
      for (Future<?> client : clients) {
        client.get(config.duration().toMillis() + 60_000, TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    reads.drainInterval();
    updates.drainInterval();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new BenchResult(config, seconds, List.of(summary(reads, seconds), summary(updates, seconds)));
  }

  private void client(BenchTarget target, KeyChooser chooser, SplittableRandom random, byte[] value,
      long start, long end, OpStats reads, OpStats updates) {
    long intervalNanos = config.targetOpsPerSecond() == 0 ? 0
        : (long) (1e9 * config.threads() / config.targetOpsPerSecond());
    // Threads start staggered across one interval so the schedule is even, not bursty.
    long scheduled = start + (intervalNanos == 0 ? 0 : random.nextLong(intervalNanos));
    while (true) {
      long now = System.nanoTime();
      long intended = now;
      if (intervalNanos > 0) {
        if (scheduled - now > 0) {
          LockSupport.parkNanos(scheduled - now);
        }
        intended = scheduled;
        scheduled += intervalNanos;
      }
      if (intended - end >= 0 || Thread.currentThread().isInterrupted()) {
        return;
      }
      byte[] key = BenchConfig.key(chooser.next(random));
      boolean read = config.workload().isRead(random.nextDouble());
      OpStats stats = read ? reads : updates;
      try {
        if (read) {
          target.get(key);
        } else {
          target.put(key, value);
        }
        stats.recordMicros((System.nanoTime() - intended) / 1000);
      } catch (Exception e) {
        stats.recordError(e);
      }
    }
  }

  private void reportUntil(long end, long start, OpStats reads, OpStats updates) {
    long nextLine = start;
    long totalSeconds = Math.max(1, config.duration().toSeconds());
    while (System.nanoTime() - end < 0) {
      LockSupport.parkNanos(PROGRESS_EVERY_NANOS);
      Histogram r = reads.drainInterval();
      Histogram u = updates.drainInterval();
      long elapsed = Math.min(totalSeconds, Math.round((System.nanoTime() - start) / 1e9));
      if (terminal || System.nanoTime() - nextLine >= 0) {
        progress.printf("%srun  %s %3d/%ds %7d ops/s  read p99 %s  update p99 %s  errors %d%s",
            terminal ? "\r" : "", bar((double) elapsed / totalSeconds), elapsed, totalSeconds,
            r.getTotalCount() + u.getTotalCount(), millis(r, 99), millis(u, 99),
            reads.errors() + updates.errors(), terminal ? "" : "\n");
        progress.flush();
        nextLine = System.nanoTime() + 5 * PROGRESS_EVERY_NANOS;
      }
    }
    if (terminal) {
      progress.println();
      progress.flush();
    }
  }

  private static String millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "    -   " : String.format("%5.1f ms", h.getValueAtPercentile(percentile) / 1000.0);
  }

  private static String bar(double fraction) {
    int width = 20;
    int filled = (int) Math.round(Math.min(1, Math.max(0, fraction)) * width);
    return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
  }

  private static BenchResult.OpSummary summary(OpStats stats, double seconds) {
    Histogram h = stats.total();
    return new BenchResult.OpSummary(stats.name(), h.getTotalCount(), h.getTotalCount() / seconds,
        ms(h, 50), ms(h, 95), ms(h, 99), ms(h, 99.9), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0,
        stats.errors(), Optional.ofNullable(stats.firstError()));
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }
}
