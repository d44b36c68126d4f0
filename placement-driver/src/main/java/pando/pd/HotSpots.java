package pando.pd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.api.range.RangeTable;
import pando.pd.hot.HotRangeConfig;
import pando.pd.hot.HotRangeDetector;
import pando.pd.hot.RangeLoad;
import pando.pd.hot.RangeLoads;
import pando.pd.meta.HeartbeatBook;
import pando.pd.meta.PdState;
import pando.v1.NodeState;
import pando.v1.ReplicaStats;

/**
 * On the PD leader: reads the ranges' load from the heartbeats, says which ranges are hot (for the
 * scheduler to spread their leaders), and splits a range whose load stayed high for the detector's
 * window, at its load median.
 *
 * <p>A range counts as hot, for spreading leaders, from half the split threshold: a range split for
 * load leaves two halves of about that load, and they should not end up led by one node.
 */
final class HotSpots {
  private static final Logger LOG = LoggerFactory.getLogger(HotSpots.class);

  private final PdServer pd;
  private final HotRangeDetector detector;
  private Map<Long, Long> hotSinceMs = Map.of();
  private final List<HotRangeDetector.Decision.Split> pendingSplits = new ArrayList<>();
  private volatile Set<Long> hot = Set.of();
  private volatile List<RangeLoad> latest = List.of();

  HotSpots(PdServer pd, HotRangeConfig config) {
    this.pd = pd;
    this.detector = new HotRangeDetector(config);
  }

  /** Reads the latest heartbeats; called once per scheduling round on the leader's operator thread. */
  void observe(HeartbeatBook book, long nowMs) {
    PdState state = pd.state();
    if (state.ranges().isEmpty()) {
      return;
    }
    RangeTable table = state.ranges().get();
    List<ReplicaStats> reports = new ArrayList<>();
    for (var node : state.nodes().nodes()) {
      if (book.state(node.getNodeId(), nowMs) == NodeState.UP) {
        reports.addAll(book.replicas(node.getNodeId()));
      }
    }
    List<RangeLoad> loads = RangeLoads.fromReports(table, reports);
    latest = loads;
    double hotMin = detector.config().splitOpsPerSecMin() / 2;
    hot = loads.stream().filter(l -> l.opsPerSec() >= hotMin).map(RangeLoad::rangeId).collect(Collectors.toUnmodifiableSet());
    HotRangeDetector.Step step = detector.observe(hotSinceMs, loads, nowMs);
    hotSinceMs = step.hotSinceMs();
    for (HotRangeDetector.Decision decision : step.decisions()) {
      if (decision instanceof HotRangeDetector.Decision.Split split) {
        pendingSplits.removeIf(s -> s.rangeId() == split.rangeId());
        pendingSplits.add(split);
      } else if (decision instanceof HotRangeDetector.Decision.SingleKeyDominates key) {
        LOG.info("pd={} event=hot-key-range range={} key-hash={} ops-per-sec={}", pd.id(), key.rangeId(),
            Long.toUnsignedString(key.keyHash(), 16), Math.round(key.opsPerSec()));
      }
    }
  }

  /** Ranges whose load is at least half the split threshold, as of the last {@link #observe}. */
  Set<Long> hotRanges() {
    return hot;
  }

  /** The ranges' load as of the last {@link #observe}, by range id. */
  List<RangeLoad> loads() {
    return latest;
  }

  /**
   * Starts the oldest pending load split, if the splitter is free; splits wait while a move or
   * another split runs, like size splits. A split the range refuses (it changed meanwhile) is
   * dropped: the detector proposes again if the load stays.
   */
  void splitOne(Splitter splitter, HeartbeatBook book) {
    if (pendingSplits.isEmpty() || splitter.busy()) {
      return;
    }
    HotRangeDetector.Decision.Split split = pendingSplits.remove(0);
    if (pd.state().ranges().flatMap(t -> t.byId(split.rangeId())).isEmpty()) {
      return;
    }
    LOG.info("pd={} event=load-split range={} at={} ops-per-sec={}", pd.id(), split.rangeId(),
        Long.toUnsignedString(split.splitHash(), 16), Math.round(split.opsPerSec()));
    splitter.split(split.rangeId(), OptionalLong.of(split.splitHash()), book).exceptionally(e -> null);
  }
}
