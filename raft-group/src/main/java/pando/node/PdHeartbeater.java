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

  private final ClusterMember self;
  private final java.util.function.Supplier<List<Long>> rangeIds;
  private final java.util.function.LongSupplier layoutVersion;
  private final TableListener onNewerTable;
  private final Function<Long, java.util.Optional<ReplicaStatus>> status;
  private final PdConnection pd;
  private final ScheduledExecutorService timer;
  private final Map<Long, Counters> previous = new HashMap<>();
  private final Map<Long, String> unreadable = new HashMap<>();
  private volatile Duration interval;
  private boolean registered;
  private String lastProblem;

  private record Counters(long nanos, long appliedIndex, long reads) {}

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
      Function<Long, java.util.Optional<ReplicaStatus>> status, List<String> pdAddresses, Duration interval,
      java.util.function.LongSupplier layoutVersion, TableListener onNewerTable) {
    this.self = self;
    this.rangeIds = rangeIds;
    this.layoutVersion = layoutVersion;
    this.onNewerTable = onNewerTable;
    this.status = status;
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
      long tableVersion = heartbeat();
      if (tableVersion > layoutVersion.getAsLong()) {
        onNewerTable.accept(pd.call(channel -> PlacementDriverGrpc.newBlockingStub(channel)
            .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .getRangeTable(GetRangeTableRequest.getDefaultInstance())));
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

  /** Sends one heartbeat; returns the PD's table version. */
  private long heartbeat() {
    HeartbeatRequest request = HeartbeatRequest.newBuilder()
        .setNodeId(self.id())
        .addAllReplicas(replicaStats())
        .build();
    return pd.call(channel -> PlacementDriverGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .heartbeat(request)).getTableVersion();
  }

  private List<ReplicaStats> replicaStats() {
    long now = System.nanoTime();
    List<ReplicaStats> out = new ArrayList<>();
    List<Long> held = rangeIds.get();
    previous.keySet().retainAll(held);
    for (long rangeId : held) {
      java.util.Optional<ReplicaStatus> current;
      try {
        current = status.apply(rangeId);
      } catch (RuntimeException e) {
        // The replica is being created, removed or replaced by a snapshot: report it next time.
        if (!String.valueOf(e).equals(unreadable.put(rangeId, String.valueOf(e)))) {
          LOG.info("node={} event=replica-status-unreadable range={} error={}", self.id(), rangeId, e.toString());
        }
        continue;
      }
      unreadable.remove(rangeId);
      current.ifPresent(s -> {
        Counters before = previous.put(rangeId, new Counters(now, s.appliedIndex(), s.reads()));
        double seconds = before == null ? 0 : (now - before.nanos()) / 1e9;
        // Applied entries stand in for writes: they include Raft's own entries, a few per election.
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
            .setWritesPerSecond(seconds <= 0 ? 0 : Math.max(0, s.appliedIndex() - before.appliedIndex()) / seconds)
            .setReadsPerSecond(seconds <= 0 ? 0 : Math.max(0, s.reads() - before.reads()) / seconds)
            .build());
      });
    }
    return out;
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
