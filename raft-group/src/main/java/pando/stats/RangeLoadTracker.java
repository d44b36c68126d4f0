package pando.stats;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;

/**
 * The load on one replica of a range: operations and bytes per second over a sliding window, and
 * which keys carry it, in a {@link SpaceSaving} sketch that the node drains once per heartbeat.
 *
 * <p>Thread-safe (every method is synchronized): reads are counted on the request threads that
 * answer them, writes on the range's apply thread. The cost per operation is a lock, a hash of the
 * key and a heap sift over at most {@link SpaceSaving#DEFAULT_CAPACITY} counters.
 */
public final class RangeLoadTracker {
  /** Rates are averaged over this long, so that a one-second burst does not look like lasting load. */
  public static final Duration RATE_WINDOW = Duration.ofSeconds(10);
  private static final int RATE_BUCKETS = 10;

  // Read inside the lock: the window refuses a time earlier than one it has seen.
  private final java.util.function.LongSupplier clockNanos;
  private final LoadWindow window;
  private final SpaceSaving sketch = SpaceSaving.withDefaults();
  private long sketchStartNanos;

  /**
   * What one drain saw.
   *
   * @param rates reads, writes and bytes per second over {@link #RATE_WINDOW}
   * @param sketchWindow how long the sketch counted, since the previous drain
   * @param sketchTotal operations the sketch counted in that time
   * @param unseenMax the most operations a key missing from {@code topKeys} can have had
   * @param topKeys the sketch's hottest keys, hottest first
   */
  public record Report(LoadWindow.Rates rates, Duration sketchWindow, long sketchTotal, long unseenMax,
      List<SpaceSaving.Entry> topKeys) {
    public Report {
      topKeys = List.copyOf(topKeys);
    }
  }

  /** @param clockNanos a monotonic clock, {@code System::nanoTime} in a node */
  public RangeLoadTracker(java.util.function.LongSupplier clockNanos) {
    this.clockNanos = clockNanos;
    long now = clockNanos.getAsLong();
    this.window = new LoadWindow(RATE_WINDOW, RATE_BUCKETS, now);
    this.sketchStartNanos = now;
  }

  /** Counts a read of {@code keys} that returned {@code bytes} bytes. */
  public synchronized void read(List<ByteString> keys, long bytes) {
    window.record(clockNanos.getAsLong(), keys.size(), 0, bytes);
    for (ByteString key : keys) {
      if (!key.isEmpty()) {
        sketch.offer(key, SpaceSaving.Access.READ, 1);
      }
    }
  }

  /** Counts a write of {@code keys} carrying {@code bytes} bytes; {@code access} is WRITE or INCREMENT. */
  public synchronized void write(List<ByteString> keys, SpaceSaving.Access access, long bytes) {
    window.record(clockNanos.getAsLong(), 0, keys.size(), bytes);
    for (ByteString key : keys) {
      if (!key.isEmpty()) {
        sketch.offer(key, access, 1);
      }
    }
  }

  /** Reports the load and the {@code topKeysMax} hottest keys, and starts the sketch's next window. */
  public synchronized Report drain(int topKeysMax) {
    long nowNanos = clockNanos.getAsLong();
    Report report = new Report(window.rates(nowNanos), Duration.ofNanos(Math.max(1, nowNanos - sketchStartNanos)),
        sketch.totalWeight(), sketch.unseenMax(), sketch.top(topKeysMax));
    sketch.reset();
    sketchStartNanos = nowNanos;
    return report;
  }
}
