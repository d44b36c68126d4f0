package pando.pd;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import pando.api.hot.HotKey;
import pando.metrics.Refreshable;
import pando.pd.meta.ClusterView;
import pando.pd.meta.HeartbeatBook;
import pando.v1.NodeInfo;
import pando.v1.NodeState;
import pando.v1.StatusResponse;

/**
 * The cluster as the placement driver sees it, as meters read at each scrape: {@code
 * pando_pd_leader} (1 on the PD leader), and on the leader {@code pando_pd_nodes} (label {@code
 * state}), {@code pando_pd_ranges}, {@code pando_pd_under_replicated_ranges}, {@code
 * pando_pd_operators} (moves running), {@code pando_pd_hot_keys} (label {@code state}) and {@code
 * pando_pd_heartbeat_age_seconds} (label {@code node}, -1 before a node's first heartbeat to this
 * leader). A replica that does not lead reports only {@code pando_pd_leader} 0: its view is not
 * the cluster's.
 */
final class PdMetrics implements Refreshable {
  private final PdServer pd;
  private final AtomicLong leader = new AtomicLong();
  private final AtomicLong ranges = new AtomicLong();
  private final AtomicLong underReplicated = new AtomicLong();
  private final AtomicLong operators = new AtomicLong();
  private final MultiGauge nodes;
  private final MultiGauge hotKeys;
  private final MultiGauge heartbeatAge;

  PdMetrics(PdServer pd, MeterRegistry registry) {
    this.pd = pd;
    Gauge.builder("pando.pd.leader", leader, AtomicLong::get).description("1 if this PD replica leads the PD group")
        .register(registry);
    Gauge.builder("pando.pd.ranges", ranges, AtomicLong::get).description("Ranges in the range table")
        .register(registry);
    Gauge.builder("pando.pd.under.replicated.ranges", underReplicated, AtomicLong::get)
        .description("Ranges with fewer replicas on UP nodes than the replication factor").register(registry);
    Gauge.builder("pando.pd.operators", operators, AtomicLong::get).description("Replica moves running")
        .register(registry);
    nodes = MultiGauge.builder("pando.pd.nodes").description("Registered nodes by state").register(registry);
    hotKeys = MultiGauge.builder("pando.pd.hot.keys").description("Entries of the hot-key table by state")
        .register(registry);
    heartbeatAge = MultiGauge.builder("pando.pd.heartbeat.age").baseUnit("seconds")
        .description("Time since each node's last heartbeat to this PD leader; -1 before the first").register(registry);
  }

  @Override
  public void refresh() {
    HeartbeatBook book = pd.book();
    leader.set(book == null ? 0 : 1);
    if (book == null) {
      // A replica that stopped leading must not go on reporting the figures it had as leader.
      ranges.set(0);
      underReplicated.set(0);
      operators.set(0);
      nodes.register(List.of(), true);
      hotKeys.register(List.of(), true);
      heartbeatAge.register(List.of(), true);
      return;
    }
    long now = PdServer.nowMillis();
    StatusResponse status = ClusterView.status(pd.state(), book, now, pd.id(), pd.id());
    ranges.set(status.getRanges());
    underReplicated.set(ClusterView.underReplicated(pd.state(), book, now, pd.config().bootstrap().replication()));
    operators.set(pd.state().operators().size());
    nodes.register(List.of(
        MultiGauge.Row.of(Tags.of("state", NodeState.UP.name()), status.getNodesUp()),
        MultiGauge.Row.of(Tags.of("state", NodeState.SUSPECT.name()), status.getNodesSuspect()),
        MultiGauge.Row.of(Tags.of("state", NodeState.DOWN.name()), status.getNodesDown())), true);
    Map<HotKey.State, Long> byState = new EnumMap<>(HotKey.State.class);
    for (HotKey.State state : HotKey.State.values()) {
      byState.put(state, 0L);
    }
    pd.state().hotKeyTable().entries().values().forEach(k -> byState.merge(k.state(), 1L, Long::sum));
    List<MultiGauge.Row<?>> hotRows = new ArrayList<>();
    byState.forEach((state, count) -> hotRows.add(MultiGauge.Row.of(Tags.of("state", state.name()), count)));
    hotKeys.register(hotRows, true);
    List<MultiGauge.Row<?>> ageRows = new ArrayList<>();
    for (NodeInfo node : ClusterView.nodes(pd.state(), book, now)) {
      long ageMs = node.getLastHeartbeatAgeMs();
      ageRows.add(MultiGauge.Row.of(Tags.of("node", node.getNodeId()), ageMs < 0 ? -1 : ageMs / 1000.0));
    }
    heartbeatAge.register(ageRows, true);
  }
}
