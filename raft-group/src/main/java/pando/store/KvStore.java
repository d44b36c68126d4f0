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
  // Added after DATA_BYTES: a file without it is counted once when opened.
  private static final String DATA_KEYS = "dataKeys";
  // Added after the first files were written: a file without them has no metas yet.
  private static final String META = "meta";
  private static final String META_BYTES = "metaBytes";
  // 1 while the trees may still hold keys a split moved away (see removeLeftovers).
  private static final String LEFTOVERS = "leftoversOfSplit";
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
  private final Atomic.Long dataKeys;
  private final Atomic.Long metaBytes;
  private final Atomic.Long leftovers;
  // The value of leftovers, readable without touching the file (which may be closed meanwhile).
  private volatile boolean leftoversPending;
  // Where the removal of leftovers goes on from: the last key looked at in each tree.
  private byte[] leftoverDataCursor; // guarded by the write lock
  private byte[] leftoverMetaCursor; // guarded by the write lock
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
    this.tree = byteTree(db, DATA).createOrOpen();
    this.appliedIndex = db.atomicLong(APPLIED_INDEX).createOrOpen();
    this.appliedTerm = db.atomicLong(APPLIED_TERM).createOrOpen();
    this.version = db.atomicLong(VERSION).createOrOpen();
    this.boundsStart = db.atomicLong(BOUNDS_START).createOrOpen();
    this.boundsEnd = db.atomicLong(BOUNDS_END).createOrOpen();
    boolean counted = db.exists(DATA_BYTES) && db.exists(DATA_KEYS);
    this.dataBytes = db.atomicLong(DATA_BYTES).createOrOpen();
    this.dataKeys = db.atomicLong(DATA_KEYS).createOrOpen();
    // A store written before the counts existed is counted once.
    this.data = new SizedMap(tree,
        counted ? new SizedMap.Size(dataKeys.get(), dataBytes.get()) : SizedMap.count(tree));
    this.metaTree = byteTree(db, META).createOrOpen();
    boolean metaCounted = db.exists(META_BYTES);
    this.metaBytes = db.atomicLong(META_BYTES).createOrOpen();
    // Metas are few (salted keys only), so their entries are counted when opened, not stored.
    this.metaData = new SizedMap(metaTree, metaCounted
        ? new SizedMap.Size(metaTree.sizeLong(), metaBytes.get()) : SizedMap.count(metaTree));
    this.metas = new KeyMetas(metaData);
    this.leftovers = db.atomicLong(LEFTOVERS).createOrOpen();
    this.leftoversPending = leftovers.get() != 0;
    this.sessionTree = db.treeMap(SESSIONS, Serializer.LONG, Serializer.BYTE_ARRAY).createOrOpen();
    this.sessionClock = db.atomicLong(SESSION_CLOCK).createOrOpen();
    this.sessions = Sessions.of(SESSION_LIMITS, parsedSessions(sessionTree.values()), sessionClock.get());
  }

  static final Sessions.Limits SESSION_LIMITS = Sessions.Limits.defaults();

  /**
   * A tree of byte-array keys and values as every store file holds them. Values live outside the
   * B-tree's nodes: a put then rewrites a node of keys and one value, not a node of up to 32
   * values, and a get reads one value (about 2.5 times faster puts and 1.3 times faster gets of
   * 100-byte values, for files 15% larger). A file keeps the layout it was created with: MapDB
   * records it in the file, and opening follows the record.
   */
  private static DB.TreeMapMaker<byte[], byte[]> byteTree(DB db, String name) {
    return db.treeMap(name, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).valuesOutsideNodesEnable();
  }

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
    dataKeys.set(data.entries());
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
        Sizes moved = writeSeed(seedFile, right, newVersion);
        // The moved keys leave the counts now and the trees later: outside the new bounds they can
        // be neither read nor written, and removing them one by one here would hold this range's
        // writes for seconds (a put-sized B-tree change per key).
        data.uncount(moved.values());
        metaData.uncount(moved.metas());
        leftovers.set(1);
        leftoversPending = true;
        leftoverDataCursor = null;
        leftoverMetaCursor = null;
        version.set(newVersion);
        boundsStart.set(left.start());
        boundsEnd.set(left.end());
        result = RangeResult.newBuilder().setSplit(SplitResult.newBuilder()
            .setSplitHash(at).setNewRangeId(split.getNewRangeId())
            .setLeftKeys(data.entries()).setRightKeys(moved.values().entries())).build();
      }
      appliedIndex.set(index);
      appliedTerm.set(term);
      commitLocked();
      return Optional.of(result);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * True while the trees may hold keys that a split moved to another range: {@link
   * #removeLeftovers} has more to do.
   */
  public boolean hasLeftovers() {
    return leftoversPending;
  }

  /**
   * Removes up to {@code maxKeys} keys that a split moved away, holding commands off only while it
   * removes them, and returns true if more may remain. The keys are found by reading on from
   * where the last call stopped, at most {@code 16 * maxKeys} keys a call. The removals become
   * durable with the next commit; after a crash the trees are read again from their start.
   */
  public boolean removeLeftovers(int maxKeys) {
    lock.writeLock().lock();
    try {
      if (db.isClosed() || !hasLeftovers()) {
        return false;
      }
      HashRange bounds = bounds().orElseThrow();
      LeftoverChunk dataChunk = LeftoverChunk.read(tree, leftoverDataCursor, bounds, maxKeys);
      dataChunk.removeFrom(tree);
      leftoverDataCursor = dataChunk.next();
      if (dataChunk.next() == null) {
        LeftoverChunk metaChunk = LeftoverChunk.read(metaTree, leftoverMetaCursor, bounds, maxKeys);
        metaChunk.removeFrom(metaTree);
        leftoverMetaCursor = metaChunk.next();
        if (metaChunk.next() == null) {
          leftovers.set(0);
          leftoversPending = false;
        }
      }
      uncommittedEntries++; // so that the next flush commits the removals
      return hasLeftovers();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Keys outside the bounds found in one stretch of a tree, and where the next stretch starts (null: at the end). */
  private record LeftoverChunk(List<byte[]> keys, byte[] next) {
    /** Reads on from just after {@code from} (null: the first key). */
    static LeftoverChunk read(BTreeMap<byte[], byte[]> map, byte[] from, HashRange bounds, int maxKeys) {
      List<byte[]> found = new java.util.ArrayList<>();
      int read = 0;
      byte[] lastRead = null;
      var keys = from == null ? map.keySet() : map.keySet().tailSet(from, false);
      for (byte[] key : keys) {
        if (found.size() >= maxKeys || read >= 16 * maxKeys) {
          return new LeftoverChunk(found, lastRead);
        }
        read++;
        lastRead = key;
        if (!bounds.contains(KeyHash.of(key))) {
          found.add(key);
        }
      }
      return new LeftoverChunk(found, null);
    }

    void removeFrom(BTreeMap<byte[], byte[]> map) {
      for (byte[] key : keys) {
        map.remove(key);
      }
    }
  }

  /**
   * A new range's first state: this store's keys in {@code bounds} with their values and metas, its
   * bounds and version, no applied index. Returns what it holds.
   */
  private Sizes writeSeed(Path seedFile, HashRange bounds, long newVersion) throws IOException {
    Files.createDirectories(seedFile.toAbsolutePath().getParent());
    Path tmp = seedFile.resolveSibling(seedFile.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    // Both halves keep every session: a write retried after the split reaches the half that now
    // holds its key, which must still know whether it was applied.
    Sizes written = writeStoreFile(tmp, entriesIn(bounds, tree), entriesIn(bounds, metaTree),
        new Recorded(0, 0, newVersion, bounds.start(), bounds.end(), sessions.records(), sessions.clockMillis()));
    syncToDisk(tmp);
    Files.move(tmp, seedFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return written;
  }

  /** Keys in the data tree, leftovers of a split included, by reading every leaf; for tests. */
  long storedKeys() {
    return tree.sizeLong();
  }

  /** The keys held, as of the last applied command; counted as commands change them, not by a scan. */
  public long keyCount() {
    return data.entries();
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
   * when later log entries changed no data). The caller must not apply commands meanwhile. Keys a
   * split moved away and not yet removed are left out.
   */
  public void writeSnapshot(Path target, long term, long index) throws IOException {
    if (index < appliedIndex.get()) {
      throw new IllegalArgumentException(
          "snapshot index " + index + " is behind applied index " + appliedIndex.get());
    }
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    // Under the read lock: no commit and no removal of leftovers while the trees are read.
    lock.readLock().lock();
    try {
      writeStoreFile(tmp, ownEntries(tree), ownEntries(metaTree),
          new Recorded(index, term, version.get(), boundsStart.get(), boundsEnd.get(), sessions.records(),
              sessions.clockMillis()));
    } finally {
      lock.readLock().unlock();
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The entries of {@code map} inside this range's bounds (leftovers of a split left out), in the map's order. */
  private Iterable<Map.Entry<byte[], byte[]>> ownEntries(BTreeMap<byte[], byte[]> map) {
    Optional<HashRange> bounds = bounds();
    return bounds.isEmpty() || !hasLeftovers() ? map.entrySet() : entriesIn(bounds.get(), map);
  }

  /**
   * The entries of {@code map} whose key hashes lie in {@code bounds}, in the map's order, read in
   * one pass over the map (a lookup per key costs several times more).
   */
  private static Iterable<Map.Entry<byte[], byte[]>> entriesIn(HashRange bounds, BTreeMap<byte[], byte[]> map) {
    return () -> map.entrySet().stream().filter(e -> bounds.contains(KeyHash.of(e.getKey()))).iterator();
  }

  /** What a store file records besides its entries. */
  private record Recorded(long appliedIndex, long appliedTerm, long version, long boundsStart, long boundsEnd,
      List<pando.internal.v1.SessionRecord> sessions, long sessionClockMillis) {}

  /**
   * Writes a new store file (a seed or a snapshot) holding the given values and metas, each given
   * in the order of the tree they come from (MapDB builds a tree from sorted entries bottom-up,
   * several times faster than putting them one by one).
   */
  private static Sizes writeStoreFile(Path file, Iterable<Map.Entry<byte[], byte[]>> values,
      Iterable<Map.Entry<byte[], byte[]>> keyMetas, Recorded recorded) {
    DB db = DBMaker.fileDB(file.toFile()).fileMmapEnableIfSupported().cleanerHackEnable().make();
    try {
      SizedMap.Size valueSize = buildTree(byteTree(db, DATA), values);
      SizedMap.Size metaSize = buildTree(byteTree(db, META), keyMetas);
      long metaBytes = metaSize.bytes();
      db.atomicLong(APPLIED_INDEX).create().set(recorded.appliedIndex());
      db.atomicLong(APPLIED_TERM).create().set(recorded.appliedTerm());
      db.atomicLong(VERSION).create().set(recorded.version());
      db.atomicLong(BOUNDS_START).create().set(recorded.boundsStart());
      db.atomicLong(BOUNDS_END).create().set(recorded.boundsEnd());
      db.atomicLong(DATA_BYTES).create().set(valueSize.bytes());
      db.atomicLong(DATA_KEYS).create().set(valueSize.entries());
      db.atomicLong(META_BYTES).create().set(metaBytes);
      BTreeMap<Long, byte[]> sessionTree = db.treeMap(SESSIONS, Serializer.LONG, Serializer.BYTE_ARRAY).create();
      for (pando.internal.v1.SessionRecord session : recorded.sessions()) {
        sessionTree.put(session.getId(), session.toByteArray());
      }
      db.atomicLong(SESSION_CLOCK).create().set(recorded.sessionClockMillis());
      db.commit();
      return new Sizes(valueSize, metaSize);
    } finally {
      db.close();
    }
  }

  /** The values and the metas a store file holds. */
  private record Sizes(SizedMap.Size values, SizedMap.Size metas) {}

  /** Creates the tree from entries in ascending key order; returns their size. */
  private static SizedMap.Size buildTree(DB.TreeMapMaker<byte[], byte[]> tree,
      Iterable<Map.Entry<byte[], byte[]>> sortedEntries) {
    DB.TreeMapSink<byte[], byte[]> sink = tree.createFromSink();
    long entries = 0;
    long bytes = 0;
    for (Map.Entry<byte[], byte[]> entry : sortedEntries) {
      sink.put(entry.getKey(), entry.getValue());
      entries++;
      bytes += entry.getKey().length + entry.getValue().length;
    }
    sink.create();
    return new SizedMap.Size(entries, bytes);
  }


  /**
   * Replaces the store at {@code liveFile} with the contents of a snapshot file written by {@link
   * #writeSnapshot}, and opens it. A snapshot is a store file already, so it is copied whole (a
   * sequential copy, not a put per key) and swapped in by a rename: a crash leaves either no live
   * file or the complete one, and a replica without its file is rebuilt from its peers.
   */
  public static KvStore restore(Path snapshot, Path liveFile) throws IOException {
    deleteStoreFiles(liveFile);
    Files.createDirectories(liveFile.toAbsolutePath().getParent());
    Path tmp = liveFile.resolveSibling(liveFile.getFileName() + ".restoring");
    Files.copy(snapshot, tmp, StandardCopyOption.REPLACE_EXISTING);
    syncToDisk(tmp);
    Files.move(tmp, liveFile, StandardCopyOption.ATOMIC_MOVE);
    return open(liveFile);
  }

  private static void syncToDisk(Path file) throws IOException {
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      channel.force(true);
    }
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

  /** Commits what is applied and closes the file; under the write lock, so no removal of leftovers runs on a closed file. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!db.isClosed()) {
        if (uncommittedEntries > 0) {
          commitLocked();
        }
        db.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
