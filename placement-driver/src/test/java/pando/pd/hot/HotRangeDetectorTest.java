package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.pd.hot.Loads.atHash;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pando.api.HashRange;
import pando.pd.hot.HotRangeDetector.Decision;
import pando.pd.hot.HotRangeDetector.Step;

class HotRangeDetectorTest {
  /** Hot at 1,000 ops/s for 10 s; at most 1 split a round. */
  private static final HotRangeConfig CONFIG = new HotRangeConfig(1_000, Duration.ofSeconds(10), 1);
  private static final HashRange BOUNDS = new HashRange(0, 1_000);

  private final HotRangeDetector detector = new HotRangeDetector(CONFIG);

  private static RangeLoad load(long rangeId, double opsPerSec, KeySample... samples) {
    return load(rangeId, BOUNDS, opsPerSec, samples);
  }

  private static RangeLoad load(long rangeId, HashRange bounds, double opsPerSec, KeySample... samples) {
    return new RangeLoad(rangeId, bounds, Loads.SECOND, opsPerSec * 0.7, opsPerSec * 0.3,
        (long) opsPerSec, 0, List.of(samples));
  }

  /** Feeds the same reports every second from 0 to {@code seconds}; returns every decision. */
  private List<Decision> run(int seconds, RangeLoad... reports) {
    Map<Long, Long> tracking = Map.of();
    List<Decision> decisions = new ArrayList<>();
    for (int s = 0; s <= seconds; s++) {
      Step step = detector.observe(tracking, List.of(reports), s * 1_000L);
      tracking = step.hotSinceMs();
      decisions.addAll(step.decisions());
    }
    return decisions;
  }

  @Test
  void rangeAboveThresholdForWholeWindowIsSplitAtItsLoadMedian() {
    RangeLoad hot = load(1, 2_000, atHash(100, 800, 0));
    // 800 at hash 100, 1200 spread (1.2 per hash): 120 below 100, 920 with the key; the median,
    // 1000, is reached 80 / 1.2 = 66.7 hashes further, so the split is at 167.
    assertThat(run(10, hot)).containsExactly(new Decision.Split(1, 167, 2_000.0));
  }

  @Test
  void rangeAboveThresholdForLessThanTheWindowIsNotSplit() {
    assertThat(run(9, load(1, 2_000))).isEmpty();
  }

  @Test
  void rangeBelowThresholdIsNeverSplit() {
    assertThat(run(100, load(1, 999))).isEmpty();
  }

  @Test
  void aRangeDominatedByOneKeyIsReportedNotSplit() {
    assertThat(run(10, load(1, 2_000, atHash(400, 1_500, 0))))
        .containsExactly(new Decision.SingleKeyDominates(1, 400, 2_000.0));
  }

  @Test
  void aDecidedRangeStartsItsWindowAgain() {
    assertThat(run(25, load(1, 2_000))).extracting(Decision::rangeId).containsExactly(1L, 1L);
  }

  @Test
  void theHottestRangeIsSplitFirstAndOthersWaitForTheirRound() {
    RangeLoad warm = load(1, new HashRange(0, 1_000), 1_500);
    RangeLoad hotter = load(2, new HashRange(1_000, 2_000), 3_000);
    Map<Long, Long> tracking = Map.of(1L, 0L, 2L, 0L);

    Step first = detector.observe(tracking, List.of(warm, hotter), 10_000);
    assertThat(first.decisions()).containsExactly(new Decision.Split(2, 1_500, 3_000.0));
    Step second = detector.observe(first.hotSinceMs(), List.of(warm), 11_000);
    assertThat(second.decisions()).containsExactly(new Decision.Split(1, 500, 1_500.0));
  }

  @Test
  void aRangeMissingFromTheReportsLosesItsWindow() {
    Map<Long, Long> tracking = new HashMap<>(Map.of(1L, 0L));
    Step step = detector.observe(tracking, List.of(load(2, 10)), 20_000);
    assertThat(step.hotSinceMs()).isEmpty();
    assertThat(detector.observe(tracking, List.of(), 20_000).hotSinceMs()).isEqualTo(tracking);
  }

  @Test
  void aRangeReportedTwiceIsRefused() {
    assertThatThrownBy(() -> detector.observe(Map.of(), List.of(load(1, 5), load(1, 5)), 0))
        .hasMessageContaining("reported twice");
  }

  @Test
  void theConfigRefusesValuesOutsideItsLimits() {
    assertThat(HotRangeConfig.defaults().maxSplitsPerRound()).isEqualTo(1);
    assertThatThrownBy(() -> new HotRangeConfig(0, Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HotRangeConfig(1, Duration.ofSeconds(-1), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HotRangeConfig(1, Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
