package pando.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import pando.api.RequestLimits;
import pando.raft.RaftTuning;

/**
 * Everything a node needs to start. Built once, immutable, printed at startup.
 *
 * @param nodeId this node's id; must be one of {@code members}
 * @param members the cluster's nodes, used to compute the layout on the first start only
 * @param dataDir where this node keeps its layout file and its Raft groups
 * @param initialRanges how many ranges the first start cuts the hash space into
 * @param replication replicas per range: 1, 3 or 5
 * @param limits key, value and batch size limits
 * @param requestTimeoutMax longest a request may wait when the caller sets no shorter deadline
 * @param raft Raft timing and snapshot settings
 * @param pdAddresses the placement driver's replicas ({@code host:port}); empty for none
 * @param heartbeatInterval how often to heartbeat to the placement driver until it says otherwise
 */
public record NodeConfig(
    String nodeId,
    List<ClusterMember> members,
    Path dataDir,
    int initialRanges,
    int replication,
    RequestLimits limits,
    Duration requestTimeoutMax,
    RaftTuning raft,
    List<String> pdAddresses,
    Duration heartbeatInterval) {

  public static final int DEFAULT_INITIAL_RANGES = 8;
  public static final int DEFAULT_REPLICATION = 3;
  public static final Duration DEFAULT_REQUEST_TIMEOUT_MAX = Duration.ofSeconds(10);

  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

  /** A node without a placement driver. */
  public NodeConfig(String nodeId, List<ClusterMember> members, Path dataDir, int initialRanges,
      int replication, RequestLimits limits, Duration requestTimeoutMax, RaftTuning raft) {
    this(nodeId, members, dataDir, initialRanges, replication, limits, requestTimeoutMax, raft,
        List.of(), DEFAULT_HEARTBEAT_INTERVAL);
  }

  public NodeConfig {
    members = List.copyOf(members);
    pdAddresses = List.copyOf(pdAddresses);
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeat interval must be positive");
    }
    if (members.stream().noneMatch(m -> m.id().equals(nodeId))) {
      throw new IllegalArgumentException("node id " + nodeId + " is not among the members " + members);
    }
    if (requestTimeoutMax.isNegative() || requestTimeoutMax.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive");
    }
  }

  public ClusterMember self() {
    return members.stream().filter(m -> m.id().equals(nodeId)).findFirst().orElseThrow();
  }

  public NodeConfig withRaft(RaftTuning tuning) {
    return new NodeConfig(nodeId, members, dataDir, initialRanges, replication, limits, requestTimeoutMax, tuning,
        pdAddresses, heartbeatInterval);
  }

  public NodeConfig withPlacementDriver(List<String> addresses, Duration interval) {
    return new NodeConfig(nodeId, members, dataDir, initialRanges, replication, limits, requestTimeoutMax, raft,
        addresses, interval);
  }
}
