package pando.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RangeLoadTrackerTest {
  private static final long MILLI = 1_000_000L;

  private final AtomicLong now = new AtomicLong(1_000 * MILLI);
  private final RangeLoadTracker tracker = new RangeLoadTracker(now::get);

  private static ByteString key(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void reportsTheHottestKeysWithTheirKindOfAccessAndStartsANewWindowOnEachDrain() {
    for (int i = 0; i < 30; i++) {
      tracker.read(List.of(key("hot")), 10);
      now.addAndGet(10 * MILLI);
    }
    for (int i = 0; i < 5; i++) {
      tracker.write(List.of(key("hot")), SpaceSaving.Access.INCREMENT, 20);
      tracker.write(List.of(key("warm")), SpaceSaving.Access.WRITE, 20);
    }
    tracker.read(List.of(key("a"), key("b")), 4);

    RangeLoadTracker.Report report = tracker.drain(2);

    assertThat(report.sketchWindow()).isEqualTo(Duration.ofMillis(300));
    assertThat(report.sketchTotal()).isEqualTo(30 + 5 + 5 + 2);
    assertThat(report.topKeys()).hasSize(2);
    SpaceSaving.Entry hottest = report.topKeys().get(0);
    assertThat(hottest.key().bytes()).isEqualTo(key("hot"));
    assertThat(hottest.reads()).isEqualTo(30);
    assertThat(hottest.increments()).isEqualTo(5);
    assertThat(report.topKeys().get(1).key().bytes()).isEqualTo(key("warm"));
    assertThat(report.topKeys().get(1).writes()).isEqualTo(5);

    now.addAndGet(50 * MILLI);
    RangeLoadTracker.Report next = tracker.drain(2);
    assertThat(next.sketchTotal()).isZero();
    assertThat(next.topKeys()).isEmpty();
    assertThat(next.sketchWindow()).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void ratesCountEachKeyOfABatchAndLastLongerThanOneSketchWindow() {
    for (int second = 0; second < 10; second++) {
      for (int i = 0; i < 100; i++) {
        tracker.read(List.of(key("k" + i), key("j" + i)), 50); // 200 key reads/s, 5,000 B/s
        tracker.write(List.of(key("w" + i)), SpaceSaving.Access.WRITE, 100); // 100 writes/s, 10,000 B/s
        now.addAndGet(10 * MILLI);
      }
      tracker.drain(16); // a heartbeat per second does not reset the rates
    }
    LoadWindow.Rates rates = tracker.drain(16).rates();
    assertThat(rates.readsPerSec()).isCloseTo(200, within(25.0));
    assertThat(rates.writesPerSec()).isCloseTo(100, within(12.0));
    assertThat(rates.bytesPerSec()).isCloseTo(15_000, within(2_000.0));
  }

  @Test
  void emptyKeysAreCountedInRatesButNotInTheSketch() {
    tracker.read(List.of(ByteString.EMPTY), 0);
    now.addAndGet(MILLI);
    RangeLoadTracker.Report report = tracker.drain(4);
    assertThat(report.sketchTotal()).isZero();
    assertThat(report.rates().readsPerSec()).isPositive();
  }
}
