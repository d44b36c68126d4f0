package pando.node;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import pando.metrics.Refreshable;
import pando.raft.RaftInternals;
import pando.raft.ReplicaStatus;
import pando.raft.metrics.LightRatisMetrics.TimerTotals;

/**
 * A node's replicas as meters, read from the replicas at each scrape: {@code pando_node_ranges},
 * {@code pando_node_leaders}, and per range ({@code range} label; a node holds a bounded number)
 * {@code pando_range_leader} (1 or 0), {@code pando_range_applied_index}, {@code pando_range_keys},
 * {@code pando_range_data_bytes} (keys and values), {@code pando_range_disk_bytes} (the store
 * file), the Raft internals {@code pando_range_log_append_seconds}, {@code
 * pando_range_log_fsync_seconds}, {@code pando_range_apply_seconds} (each a count and a sum), {@code
 * pando_range_snapshot_installs_total}, and on a leader {@code pando_range_follower_lag_entries}
 * (label {@code follower}).
 */
final class NodeMetrics implements Refreshable {
  private final Supplier<List<Long>> rangeIds;
  private final LongFunction<Optional<ReplicaStatus>> status;
  private final AtomicLong ranges = new AtomicLong();
  private final AtomicLong leaders = new AtomicLong();
  private final MultiGauge leader;
  private final MultiGauge applied;
  private final MultiGauge keys;
  private final MultiGauge dataBytes;
  private final MultiGauge diskBytes;
  private final MultiGauge followerLag;
  private final MeterRegistry registry;
  private final LongFunction<Optional<RaftInternals>> internals;
  // The function meters of each range here, with the figures they read (meters hold them weakly).
  private final Map<Long, RangeMeters> rangeMeters = new HashMap<>();

  NodeMetrics(MeterRegistry registry, Supplier<List<Long>> rangeIds, LongFunction<Optional<ReplicaStatus>> status,
      LongFunction<Optional<RaftInternals>> internals) {
    this.registry = registry;
    this.rangeIds = rangeIds;
    this.status = status;
    this.internals = internals;
    Gauge.builder("pando.node.ranges", ranges, AtomicLong::get).description("Replicas this node holds")
        .register(registry);
    Gauge.builder("pando.node.leaders", leaders, AtomicLong::get).description("Ranges this node leads")
        .register(registry);
    leader = MultiGauge.builder("pando.range.leader").description("1 if this node's replica leads the range")
        .register(registry);
    applied = MultiGauge.builder("pando.range.applied.index").description("Last Raft index applied by this replica")
        .register(registry);
    keys = MultiGauge.builder("pando.range.keys").description("Keys held by this replica").register(registry);
    dataBytes = MultiGauge.builder("pando.range.data").baseUnit("bytes").description("Bytes of keys and values held")
        .register(registry);
    diskBytes = MultiGauge.builder("pando.range.disk").baseUnit("bytes").description("Size of the replica's store file")
        .register(registry);
    followerLag = MultiGauge.builder("pando.range.follower.lag").baseUnit("entries")
        .description("On the leader: entries each follower has yet to match up to the commit index").register(registry);
  }

  @Override
  public void refresh() {
    List<MultiGauge.Row<?>> leaderRows = new ArrayList<>();
    List<MultiGauge.Row<?>> appliedRows = new ArrayList<>();
    List<MultiGauge.Row<?>> keyRows = new ArrayList<>();
    List<MultiGauge.Row<?>> dataRows = new ArrayList<>();
    List<MultiGauge.Row<?>> diskRows = new ArrayList<>();
    long led = 0;
    List<Long> ids = rangeIds.get();
    for (long id : ids) {
      Optional<ReplicaStatus> s = status.apply(id);
      if (s.isEmpty()) {
        continue; // starting or closing
      }
      Tags range = Tags.of("range", Long.toString(id));
      led += s.get().leader() ? 1 : 0;
      leaderRows.add(MultiGauge.Row.of(range, s.get().leader() ? 1 : 0));
      appliedRows.add(MultiGauge.Row.of(range, s.get().appliedIndex()));
      keyRows.add(MultiGauge.Row.of(range, s.get().keys()));
      dataRows.add(MultiGauge.Row.of(range, s.get().dataBytes()));
      diskRows.add(MultiGauge.Row.of(range, s.get().bytes()));
    }
    refreshInternals(ids);
    ranges.set(ids.size());
    leaders.set(led);
    leader.register(leaderRows, true); // true: rows of ranges no longer here are removed
    applied.register(appliedRows, true);
    keys.register(keyRows, true);
    dataBytes.register(dataRows, true);
    diskBytes.register(diskRows, true);
  }

  private synchronized void refreshInternals(List<Long> ids) {
    List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
    for (long id : ids) {
      Optional<RaftInternals> now = internals.apply(id);
      if (now.isEmpty()) {
        continue;
      }
      rangeMeters.computeIfAbsent(id, this::registerRange).latest = now.get();
      now.get().followerLag().forEach((follower, entries) -> lagRows.add(
          MultiGauge.Row.of(Tags.of("range", Long.toString(id), "follower", follower), entries)));
    }
    Set<Long> here = new HashSet<>(ids);
    for (Long gone : new HashSet<>(rangeMeters.keySet())) {
      if (!here.contains(gone)) {
        rangeMeters.remove(gone).meters.forEach(registry::remove);
      }
    }
    followerLag.register(lagRows, true);
  }

  private RangeMeters registerRange(long id) {
    RangeMeters m = new RangeMeters();
    Tags range = Tags.of("range", Long.toString(id));
    m.meters.add(timer("pando.range.log.append", "Appends to the replica's Raft log", m, r -> r.logAppends(), range));
    m.meters.add(timer("pando.range.log.fsync", "Flushes of the replica's Raft log to disk, each with an fsync", m,
        r -> r.logFlushes(), range));
    m.meters.add(timer("pando.range.apply", "Committed entries applied to the replica's store", m, r -> r.applies(),
        range));
    m.meters.add(FunctionCounter.builder("pando.range.snapshot.installs", m, x -> x.latest.snapshotInstalls())
        .description("Snapshots installed from the leader (the replica was too far behind its log)").tags(range)
        .register(registry));
    return m;
  }

  private FunctionTimer timer(String name, String description, RangeMeters m,
      java.util.function.Function<RaftInternals, TimerTotals> totals, Tags tags) {
    return FunctionTimer.builder(name, m, x -> totals.apply(x.latest).count(),
        x -> totals.apply(x.latest).totalNanos(), TimeUnit.NANOSECONDS).description(description).tags(tags)
        .register(registry);
  }

  /** One range's meters and the figures of the latest scrape they report. */
  private static final class RangeMeters {
    final List<Meter> meters = new ArrayList<>();
    volatile RaftInternals latest =
        new RaftInternals(TimerTotals.NONE, TimerTotals.NONE, TimerTotals.NONE, 0, Map.of());
  }
}
