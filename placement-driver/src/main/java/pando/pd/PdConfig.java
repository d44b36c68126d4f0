package pando.pd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import pando.pd.meta.LivenessPolicy;

/**
 * How to run one placement-driver replica.
 *
 * @param selfId this replica's id, one of {@code peers}
 * @param apiHost interface the PD's gRPC services (PlacementDriver, Admin) listen on
 * @param apiPort their port; 0 picks a free one
 * @param peers every replica of the PD group, this one included (1 for a laptop, 3 in production)
 * @param dataDir where this replica keeps its Raft log and snapshots
 * @param liveness when a node that stopped heartbeating is suspect and down
 * @param electionTimeoutMin lower bound of the PD group's randomized election timeout
 * @param electionTimeoutMax its upper bound
 * @param requestTimeout longest a PD call waits for the PD's Raft group
 * @param bootstrap how to create the cluster's first ranges
 * @param splitSizeBytes split a range once its keys and values pass this many bytes; 0 never
 * @param scheduler how the PD moves replicas and leaders by itself; empty to move them only when
 *     an operator asks ({@code pando admin move})
 * @param hotRanges when a range's load makes the PD split it (at the load median) and spread hot
 *     ranges' leaders; empty to do neither
 * @param hotKeys when the PD salts a key by itself (and unsalts it once it cools); empty to salt only
 *     the keys an operator pins
 */
public record PdConfig(
    String selfId,
    String apiHost,
    int apiPort,
    List<PdPeer> peers,
    Path dataDir,
    LivenessPolicy liveness,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    Duration requestTimeout,
    Bootstrap bootstrap,
    java.util.Optional<pando.pd.schedule.SchedulerConfig> scheduler,
    long splitSizeBytes,
    java.util.Optional<pando.pd.hot.HotRangeConfig> hotRanges,
    java.util.Optional<pando.pd.hot.HotKeyConfig> hotKeys) {
  /** 64 MiB. */
  public static final long DEFAULT_SPLIT_SIZE_BYTES = 64L << 20;
  /**
   * A range serving 3,000 operations per second for 30 s is split. A range is served by one leader,
   * one Raft log and one apply thread, whatever the node's cores; 3,000 ops/s keeps its p99 in single
   * milliseconds on a small machine and splits well before a larger one is saturated.
   */
  public static final pando.pd.hot.HotRangeConfig DEFAULT_HOT_RANGES =
      new pando.pd.hot.HotRangeConfig(3_000, Duration.ofSeconds(30), 1);

  /**
   * The cluster's first ranges: created once {@code initialNodes} nodes have registered, {@code
   * initialRanges} of them with {@code replication} replicas each.
   */
  public record Bootstrap(int initialNodes, int initialRanges, int replication) {
    public Bootstrap {
      if (replication != 1 && replication != 3 && replication != 5) {
        throw new IllegalArgumentException("replication must be 1, 3 or 5, got " + replication);
      }
      if (initialNodes < replication) {
        throw new IllegalArgumentException("the first ranges need at least " + replication
            + " nodes for " + replication + " replicas each; initial nodes is " + initialNodes);
      }
      if (initialRanges < 1 || initialRanges > 4096) {
        throw new IllegalArgumentException("initial ranges must be 1..4096, got " + initialRanges);
      }
    }

    public static Bootstrap defaults() {
      return new Bootstrap(3, 8, 3);
    }
  }

  public PdConfig {
    Objects.requireNonNull(selfId, "selfId");
    peers = List.copyOf(peers);
    if (peers.stream().noneMatch(p -> p.id().equals(selfId))) {
      throw new IllegalArgumentException("PD replica " + selfId + " is not among the peers " + peers);
    }
    if (peers.stream().map(PdPeer::id).distinct().count() != peers.size()) {
      throw new IllegalArgumentException("PD peers list an id twice: " + peers);
    }
    if (apiPort < 0 || apiPort > 65535) {
      throw new IllegalArgumentException("PD port must be 0..65535, got " + apiPort);
    }
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(liveness, "liveness");
    if (electionTimeoutMin.isNegative() || electionTimeoutMin.isZero()
        || electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
      throw new IllegalArgumentException("election timeout must satisfy 0 < min < max");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive");
    }
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(scheduler, "scheduler");
    if (splitSizeBytes < 0) {
      throw new IllegalArgumentException("split size must not be negative, got " + splitSizeBytes);
    }
    Objects.requireNonNull(hotRanges, "hotRanges");
    Objects.requireNonNull(hotKeys, "hotKeys");
  }

  /**
   * A replica with the defaults: elections 1-2 s, requests 5 s, liveness defaults, 8 ranges of 3
   * replicas once 3 nodes registered, the scheduler on with its defaults, ranges split at 64 MiB and
   * at {@link #DEFAULT_HOT_RANGES}.
   */
  public static PdConfig of(String selfId, String apiHost, int apiPort, List<PdPeer> peers, Path dataDir) {
    return new PdConfig(selfId, apiHost, apiPort, peers, dataDir, LivenessPolicy.defaults(),
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Bootstrap.defaults(),
        java.util.Optional.of(pando.pd.schedule.SchedulerConfig.defaults()), DEFAULT_SPLIT_SIZE_BYTES,
        java.util.Optional.of(DEFAULT_HOT_RANGES), java.util.Optional.of(pando.pd.hot.HotKeyConfig.defaults()));
  }

  public PdConfig withLiveness(LivenessPolicy policy) {
    return new PdConfig(selfId, apiHost, apiPort, peers, dataDir, policy, electionTimeoutMin,
        electionTimeoutMax, requestTimeout, bootstrap, scheduler, splitSizeBytes, hotRanges, hotKeys);
  }

  public PdConfig withBootstrap(Bootstrap first) {
    return new PdConfig(selfId, apiHost, apiPort, peers, dataDir, liveness, electionTimeoutMin,
        electionTimeoutMax, requestTimeout, first, scheduler, splitSizeBytes, hotRanges, hotKeys);
  }

  public PdConfig withScheduler(java.util.Optional<pando.pd.schedule.SchedulerConfig> newScheduler) {
    return new PdConfig(selfId, apiHost, apiPort, peers, dataDir, liveness, electionTimeoutMin,
        electionTimeoutMax, requestTimeout, bootstrap, newScheduler, splitSizeBytes, hotRanges, hotKeys);
  }

  public PdConfig withSplitSize(long bytes) {
    return new PdConfig(selfId, apiHost, apiPort, peers, dataDir, liveness, electionTimeoutMin,
        electionTimeoutMax, requestTimeout, bootstrap, scheduler, bytes, hotRanges, hotKeys);
  }

  public PdConfig withHotRanges(java.util.Optional<pando.pd.hot.HotRangeConfig> config) {
    return new PdConfig(selfId, apiHost, apiPort, peers, dataDir, liveness, electionTimeoutMin,
        electionTimeoutMax, requestTimeout, bootstrap, scheduler, splitSizeBytes, config, hotKeys);
  }

  public PdConfig withHotKeys(java.util.Optional<pando.pd.hot.HotKeyConfig> config) {
    return new PdConfig(selfId, apiHost, apiPort, peers, dataDir, liveness, electionTimeoutMin,
        electionTimeoutMax, requestTimeout, bootstrap, scheduler, splitSizeBytes, hotRanges, config);
  }

  PdPeer self() {
    return peers.stream().filter(p -> p.id().equals(selfId)).findFirst().orElseThrow();
  }
}
