package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.pd.hot.Loads.key;
import static pando.pd.hot.Loads.report;
import static pando.pd.hot.Loads.sample;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pando.api.HashRange;
import pando.api.KeyHash;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.api.hot.HotKeyTable;
import pando.api.hot.SaltedKeys;
import pando.pd.hot.HotKeyDetector.Decision;
import pando.pd.hot.HotKeyDetector.Step;
import pando.pd.hot.HotKeyDetector.Tracking;

class HotKeyDetectorTest {
  /** Hot at 1,000 certain ops/s for 10 s; cool under 100 possible ops/s for 60 s. */
  private static final HotKeyConfig CONFIG = new HotKeyConfig(
      1_000, Duration.ofSeconds(10), 100, Duration.ofSeconds(60), 500, 8, 3, 0.9, 0.9);
  private static final ByteString HOT = key("hot");

  private final HotKeyDetector detector = new HotKeyDetector(CONFIG);

  /** Feeds the same reports every second from 0 to {@code seconds}; returns every decision. */
  private List<Decision> run(HotKeyTable table, int seconds, RangeLoad... reports) {
    Tracking tracking = Tracking.empty();
    List<Decision> decisions = new ArrayList<>();
    for (int s = 0; s <= seconds; s++) {
      Step step = detector.observe(tracking, List.of(reports), table, s * 1_000L);
      tracking = step.tracking();
      for (Decision decision : step.decisions()) {
        decisions.add(decision);
      }
    }
    return decisions;
  }

  @Test
  void keyAboveThresholdForWholeWindowIsSalted() {
    List<Decision> decisions = run(HotKeyTable.empty(), 10, report(1, 0, 0, sample(HOT, 1_200, 0, 0)));

    assertThat(decisions).containsExactly(new Decision.Salt(HOT, Mode.READ_HOT, 3, 1_200.0));
  }

  @Test
  void keyAboveThresholdForLessThanTheWindowIsNotSalted() {
    assertThat(run(HotKeyTable.empty(), 9, report(1, 0, 0, sample(HOT, 1_200, 0, 0)))).isEmpty();
  }

  @Test
  void oneColdObservationRestartsTheWindow() {
    RangeLoad hot = report(1, 0, 0, sample(HOT, 1_200, 0, 0));
    RangeLoad cold = report(1, 0, 0, sample(HOT, 900, 0, 0));
    Tracking tracking = Tracking.empty();
    List<Decision> decisions = new ArrayList<>();
    // Hot again from second 6, so the window is complete at second 16.
    for (int s = 0; s <= 16; s++) {
      Step step = detector.observe(tracking, List.of(s == 5 ? cold : hot), HotKeyTable.empty(),
          s * 1_000L);
      tracking = step.tracking();
      decisions.addAll(step.decisions());
      if (s < 16) {
        assertThat(step.decisions()).as("second %d", s).isEmpty();
      }
    }
    assertThat(decisions).hasSize(1);
  }

  @Test
  void theCertainRateDecidesSoAnOverestimatedKeyIsNotSalted() {
    // count 1,500 but only 500 certain: the rest may belong to keys the sketch evicted.
    KeySample overestimated = new KeySample(HOT, false, KeyHash.of(HOT.toByteArray()), 1_500,
        1_000, 500, 0, 0);
    assertThat(run(HotKeyTable.empty(), 20, report(1, 1_000, 0, overestimated))).isEmpty();
  }

  @Test
  void aKeysLoadIsSummedOverEveryRangeThatReportsIt() {
    // A stale report naming the key in two ranges is not possible; its copies in two ranges are.
    ByteString leftover = SaltedKeys.salted(HOT, 0, 2);
    List<Decision> decisions = run(HotKeyTable.empty(), 10,
        report(1, 0, 0, sample(HOT, 600, 0, 0)), report(2, 0, 0, sample(leftover, 600, 0, 0)));
    assertThat(decisions).containsExactly(new Decision.Salt(HOT, Mode.READ_HOT, 3, 1_200.0));
  }

  /** Mode by read/write/increment mix, with readShareMin = counterShareMin = 0.9. */
  @ParameterizedTest(name = "reads {0}, writes {1}, increments {2} -> {3}")
  @CsvSource({
    "2000, 0, 0, READ_HOT",
    "1800, 200, 0, READ_HOT",
    "1799, 201, 0, none",
    "0, 0, 2000, WRITE_HOT_COUNTER",
    "200, 0, 1800, WRITE_HOT_COUNTER",
    "201, 0, 1799, none",
    "0, 2000, 0, none",
    "1000, 0, 1000, none",
  })
  void theModeFollowsTheMixAndPlainWriteHotKeysAreNotSalted(
      long reads, long writes, long increments, String mode) {
    List<Decision> decisions =
        run(HotKeyTable.empty(), 10, report(1, 0, 0, sample(HOT, reads, writes, increments)));
    if (mode.equals("none")) {
      assertThat(decisions).isEmpty();
    } else {
      assertThat(decisions).singleElement()
          .isEqualTo(new Decision.Salt(HOT, Mode.valueOf(mode), 4, 2_000.0));
    }
  }

  /** perCopyOpsPerSecTarget 500, maxSalts 8. */
  @ParameterizedTest(name = "{0} ops/s -> {1} salts")
  @CsvSource({"1000, 2", "1001, 3", "1500, 3", "2600, 6", "4000, 8", "100000, 8"})
  void saltsFollowTheRateWithinTheirLimits(long rate, int salts) {
    List<Decision> decisions =
        run(HotKeyTable.empty(), 10, report(1, 0, 0, sample(HOT, rate, 0, 0)));
    assertThat(((Decision.Salt) decisions.get(0)).salts()).isEqualTo(salts);
  }

  @Test
  void keysThatCannotBeSaltedAreSkipped() {
    ByteString tooLong = ByteString.copyFrom(new byte[SaltedKeys.MAX_SALTABLE_KEY_BYTES + 1]);
    KeySample truncated = new KeySample(key("prefix"), true, 42, 5_000, 0, 5_000, 0, 0);
    ByteString internal = ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e, 0x64, 0x01, 0x02});
    assertThat(run(HotKeyTable.empty(), 10, report(1, 0, 0, sample(tooLong, 5_000, 0, 0),
            truncated, sample(internal, 5_000, 0, 0))))
        .isEmpty();
  }

  @Test
  void keysAlreadyInTheTableAreNotSaltedAgain() {
    HotKeyTable table = HotKeyTable.empty()
        .with(new HotKey(HOT, Mode.READ_HOT, 2, State.SALTING, Origin.DETECTED));
    assertThat(run(table, 20, report(1, 0, 0, sample(HOT, 5_000, 0, 0)))).isEmpty();
  }

  @Test
  void onlyTheHottestKeysFitTheRoomLeftAndPinnedKeysDoNotTakeRoom() {
    // maxHotKeys 3: one detected entry leaves room for two; the pinned one does not count.
    HotKeyTable table = HotKeyTable.empty()
        .with(new HotKey(key("old"), Mode.READ_HOT, 2, State.ACTIVE, Origin.DETECTED))
        .with(new HotKey(key("pinned"), Mode.READ_HOT, 2, State.ACTIVE, Origin.PINNED));
    List<Decision> decisions = run(table, 10, report(1, 0, 0,
        sample(key("old"), 5_000, 0, 0), sample(key("pinned"), 5_000, 0, 0),
        sample(key("a"), 1_100, 0, 0), sample(key("b"), 3_000, 0, 0),
        sample(key("c"), 2_000, 0, 0)));

    assertThat(decisions).extracting(Decision::key).containsExactly(key("b"), key("c"));
  }

  @Test
  void aKeyLeftOutForRoomIsSaltedAsSoonAsRoomAppears() {
    HotKeyTable full = HotKeyTable.empty()
        .with(new HotKey(key("x"), Mode.READ_HOT, 2, State.ACTIVE, Origin.DETECTED))
        .with(new HotKey(key("y"), Mode.READ_HOT, 2, State.ACTIVE, Origin.DETECTED))
        .with(new HotKey(key("z"), Mode.READ_HOT, 2, State.ACTIVE, Origin.DETECTED));
    RangeLoad load = report(1, 0, 0, sample(HOT, 2_000, 0, 0), sample(key("x"), 2_000, 0, 0),
        sample(key("y"), 2_000, 0, 0), sample(key("z"), 2_000, 0, 0));
    Tracking tracking = Tracking.empty();
    for (int s = 0; s <= 30; s++) {
      Step step = detector.observe(tracking, List.of(load), full, s * 1_000L);
      tracking = step.tracking();
      assertThat(step.decisions()).isEmpty();
    }
    Step step = detector.observe(tracking, List.of(load), full.without(key("x")), 31_000L);
    assertThat(step.decisions()).extracting(Decision::key).containsExactly(HOT);
  }

  @Test
  void aDetectedKeyBelowTheCoolRateForTheCoolWindowIsUnsalted() {
    HotKey entry = new HotKey(HOT, Mode.READ_HOT, 2, State.ACTIVE, Origin.DETECTED);
    HotKeyTable table = HotKeyTable.empty().with(entry);
    // Plain key and both copies reported with 20 possible ops/s each: 60 < 100.
    RangeLoad load = report(1, 0, 0, sample(HOT, 20, 0, 0),
        sample(entry.copy(0), 20, 0, 0), sample(entry.copy(1), 20, 0, 0));

    assertThat(run(table, 59, load)).isEmpty();
    assertThat(run(table, 60, load)).containsExactly(new Decision.Unsalt(HOT, 60.0));
  }

  @Test
  void aKeyBetweenTheCoolAndHotRatesIsNeitherSaltedNorUnsalted() {
    HotKey entry = new HotKey(HOT, Mode.READ_HOT, 2, State.ACTIVE, Origin.DETECTED);
    ByteString warm = key("warm");
    RangeLoad load = report(1, 0, 0, sample(HOT, 500, 0, 0), sample(warm, 500, 0, 0));
    assertThat(run(HotKeyTable.empty().with(entry), 600, load)).isEmpty();
  }

  @Test
  void aPinnedKeyIsNeverUnsalted() {
    HotKeyTable table = HotKeyTable.empty()
        .with(new HotKey(HOT, Mode.READ_HOT, 2, State.ACTIVE, Origin.PINNED));
    assertThat(run(table, 600, report(1, 0, 0, sample(key("other"), 1, 0, 0)))).isEmpty();
  }

  @Test
  void entriesWithAnOperatorInFlightGetNoDecision() {
    HotKeyTable table = HotKeyTable.empty()
        .with(new HotKey(HOT, Mode.READ_HOT, 2, State.UNSALTING, Origin.DETECTED))
        .with(new HotKey(key("b"), Mode.READ_HOT, 2, State.SALTING, Origin.DETECTED));
    assertThat(run(table, 600, report(1, 0, 0, sample(key("other"), 1, 0, 0)))).isEmpty();
  }

  @Test
  void aCopyMissingFromItsRangesReportCountsAsThatRangesUnseenBound() {
    HotKey entry = new HotKey(HOT, Mode.READ_HOT, 2, State.ACTIVE, Origin.DETECTED);
    HotKeyTable table = HotKeyTable.empty().with(entry);
    // Nothing names the key, but the full sketch says an unseen key may have had 40 ops/s: three
    // parts (plain, copy 0, copy 1) may have had 120 > 100, so the key may still be warm.
    assertThat(run(table, 600, report(1, 40, 0, sample(key("other"), 1, 0, 0)))).isEmpty();
    assertThat(run(table, 60, report(1, 30, 0, sample(key("other"), 1, 0, 0))))
        .containsExactly(new Decision.Unsalt(HOT, 90.0));
  }

  @Test
  void aKeyWithAPartInNoReportedRangeIsNeverCool() {
    HotKey entry = new HotKey(HOT, Mode.READ_HOT, 2, State.ACTIVE, Origin.DETECTED);
    long copyHash = KeyHash.of(entry.copy(1).toByteArray());
    // One range covering everything except copy 1's hash.
    HashRange below = copyHash == 0 ? null : new HashRange(0, copyHash);
    HashRange above = copyHash == -1 ? null : new HashRange(copyHash + 1, 0);
    List<RangeLoad> reports = new ArrayList<>();
    if (below != null) {
      reports.add(report(1, below, 0, 0, sample(key("other"), 1, 0, 0)));
    }
    if (above != null) {
      reports.add(report(2, above, 0, 0));
    }
    assertThat(run(HotKeyTable.empty().with(entry), 600, reports.toArray(RangeLoad[]::new)))
        .isEmpty();
  }

  /**
   * A salted counter's copies also see every fan-out read, and a read-hot key's copies every
   * copied write; each such operation is counted once, at the plain key.
   */
  @Test
  void operationsACopyOnlyEchoesAreCountedOnce() {
    HotKey counter = new HotKey(HOT, Mode.WRITE_HOT_COUNTER, 2, State.ACTIVE, Origin.DETECTED);
    // 40 reads/s fan out to both copies; 20 increments/s in all.
    RangeLoad load = report(1, 0, 0, sample(HOT, 40, 0, 0),
        sample(counter.copy(0), 40, 0, 10), sample(counter.copy(1), 40, 0, 10));
    assertThat(run(HotKeyTable.empty().with(counter), 60, load))
        .containsExactly(new Decision.Unsalt(HOT, 60.0));

    HotKey readHotEntry = new HotKey(HOT, Mode.READ_HOT, 2, State.ACTIVE, Origin.DETECTED);
    // 30 writes/s reach the primary and both copies; 40 reads/s spread over the copies.
    RangeLoad readLoad = report(1, 0, 0, sample(HOT, 0, 30, 0),
        sample(readHotEntry.copy(0), 20, 30, 0), sample(readHotEntry.copy(1), 20, 30, 0));
    assertThat(run(HotKeyTable.empty().with(readHotEntry), 60, readLoad))
        .containsExactly(new Decision.Unsalt(HOT, 70.0));
  }

  @Test
  void noReportsAtAllKeepTheTrackingAsItWas() {
    Tracking tracking = new Tracking(Map.of(HOT, 5_000L), Map.of());
    Step step = detector.observe(tracking, List.of(), HotKeyTable.empty(), 99_000L);
    assertThat(step.tracking()).isEqualTo(tracking);
    assertThat(step.decisions()).isEmpty();
  }

  @Test
  void aRangeReportedTwiceIsRefused() {
    RangeLoad load = report(1, 0, 0);
    assertThatThrownBy(() ->
        detector.observe(Tracking.empty(), List.of(load, load), HotKeyTable.empty(), 0))
        .hasMessageContaining("reported twice");
  }

  @Test
  void theConfigKeepsTheCoolRateBelowTheHotRateAndItsOtherLimits() {
    HotKeyConfig defaults = HotKeyConfig.defaults();
    assertThat(defaults.coolOpsPerSec()).isLessThan(defaults.hotKeyOpsPerSecMin());
    assertThat(defaults.coolWindow()).isGreaterThan(defaults.window());
    assertThatThrownBy(() -> new HotKeyConfig(
        1_000, Duration.ofSeconds(1), 1_000, Duration.ofSeconds(1), 1, 2, 1, 0.9, 0.9))
        .hasMessageContaining("flap");
    assertThatThrownBy(() -> new HotKeyConfig(
        1_000, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 1, 65, 1, 0.9, 0.9))
        .hasMessageContaining("maxSalts");
    assertThatThrownBy(() -> new HotKeyConfig(
        1_000, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 1, 2, 0, 0.9, 0.9))
        .hasMessageContaining("maxHotKeys");
    assertThatThrownBy(() -> new HotKeyConfig(
        1_000, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 1, 2, 1, 0, 0.9))
        .hasMessageContaining("readShareMin");
    assertThatThrownBy(() -> new HotKeyConfig(
        Double.NaN, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 1, 2, 1, 0.9, 0.9))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
