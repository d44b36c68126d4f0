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
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeResult;
import pando.v1.BatchGetResponse;

/**
 * One replica's data: a MapDB B-tree of key to value in a single file, plus the Raft index of the
 * last command applied to it.
 *
 * <p>The applied index is written in the same MapDB commit as the data it covers, so after any
 * crash the file holds exactly the commands up to that index: a restart neither loses a command
 * nor applies one twice (the caller skips re-delivered commands through {@link #apply}).
 *
 * <p>Commits are grouped: every {@value #COMMIT_EVERY_ENTRIES} commands, and whenever the owner
 * calls {@link #flush}. A MapDB commit costs far more CPU than applying one command, and nothing
 * is lost by deferring it: the commands are durable in the Raft log, and after a crash the
 * replica replays from its last commit.
 *
 * <p>Writes come from one thread (the Raft apply loop); reads may come from any thread. A read
 * never sees part of a command: MapDB shows uncommitted changes to readers, so commands and reads
 * exclude each other with a lock.
 */
public final class KvStore implements AutoCloseable {
  private static final String DATA = "data";
  private static final String APPLIED_INDEX = "appliedIndex";
  private static final String APPLIED_TERM = "appliedTerm";

  private final DB db;
  private final BTreeMap<byte[], byte[]> data;
  private final Atomic.Long appliedIndex;
  private final Atomic.Long appliedTerm;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  static final int COMMIT_EVERY_ENTRIES = 64;
  private int uncommittedEntries; // guarded by the write lock

  private KvStore(DB db) {
    this.db = db;
    this.data = db.treeMap(DATA, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
    this.appliedIndex = db.atomicLong(APPLIED_INDEX).createOrOpen();
    this.appliedTerm = db.atomicLong(APPLIED_TERM).createOrOpen();
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
      RangeResult result = RangeCommands.apply(data, command);
      appliedIndex.set(index);
      appliedTerm.set(term);
      if (++uncommittedEntries >= COMMIT_EVERY_ENTRIES) {
        commitLocked();
      }
      return Optional.of(result);
    } finally {
      lock.writeLock().unlock();
    }
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
    db.commit();
    uncommittedEntries = 0;
  }

  public BatchGetResponse read(List<ByteString> keys) {
    lock.readLock().lock();
    try {
      return RangeCommands.read(data, keys);
    } finally {
      lock.readLock().unlock();
    }
  }

  public long keyCount() {
    return data.sizeLong();
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
    DB copy = DBMaker.fileDB(tmp.toFile()).fileMmapEnableIfSupported().cleanerHackEnable().make();
    try {
      BTreeMap<byte[], byte[]> copyData =
          copy.treeMap(DATA, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).create();
      for (Map.Entry<byte[], byte[]> entry : data.entrySet()) {
        copyData.put(entry.getKey(), entry.getValue());
      }
      copy.atomicLong(APPLIED_INDEX).create().set(index);
      copy.atomicLong(APPLIED_TERM).create().set(term);
      copy.commit();
    } finally {
      copy.close();
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
      restored.appliedIndex.set(source.atomicLong(APPLIED_INDEX).open().get());
      restored.appliedTerm.set(source.atomicLong(APPLIED_TERM).open().get());
      restored.db.commit();
    } catch (RuntimeException e) {
      restored.close();
      throw e;
    } finally {
      source.close();
    }
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
