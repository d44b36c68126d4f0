package pando.raft;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
import pando.raft.metrics.LightRatisMetrics;

/**
 * The ranges of one node: a single Ratis server hosting one Raft group per local range
 * (multi-raft); writes proposed in process to the replicas this node leads, with group commit; and
 * a Ratis client per range of the cluster for membership changes and leader transfers.
 */
public final class RangeReplicas implements AutoCloseable {
  // Ratis's registry of a division's log metrics (RaftLogMetricsBase.RATIS_LOG_WORKER_METRICS).
  private static final String LOG_WORKER = "log_worker";
  private static final Logger LOG = LoggerFactory.getLogger(RangeReplicas.class);
  private static final int SNAPSHOTS_KEPT = 2;
  // Group commit: an entry carries at most this many writes, and a range has at most this many
  // entries in flight from its leader; writes that come meanwhile queue for the next entry. One in
  // flight makes the largest entries: each costs several milliseconds of CPU across the replicas
  // whatever its size, so on a busy machine fewer, larger entries carry more writes.
  private static final int PROPOSALS_PER_ENTRY_MAX = 512;
  private static final int ENTRIES_IN_FLIGHT_MAX = 1;
  private static final int QUEUED_WRITES_PER_RANGE_MAX = 10_000;
  private static final int PROPOSING_THREADS = 2;
  private static final int RETRY_CACHE_EXPIRY_SECONDS = 10;

  private final RaftPeerId self;
  private final RaftServer server;
  private final RaftProperties properties;
  private final boolean leaseReads;
  // Replaced while requests run when the placement driver changes the layout, hence concurrent.
  private final Map<Long, RangeClient> clients = new ConcurrentHashMap<>();
  private final Map<Long, List<Peer>> peersOfClient = new ConcurrentHashMap<>();
  // This node's started replicas. Ratis's getDivision throws for a group it does not host and waits
  // while a group starts; request handlers run on the gRPC event loop and may do neither.
  private final Map<Long, RaftServer.Division> divisions = new ConcurrentHashMap<>();
  // Group commit of each local range, made when the range is first written through this node.
  private final Map<Long, GroupCommit> commits = new ConcurrentHashMap<>();
  private final GroupCommit.Limits commitLimits;
  // Sends the entries of every range: an append takes the Raft server's lock briefly, which the
  // gRPC event loops that queue writes must never wait for.
  private final java.util.concurrent.ExecutorService proposing;
  // The client id of this node's proposals; each entry is a call of its own.
  private final ClientId proposer = ClientId.randomId();
  private final java.util.concurrent.atomic.AtomicLong callIds = new java.util.concurrent.atomic.AtomicLong();

  private final Path storageDir;
  private volatile java.util.function.LongFunction<Optional<List<Peer>>> knownRanges = id -> Optional.empty();
  // Held while replicas are created or removed by a new layout or a split: both may create the
  // same new range's replica at about the same time, and only one of them may.
  private final Object groupChanges = new Object();
  // The table reconcile last ran with: the joins it deferred are made from it after a split.
  private List<RangeSpecForNode> lastTable; // guarded by groupChanges
  // Creates the ranges split off local ones, one at a time, off the apply thread.
  private final java.util.concurrent.ExecutorService splitOffs = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "split-offs");
    t.setDaemon(true);
    return t;
  });

  private RangeReplicas(RaftPeerId self, RaftServer server, RaftProperties properties, boolean leaseReads,
      Path storageDir, GroupCommit.Limits commitLimits) {
    this.commitLimits = commitLimits;
    this.proposing = java.util.concurrent.Executors.newFixedThreadPool(PROPOSING_THREADS, r -> {
      Thread t = new Thread(r, "raft-propose");
      t.setDaemon(true);
      return t;
    });
    this.leaseReads = leaseReads;
    this.self = self;
    this.server = server;
    this.properties = properties;
    this.storageDir = storageDir;
  }

  /**
   * After this replica applied a split of {@code rangeId}: creates the new range's replica here,
   * from the seed the split left, with the split range's members. Every replica of the split range
   * does the same, so the new range starts on the same nodes with the same data.
   */
  void createSplitOff(long rangeId, long newRangeId) {
    try {
      splitOffs.execute(() -> {
        synchronized (groupChanges) {
          createSplitOffNow(rangeId, newRangeId);
          joinDeferred();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The node is closing. Thrown on the apply thread, this would stop the range's apply loop,
      // which Ratis then waits on for ever while it closes; the seed stays, and the node creates
      // the new range from it when it starts again.
      LOG.info("node={} event=split-off-deferred-to-restart range={} new-range={} reason=closing", self, rangeId,
          newRangeId);
    }
  }

  /**
   * Joins the ranges of the last table this node holds, lacks and no longer waits to create from a
   * split of its own (see {@link #awaitsOwnSplit}). Only creates: the table may be older than the
   * split just applied, so what it lacks is no reason to remove anything.
   */
  private void joinDeferred() {
    if (lastTable == null) {
      return;
    }
    Set<RaftGroupId> existing = Set.copyOf(toList(server.getGroupIds()));
    for (RangeSpecForNode range : lastTable) {
      if (range.holds(self) && !existing.contains(RangeGroups.groupId(range.rangeId()))
          && !awaitsOwnSplit(range, lastTable)) {
        try {
          create(range);
        } catch (IOException | RuntimeException e) {
          LOG.warn("node={} event=join-failed range={} error={}", self, range.rangeId(), e.toString());
        }
      }
    }
  }

  private void createSplitOffNow(long rangeId, long newRangeId) {
    try {
      RaftGroupId newGroup = RangeGroups.groupId(newRangeId);
      Optional<List<Peer>> placed = knownRanges.apply(newRangeId);
      boolean placedElsewhere = placed.isPresent()
          && placed.get().stream().noneMatch(p -> p.nodeId().equals(self.toString()));
      boolean existsHere = Set.copyOf(toList(server.getGroupIds())).contains(newGroup);
      if (placedElsewhere || existsHere) {
        // A replica that joined the split range after the split replays it from the log: the new
        // range exists already, here or elsewhere, and this seed is not its state.
        java.nio.file.Files.deleteIfExists(KvStateMachine.seedFile(storageDir, newRangeId));
        return;
      }
      RaftServer.Division split = divisions.get(rangeId);
      if (split == null) {
        LOG.warn("node={} event=split-off-skipped range={} from={} reason=split-range-gone", self, newRangeId, rangeId);
        return;
      }
      var members = split.getRaftConf().getCurrentPeers();
      addGroup(RaftGroup.valueOf(newGroup, members), true);
      List<Peer> peers = members.stream().map(p -> new Peer(p.getId().toString(), p.getAddress())).toList();
      if (!clients.containsKey(newRangeId)) {
        setClient(new RangeSpecForNode(newRangeId, peers, true));
      }
      LOG.info("node={} event=range-split-off range={} from={} peers={}", self, newRangeId, rangeId, peers);
    } catch (IOException | RuntimeException e) {
      LOG.warn("node={} event=split-off-failed range={} from={} error={}", self, newRangeId, rangeId, e.toString());
    }
  }

  /**
   * How this node learns where the placement driver places a range, to tell a fresh split (the
   * new range is not in the table yet) from one replayed by a replica that joined later.
   */
  public void knownRanges(java.util.function.LongFunction<Optional<List<Peer>>> lookup) {
    this.knownRanges = lookup;
  }

  /**
   * Seeds left by splits whose new range was not created before the node stopped. The split range
   * is found among the local ones by the seed's bounds.
   */
  private void createPendingSplitOffs() throws IOException {
    Path seeds = storageDir.resolve(KvStateMachine.SEEDS);
    if (!java.nio.file.Files.isDirectory(seeds)) {
      return;
    }
    try (var files = java.nio.file.Files.list(seeds)) {
      for (Path seed : (Iterable<Path>) files::iterator) {
        String name = seed.getFileName().toString();
        if (!name.startsWith("range-") || !name.endsWith(".db")) {
          continue;
        }
        long newRangeId = Long.parseLong(name.substring("range-".length(), name.length() - ".db".length()));
        long start = pando.store.KvStore.seedStart(seed);
        for (Long rangeId : localRangeIds()) {
          Optional<KvStateMachine> sm = stateMachine(rangeId);
          if (sm.isPresent() && sm.get().bounds().map(b -> b.end() == start).orElse(false)) {
            createSplitOff(rangeId, newRangeId);
          }
        }
      }
    }
  }

  /**
   * What one range looks like to this node.
   *
   * @param peers every replica of the range
   * @param original true if the range's replicas were all created together with the cluster; false
   *     for a replica added later, which joins knowing no members and waits for the range's leader
   *     to catch it up and make it a voter
   * @param bounds the range's hashes in the table, if known
   * @param version the range's epoch version in the table (raised by every split of it); 0 if not known
   */
  public record RangeSpecForNode(long rangeId, List<Peer> peers, boolean original,
      Optional<pando.api.HashRange> bounds, long version) {
    public RangeSpecForNode {
      peers = List.copyOf(peers);
    }

    RangeSpecForNode(long rangeId, List<Peer> peers, boolean original) {
      this(rangeId, peers, original, Optional.empty(), 0);
    }

    boolean holds(RaftPeerId node) {
      return peers.stream().anyMatch(p -> p.nodeId().equals(node.toString()));
    }
  }

  /**
   * Starts the Ratis server of node {@code selfId}, recovering the groups found in {@code
   * storageDir} and creating those of {@code ranges} that this node holds but has not yet created.
   *
   * @param ranges every range of the cluster
   * @param maxEntryBytes the largest log entry the node must accept (a full batch)
   */
  public static RangeReplicas start(
      String selfId,
      String raftHost,
      int raftPort,
      Path storageDir,
      RaftTuning tuning,
      int maxEntryBytes,
      List<RangeSpecForNode> ranges)
      throws IOException {
    RaftProperties properties = properties(raftHost, raftPort, storageDir, tuning, maxEntryBytes);
    RaftPeerId self = RangeGroups.peerId(selfId);
    // The replicas object does not exist yet when the server builds its first state machines.
    java.util.concurrent.atomic.AtomicReference<RangeReplicas> created = new java.util.concurrent.atomic.AtomicReference<>();
    KvStateMachine.SplitListener splits = (rangeId, newRangeId) -> {
      RangeReplicas r = created.get();
      if (r != null) {
        r.createSplitOff(rangeId, newRangeId);
      }
    };
    RaftServer server =
        RaftServer.newBuilder()
            .setServerId(self)
            .setProperties(properties)
            .setStateMachineRegistry(groupId -> new KvStateMachine(splits))
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
    server.start();
    RangeReplicas replicas = new RangeReplicas(self, server, properties, tuning.leaderLeaseReads(), storageDir,
        new GroupCommit.Limits(PROPOSALS_PER_ENTRY_MAX, maxEntryBytes, ENTRIES_IN_FLIGHT_MAX, QUEUED_WRITES_PER_RANGE_MAX));
    created.set(replicas);
    try {
      for (RaftGroupId recovered : server.getGroupIds()) {
        replicas.remember(recovered);
      }
      Set<RaftGroupId> existing = Set.copyOf(toList(server.getGroupIds()));
      for (RangeSpecForNode range : ranges) {
        RaftGroup group = RangeGroups.group(range.rangeId(), range.peers());
        if (range.holds(self) && !existing.contains(group.getGroupId())) {
          replicas.create(range);
        } else if (range.holds(self) && !replicas.knowsMembers(group.getGroupId())) {
          replicas.reopenWithMembers(group);
          LOG.info("node={} event=range-reopened-with-members range={}", selfId, range.rangeId());
        }
        replicas.setClient(range);
      }
      replicas.createPendingSplitOffs();
    } catch (IOException | RuntimeException e) {
      replicas.close();
      throw e;
    }
    return replicas;
  }

  /**
   * Makes this node's replicas match a new layout: creates the replicas it now holds and lacks,
   * removes (with their data) those it no longer holds, and re-points the clients of ranges whose
   * replicas changed. The placement driver drops a node from a range's replicas only after the
   * range's Raft group removed it, so the data removed here is no longer part of any majority.
   *
   * <p>One caller at a time (the node's layout updater); runs apart from the creation of split-off
   * replicas, so the two never create one range's replica both at once.
   */
  public void reconcile(List<RangeSpecForNode> ranges) throws IOException {
    synchronized (groupChanges) {
      reconcileNow(ranges);
    }
  }

  private void reconcileNow(List<RangeSpecForNode> ranges) throws IOException {
    lastTable = ranges;
    Set<RaftGroupId> existing = Set.copyOf(toList(server.getGroupIds()));
    Set<Long> known = new java.util.HashSet<>();
    for (RangeSpecForNode range : ranges) {
      known.add(range.rangeId());
      RaftGroupId groupId = RangeGroups.groupId(range.rangeId());
      if (range.holds(self) && !existing.contains(groupId)) {
        if (awaitsOwnSplit(range, ranges)) {
          // Created when this node applies the split (see createSplitOff and joinDeferred).
          LOG.info("node={} event=range-join-deferred range={} reason=split-not-applied-here", self, range.rangeId());
          continue;
        }
        create(range);
      } else if (!range.holds(self) && existing.contains(groupId)) {
        remove(range.rangeId());
      }
      if (!range.peers().equals(peersOfClient.get(range.rangeId()))) {
        setClient(range);
      }
    }
    for (Long rangeId : List.copyOf(clients.keySet())) {
      if (!known.contains(rangeId)) {
        if (existing.contains(RangeGroups.groupId(rangeId))) {
          remove(rangeId);
        }
        RangeClient gone = clients.remove(rangeId);
        peersOfClient.remove(rangeId);
        if (gone != null) {
          gone.close();
        }
      }
    }
  }

  /**
   * True if the range is the right half of a split that this node's replica of the left half has
   * not applied yet (its store is at an older version than the table's): this replica is then
   * about to create the range from the split's seed, with the split range's members, and must not
   * join it empty first. An empty joiner gives no vote, and the new range's first election may
   * need this node's.
   */
  private boolean awaitsOwnSplit(RangeSpecForNode range, List<RangeSpecForNode> table) {
    if (range.original() || range.bounds().isEmpty()
        || java.nio.file.Files.exists(KvStateMachine.seedFile(storageDir, range.rangeId()))) {
      return false; // created with its members (from the seed, if split here), not joined empty
    }
    long start = range.bounds().get().start();
    return table.stream()
        .filter(left -> left.bounds().isPresent() && left.bounds().get().end() == start)
        .anyMatch(left -> stateMachine(left.rangeId()).map(sm -> sm.version() < left.version()).orElse(false));
  }

  private void create(RangeSpecForNode range) throws IOException {
    // A range split off here starts with all its members, like an original one.
    if (range.original() || java.nio.file.Files.exists(KvStateMachine.seedFile(storageDir, range.rangeId()))) {
      addGroup(RangeGroups.group(range.rangeId(), range.peers()), true);
      LOG.info("node={} event=range-created range={} peers={}", self, range.rangeId(), range.peers());
    } else {
      // Knowing no members, the replica starts without an election timer: it cannot disturb the
      // range, and waits for the leader to send it the range's state and its membership.
      addGroup(RaftGroup.valueOf(RangeGroups.groupId(range.rangeId())), true);
      LOG.info("node={} event=range-joining range={}", self, range.rangeId());
    }
  }

  private void remove(long rangeId) throws IOException {
    divisions.remove(rangeId);
    commits.remove(rangeId);
    RaftClientReply reply = server.groupManagement(GroupManagementRequest.newRemove(
        ClientId.randomId(), self, 0, RangeGroups.groupId(rangeId), true, false));
    if (!reply.isSuccess()) {
      throw new IOException("could not remove range " + rangeId + ": " + reply.getException());
    }
    LOG.info("node={} event=range-removed range={}", self, rangeId);
  }

  private void setClient(RangeSpecForNode range) {
    RaftGroup group = RangeGroups.group(range.rangeId(), range.peers());
    RangeClient old = clients.put(range.rangeId(),
        new RangeClient(range.rangeId(), properties, group));
    peersOfClient.put(range.rangeId(), range.peers());
    if (old != null) {
      // Requests already sent on it finish or fail on their own; new ones take the new client.
      old.close();
    }
  }

  /**
   * Sets a range's voters to exactly {@code voters} through its leader; completes once the new
   * membership is committed (Ratis first catches new voters up).
   */
  public CompletableFuture<Void> changeMembers(long rangeId, List<Peer> voters) {
    return client(rangeId).setMembers(voters.stream().map(Peer::toRatis).toList());
  }

  /** Hands a range's leadership to {@code nodeId}; completes once it leads. */
  public CompletableFuture<Void> transferLeader(long rangeId, String nodeId, java.time.Duration timeout) {
    return client(rangeId).transferLeader(RangeGroups.peerId(nodeId), timeout);
  }

  private void addGroup(RaftGroup group, boolean format) throws IOException {
    RaftClientReply reply = server.groupManagement(
        GroupManagementRequest.newAdd(ClientId.randomId(), self, 0, group, format));
    if (!reply.isSuccess()) {
      throw new IOException("could not open " + group.getGroupId() + ": " + reply.getException());
    }
    remember(group.getGroupId());
  }

  /** Records a group Ratis has started here; its division is ready, so getDivision does not wait. */
  private void remember(RaftGroupId groupId) throws IOException {
    RaftServer.Division division = server.getDivision(groupId);
    RangeGroups.rangeId(groupId).ifPresent(id -> divisions.put(id, division));
  }

  private Optional<RaftServer.Division> division(long rangeId) {
    return Optional.ofNullable(divisions.get(rangeId));
  }

  /**
   * Whether a recovered group knows its members. Ratis persists a group's membership only once a
   * configuration entry is applied, so a replica stopped before that comes back from disk knowing
   * nobody, and would shut itself down as "not in the configuration".
   */
  private boolean knowsMembers(RaftGroupId groupId) {
    return RangeGroups.rangeId(groupId).flatMap(this::division)
        .map(d -> !d.getRaftConf().getCurrentPeers().isEmpty())
        .orElse(false);
  }

  /** Reopens a recovered group with its members given, keeping its log, term and vote on disk. */
  private void reopenWithMembers(RaftGroup group) throws IOException {
    // Ignore the outcome: the division may already have shut itself down and be gone.
    RangeGroups.rangeId(group.getGroupId()).ifPresent(divisions::remove);
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
      String raftHost, int raftPort, Path storageDir, RaftTuning tuning, int maxEntryBytes) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
    // Listen where the other nodes were told to connect (--members), not on every interface.
    GrpcConfigKeys.Server.setHost(p, raftHost);
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
    // Writes are applied at most once by the state machine's writer sessions, not by Ratis's retry
    // cache, which every replica fills with each entry's answer: kept short, it is a small cache of
    // recent answers for the rare Ratis client call (membership changes, leader transfers).
    RaftServerConfigKeys.RetryCache.setExpiryTime(p, TimeDuration.valueOf(RETRY_CACHE_EXPIRY_SECONDS, TimeUnit.SECONDS));
    // Safe: the log's flush index still moves only once the data is on disk, so an entry is
    // acknowledged (and counted towards a majority) only when fsynced; appends just no longer wait
    // for the previous fsync.
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, true);
    // Off: with it on, the leader appends a second entry (the new commit index) after every commit,
    // which doubles the entries, appends and fsyncs per write. Raft's safety does not rest on it; it
    // only lets a restarted replica apply committed entries before it hears from the leader.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, duration(tuning.clientRequestTimeout()));
    return p;
  }

  private static TimeDuration duration(java.time.Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Proposes a write (or a read placed in the log) through this node's replica of the range, which
   * must lead it, in the range's next group-committed entry; completes with its own result once
   * the leader applied it. Fails at once with {@link NotLeaderHere} when the replica does not lead
   * (or there is none here): nothing was proposed. Any other failure leaves the outcome unknown; a
   * write that carries a {@link pando.v1.WriteId} may be sent again, and is applied at most once.
   */
  public CompletableFuture<RangeResult> propose(long rangeId, pando.internal.v1.Proposal proposal, long deadlineNanos) {
    RaftServer.Division division = divisions.get(rangeId);
    if (division == null) {
      return CompletableFuture.failedFuture(new NotLeaderHere(rangeId, Optional.empty(), false));
    }
    var info = division.getInfo();
    if (!info.isLeader()) {
      return CompletableFuture.failedFuture(new NotLeaderHere(rangeId,
          Optional.ofNullable(info.getLeaderId()).map(RaftPeerId::toString), false));
    }
    if (!info.isLeaderReady()) {
      return CompletableFuture.failedFuture(new NotLeaderHere(rangeId, Optional.of(self.toString()), true));
    }
    return commits.computeIfAbsent(rangeId, id -> new GroupCommit(id, commitLimits, entry -> append(id, entry),
        proposing, System::currentTimeMillis, System::nanoTime)).propose(proposal, deadlineNanos);
  }

  /** Appends an entry through the local division, in process: no client round trip to itself. */
  private CompletableFuture<RangeResult> append(long rangeId, RangeCommand entry) {
    // Looked up again: the replica may have been removed or reopened since the write queued.
    RaftServer.Division division = divisions.get(rangeId);
    if (division == null) {
      return CompletableFuture.failedFuture(new NotLeaderHere(rangeId, Optional.empty(), false));
    }
    org.apache.ratis.protocol.RaftClientRequest request = org.apache.ratis.protocol.RaftClientRequest.newBuilder()
        .setClientId(proposer)
        .setServerId(self)
        .setGroupId(division.getMemberId().getGroupId())
        .setCallId(callIds.incrementAndGet())
        .setMessage(message(entry.toByteArray()))
        .setType(org.apache.ratis.protocol.RaftClientRequest.writeRequestType())
        .build();
    try {
      // The division serves client requests itself (Ratis's server only looks it up and hands the
      // call to a pool thread, which this sending thread would then wait for).
      return ((org.apache.ratis.protocol.RaftClientAsynchronousProtocol) division)
          .submitClientRequestAsync(request)
          .thenApply(RangeReplicas::result);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private RangeClient client(long rangeId) {
    RangeClient client = clients.get(rangeId);
    if (client == null) {
      throw new UnknownRangeException(rangeId);
    }
    return client;
  }

  /** A range this node does not know (not in its layout, or removed by a newer one). */
  public static final class UnknownRangeException extends IllegalArgumentException {
    public UnknownRangeException(long rangeId) {
      super("unknown range " + rangeId);
    }
  }

  /** The ranges this node holds a replica of (including replicas still joining). */
  public List<Long> localRangeIds() {
    List<Long> ids = new java.util.ArrayList<>();
    for (RaftGroupId groupId : server.getGroupIds()) {
      RangeGroups.rangeId(groupId).ifPresent(ids::add);
    }
    java.util.Collections.sort(ids);
    return ids;
  }

  /** This node's replica of a range, if it holds one. */
  public Optional<KvStateMachine> stateMachine(long rangeId) {
    return division(rangeId).map(d -> (KvStateMachine) d.getStateMachine());
  }

  /** This node's view of its replica of a range, if it holds one. */
  public Optional<ReplicaStatus> status(long rangeId) {
    return division(rangeId).map(division -> {
      KvStateMachine sm = (KvStateMachine) division.getStateMachine();
      var snapshot = sm.getLatestSnapshot();
      return new ReplicaStatus(
          division.getInfo().isLeader(),
          division.getInfo().getLastAppliedIndex(),
          snapshot == null ? -1 : snapshot.getIndex(),
          division.getRaftLog().getStartIndex(),
          sm.keyCount(),
          sm.storeBytes(),
          sm.dataBytes(),
          sm.bounds(),
          sm.version());
    });
  }

  /** This replica's Raft log, apply and snapshot totals, and on the leader its followers' lag. */
  public Optional<RaftInternals> internals(long rangeId) {
    return division(rangeId).map(division -> {
      KvStateMachine sm = (KvStateMachine) division.getStateMachine();
      String member = division.getMemberId().toString();
      return new RaftInternals(
          LightRatisMetrics.timer(member, LOG_WORKER, "appendEntryLatency"),
          LightRatisMetrics.timer(member, LOG_WORKER, "flushTime"),
          sm.applyTotals(),
          sm.snapshotInstalls(),
          followerLag(division));
    });
  }

  private static Map<String, Long> followerLag(RaftServer.Division division) {
    if (!division.getInfo().isLeader()) {
      return Map.of();
    }
    // The follower list and the match indices come from the same leader state, in the same order.
    List<org.apache.ratis.proto.RaftProtos.ServerRpcProto> followers =
        division.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
    long[] matched = division.getInfo().getFollowerMatchIndices();
    long committed = division.getRaftLog().getLastCommittedIndex();
    Map<String, Long> lag = new java.util.TreeMap<>();
    for (int i = 0; i < Math.min(followers.size(), matched.length); i++) {
      lag.put(followers.get(i).getId().getId().toStringUtf8(), Math.max(0, committed - matched[i]));
    }
    return lag;
  }

  /** This node's replica's load since the previous call (see {@link KvStateMachine#drainLoad}). */
  public Optional<pando.stats.RangeLoadTracker.Report> drainLoad(long rangeId, int topKeysMax) {
    return stateMachine(rangeId).map(sm -> sm.drainLoad(topKeysMax));
  }

  /** The node this replica believes leads the range, if it holds a replica and knows a leader. */
  public Optional<String> leaderOf(long rangeId) {
    return division(rangeId).map(d -> d.getInfo().getLeaderId()).map(RaftPeerId::toString);
  }

  /** True if this node's replica leads the range and holds its lease at this instant. */
  public boolean holdsLease(long rangeId) {
    return stateMachine(rangeId).map(KvStateMachine::holdsLease).orElse(false);
  }

  /** Whether this node serves linearizable reads on its lease as leader (else through the log). */
  public boolean leaseReads() {
    return leaseReads;
  }

  public boolean isLeader(long rangeId) {
    return division(rangeId).map(d -> d.getInfo().isLeader()).orElse(false);
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
    splitOffs.shutdownNow();
    proposing.shutdownNow();
    clients.values().forEach(RangeClient::close);
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("event=server-close-failed error={}", e.toString());
    }
  }
}
