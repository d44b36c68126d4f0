package pando.node;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import pando.metrics.Refreshable;
import pando.raft.ReplicaStatus;

/**
 * A node's replicas as meters, read from the replicas at each scrape: {@code pando_node_ranges},
 * {@code pando_node_leaders}, and per range ({@code range} label; a node holds a bounded number)
 * {@code pando_range_leader} (1 or 0), {@code pando_range_applied_index}, {@code pando_range_keys},
 * {@code pando_range_data_bytes} (keys and values) and {@code pando_range_disk_bytes} (the store
 * file).
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

  NodeMetrics(MeterRegistry registry, Supplier<List<Long>> rangeIds, LongFunction<Optional<ReplicaStatus>> status) {
    this.rangeIds = rangeIds;
    this.status = status;
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
    ranges.set(ids.size());
    leaders.set(led);
    leader.register(leaderRows, true); // true: rows of ranges no longer here are removed
    applied.register(appliedRows, true);
    keys.register(keyRows, true);
    dataBytes.register(dataRows, true);
    diskBytes.register(diskRows, true);
  }
}
