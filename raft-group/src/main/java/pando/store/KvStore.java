package pando.store;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import pando.api.HashRange;
import pando.api.KeyHash;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.internal.v1.SplitCommand;
import pando.internal.v1.SplitResult;
import pando.v1.BatchGetResponse;

/**
 * One replica's data: a MapDB B-tree of key to value in a single file, a second B-tree of key to
 * {@link pando.internal.v1.KeyMeta} (see {@link KeyMetas}), plus the Raft index of the last command
 * applied to it. Metas go wherever values go: into a split's seed, snapshots and restores.
 *
 * <p>The applied index is written in the same MapDB commit as the data it covers, so after any
 * crash the file holds exactly the commands up to that index: a restart neither loses a command
 * nor applies one twice (the caller skips re-delivered commands through {@link #apply}).
 *
 * <p>Commits are grouped: every {@value #COMMIT_EVERY_ENTRIES} commands or {@value
 * #COMMIT_EVERY_BYTES} bytes of commands, and whenever the owner calls {@link #flush}. A MapDB
 * commit creates, syncs and deletes a write-ahead log file while it holds the lock that commands
 * and reads take, tens of milliseconds on a busy disk, and nothing is lost by deferring it: the
 * commands are durable in the Raft log, and after a crash the replica replays from its last commit.
 *
 * <p>Writes come from one thread (the Raft apply loop); reads may come from any thread. A read
 * never sees part of a command: MapDB shows uncommitted changes to readers, so commands and reads
 * exclude each other with a lock.
 */
public final class KvStore implements AutoCloseable {
  private static final String DATA = "data";
  private static final String APPLIED_INDEX = "appliedIndex";
  private static final String APPLIED_TERM = "appliedTerm";
  // The range's bounds and version, recorded by its first split (or by the split that created it).
  // A store without them (version 0) has never been split and serves any key it is sent.
  private static final String VERSION = "epochVersion";
  private static final String BOUNDS_START = "boundsStart";
  private static final String BOUNDS_END = "boundsEnd";
  private static final String DATA_BYTES = "dataBytes";
  // Added after the first files were written: a file without them has no metas yet.
  private static final String META = "meta";
  private static final String META_BYTES = "metaBytes";
  // Writer sessions (see Sessions), by id, and the log clock they age by.
  private static final String SESSIONS = "sessions";
  private static final String SESSION_CLOCK = "sessionClockMillis";

  private final DB db;
  private final BTreeMap<byte[], byte[]> tree;
  // The tree, counting the bytes of keys and values as commands change it.
  private final SizedMap data;
  private final BTreeMap<byte[], byte[]> metaTree;
  // The meta tree, counted the same way.
  private final SizedMap metaData;
  private final KeyMetas metas;
  private final Atomic.Long appliedIndex;
  private final Atomic.Long appliedTerm;
  private final Atomic.Long version;
  private final Atomic.Long boundsStart;
  private final Atomic.Long boundsEnd;
  private final Atomic.Long dataBytes;
  private final Atomic.Long metaBytes;
  private final BTreeMap<Long, byte[]> sessionTree;
  private final Atomic.Long sessionClock;
  // The live sessions; written to sessionTree at each commit (see commitLocked).
  private final Sessions sessions;
  // The index of the last entry that opened a session: an entry opens at most one, since a
  // session's id is the entry's key version.
  private long openedAtIndex; // guarded by the write lock
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  static final int COMMIT_EVERY_ENTRIES = 50_000;
  // Uncommitted changes live in MapDB's write-ahead log until the commit, so large values commit sooner.
  static final long COMMIT_EVERY_BYTES = 64L << 20;
  private int uncommittedEntries; // guarded by the write lock
  private long uncommittedBytes; // guarded by the write lock

  private KvStore(DB db) {
    this.db = db;
    this.tree = db.treeMap(DATA, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
    this.appliedIndex = db.atomicLong(APPLIED_INDEX).createOrOpen();
    this.appliedTerm = db.atomicLong(APPLIED_TERM).createOrOpen();
    this.version = db.atomicLong(VERSION).createOrOpen();
    this.boundsStart = db.atomicLong(BOUNDS_START).createOrOpen();
    this.boundsEnd = db.atomicLong(BOUNDS_END).createOrOpen();
    boolean counted = db.exists(DATA_BYTES);
    this.dataBytes = db.atomicLong(DATA_BYTES).createOrOpen();
    // A store written before the count existed is counted once.
    this.data = new SizedMap(tree, counted ? dataBytes.get() : SizedMap.count(tree));
    this.metaTree = db.treeMap(META, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
    boolean metaCounted = db.exists(META_BYTES);
    this.metaBytes = db.atomicLong(META_BYTES).createOrOpen();
    this.metaData = new SizedMap(metaTree, metaCounted ? metaBytes.get() : SizedMap.count(metaTree));
    this.metas = new KeyMetas(metaData);
    this.sessionTree = db.treeMap(SESSIONS, Serializer.LONG, Serializer.BYTE_ARRAY).createOrOpen();
    this.sessionClock = db.atomicLong(SESSION_CLOCK).createOrOpen();
    this.sessions = Sessions.of(SESSION_LIMITS, parsedSessions(sessionTree.values()), sessionClock.get());
  }

  static final Sessions.Limits SESSION_LIMITS = Sessions.Limits.defaults();

  private static List<pando.internal.v1.SessionRecord> parsedSessions(Iterable<byte[]> records) {
    List<pando.internal.v1.SessionRecord> parsed = new java.util.ArrayList<>();
    for (byte[] bytes : records) {
      try {
        parsed.add(pando.internal.v1.SessionRecord.parseFrom(bytes));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException("a writer session in the store file is unreadable: " + e.getMessage(), e);
      }
    }
    return parsed;
  }

  /** Opens (or creates) the store in {@code file}, with MapDB's write-ahead log for crash safety. */
  public static KvStore open(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    DB db =
        DBMaker.fileDB(file.toFile())
            .transactionEnable()
            .fileMmapEnableIfSupported()
            .fileMmapPreclearDisable()
            .cleanerHackEnable()
            .make();
    return new KvStore(db);
  }

  /** The Raft index of the last command whose effect this file holds; 0 if none. */
  public long appliedIndex() {
    return appliedIndex.get();
  }

  public long appliedTerm() {
    return appliedTerm.get();
  }

  /**
   * Applies the command at {@code index}, or does nothing if the file already holds it (a restart
   * re-delivers the log after the last snapshot). Returns empty in that case.
   *
   * <p>A command at an index too large for a {@link KeyVersions key version} is refused with
   * OUT_OF_RANGE and changes nothing: versions that wrapped would break the order of a key's
   * writes that salted copies rely on.
   */
  public Optional<RangeResult> apply(long term, long index, RangeCommand command) {
    if (index <= appliedIndex.get()) {
      return Optional.empty();
    }
    lock.writeLock().lock();
    try {
      // No rollback on failure: earlier commands of this uncommitted group were already answered.
      // A failure here is an I/O fault; the Raft server stops this replica, and a restart replays
      // the log from the last commit.
      RangeResult result;
      if (command.hasBatch()) {
        sessions.tick(command.getBatch().getProposedAtUnixMillis());
        pando.internal.v1.BatchResult.Builder results = pando.internal.v1.BatchResult.newBuilder();
        for (pando.internal.v1.Proposal proposal : command.getBatch().getProposalsList()) {
          results.addResults(applyProposal(index, proposal));
        }
        result = RangeResult.newBuilder().setBatch(results).build();
      } else {
        result = applyCommand(index, command);
      }
      appliedIndex.set(index);
      appliedTerm.set(term);
      uncommittedBytes += command.getSerializedSize();
      if (++uncommittedEntries >= COMMIT_EVERY_ENTRIES || uncommittedBytes >= COMMIT_EVERY_BYTES) {
        commitLocked();
      }
      return Optional.of(result);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * One write of a batch: applied unless its session already applied it (then answered as then) or
   * refuses it. Refusals that change nothing are not recorded, so a later send may still apply.
   */
  private RangeResult applyProposal(long index, pando.internal.v1.Proposal proposal) {
    RangeCommand command = proposal.getCommand();
    if (command.hasBatch() || command.hasSplit()) {
      return RangeCommands.failed(RangeResult.Status.FAILED_PRECONDITION, "a batch holds no batch and no split");
    }
    if (!proposal.hasId() || command.hasOpenSession()) {
      return applyCommand(index, command);
    }
    Optional<ByteString> outside = outside(RangeCommands.keys(command));
    if (outside.isPresent()) {
      // Before the session check: the write belongs to another range, which applies it (once).
      return RangeCommands.failed(RangeResult.Status.WRONG_RANGE, wrongRange(outside.get()));
    }
    Sessions.Verdict verdict = sessions.check(proposal.getId(), index);
    if (verdict instanceof Sessions.Verdict.Answered answered) {
      return answered.result();
    }
    if (verdict instanceof Sessions.Verdict.Refused refused) {
      return RangeCommands.failed(refused.status(), refused.message());
    }
    RangeResult result = applyCommand(index, command);
    sessions.record(proposal.getId(), result);
    return result;
  }

  /** One command, without regard to sessions. */
  private RangeResult applyCommand(long index, RangeCommand command) {
    Optional<String> unversioned = KeyVersions.refusal(version(), index);
    if (unversioned.isPresent()) {
      return RangeCommands.failed(RangeResult.Status.OUT_OF_RANGE, "cannot apply: " + unversioned.get());
    }
    if (command.hasOpenSession()) {
      if (openedAtIndex == index) {
        return RangeCommands.failed(RangeResult.Status.FAILED_PRECONDITION,
            "one log entry opens at most one session; open it again");
      }
      openedAtIndex = index;
      long id = KeyVersions.of(version(), index);
      sessions.open(id, index);
      return RangeResult.newBuilder()
          .setOpenSession(pando.internal.v1.OpenSessionResult.newBuilder().setSession(id)).build();
    }
    Optional<ByteString> outside = outside(RangeCommands.keys(command));
    if (outside.isPresent()) {
      return RangeCommands.failed(RangeResult.Status.WRONG_RANGE, wrongRange(outside.get()));
    }
    return RangeCommands.apply(data, metas, command, KeyVersions.of(version(), index));
  }

  /** Commits applied commands not yet committed, if any. */
  public void flush() {
    lock.writeLock().lock();
    try {
      if (uncommittedEntries > 0) {
        commitLocked();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void commitLocked() {
    dataBytes.set(data.bytes());
    metaBytes.set(metaData.bytes());
    Sessions.Changes changes = sessions.takeChanges();
    for (pando.internal.v1.SessionRecord record : changes.changed()) {
      sessionTree.put(record.getId(), record.toByteArray());
    }
    for (Long id : changes.dropped()) {
      sessionTree.remove(id);
    }
    sessionClock.set(sessions.clockMillis());
    db.commit();
    uncommittedEntries = 0;
    uncommittedBytes = 0;
  }

  /**
   * Answers a query as of the last applied command: the values, their metas if asked for, and the
   * {@code as_of_version} of that state, all taken under one lock so they agree.
   *
   * @throws WrongRangeException if a key lies outside the range's bounds (it was split away)
   * @throws IllegalStateException if the applied index is too large for a {@link KeyVersions key
   *     version} (no write gets past that point either)
   */
  public RangeResult query(RangeQuery query) {
    lock.readLock().lock();
    try {
      Optional<ByteString> outside = outside(query.getKeysList());
      if (outside.isPresent()) {
        throw new WrongRangeException(wrongRange(outside.get()));
      }
      return RangeCommands.read(data, metas, query, KeyVersions.of(version(), appliedIndex.get()));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The values of {@code keys} as of the last applied command; see {@link #query}. */
  public BatchGetResponse read(List<ByteString> keys) {
    return query(RangeQuery.newBuilder().addAllKeys(keys).build()).getGet();
  }

  /** A key sent to a range that no longer owns it. */
  public static final class WrongRangeException extends RuntimeException {
    public WrongRangeException(String message) {
      super(message);
    }
  }

  private Optional<ByteString> outside(List<ByteString> keys) {
    Optional<HashRange> bounds = bounds();
    if (bounds.isEmpty()) {
      return Optional.empty();
    }
    return keys.stream().filter(k -> !bounds.get().contains(KeyHash.of(k.toByteArray()))).findFirst();
  }

  private String wrongRange(ByteString key) {
    return "key hash " + Long.toUnsignedString(KeyHash.of(key.toByteArray()), 16) + " is outside this range "
        + bounds().orElseThrow() + " since a split, so nothing was applied; refresh the range table and retry";
  }

  /** The range's bounds, once a split recorded them; empty for a range never split. */
  public Optional<HashRange> bounds() {
    return version.get() == 0 ? Optional.empty()
        : Optional.of(new HashRange(boundsStart.get(), boundsEnd.get()));
  }

  /** The range's version as this replica knows it: 1 until its first split. */
  public long version() {
    return Math.max(1, version.get());
  }

  /** Bytes of keys and values held, and of the keys and metas beside them, as of the last applied command. */
  public long dataBytes() {
    return data.bytes() + metaData.bytes();
  }

  /** True for a store that has never applied a command nor been seeded: anything may replace it. */
  public boolean isFresh() {
    return appliedIndex.get() == 0 && version.get() == 0 && tree.isEmpty() && metaTree.isEmpty();
  }

  /**
   * Applies a split at {@code index}: writes the right half to a new store file {@code seedFile}
   * (durably, before anything here changes), then removes it from this store and records the
   * left half's bounds and version, committed at once with the applied index. Returns empty if
   * the file already holds the index (a replayed entry; the seed was written the first time).
   */
  public Optional<RangeResult> split(long term, long index, SplitCommand split, Path seedFile) throws IOException {
    if (index <= appliedIndex.get()) {
      return Optional.empty();
    }
    lock.writeLock().lock();
    try {
      HashRange bounds;
      Optional<String> refusal;
      try {
        bounds = bounds().orElseGet(() -> new HashRange(split.getStart(), split.getEnd()));
        refusal = SplitPoint.refusal(version(), bounds, split);
      } catch (IllegalArgumentException e) {
        // Bounds from the command that are not a range: refused like any bad split, never thrown,
        // or every replica would fail on this entry each time it replays the log.
        bounds = HashRange.full();
        refusal = Optional.of("invalid bounds in the split command: " + e.getMessage());
      }
      long at = 0;
      if (refusal.isEmpty()) {
        if (split.hasSplitHash()) {
          at = split.getSplitHash();
        } else {
          java.util.OptionalLong median = SplitPoint.median(bounds, tree.keySet());
          if (median.isEmpty()) {
            refusal = Optional.of("range holds too few distinct key hashes to split at its median");
          } else {
            at = median.getAsLong();
          }
        }
      }
      if (refusal.isEmpty() && (!bounds.contains(at) || at == bounds.start())) {
        refusal = Optional.of("split point " + Long.toUnsignedString(at, 16) + " is not inside " + bounds);
      }
      RangeResult result;
      if (refusal.isPresent()) {
        result = RangeResult.newBuilder().setStatus(RangeResult.Status.FAILED_PRECONDITION)
            .setMessage("cannot split: " + refusal.get()).build();
      } else {
        HashRange left = new HashRange(bounds.start(), at);
        HashRange right = new HashRange(at, bounds.end());
        long newVersion = version() + 1;
        List<byte[]> moving = keysIn(right, tree);
        List<byte[]> movingMetas = keysIn(right, metaTree);
        writeSeed(seedFile, moving, movingMetas, right, newVersion);
        for (byte[] key : moving) {
          data.remove(key);
        }
        for (byte[] key : movingMetas) {
          metaData.remove(key);
        }
        version.set(newVersion);
        boundsStart.set(left.start());
        boundsEnd.set(left.end());
        result = RangeResult.newBuilder().setSplit(SplitResult.newBuilder()
            .setSplitHash(at).setNewRangeId(split.getNewRangeId())
            .setLeftKeys(tree.sizeLong()).setRightKeys(moving.size())).build();
      }
      appliedIndex.set(index);
      appliedTerm.set(term);
      commitLocked();
      return Optional.of(result);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static List<byte[]> keysIn(HashRange bounds, BTreeMap<byte[], byte[]> map) {
    List<byte[]> keys = new java.util.ArrayList<>();
    for (byte[] key : map.keySet()) {
      if (bounds.contains(KeyHash.of(key))) {
        keys.add(key);
      }
    }
    return keys;
  }

  /**
   * A new range's first state: the given keys of this store with their values and metas, its
   * bounds and version, no applied index.
   */
  private void writeSeed(Path seedFile, List<byte[]> keys, List<byte[]> metaKeys, HashRange bounds, long newVersion)
      throws IOException {
    Files.createDirectories(seedFile.toAbsolutePath().getParent());
    Path tmp = seedFile.resolveSibling(seedFile.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    // Both halves keep every session: a write retried after the split reaches the half that now
    // holds its key, which must still know whether it was applied.
    writeStoreFile(tmp, entriesOf(keys, tree), entriesOf(metaKeys, metaTree),
        new Recorded(0, 0, newVersion, bounds.start(), bounds.end(), sessions.records(), sessions.clockMillis()));
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(tmp, seedFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public long keyCount() {
    return tree.sizeLong();
  }

  /** The start of the bounds recorded in a seed file. */
  public static long seedStart(Path seedFile) {
    DB seed = DBMaker.fileDB(seedFile.toFile()).readOnly().fileMmapEnableIfSupported().cleanerHackEnable().make();
    try {
      return seed.atomicLong(BOUNDS_START).open().get();
    } finally {
      seed.close();
    }
  }

  /**
   * Writes a consistent copy of this store's data to a new MapDB file at {@code target}, recorded
   * as of Raft position {@code (term, index)} (which may be past the last command applied here,
   * when later log entries changed no data). The caller must not apply commands meanwhile.
   */
  public void writeSnapshot(Path target, long term, long index) throws IOException {
    if (index < appliedIndex.get()) {
      throw new IllegalArgumentException(
          "snapshot index " + index + " is behind applied index " + appliedIndex.get());
    }
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    writeStoreFile(tmp, tree.entrySet(), metaTree.entrySet(),
        new Recorded(index, term, version.get(), boundsStart.get(), boundsEnd.get(), sessions.records(),
            sessions.clockMillis()));
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** What a store file records besides its entries. */
  private record Recorded(long appliedIndex, long appliedTerm, long version, long boundsStart, long boundsEnd,
      List<pando.internal.v1.SessionRecord> sessions, long sessionClockMillis) {}

  /** Writes a new store file (a seed or a snapshot) holding the given values and metas. */
  private static void writeStoreFile(Path file, Iterable<Map.Entry<byte[], byte[]>> values,
      Iterable<Map.Entry<byte[], byte[]>> keyMetas, Recorded recorded) {
    DB db = DBMaker.fileDB(file.toFile()).fileMmapEnableIfSupported().cleanerHackEnable().make();
    try {
      long valueBytes = copyInto(db.treeMap(DATA, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).create(), values);
      long metaBytes = copyInto(db.treeMap(META, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).create(), keyMetas);
      db.atomicLong(APPLIED_INDEX).create().set(recorded.appliedIndex());
      db.atomicLong(APPLIED_TERM).create().set(recorded.appliedTerm());
      db.atomicLong(VERSION).create().set(recorded.version());
      db.atomicLong(BOUNDS_START).create().set(recorded.boundsStart());
      db.atomicLong(BOUNDS_END).create().set(recorded.boundsEnd());
      db.atomicLong(DATA_BYTES).create().set(valueBytes);
      db.atomicLong(META_BYTES).create().set(metaBytes);
      BTreeMap<Long, byte[]> sessionTree = db.treeMap(SESSIONS, Serializer.LONG, Serializer.BYTE_ARRAY).create();
      for (pando.internal.v1.SessionRecord session : recorded.sessions()) {
        sessionTree.put(session.getId(), session.toByteArray());
      }
      db.atomicLong(SESSION_CLOCK).create().set(recorded.sessionClockMillis());
      db.commit();
    } finally {
      db.close();
    }
  }

  /** Puts every entry into {@code target}; returns the bytes of their keys and values. */
  private static long copyInto(Map<byte[], byte[]> target, Iterable<Map.Entry<byte[], byte[]>> entries) {
    long bytes = 0;
    for (Map.Entry<byte[], byte[]> entry : entries) {
      target.put(entry.getKey(), entry.getValue());
      bytes += entry.getKey().length + entry.getValue().length;
    }
    return bytes;
  }

  /** The entries of {@code keys} in {@code map}, read as they are iterated. */
  private static Iterable<Map.Entry<byte[], byte[]>> entriesOf(List<byte[]> keys, Map<byte[], byte[]> map) {
    return () -> keys.stream().map(key -> Map.entry(key, map.get(key))).iterator();
  }

  /**
   * Replaces the store at {@code liveFile} with the contents of a snapshot file written by {@link
   * #writeSnapshot}, and opens it.
   */
  public static KvStore restore(Path snapshot, Path liveFile) throws IOException {
    deleteStoreFiles(liveFile);
    KvStore restored = open(liveFile);
    DB source = DBMaker.fileDB(snapshot.toFile()).readOnly().fileMmapEnableIfSupported().cleanerHackEnable().make();
    try {
      BTreeMap<byte[], byte[]> sourceData =
          source.treeMap(DATA, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).open();
      for (Map.Entry<byte[], byte[]> entry : sourceData.entrySet()) {
        restored.data.put(entry.getKey(), entry.getValue());
      }
      // Snapshots and seeds written before metas existed have none.
      if (source.exists(META)) {
        for (Map.Entry<byte[], byte[]> entry : source.treeMap(META, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
            .open().entrySet()) {
          restored.metaData.put(entry.getKey(), entry.getValue());
        }
      }
      restored.appliedIndex.set(source.atomicLong(APPLIED_INDEX).open().get());
      restored.appliedTerm.set(source.atomicLong(APPLIED_TERM).open().get());
      // Snapshots of a range never split have no bounds.
      if (source.exists(VERSION)) {
        restored.version.set(source.atomicLong(VERSION).open().get());
        restored.boundsStart.set(source.atomicLong(BOUNDS_START).open().get());
        restored.boundsEnd.set(source.atomicLong(BOUNDS_END).open().get());
      }
      restored.commitLocked(); // unshared until returned, so no lock to take
      // Files written before sessions existed have none. Copied after the commit above, which
      // would write the (empty) live sessions over them.
      if (source.exists(SESSIONS)) {
        restored.sessionTree.putAll(source.treeMap(SESSIONS, Serializer.LONG, Serializer.BYTE_ARRAY).open());
        restored.sessionClock.set(source.atomicLong(SESSION_CLOCK).open().get());
        restored.db.commit();
      }
    } catch (RuntimeException e) {
      restored.close();
      throw e;
    } finally {
      source.close();
    }
    // Reopened so that its live sessions are those just copied in.
    restored.close();
    restored = open(liveFile);
    return restored;
  }

  /** Deletes the store file and its write-ahead log files. */
  public static void deleteStoreFiles(Path liveFile) throws IOException {
    Path dir = liveFile.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    String name = liveFile.getFileName().toString();
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String n = p.getFileName().toString();
        if (n.equals(name) || n.startsWith(name + ".wal")) {
          Files.delete(p);
        }
      }
    }
  }

  @Override
  public void close() {
    if (!db.isClosed()) {
      flush();
      db.close();
    }
  }
}
