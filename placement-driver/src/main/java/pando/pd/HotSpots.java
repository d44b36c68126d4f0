package pando.pd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
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
 * scheduler to spread their leaders), splits a range whose load stayed high for the detector's
 * window, at its load median, and adds keys that stayed hot to the hot-key table (SALTING) or
 * starts unsalting detected keys that cooled; the {@link HotKeyOperator} does the rest.
 *
 * <p>A range counts as hot, for spreading leaders, from half the split threshold: a range split for
 * load leaves two halves of about that load, and they should not end up led by one node. The
 * ranges of salted keys and their copies count as hot whatever their load ({@link
 * pando.pd.hot.SaltedRanges}), so that a key's copies are read on different nodes.
 */
final class HotSpots {
  private static final Logger LOG = LoggerFactory.getLogger(HotSpots.class);

  private final PdServer pd;
  private final HotRangeDetector detector;
  private final java.util.Optional<pando.pd.hot.HotKeyDetector> keyDetector;
  private pando.pd.hot.HotKeyDetector.Tracking keyTracking = pando.pd.hot.HotKeyDetector.Tracking.empty();
  private volatile Map<com.google.protobuf.ByteString, pando.pd.hot.KeyRates> keyRates = Map.of();
  private Map<Long, Long> hotSinceMs = Map.of();
  private final List<HotRangeDetector.Decision.Split> pendingSplits = new ArrayList<>();
  private volatile Set<Long> hot = Set.of();
  private final pando.pd.hot.KeyHeatmap heatmap = new pando.pd.hot.KeyHeatmap();

  /**
   * @param ranges when ranges are hot; empty to neither split by load nor spread leaders
   * @param keys when keys are hot or cool; empty to leave the hot-key table to operators
   */
  HotSpots(PdServer pd, java.util.Optional<HotRangeConfig> ranges, java.util.Optional<pando.pd.hot.HotKeyConfig> keys) {
    this.pd = pd;
    this.detector = ranges.map(HotRangeDetector::new).orElse(null);
    this.keyDetector = keys.map(pando.pd.hot.HotKeyDetector::new);
  }

  /** The load of the hash space over time, sampled while this replica leads. */
  pando.pd.hot.KeyHeatmap heatmap() {
    return heatmap;
  }

  /** Each key's load by its plain key (copies summed in), for keys in the table or hot now. */
  Map<com.google.protobuf.ByteString, pando.pd.hot.KeyRates> keyRates() {
    return keyRates;
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
    heatmap.offer(nowMs, System.currentTimeMillis(), loads, table.ranges().stream().map(r -> r.bounds()).toList());
    observeKeys(state, loads, nowMs);
    Set<Long> salted = pando.pd.hot.SaltedRanges.of(state.hotKeyTable(), table);
    if (detector == null) {
      hot = salted;
      return;
    }
    double hotMin = detector.config().splitOpsPerSecMin() / 2;
    Set<Long> hotNow = new java.util.HashSet<>(salted);
    loads.stream().filter(l -> l.opsPerSec() >= hotMin).forEach(l -> hotNow.add(l.rangeId()));
    hot = Set.copyOf(hotNow);
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

  private void observeKeys(PdState state, List<RangeLoad> loads, long nowMs) {
    pando.api.hot.HotKeyTable table = state.hotKeyTable();
    Map<com.google.protobuf.ByteString, pando.pd.hot.KeyRates.Salting> wouldSalt = new java.util.HashMap<>();
    if (keyDetector.isPresent()) {
      pando.pd.hot.HotKeyDetector.Step step = keyDetector.get().observe(keyTracking, loads, table, nowMs);
      keyTracking = step.tracking();
      for (pando.pd.hot.HotKeyDetector.Decision decision : step.decisions()) {
        if (decision instanceof pando.pd.hot.HotKeyDetector.Decision.Salt salt) {
          wouldSalt.put(salt.key(), new pando.pd.hot.KeyRates.Salting(salt.mode(), salt.salts()));
          record(new pando.api.hot.HotKey(salt.key(), salt.mode(), salt.salts(), pando.api.hot.HotKey.State.SALTING,
              pando.api.hot.HotKey.Origin.DETECTED), java.util.Optional.empty(), salt.opsPerSec());
        } else if (decision instanceof pando.pd.hot.HotKeyDetector.Decision.Unsalt unsalt) {
          table.lookup(unsalt.key()).ifPresent(entry -> record(entry.withState(pando.api.hot.HotKey.State.UNSALTING),
              java.util.Optional.of(entry), unsalt.opsPerSec()));
        }
      }
    }
    double shownMin = keyDetector.map(d -> d.config().hotKeyOpsPerSecMin()).orElse(Double.MAX_VALUE);
    Map<com.google.protobuf.ByteString, pando.pd.hot.KeyRates> rates = new java.util.HashMap<>();
    pando.pd.hot.KeyLoads.of(loads, table).forEach((key, r) -> {
      if (table.lookup(key).isPresent() || r.opsPerSec() >= shownMin || wouldSalt.containsKey(key)) {
        rates.put(key, new pando.pd.hot.KeyRates(r.readsPerSec(), r.writesPerSec(), r.incrementsPerSec(),
            java.util.Optional.ofNullable(wouldSalt.get(key))));
      }
    });
    keyRates = Map.copyOf(rates);
  }

  private void record(pando.api.hot.HotKey next, java.util.Optional<pando.api.hot.HotKey> expected, double opsPerSec) {
    LOG.info("pd={} event=hot-key-detected key={} state={} mode={} salts={} ops-per-sec={}", pd.id(),
        pando.pd.hot.KeyText.of(next.key()), next.state(), next.mode(), next.salts(), Math.round(opsPerSec));
    pando.internal.v1.PdCommand set = pando.pd.hot.HotKeyProtos.setHotKey(next, expected, System.currentTimeMillis());
    pd.submit(set).whenComplete((result, error) -> {
      if (error != null || result.getStatus() != pando.internal.v1.PdResult.Status.OK) {
        LOG.info("pd={} event=hot-key-change-refused key={} error=\"{}\"", pd.id(), pando.pd.hot.KeyText.of(next.key()),
            error != null ? error.toString() : result.getMessage());
      }
    });
  }

  /**
   * Ranges whose load is at least half the split threshold, and those of salted keys, as of the
   * last {@link #observe}.
   */
  Set<Long> hotRanges() {
    return hot;
  }

  /**
   * Starts the oldest pending load split, if the splitter is free; splits wait while a move or
   * another split runs, like size splits. A split the range refuses (it changed meanwhile) is
   * dropped: the detector proposes again if the load stays.
   */
  void splitOne(Splitter splitter, HeartbeatBook book) {
    if (detector == null || pendingSplits.isEmpty() || splitter.busy()) {
      return;
    }
    HotRangeDetector.Decision.Split split = pendingSplits.remove(0);
    if (pd.state().ranges().flatMap(t -> t.byId(split.rangeId())).isEmpty()) {
      return;
    }
    LOG.info("pd={} event=load-split range={} at={} ops-per-sec={}", pd.id(), split.rangeId(),
        Long.toUnsignedString(split.splitHash(), 16), Math.round(split.opsPerSec()));
    splitter.split(split.rangeId(), OptionalLong.of(split.splitHash()), OperatorCounts.SplitReason.LOAD, book)
        .exceptionally(e -> null);
  }
}
