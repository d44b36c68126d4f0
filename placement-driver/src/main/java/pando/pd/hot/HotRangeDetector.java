package pando.pd.hot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Finds ranges to split because of load: the latest {@link RangeLoad} of each range, the previous
 * tracking and the time go in; decisions and the new tracking come out. Pure and deterministic.
 *
 * <p>A range is hot while {@link RangeLoad#opsPerSec()} is at least {@code splitOpsPerSecMin}. A
 * range that has been hot at every call for at least {@code window} (from the first such call to
 * now) becomes a candidate: if {@link LoadSplitPoint#of} finds a point it gets {@link
 * Decision.Split} there, and if one key dominates its load it gets {@link
 * Decision.SingleKeyDominates} instead (no split can help; the hot-key detector's business). At
 * most {@code maxSplitsPerRound} splits are proposed, hottest first (then lowest id); a range that
 * got a decision starts its window again, so it is not proposed every round while the split is
 * carried out. A range missing from a call's reports loses its tracking: it may have split, merged
 * or lost its leader, and its window must start again. A call with no report at all changes
 * nothing.
 */
public final class HotRangeDetector {
  private final HotRangeConfig config;

  public HotRangeDetector(HotRangeConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public HotRangeConfig config() {
    return config;
  }

  /** What the detector decided about one range. */
  public sealed interface Decision permits Decision.Split, Decision.SingleKeyDominates {
    long rangeId();

    /** Split the range at {@code splitHash}: {@code [start, splitHash)} and {@code [splitHash, end)}. */
    record Split(long rangeId, long splitHash, double opsPerSec) implements Decision {}

    /** The range is hot because of the key at {@code keyHash}, which holds over half its load. */
    record SingleKeyDominates(long rangeId, long keyHash, double opsPerSec) implements Decision {}
  }

  /** The decisions of one call and the tracking (hot since, by range id) for the next. */
  public record Step(Map<Long, Long> hotSinceMs, List<Decision> decisions) {
    public Step {
      hotSinceMs = Map.copyOf(hotSinceMs);
      decisions = List.copyOf(decisions);
    }
  }

  public Step observe(Map<Long, Long> previousHotSinceMs, List<RangeLoad> reports, long nowMs) {
    if (reports.isEmpty()) {
      return new Step(previousHotSinceMs, List.of());
    }
    RangeLoad.requireDistinctRanges(reports);
    Map<Long, Long> hotSince = new HashMap<>();
    List<RangeLoad> candidates = new ArrayList<>();
    for (RangeLoad report : reports) {
      if (report.opsPerSec() < config.splitOpsPerSecMin()) {
        continue;
      }
      long since = previousHotSinceMs.getOrDefault(report.rangeId(), nowMs);
      hotSince.put(report.rangeId(), since);
      if (nowMs - since >= config.window().toMillis()) {
        candidates.add(report);
      }
    }
    candidates.sort(Comparator.comparingDouble(RangeLoad::opsPerSec).reversed()
        .thenComparingLong(RangeLoad::rangeId));
    List<Decision> decisions = new ArrayList<>();
    int splits = 0;
    for (RangeLoad report : candidates) {
      OptionalLong dominant =
          LoadSplitPoint.dominant(report.bounds(), report.sketchTotal(), report.topKeys());
      if (dominant.isPresent()) {
        decisions.add(new Decision.SingleKeyDominates(
            report.rangeId(), dominant.getAsLong(), report.opsPerSec()));
        hotSince.remove(report.rangeId());
        continue;
      }
      if (splits == config.maxSplitsPerRound()) {
        continue;
      }
      OptionalLong point =
          LoadSplitPoint.of(report.bounds(), report.sketchTotal(), report.topKeys());
      if (point.isPresent()) {
        decisions.add(new Decision.Split(report.rangeId(), point.getAsLong(), report.opsPerSec()));
        hotSince.remove(report.rangeId());
        splits++;
      }
    }
    return new Step(hotSince, decisions);
  }
}
