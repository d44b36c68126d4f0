package pando.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import pando.api.HashRange;
import pando.api.KeyHash;
import pando.api.hot.SaltedKeys;
import pando.internal.v1.CopyPut;
import pando.internal.v1.FoldCopy;
import pando.internal.v1.KeyMeta;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.internal.v1.SplitCommand;
import pando.v1.IncrRequest;
import pando.v1.PutRequest;

/**
 * The per-key metas and key versions of a whole store: where they are kept, and that they go
 * wherever the data goes.
 */
class KvStoreMetaTest {
  @TempDir Path dir;

  /** A store filled by {@link #fill}: what it should hold, and the next free log index. */
  private record Filled(Map<ByteString, ByteString> values, Map<ByteString, KeyMeta> metas, long nextIndex) {}

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static RangeCommand put(ByteString key, String value) {
    return RangeCommand.newBuilder().setPut(PutRequest.newBuilder().setKey(key).setValue(b(value))).build();
  }

  private static RangeCommand copyPut(ByteString key, long version, boolean present, String value) {
    return RangeCommand.newBuilder().setCopyPut(
        CopyPut.newBuilder().setKey(key).setVersion(version).setPresent(present).setValue(b(value))).build();
  }

  private static RangeCommand fold(ByteString key, int salt, long delta) {
    return RangeCommand.newBuilder()
        .setFoldCopy(FoldCopy.newBuilder().setKey(key).setSalt(salt).setSalts(4).setDelta(delta)).build();
  }

  private static RangeCommand incr(ByteString key) {
    return RangeCommand.newBuilder().setIncr(IncrRequest.newBuilder().setKey(key).setDelta(1)).build();
  }

  private static RangeResult applied(KvStore store, long index, RangeCommand command) {
    RangeResult result = store.apply(1, index, command).orElseThrow();
    assertThat(result.getStatus()).as("%s", command).isEqualTo(RangeResult.Status.OK);
    return result;
  }

  /**
   * Plain values, plain counters with folds, copies with values and copies holding only a
   * tombstone, 40 of each.
   */
  private static Filled fill(KvStore store) {
    Map<ByteString, ByteString> values = new HashMap<>();
    Map<ByteString, KeyMeta> metas = new HashMap<>();
    long index = 0;
    for (int i = 0; i < 40; i++) {
      ByteString plain = b("plain-" + i);
      applied(store, ++index, put(plain, "v" + i));
      values.put(plain, b("v" + i));

      ByteString counter = b("counter-" + i);
      applied(store, ++index, fold(counter, i % 4, i));
      values.put(counter, ByteString.copyFrom(RangeCommands.encodeCounter(i)));
      metas.put(counter, KeyMeta.newBuilder().addFoldedSalts(i % 4).build());

      ByteString copy = SaltedKeys.salted(b("hot-" + i), 0, 4);
      applied(store, ++index, copyPut(copy, 100 + i, true, "c" + i));
      values.put(copy, b("c" + i));
      metas.put(copy, KeyMeta.newBuilder().setVersion(100 + i).build());

      ByteString deleted = SaltedKeys.salted(b("gone-" + i), 1, 4);
      applied(store, ++index, copyPut(deleted, 200 + i, false, ""));
      metas.put(deleted, KeyMeta.newBuilder().setVersion(200 + i).setTombstone(true).build());
    }
    return new Filled(values, metas, index + 1);
  }

  /** The first of prefix-0, prefix-1, ... whose hash matches. */
  private static ByteString keyWhere(String prefix, LongPredicate hash) {
    return IntStream.range(0, 10_000).mapToObj(i -> b(prefix + "-" + i))
        .filter(k -> hash.test(KeyHash.of(k.toByteArray()))).findFirst().orElseThrow();
  }

  private static <T> Map<ByteString, T> within(Map<ByteString, T> entries, HashRange range) {
    Map<ByteString, T> out = new HashMap<>();
    entries.forEach((k, v) -> {
      if (range.contains(KeyHash.of(k.toByteArray()))) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** What dataBytes must be for these entries: every key and value, every key and meta. */
  private static long bytesOf(Map<ByteString, ByteString> values, Map<ByteString, KeyMeta> metas) {
    long bytes = 0;
    for (Map.Entry<ByteString, ByteString> e : values.entrySet()) {
      bytes += e.getKey().size() + e.getValue().size();
    }
    for (Map.Entry<ByteString, KeyMeta> e : metas.entrySet()) {
      bytes += e.getKey().size() + e.getValue().getSerializedSize();
    }
    return bytes;
  }

  /** Asserts the store holds exactly these values and metas, reading every key with its meta. */
  private static void assertHolds(KvStore store, Map<ByteString, ByteString> values, Map<ByteString, KeyMeta> metas) {
    TreeMap<String, ByteString> keys = new TreeMap<>();
    values.keySet().forEach(k -> keys.put(k.toStringUtf8(), k));
    metas.keySet().forEach(k -> keys.put(k.toStringUtf8(), k));
    List<ByteString> asked = List.copyOf(keys.values());
    RangeResult read = store.query(RangeQuery.newBuilder().addAllKeys(asked).setWithMeta(true).build());
    for (int i = 0; i < asked.size(); i++) {
      ByteString key = asked.get(i);
      assertThat(read.getGet().getResults(i).getFound()).as("%s found", key).isEqualTo(values.containsKey(key));
      assertThat(read.getGet().getResults(i).getValue()).as("%s", key).isEqualTo(values.getOrDefault(key, ByteString.EMPTY));
      assertThat(read.getMetas(i)).as("meta of %s", key).isEqualTo(metas.getOrDefault(key, KeyMeta.getDefaultInstance()));
    }
    assertThat(store.keyCount()).isEqualTo(values.size());
    assertThat(store.dataBytes()).isEqualTo(bytesOf(values, metas));
  }

  // ---- where metas live ----

  @Test
  void metasAreCountedInDataBytesAndSurviveARestart() throws IOException {
    Path file = dir.resolve("a/data.db");
    Filled filled;
    try (KvStore store = KvStore.open(file)) {
      filled = fill(store);
      assertHolds(store, filled.values(), filled.metas());
    }
    try (KvStore reopened = KvStore.open(file)) {
      assertHolds(reopened, filled.values(), filled.metas());
      // The folds survived too: folding a salt again changes nothing.
      RangeResult again = applied(reopened, filled.nextIndex(), fold(b("counter-5"), 1, 5));
      assertThat(again.getFoldCopy().getApplied()).isFalse();
    }
  }

  @Test
  void aSplitMovesEachMetaWithItsKeyAndTheLeftHalfKeepsNoneOfTheOthers() throws IOException {
    Path seedFile = dir.resolve("seeds/7.db");
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      Filled filled = fill(parent);
      long at = Long.MIN_VALUE; // 2^63: about half of the keys and of the metas on either side
      SplitCommand split = SplitCommand.newBuilder().setNewRangeId(7).setExpectedVersion(1).setSplitHash(at).build();

      RangeResult result = parent.split(1, filled.nextIndex(), split, seedFile).orElseThrow();

      assertThat(result.getStatus()).isEqualTo(RangeResult.Status.OK);
      HashRange left = new HashRange(0, at);
      HashRange right = new HashRange(at, 0);
      assertThat(within(filled.metas(), left)).isNotEmpty();
      assertThat(within(filled.metas(), right)).isNotEmpty();
      assertHolds(parent, within(filled.values(), left), within(filled.metas(), left));
      try (KvStore seed = KvStore.restore(seedFile, dir.resolve("right/data.db"))) {
        assertHolds(seed, within(filled.values(), right), within(filled.metas(), right));
        // A tombstone that moved still keeps an older value from coming back to its copy.
        ByteString tombstoned = within(filled.metas(), right).entrySet().stream()
            .filter(e -> e.getValue().getTombstone()).findFirst().orElseThrow().getKey();
        RangeResult late = applied(seed, 1, copyPut(tombstoned, 1, true, "stale"));
        assertThat(late.getCopyPut().getApplied()).isFalse();
      }
    }
  }

  @Test
  void metasTravelInASnapshotAndItsRestore() throws IOException {
    Path snapshot = dir.resolve("snapshot.db");
    Filled filled;
    try (KvStore store = KvStore.open(dir.resolve("a/data.db"))) {
      filled = fill(store);
      store.writeSnapshot(snapshot, 1, filled.nextIndex() - 1);
    }
    try (KvStore restored = KvStore.restore(snapshot, dir.resolve("b/data.db"))) {
      assertHolds(restored, filled.values(), filled.metas());
    }
    // And through a restart of the restored store.
    try (KvStore reopened = KvStore.open(dir.resolve("b/data.db"))) {
      assertHolds(reopened, filled.values(), filled.metas());
    }
  }

  // ---- files written before metas existed ----

  /** A store file as the first versions wrote it: values and positions, no meta map. */
  private static void writeFileWithoutMetas(Path file, boolean transactions, Map<String, String> values, long index) {
    file.toAbsolutePath().getParent().toFile().mkdirs();
    DBMaker.Maker maker = DBMaker.fileDB(file.toFile());
    DB db = (transactions ? maker.transactionEnable() : maker).make();
    try {
      BTreeMap<byte[], byte[]> data = db.treeMap("data", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).create();
      long bytes = 0;
      for (Map.Entry<String, String> e : values.entrySet()) {
        data.put(e.getKey().getBytes(UTF_8), e.getValue().getBytes(UTF_8));
        bytes += e.getKey().length() + e.getValue().length();
      }
      db.atomicLong("appliedIndex").create().set(index);
      db.atomicLong("appliedTerm").create().set(1);
      db.atomicLong("dataBytes").create().set(bytes);
      db.commit();
    } finally {
      db.close();
    }
  }

  @Test
  void aStoreFileWithoutMetasOpensAndThenKeepsMetas() throws IOException {
    Path file = dir.resolve("old/data.db");
    writeFileWithoutMetas(file, true, Map.of("a", "1", "b", "22"), 9);
    ByteString copy = SaltedKeys.salted(b("a"), 0, 2);
    KeyMeta meta = KeyMeta.newBuilder().setVersion(5).build();

    try (KvStore store = KvStore.open(file)) {
      assertThat(store.appliedIndex()).isEqualTo(9);
      assertHolds(store, Map.of(b("a"), b("1"), b("b"), b("22")), Map.of());
      applied(store, 10, copyPut(copy, 5, true, "x"));
    }
    try (KvStore store = KvStore.open(file)) {
      assertHolds(store, Map.of(b("a"), b("1"), b("b"), b("22"), copy, b("x")), Map.of(copy, meta));
    }
  }

  @Test
  void aSnapshotWithoutMetasRestores() throws IOException {
    Path snapshot = dir.resolve("old-snapshot.db");
    writeFileWithoutMetas(snapshot, false, Map.of("a", "1"), 4);

    try (KvStore restored = KvStore.restore(snapshot, dir.resolve("b/data.db"))) {
      assertThat(restored.appliedIndex()).isEqualTo(4);
      assertHolds(restored, Map.of(b("a"), b("1")), Map.of());
    }
  }

  // ---- key versions ----

  @Test
  void writesAndReadsAnswerTheEpochVersionAndTheirPlaceInTheLog() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("a/data.db"))) {
      assertThat(applied(store, 1, put(b("k"), "v")).getKeyVersion()).isEqualTo((1L << 40) | 1);
      assertThat(applied(store, 2, incr(b("c"))).getKeyVersion()).isEqualTo((1L << 40) | 2);

      RangeResult read = store.query(RangeQuery.newBuilder().addKeys(b("k")).build());

      assertThat(read.getAsOfVersion()).isEqualTo((1L << 40) | 2);
      assertThat(read.getMetasList()).isEmpty();
    }
  }

  @Test
  void aKeysVersionsKeepGrowingInWhicheverHalfItLandsAfterASplit() throws IOException {
    long at = Long.MIN_VALUE; // 2^63: the left half holds the hashes that are positive as signed longs
    ByteString leftKey = keyWhere("left", h -> h >= 0);
    ByteString rightKey = keyWhere("right", h -> h < 0);
    Path seedFile = dir.resolve("seeds/7.db");
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      long index = 1;
      long lastLeft = 0;
      long lastRight = 0;
      for (; index < 1000; index += 2) {
        lastLeft = applied(parent, index, put(leftKey, "l" + index)).getKeyVersion();
        lastRight = applied(parent, index + 1, put(rightKey, "r" + index)).getKeyVersion();
      }
      parent.split(1, index, SplitCommand.newBuilder().setNewRangeId(7).setExpectedVersion(1).setSplitHash(at).build(),
          seedFile).orElseThrow();

      // The left half keeps its log: its next index is barely higher, its version is.
      assertThat(applied(parent, index + 1, put(leftKey, "after")).getKeyVersion())
          .isEqualTo((2L << 40) | (index + 1)).isGreaterThan(lastLeft);
      try (KvStore seed = KvStore.restore(seedFile, dir.resolve("right/data.db"))) {
        // The right half's group starts its log again, at a higher version.
        long asOf = seed.query(RangeQuery.newBuilder().addKeys(rightKey).build()).getAsOfVersion();
        assertThat(asOf).isEqualTo(2L << 40).isGreaterThan(lastRight);
        assertThat(applied(seed, 1, put(rightKey, "after")).getKeyVersion())
            .isEqualTo((2L << 40) | 1).isGreaterThan(lastRight);
      }
    }
  }

  @Test
  void aReadsValueAndVersionAlwaysAgreeWhileCommandsAreApplied() throws IOException {
    // Every command increments one counter, so the value read must equal the index it was read at.
    ByteString counter = b("counter");
    int commands = 3000;
    try (KvStore store = KvStore.open(dir.resolve("a/data.db"))) {
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        for (long index = 1; index <= commands; index++) {
          store.apply(1, index, incr(counter));
        }
      });
      RangeQuery query = RangeQuery.newBuilder().addKeys(counter).build();
      int reads = 0;
      while (!writer.isDone() || reads == 0) {
        RangeResult read = store.query(query);
        long index = read.getAsOfVersion() & KeyVersions.MAX_INDEX;
        long value = read.getGet().getResults(0).getFound()
            ? read.getGet().getResults(0).getValue().asReadOnlyByteBuffer().getLong() : 0;
        assertThat(read.getAsOfVersion() >>> 40).isEqualTo(1);
        assertThat(value).as("read %d", reads).isEqualTo(index);
        reads++;
      }
      writer.join();
      assertThat(store.query(query).getAsOfVersion()).isEqualTo((1L << 40) | commands);
    }
  }

  @Test
  void aCommandAtAnIndexBeyondFortyBitsIsRefusedAndChangesNothing() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("a/data.db"))) {
      long last = KeyVersions.MAX_INDEX;
      assertThat(applied(store, last, put(b("k"), "v")).getKeyVersion()).isEqualTo((1L << 40) | last);
      long bytes = store.dataBytes();

      RangeResult refused = store.apply(1, last + 1, put(b("k"), "overwritten")).orElseThrow();

      assertThat(refused.getStatus()).isEqualTo(RangeResult.Status.OUT_OF_RANGE);
      assertThat(refused.getMessage()).contains("40 bits");
      assertThat(refused.getKeyVersion()).isZero();
      assertThat(store.dataBytes()).isEqualTo(bytes);
      // The entry is consumed, and a read, which cannot be given a version either, fails loudly.
      assertThat(store.appliedIndex()).isEqualTo(last + 1);
      assertThatThrownBy(() -> store.read(List.of(b("k"))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("40 bits");
    }
  }
}
