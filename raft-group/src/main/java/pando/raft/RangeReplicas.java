package pando.raft;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.raft.RangeGroups.Peer;

/**
 * The ranges of one node: a single Ratis server hosting one Raft group per local range
 * (multi-raft), and a Ratis client per range of the cluster through which this node reaches any
 * range's leader, whether or not it holds a replica itself.
 */
public final class RangeReplicas implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RangeReplicas.class);
  private static final int MAX_OUTSTANDING_REQUESTS_PER_RANGE = 1000;
  private static final int SNAPSHOTS_KEPT = 2;

  private final RaftPeerId self;
  private final RaftServer server;
  private final boolean leaseReads;
  private final Map<Long, RangeClient> clients = new TreeMap<>();
  // Where a stale read goes for a range this node holds no replica of.
  private final Map<Long, RaftPeerId> firstReplica = new TreeMap<>();

  private RangeReplicas(RaftPeerId self, RaftServer server, boolean leaseReads) {
    this.leaseReads = leaseReads;
    this.self = self;
    this.server = server;
  }

  /**
   * Starts the Ratis server of node {@code selfId}, recovering the groups found in {@code
   * storageDir} and creating those of {@code ranges} that this node holds but has not yet created.
   *
   * @param ranges every range of the cluster with its replicas
   * @param maxEntryBytes the largest log entry the node must accept (a full batch)
   */
  public static RangeReplicas start(
      String selfId,
      int raftPort,
      Path storageDir,
      RaftTuning tuning,
      int maxEntryBytes,
      Map<Long, List<Peer>> ranges)
      throws IOException {
    RaftProperties properties = properties(raftPort, storageDir, tuning, maxEntryBytes);
    RaftPeerId self = RangeGroups.peerId(selfId);
    RaftServer server =
        RaftServer.newBuilder()
            .setServerId(self)
            .setProperties(properties)
            .setStateMachineRegistry(groupId -> new KvStateMachine())
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
    server.start();
    RangeReplicas replicas = new RangeReplicas(self, server, tuning.leaderLeaseReads());
    try {
      Set<RaftGroupId> existing = Set.copyOf(toList(server.getGroupIds()));
      for (Map.Entry<Long, List<Peer>> range : ranges.entrySet()) {
        RaftGroup group = RangeGroups.group(range.getKey(), range.getValue());
        boolean local = range.getValue().stream().anyMatch(p -> p.nodeId().equals(selfId));
        if (local && !existing.contains(group.getGroupId())) {
          replicas.addGroup(group, true);
          LOG.info("node={} event=range-created range={}", selfId, range.getKey());
        } else if (local && !replicas.knowsMembers(group.getGroupId())) {
          replicas.reopenWithMembers(group);
          LOG.info("node={} event=range-reopened-with-members range={}", selfId, range.getKey());
        }
        replicas.clients.put(range.getKey(), new RangeClient(range.getKey(), properties, group));
        replicas.firstReplica.put(range.getKey(), RangeGroups.peerId(range.getValue().get(0).nodeId()));
      }
    } catch (IOException | RuntimeException e) {
      replicas.close();
      throw e;
    }
    return replicas;
  }

  private void addGroup(RaftGroup group, boolean format) throws IOException {
    RaftClientReply reply = server.groupManagement(
        GroupManagementRequest.newAdd(ClientId.randomId(), self, 0, group, format));
    if (!reply.isSuccess()) {
      throw new IOException("could not open " + group.getGroupId() + ": " + reply.getException());
    }
  }

  /**
   * Whether a recovered group knows its members. Ratis persists a group's membership only once a
   * configuration entry is applied, so a replica stopped before that comes back from disk knowing
   * nobody, and would shut itself down as "not in the configuration".
   */
  private boolean knowsMembers(RaftGroupId groupId) {
    try {
      return !server.getDivision(groupId).getRaftConf().getCurrentPeers().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  /** Reopens a recovered group with its members given, keeping its log, term and vote on disk. */
  private void reopenWithMembers(RaftGroup group) throws IOException {
    // Ignore the outcome: the division may already have shut itself down and be gone.
    server.groupManagement(GroupManagementRequest.newRemove(
        ClientId.randomId(), self, 0, group.getGroupId(), false, false));
    addGroup(group, false);
  }

  private static <T> List<T> toList(Iterable<T> items) {
    List<T> list = new java.util.ArrayList<>();
    items.forEach(list::add);
    return list;
  }

  private static RaftProperties properties(
      int raftPort, Path storageDir, RaftTuning tuning, int maxEntryBytes) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
    GrpcConfigKeys.Server.setPort(p, raftPort);
    // Reads go to the leader only (no follower reads) and skip Ratis's ReadIndex, which can answer
    // from a deposed leader (see LeaderLeaseProbe); the state machine itself answers a read only
    // while its leader lease holds. With leases off, reads go through the log instead.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.DEFAULT);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, duration(tuning.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, duration(tuning.electionTimeoutMax()));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, tuning.snapshotEveryEntries());
    // A follower that fell behind a snapshot catches up by installing it rather than keeping the
    // whole log around for it.
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(Integer.MAX_VALUE, tuning.logPurgeGapEntries()));
    // Room for the largest entry (a full batch plus framing) in every buffer it passes through.
    // The write buffer is allocated per group, so it is sized to the entry, not generously.
    long entryRoom = maxEntryBytes + 64L * 1024;
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entryRoom));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(entryRoom + 64L * 1024));
    // Snapshot chunks must fit in one Raft gRPC message.
    RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf(1024 * 1024));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(Math.max(8L << 20, 2 * entryRoom)));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(2 * entryRoom));
    // Keep only the latest snapshots: each is a full copy of the range.
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, SNAPSHOTS_KEPT);
    // A retried write is recognised by its call id only while the retry cache remembers it, so the
    // cache must outlive every retry the client below can make.
    RaftServerConfigKeys.RetryCache.setExpiryTime(p, TimeDuration.valueOf(
        2 * RangeClient.ATTEMPTS_MAX * (tuning.clientRequestTimeout().toMillis() + RangeClient.RETRY_SLEEP_MILLIS),
        TimeUnit.MILLISECONDS));
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, duration(tuning.clientRequestTimeout()));
    RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, MAX_OUTSTANDING_REQUESTS_PER_RANGE);
    return p;
  }

  private static TimeDuration duration(java.time.Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Replicates a command through the range's leader and returns its result once applied. */
  public CompletableFuture<RangeResult> write(long rangeId, RangeCommand command) {
    return client(rangeId).write(message(command.toByteArray())).thenApply(RangeReplicas::result);
  }

  /**
   * Reads through the range's leader, linearizably, or, if {@code stale}, from this node's own
   * replica when it has one and from the first replica otherwise. A linearizable read is answered
   * by the leader while it holds its lease, or, with leases turned off, goes through the log.
   */
  public CompletableFuture<RangeResult> read(long rangeId, RangeQuery query, boolean stale) {
    if (!stale) {
      if (!leaseReads) {
        RangeCommand read = RangeCommand.newBuilder().setRead(query).build();
        // A read replayed across a leader restart has lost its answer; it changed nothing, so ask again.
        return write(rangeId, read).thenCompose(r -> r.getStatus() == RangeResult.Status.APPLIED_RESULT_UNKNOWN
            ? write(rangeId, read) : CompletableFuture.completedFuture(r));
      }
      return client(rangeId).linearizableRead(message(query.toByteArray())).thenApply(RangeReplicas::result);
    }
    Message message = message(query.toByteArray());
    Optional<KvStateMachine> local = stateMachine(rangeId);
    if (local.isPresent()) {
      return local.get().readLocal(message).thenApply(RangeReplicas::parse);
    }
    return client(rangeId).staleRead(message, firstReplica.get(rangeId)).thenApply(RangeReplicas::result);
  }

  private RangeClient client(long rangeId) {
    RangeClient client = clients.get(rangeId);
    if (client == null) {
      throw new IllegalArgumentException("unknown range " + rangeId);
    }
    return client;
  }

  /** This node's replica of a range, if it holds one. */
  public Optional<KvStateMachine> stateMachine(long rangeId) {
    try {
      return Optional.of((KvStateMachine) server.getDivision(RangeGroups.groupId(rangeId)).getStateMachine());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** This node's view of its replica of a range, if it holds one. */
  public Optional<ReplicaStatus> status(long rangeId) {
    try {
      var division = server.getDivision(RangeGroups.groupId(rangeId));
      KvStateMachine sm = (KvStateMachine) division.getStateMachine();
      var snapshot = sm.getLatestSnapshot();
      return Optional.of(new ReplicaStatus(
          division.getInfo().isLeader(),
          division.getInfo().getLastAppliedIndex(),
          snapshot == null ? -1 : snapshot.getIndex(),
          division.getRaftLog().getStartIndex(),
          sm.keyCount(),
          sm.storeBytes(),
          sm.readCount()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The node this replica believes leads the range, if it holds a replica and knows a leader. */
  public Optional<String> leaderOf(long rangeId) {
    try {
      RaftPeerId leader = server.getDivision(RangeGroups.groupId(rangeId)).getInfo().getLeaderId();
      return Optional.ofNullable(leader).map(RaftPeerId::toString);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public boolean isLeader(long rangeId) {
    try {
      return server.getDivision(RangeGroups.groupId(rangeId)).getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  private static Message message(byte[] bytes) {
    return Message.valueOf(ByteString.copyFrom(bytes));
  }

  private static RangeResult result(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      throw new CompletionException(reply.getException());
    }
    return parse(reply.getMessage());
  }

  private static RangeResult parse(Message message) {
    try {
      return RangeResult.parseFrom(message.getContent().toByteArray());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CompletionException(e);
    }
  }

  @Override
  public void close() {
    clients.values().forEach(RangeClient::close);
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("event=server-close-failed error={}", e.toString());
    }
  }
}
