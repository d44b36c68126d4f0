package pando.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies (microseconds) and errors of one operation type. Client threads record into a
 * lock-free {@link Recorder}; one reporting thread drains it into an interval and a total.
 */
final class OpStats {
  private final String name;
  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);
  private final AtomicLong errors = new AtomicLong();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private Histogram lastInterval; // recycled by the recorder after the first interval

  OpStats(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  void recordMicros(long micros) {
    recorder.recordValue(Math.max(1, micros));
  }

  void recordError(Exception e) {
    errors.incrementAndGet();
    firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  /** Moves what was recorded since the last call into the total; returns that interval. */
  synchronized Histogram drainInterval() {
    lastInterval = recorder.getIntervalHistogram(lastInterval);
    total.add(lastInterval);
    return lastInterval;
  }

  synchronized Histogram total() {
    return total.copy();
  }

  long errors() {
    return errors.get();
  }

  String firstError() {
    return firstError.get();
  }
}
