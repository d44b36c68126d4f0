package pando.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.ReadException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.impl.LeaderLeaseProbe;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.store.KvStore;

/**
 * The Ratis state machine of one range: applies {@link RangeCommand}s to the range's {@link
 * KvStore} and answers {@link RangeQuery}s from it.
 *
 * <p>Files: the live store lives in {@code <group dir>/kv/}, outside the state machine directory,
 * because Ratis replaces that directory wholesale when it installs a snapshot from the leader.
 * Snapshots are MapDB copies named by Ratis's {@link SimpleStateMachineStorage} convention.
 */
public final class KvStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);
  private static final Message ALREADY_APPLIED =
      Message.valueOf(
          ByteString.copyFrom(
              RangeResult.newBuilder()
                  .setStatus(RangeResult.Status.APPLIED_RESULT_UNKNOWN)
                  .setMessage("the write took effect before a node restarted, but its result was lost;"
                      + " read the key to see its value")
                  .build()
                  .toByteArray()));

  // One thread commits every replica's deferred writes every few seconds; see KvStore on why rarely.
  private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kv-store-flusher");
    t.setDaemon(true);
    return t;
  });
  private static final long FLUSH_EVERY_MILLIS = 10_000;
  // Keys a split moved away are removed from the store a chunk at a time on the same thread, each
  // chunk holding the range's commands off for a few milliseconds (see KvStore#removeLeftovers).
  private static final int LEFTOVERS_PER_CHUNK = 256;
  private static final long LEFTOVER_CHUNK_EVERY_MILLIS = 10;
  static final String NO_LEASE = "not a leader holding its lease; retry";

  /** Told, on the apply thread, that this replica's range split off a new range. */
  @FunctionalInterface
  public interface SplitListener {
    void splitOff(long rangeId, long newRangeId);
  }

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final SplitListener splits;
  private ScheduledFuture<?> flushing;
  private final java.util.concurrent.atomic.AtomicBoolean removingLeftovers = new java.util.concurrent.atomic.AtomicBoolean();
  private Path seedDir;
  private volatile KvStore store;
  private Path liveFile;
  // The highest log index Ratis has handed over since the store was loaded. Ratis replays the log
  // from the last snapshot, so until this passes the store's own applied index we are replaying.
  private volatile long deliveredIndex;
  private volatile RaftServer.Division division;
  private final pando.stats.RangeLoadTracker load = new pando.stats.RangeLoadTracker(System::nanoTime);
  // Entries applied to the store and the time it took; snapshots installed from a leader.
  private final java.util.concurrent.atomic.LongAdder applies = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder applyNanos = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder snapshotInstalls = new java.util.concurrent.atomic.LongAdder();

  public KvStateMachine() {
    this((rangeId, newRangeId) -> { });
  }

  public KvStateMachine(SplitListener splits) {
    this.splits = splits;
  }

  /**
   * Where a split leaves the first state of the new range for the node to create it from: beside
   * the group directories, so the new group finds it before it has a directory of its own.
   */
  public static Path seedFile(Path raftDir, long newRangeId) {
    return raftDir.resolve(SEEDS).resolve("range-" + newRangeId + ".db");
  }

  static final String SEEDS = "split-seeds";

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    getLifeCycle().startAndTransition(() -> {
      super.initialize(server, groupId, raftStorage);
      storage.init(raftStorage);
      Path groupDir = raftStorage.getStorageDir().getRoot().toPath();
      liveFile = groupDir.resolve("kv").resolve("data.db");
      seedDir = groupDir.getParent();
      adoptSeed(groupId);
      load(storage.getLatestSnapshot());
      flushing = FLUSHER.scheduleWithFixedDelay(this::flush, FLUSH_EVERY_MILLIS, FLUSH_EVERY_MILLIS,
          TimeUnit.MILLISECONDS);
    });
  }

  private void flush() {
    KvStore current = store;
    try {
      current.flush();
    } catch (RuntimeException e) {
      // The store was closed or replaced meanwhile; whoever did that committed it.
      LOG.debug("group={} event=flush-skipped reason={}", getGroupId(), e.toString());
    }
  }

  // Leader changes and the leader's readiness (its first entry applied, so it takes writes), one
  // line each: a range's availability after a split or a failure is read from these. Ratis's own
  // lines for them are below the level a node logs Ratis at.
  @Override
  public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId member,
      org.apache.ratis.protocol.RaftPeerId newLeaderId) {
    LOG.info("group={} event=leader-changed leader={}", getGroupId(), newLeaderId);
  }

  @Override
  public void notifyLeaderReady() {
    LOG.info("group={} event=leader-ready", getGroupId());
  }

  private void startRemovingLeftovers() {
    if (removingLeftovers.compareAndSet(false, true)) {
      FLUSHER.schedule(this::removeLeftoverChunk, LEFTOVER_CHUNK_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void removeLeftoverChunk() {
    KvStore current = store;
    try {
      if (current.removeLeftovers(LEFTOVERS_PER_CHUNK)) {
        FLUSHER.schedule(this::removeLeftoverChunk, LEFTOVER_CHUNK_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        return;
      }
      LOG.info("group={} event=split-leftovers-removed", getGroupId());
    } catch (RuntimeException e) {
      // The store was closed or replaced meanwhile: a replaced one starts its own removal when
      // loaded, a closed one when it is opened again.
      LOG.debug("group={} event=split-leftovers-stopped reason={}", getGroupId(), e.toString());
      removingLeftovers.set(false);
      return;
    }
    removingLeftovers.set(false);
    // A split applied between the last chunk and the flag's reset would otherwise wait for a restart.
    if (current.hasLeftovers()) {
      startRemovingLeftovers();
    }
  }

  /**
   * Ratis pauses the state machine before it installs a snapshot from the leader, once per chunk
   * received, so pausing an already paused machine is a no-op.
   */
  @Override
  public void pause() {
    if (getLifeCycle().compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING)) {
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  @Override
  public void reinitialize() throws IOException {
    // Called after a snapshot from the leader replaced our state machine directory.
    snapshotInstalls.increment();
    closeStore();
    load(storage.loadLatestSnapshot());
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  /**
   * A range created by a split starts from the seed its parent wrote: the seed becomes this
   * replica's snapshot at index 0, so the range's state is whole before its first log entry, and
   * a replica added later (or one that missed the split) is sent that snapshot by the leader
   * instead of a log that does not contain the seeded data.
   */
  private void adoptSeed(RaftGroupId groupId) throws IOException {
    java.util.Optional<Long> rangeId = RangeGroups.rangeId(groupId);
    if (rangeId.isEmpty()) {
      return;
    }
    Path seed = seedFile(seedDir, rangeId.get());
    if (!java.nio.file.Files.exists(seed) || storage.getLatestSnapshot() != null) {
      return;
    }
    File file = storage.getSnapshotFile(0, 0);
    java.nio.file.Files.createDirectories(file.toPath().getParent());
    java.nio.file.Files.copy(seed, file.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, TermIndex.valueOf(0, 0)));
    java.nio.file.Files.delete(seed);
    LOG.info("group={} event=seeded-from-split", groupId);
  }

  private void load(SingleFileSnapshotInfo snapshot) throws IOException {
    KvStore opened = KvStore.open(liveFile);
    // A fresh store takes any snapshot, even one at index 0 (the seed of a split-off range).
    if (snapshot != null && (snapshot.getIndex() > opened.appliedIndex() || opened.isFresh())) {
      opened.close();
      File file = snapshot.getFile().getPath().toFile();
      if (snapshot.getFile().getFileDigest() != null) {
        MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
      }
      opened = KvStore.restore(file.toPath(), liveFile);
      LOG.info("group={} event=restored-snapshot index={}", getGroupId(), snapshot.getIndex());
    }
    store = opened;
    if (opened.hasLeftovers()) {
      startRemovingLeftovers();
    }
    deliveredIndex = snapshot == null ? 0 : snapshot.getIndex();
    if (opened.appliedIndex() > 0) {
      setLastAppliedTermIndex(TermIndex.valueOf(opened.appliedTerm(), opened.appliedIndex()));
    }
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    deliveredIndex = entry.getIndex();
    RangeCommand command;
    try {
      command = RangeCommand.parseFrom(entry.getStateMachineLogEntry().getLogData().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      // Every replica sees the same bytes, so every replica fails the same way: apply nothing.
      command = RangeCommand.getDefaultInstance();
    }
    if (command.hasSplit()) {
      return applySplit(entry, command.getSplit());
    }
    countLoad(command);
    long start = System.nanoTime();
    java.util.Optional<RangeResult> applied = store.apply(entry.getTerm(), entry.getIndex(), command);
    applyNanos.add(System.nanoTime() - start);
    applies.increment();
    return CompletableFuture.completedFuture(
        applied
            .map(
                result -> {
                  advanceApplied(entry.getTerm(), entry.getIndex());
                  return Message.valueOf(ByteString.copyFrom(result.toByteArray()));
                })
            .orElse(ALREADY_APPLIED));
  }

  private CompletableFuture<Message> applySplit(LogEntryProto entry, pando.internal.v1.SplitCommand split) {
    java.util.Optional<RangeResult> result;
    try {
      result = store.split(entry.getTerm(), entry.getIndex(), split, seedFile(seedDir, split.getNewRangeId()));
    } catch (IOException e) {
      // The seed could not be written: stop here rather than apply a split whose new half is lost.
      return CompletableFuture.failedFuture(e);
    }
    if (result.isEmpty()) {
      return CompletableFuture.completedFuture(ALREADY_APPLIED);
    }
    advanceApplied(entry.getTerm(), entry.getIndex());
    if (result.get().hasSplit()) {
      LOG.info("group={} event=split new-range={} at={} left-keys={} right-keys={}", getGroupId(),
          split.getNewRangeId(), Long.toUnsignedString(result.get().getSplit().getSplitHash(), 16),
          result.get().getSplit().getLeftKeys(), result.get().getSplit().getRightKeys());
      RangeGroups.rangeId(getGroupId()).ifPresent(id -> splits.splitOff(id, split.getNewRangeId()));
      startRemovingLeftovers();
    }
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(result.get().toByteArray())));
  }

  /** Counts a write on the leader only: followers apply the same commands, and the leader reports. */
  private void countLoad(RangeCommand command) {
    RaftServer.Division d = division();
    if (d == null || !d.getInfo().isLeader()) {
      return;
    }
    if (command.hasBatch()) {
      command.getBatch().getProposalsList().forEach(p -> countOne(p.getCommand()));
    } else {
      countOne(command);
    }
  }

  private void countOne(RangeCommand command) {
    if (command.hasOpenSession()) {
      return;
    }
    if (command.hasRead()) {
      load.read(command.getRead().getKeysList(), 0);
    } else {
      load.write(pando.store.RangeCommands.keys(command),
          command.hasIncr() ? pando.stats.SpaceSaving.Access.INCREMENT : pando.stats.SpaceSaving.Access.WRITE,
          command.getSerializedSize());
    }
  }

  /**
   * This replica's load since the previous call: rates, and the {@code topKeysMax} hottest keys.
   * Called once per heartbeat.
   */
  public pando.stats.RangeLoadTracker.Report drainLoad(int topKeysMax) {
    return load.drain(topKeysMax);
  }

  /** The range's bounds as this replica knows them; empty until its first split. */
  public java.util.Optional<pando.api.HashRange> bounds() {
    return store.bounds();
  }

  public long version() {
    return store.version();
  }

  /** Bytes of keys and values this replica holds. */
  public long dataBytes() {
    return store.dataBytes();
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    // Configuration and leader no-op entries: they change no data, but they move the applied index.
    deliveredIndex = index;
    advanceApplied(term, index);
  }

  private void advanceApplied(long term, long index) {
    TermIndex current = getLastAppliedTermIndex();
    if (current == null || index > current.getIndex()) {
      updateLastAppliedTermIndex(term, index);
    }
  }

  /**
   * A linearizable read, answered only by a leader that holds its lease at this moment (see {@link
   * LeaderLeaseProbe} for why Ratis's own check is not enough). Anything else is refused with a
   * {@link ReadException} that the caller may retry: the lease comes back with the next heartbeat
   * a majority answers, or the client finds the new leader.
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    if (!holdsLease()) {
      return CompletableFuture.failedFuture(new ReadException(NO_LEASE + " (group " + getGroupId() + ")"));
    }
    return readLocal(request);
  }

  /** True if this replica is a ready leader holding its lease at this instant. */
  public boolean holdsLease() {
    RaftServer.Division division = division();
    return division != null && LeaderLeaseProbe.holdsLease(division);
  }

  /** A read of this replica's state as it is now, which may be behind the leader's. */
  @Override
  public CompletableFuture<Message> queryStale(Message request, long minIndex) {
    return readLocal(request);
  }

  /** Answers a {@link RangeQuery} from this replica's state as it is now, asking no one. */
  public CompletableFuture<Message> readLocal(Message request) {
    try {
      RangeResult result = read(RangeQuery.parseFrom(request.getContent().toByteArray()));
      return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(result.toByteArray())));
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Answers a query from this replica's state as it is now, asking no one, and counts it as load.
   *
   * @throws KvStore.WrongRangeException if a key lies outside the range since a split
   */
  public RangeResult read(RangeQuery query) {
    RangeResult result = store.query(query);
    load.read(query.getKeysList(), result.getSerializedSize());
    return result;
  }

  /** True if {@code error} is this state machine's refusal to read without the leader lease. */
  public static boolean isLeaseRefusal(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ReadException && String.valueOf(t.getMessage()).contains(NO_LEASE)) {
        return true;
      }
    }
    return false;
  }

  private RaftServer.Division division() {
    RaftServer.Division d = division;
    if (d == null) {
      RaftServer server = getServer().getNow(null);
      if (server == null) {
        return null; // not initialized yet
      }
      try {
        d = server.getDivision(getGroupId());
      } catch (IOException e) {
        return null; // the group is being added or removed
      }
      division = d;
    }
    return d;
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0 || last.getIndex() > deliveredIndex) {
      // Nothing applied yet, or still replaying entries the store already holds: Ratis would reject
      // a snapshot beyond what it has delivered.
      return RaftLog.INVALID_LOG_INDEX;
    }
    // Make the live file durable up to the snapshot first: once the snapshot exists, Ratis may purge
    // the log entries a crash would otherwise have to replay into it.
    store.flush();
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    store.writeSnapshot(file.toPath(), last.getTerm(), last.getIndex());
    FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, last));
    LOG.info("group={} event=snapshot index={} keys={}", getGroupId(), last.getIndex(), store.keyCount());
    return last.getIndex();
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /** Entries applied to the store since this replica opened, and the total time they took. */
  public pando.raft.metrics.LightRatisMetrics.TimerTotals applyTotals() {
    return new pando.raft.metrics.LightRatisMetrics.TimerTotals(applies.sum(), applyNanos.sum());
  }

  /** Snapshots installed from a leader since this replica opened. */
  public long snapshotInstalls() {
    return snapshotInstalls.sum();
  }

  /** Size of the store file on disk, 0 if it cannot be read; for statistics. */
  public long storeBytes() {
    try {
      return java.nio.file.Files.size(liveFile);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Keys held by this replica; for statistics and tests. */
  public long keyCount() {
    return store.keyCount();
  }

  @Override
  public void close() throws IOException {
    if (flushing != null) {
      flushing.cancel(false);
    }
    closeStore();
    super.close();
  }

  private void closeStore() {
    KvStore current = store;
    if (current != null) {
      current.close();
    }
  }
}
