package pando.node;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.api.pd.PdConnection;
import pando.raft.ReplicaStatus;
import pando.stats.RangeLoadTracker;
import pando.v1.GetRangeTableRequest;
import pando.v1.HeartbeatRequest;
import pando.v1.PlacementDriverGrpc;
import pando.v1.RangeTableResponse;
import pando.v1.RegisterNodeRequest;
import pando.v1.RegisterNodeResponse;
import pando.v1.ReplicaStats;

/**
 * Keeps a node known to the placement driver: registers it (under its configured id) and then
 * sends a heartbeat with per-replica statistics every interval the PD asked for. A PD that is down
 * or has no leader is retried every interval; a PD that has forgotten the node (NOT_FOUND) gets a
 * new registration. Failures are logged when the state changes, not on every attempt.
 */
final class PdHeartbeater implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PdHeartbeater.class);
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(2);
  // Keys are sent only for ranges busy enough to matter to the PD's detectors, hottest ranges first,
  // and in bounded number, so a heartbeat stays small however many ranges a node holds.
  static final double KEYS_REPORTED_OPS_PER_SEC_MIN = 50;
  static final int KEYS_REPORTED_PER_RANGE_MAX = 16;
  static final int KEYS_REPORTED_PER_HEARTBEAT_MAX = 1024;

  private final ClusterMember self;
  private final java.util.function.Supplier<List<Long>> rangeIds;
  private final java.util.function.LongSupplier layoutVersion;
  private final TableListener onNewerTable;
  private final Function<Long, java.util.Optional<ReplicaStatus>> status;
  private final LoadSource load;
  private final java.util.function.Supplier<pando.v1.NodeLoad> nodeLoad;
  private final HotKeyView hotKeys;
  private final PdConnection pd;
  private final ScheduledExecutorService timer;
  private final Map<Long, String> unreadable = new HashMap<>();
  private volatile Duration interval;
  private boolean registered;
  private String lastProblem;

  /** A replica's load since the previous heartbeat, if the node holds the range. */
  interface LoadSource {
    java.util.Optional<RangeLoadTracker.Report> drain(long rangeId, int topKeysMax);
  }

  /** What the node does with a range table newer than its layout. */
  interface TableListener {
    void accept(RangeTableResponse table) throws java.io.IOException;
  }

  /**
   * @param rangeIds the ranges this node holds a replica of, now
   * @param layoutVersion the table version of the node's layout
   * @param onNewerTable called (on the heartbeat thread) with the PD's table when a heartbeat
   *     answer says it is newer than the node's layout
   */
  PdHeartbeater(ClusterMember self, java.util.function.Supplier<List<Long>> rangeIds,
      Function<Long, java.util.Optional<ReplicaStatus>> status, LoadSource load, List<String> pdAddresses,
      Duration interval,
      java.util.function.LongSupplier layoutVersion, TableListener onNewerTable, HotKeyView hotKeys,
      java.util.function.Supplier<pando.v1.NodeLoad> nodeLoad) {
    this.self = self;
    this.nodeLoad = nodeLoad;
    this.rangeIds = rangeIds;
    this.layoutVersion = layoutVersion;
    this.onNewerTable = onNewerTable;
    this.status = status;
    this.load = load;
    this.hotKeys = hotKeys;
    this.pd = new PdConnection(pdAddresses);
    this.interval = interval;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pd-heartbeat");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    timer.schedule(this::tick, 0, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      if (!registered) {
        register();
      }
      pando.v1.HeartbeatResponse answer = heartbeat();
      if (answer.getTableVersion() > layoutVersion.getAsLong()) {
        onNewerTable.accept(pd.call(channel -> PlacementDriverGrpc.newBlockingStub(channel)
            .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .getRangeTable(GetRangeTableRequest.getDefaultInstance())));
      }
      if (answer.getHotKeyTableVersion() > hotKeys.table().version()) {
        fetchHotKeys();
      }
      problem(null);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        registered = false; // the PD lost us (a fresh PD data directory): register again
      }
      problem(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
    } catch (RuntimeException | java.io.IOException e) {
      // Not the PD's fault: a bug or a local I/O error. Shown once with its trace.
      if (!e.toString().equals(lastProblem)) {
        LOG.warn("node={} event=heartbeat-failed", self.id(), e);
      }
      problem(e.toString());
    } finally {
      if (!timer.isShutdown()) {
        timer.schedule(this::tick, interval.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  private void register() {
    RegisterNodeResponse r = pd.call(channel -> PlacementDriverGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .registerNode(registration(self)));
    if (r.getHeartbeatIntervalMs() > 0) {
      interval = Duration.ofMillis(r.getHeartbeatIntervalMs());
    }
    registered = true;
    LOG.info("node={} event=pd-registered heartbeat-interval={}", r.getNodeId(), interval);
  }

  /** How a node registers: under its configured id, at its configured addresses. */
  static RegisterNodeRequest registration(ClusterMember self) {
    return RegisterNodeRequest.newBuilder()
        .setRequestedId(self.id())
        .setApiAddress(self.apiAddress())
        .setRaftAddress(self.raftAddress())
        .build();
  }

  /** Sends one heartbeat; returns the PD's answer (its table versions). */
  private pando.v1.HeartbeatResponse heartbeat() {
    HeartbeatRequest request = HeartbeatRequest.newBuilder()
        .setNodeId(self.id())
        .addAllReplicas(replicaStats())
        .setHotKeyTableSettledVersion(hotKeys.settledVersion())
        .setLoad(nodeLoad.get())
        .build();
    return pd.call(channel -> PlacementDriverGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .heartbeat(request));
  }

  private void fetchHotKeys() {
    pando.api.hot.HotKeyTable table = pando.api.hot.HotKeyTableFetch.from(pd, CALL_DEADLINE);
    if (hotKeys.adopt(table)) {
      LOG.info("node={} event=hot-keys-updated version={} keys={}", self.id(), table.version(), table.size());
    }
  }

  private List<ReplicaStats> replicaStats() {
    List<ReplicaStats.Builder> out = new ArrayList<>();
    List<RangeLoadTracker.Report> loads = new ArrayList<>();
    for (long rangeId : rangeIds.get()) {
      java.util.Optional<ReplicaStatus> current;
      java.util.Optional<RangeLoadTracker.Report> report;
      try {
        current = status.apply(rangeId);
        report = load.drain(rangeId, KEYS_REPORTED_PER_RANGE_MAX);
      } catch (RuntimeException e) {
        // The replica is being created, removed or replaced by a snapshot: report it next time.
        if (!String.valueOf(e).equals(unreadable.put(rangeId, String.valueOf(e)))) {
          LOG.info("node={} event=replica-status-unreadable range={} error={}", self.id(), rangeId, e.toString());
        }
        continue;
      }
      unreadable.remove(rangeId);
      if (current.isEmpty() || report.isEmpty()) {
        continue;
      }
      ReplicaStatus s = current.get();
      RangeLoadTracker.Report r = report.get();
      out.add(ReplicaStats.newBuilder()
          .setRangeId(rangeId)
          .setLeader(s.leader())
          .setKeys(s.keys())
          .setBytes(s.bytes())
          .setAppliedIndex(s.appliedIndex())
          .setDataBytes(s.dataBytes())
          .setEpochVersion(s.version())
          .setStart(s.bounds().map(b -> b.start()).orElse(0L))
          .setEnd(s.bounds().map(b -> b.end()).orElse(0L))
          .setReadsPerSecond(r.rates().readsPerSec())
          .setWritesPerSecond(r.rates().writesPerSec())
          .setBytesPerSecond(r.rates().bytesPerSec()));
      loads.add(s.leader() ? r : null);
    }
    LoadReports.addSketches(out, loads, KEYS_REPORTED_OPS_PER_SEC_MIN, KEYS_REPORTED_PER_HEARTBEAT_MAX);
    return out.stream().map(ReplicaStats.Builder::build).toList();
  }

  private void problem(String now) {
    if (now == null ? lastProblem != null : !now.equals(lastProblem)) {
      if (now == null) {
        LOG.info("node={} event=pd-heartbeats-ok", self.id());
      } else {
        LOG.warn("node={} event=pd-unreachable error={}", self.id(), now);
      }
      lastProblem = now;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pd.close();
  }
}
