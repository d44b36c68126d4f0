package pando.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.HashRange;
import pando.api.KeyHash;
import pando.api.hot.SaltedKeys;
import pando.internal.v1.ClearFolds;
import pando.internal.v1.CopyPut;
import pando.internal.v1.FoldCopy;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.internal.v1.SealCopy;
import pando.internal.v1.SplitCommand;
import pando.internal.v1.SplitResult;
import pando.v1.BatchPutRequest;
import pando.v1.CasRequest;
import pando.v1.DeleteRequest;
import pando.v1.GetResponse;
import pando.v1.IncrRequest;
import pando.v1.KeyValue;
import pando.v1.PutRequest;

/** Splitting one replica's store in two: what each half holds and serves afterwards. */
class KvStoreSplitTest {
  private static final long HALF = Long.MIN_VALUE; // 2^63 as an unsigned hash
  private static final long QUARTER = 1L << 62;

  @TempDir Path dir;

  // ---- commands ----

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static long hash(String key) {
    return KeyHash.of(key.getBytes(UTF_8));
  }

  private static RangeCommand put(String key, String value) {
    return RangeCommand.newBuilder().setPut(PutRequest.newBuilder().setKey(b(key)).setValue(b(value))).build();
  }

  /** A split at the median, of a range whose table bounds are the whole space. */
  private static SplitCommand split(long newRangeId, long expectedVersion) {
    return SplitCommand.newBuilder().setNewRangeId(newRangeId).setExpectedVersion(expectedVersion)
        .setStart(0).setEnd(0).build();
  }

  private static SplitCommand splitAt(long newRangeId, long expectedVersion, long at) {
    return split(newRangeId, expectedVersion).toBuilder().setSplitHash(at).build();
  }

  // ---- data ----

  private static String valueOf(int i) {
    return "value-" + i + "-" + "x".repeat(i % 11);
  }

  /** Puts key-0 .. key-(n-1) at indexes 1..n; returns what was written. */
  private static TreeMap<String, String> fill(KvStore store, int n) {
    TreeMap<String, String> written = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String key = "key-" + i;
      assertThat(store.apply(1, i + 1, put(key, valueOf(i)))).isPresent();
      written.put(key, valueOf(i));
    }
    return written;
  }

  /** The value of a key in the store; empty if absent or outside the store's bounds. */
  private static Optional<String> lookup(KvStore store, String key) {
    try {
      GetResponse r = store.read(List.of(b(key))).getResults(0);
      return r.getFound() ? Optional.of(r.getValue().toStringUtf8()) : Optional.empty();
    } catch (KvStore.WrongRangeException e) {
      return Optional.empty();
    }
  }

  private static long bytesOf(Map<String, String> entries) {
    return entries.entrySet().stream()
        .mapToLong(e -> e.getKey().getBytes(UTF_8).length + e.getValue().getBytes(UTF_8).length).sum();
  }

  private static TreeMap<String, String> where(Map<String, String> entries, LongPredicate hash) {
    TreeMap<String, String> out = new TreeMap<>();
    entries.forEach((k, v) -> {
      if (hash.test(hash(k))) {
        out.put(k, v);
      }
    });
    return out;
  }

  private static long medianOf(Iterable<String> keys) {
    List<Long> hashes = new ArrayList<>();
    keys.forEach(k -> hashes.add(hash(k)));
    hashes.sort(Long::compareUnsigned);
    return hashes.get(hashes.size() / 2);
  }

  private static boolean below(long hash, long point) {
    return Long.compareUnsigned(hash, point) < 0;
  }

  /** The first of prefix-0, prefix-1, ... whose hash matches. */
  private static String keyWhere(String prefix, LongPredicate hash) {
    return IntStream.range(0, 10_000).mapToObj(i -> prefix + "-" + i).filter(k -> hash.test(hash(k)))
        .findFirst().orElseThrow();
  }

  private static void assertHolds(KvStore store, Map<String, String> expected) {
    expected.forEach((k, v) -> assertThat(lookup(store, k)).as(k).hasValue(v));
    assertThat(store.keyCount()).isEqualTo(expected.size());
  }

  private Path seedFile() {
    return dir.resolve("seeds/7.db");
  }

  private KvStore openSeed(Path seed, String name) throws IOException {
    return KvStore.restore(seed, dir.resolve(name + "/data.db"));
  }

  // ---- a split ----

  @Test
  void aSplitLeavesEveryKeyReadableInExactlyOneOfTheTwoStoresWithItsValue() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 200);
      long at = medianOf(written.keySet());

      RangeResult result = parent.split(1, 201, split(7, 1), seedFile()).orElseThrow();

      assertThat(result.getStatus()).isEqualTo(RangeResult.Status.OK);
      assertThat(result.getSplit()).isEqualTo(SplitResult.newBuilder()
          .setSplitHash(at).setNewRangeId(7).setLeftKeys(100).setRightKeys(100).build());
      try (KvStore seed = openSeed(seedFile(), "right")) {
        for (Map.Entry<String, String> e : written.entrySet()) {
          Optional<String> left = lookup(parent, e.getKey());
          Optional<String> right = lookup(seed, e.getKey());
          assertThat(left.isPresent() ^ right.isPresent()).as("%s is in exactly one store", e.getKey()).isTrue();
          assertThat(left.or(() -> right)).as(e.getKey()).hasValue(e.getValue());
          // The half it is in is the one its hash belongs to.
          assertThat(left.isPresent()).as(e.getKey()).isEqualTo(below(hash(e.getKey()), at));
        }
        assertThat(parent.keyCount()).isEqualTo(100);
        assertThat(seed.keyCount()).isEqualTo(100);
      }
    }
  }

  @Test
  void theParentKeepsTheLeftBoundsAndTheSeedTheRightBothAtTheNextVersion() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 50);
      assertThat(parent.bounds()).isEmpty();
      assertThat(parent.version()).isEqualTo(1);
      long at = medianOf(written.keySet());

      parent.split(3, 51, split(7, 1), seedFile()).orElseThrow();

      assertThat(parent.bounds()).hasValue(new HashRange(0, at));
      assertThat(parent.version()).isEqualTo(2);
      assertThat(parent.appliedIndex()).isEqualTo(51);
      assertThat(parent.appliedTerm()).isEqualTo(3);
      assertThat(KvStore.seedStart(seedFile())).isEqualTo(at);
      try (KvStore seed = openSeed(seedFile(), "right")) {
        assertThat(seed.bounds()).hasValue(new HashRange(at, 0));
        assertThat(seed.version()).isEqualTo(2);
        // The new range's group has applied nothing yet.
        assertThat(seed.appliedIndex()).isZero();
        assertThat(seed.isFresh()).isFalse();
      }
    }
  }

  @Test
  void theBoundsOfARangeNotAtTheStartComeFromTheSplitCommandUntilRecorded() throws IOException {
    // A range [2^62, 2^63) of the table, never split: the command carries its bounds.
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> all = new TreeMap<>();
      int index = 0;
      for (int i = 0; all.size() < 40; i++) {
        String key = "key-" + i;
        long h = hash(key);
        if (!below(h, QUARTER) && below(h, HALF)) {
          parent.apply(1, ++index, put(key, valueOf(i)));
          all.put(key, valueOf(i));
        }
      }
      long at = medianOf(all.keySet());
      SplitCommand command = SplitCommand.newBuilder().setNewRangeId(9).setExpectedVersion(1)
          .setStart(QUARTER).setEnd(HALF).build();

      RangeResult result = parent.split(1, index + 1, command, seedFile()).orElseThrow();

      assertThat(result.getSplit().getSplitHash()).isEqualTo(at);
      assertThat(result.getSplit().getLeftKeys()).isEqualTo(20);
      assertThat(result.getSplit().getRightKeys()).isEqualTo(20);
      assertThat(parent.bounds()).hasValue(new HashRange(QUARTER, at));
      try (KvStore seed = openSeed(seedFile(), "right")) {
        assertThat(seed.bounds()).hasValue(new HashRange(at, HALF));
      }
    }
  }

  @Test
  void aSplitAtAGivenHashCutsThereNotAtTheMedian() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 300);
      TreeMap<String, String> left = where(written, h -> below(h, QUARTER));
      TreeMap<String, String> right = where(written, h -> !below(h, QUARTER));
      assertThat(left).isNotEmpty().hasSizeLessThan(written.size() / 2);

      RangeResult result = parent.split(1, 301, splitAt(7, 1, QUARTER), seedFile()).orElseThrow();

      assertThat(result.getSplit().getSplitHash()).isEqualTo(QUARTER);
      assertThat(result.getSplit().getLeftKeys()).isEqualTo(left.size());
      assertThat(result.getSplit().getRightKeys()).isEqualTo(right.size());
      assertThat(parent.bounds()).hasValue(new HashRange(0, QUARTER));
      assertHolds(parent, left);
      try (KvStore seed = openSeed(seedFile(), "right")) {
        assertThat(seed.bounds()).hasValue(new HashRange(QUARTER, 0));
        assertHolds(seed, right);
      }
    }
  }

  @Test
  void aSplitAtAGivenHashMayLeaveTheNewRangeEmpty() throws IOException {
    long last = -1L; // 2^64 - 1: no key of these hashes there
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 30);

      RangeResult result = parent.split(1, 31, splitAt(7, 1, last), seedFile()).orElseThrow();

      assertThat(result.getSplit().getRightKeys()).isZero();
      assertThat(result.getSplit().getLeftKeys()).isEqualTo(30);
      assertHolds(parent, written);
      try (KvStore seed = openSeed(seedFile(), "right")) {
        assertThat(seed.keyCount()).isZero();
        assertThat(seed.dataBytes()).isZero();
        assertThat(seed.bounds()).hasValue(new HashRange(last, 0));
        // A seed is the first state of a range: not to be replaced as if it were a blank store.
        assertThat(seed.isFresh()).isFalse();
      }
    }
  }

  @Test
  void dataBytesAndKeysDropByExactlyWhatMovedAndTheSeedCountsThem() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 150);
      assertThat(parent.dataBytes()).isEqualTo(bytesOf(written));
      long before = parent.dataBytes();
      long at = medianOf(written.keySet());
      long moved = bytesOf(where(written, h -> !below(h, at)));

      parent.split(1, 151, split(7, 1), seedFile()).orElseThrow();

      assertThat(parent.dataBytes()).isEqualTo(before - moved).isEqualTo(bytesOf(where(written, h -> below(h, at))));
      assertThat(parent.keyCount()).isEqualTo(where(written, h -> below(h, at)).size());
      try (KvStore seed = openSeed(seedFile(), "right")) {
        assertThat(seed.dataBytes()).isEqualTo(moved);
        assertThat(seed.keyCount()).isEqualTo(where(written, h -> !below(h, at)).size());
      }
    }
    try (KvStore reopened = KvStore.open(dir.resolve("parent/data.db"))) {
      long at = reopened.bounds().orElseThrow().end();
      assertThat(reopened.dataBytes()).isEqualTo(bytesOf(where(fillMap(150), h -> below(h, at))));
      assertThat(reopened.keyCount()).isEqualTo(where(fillMap(150), h -> below(h, at)).size());
    }
  }

  private static TreeMap<String, String> fillMap(int n) {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      m.put("key-" + i, valueOf(i));
    }
    return m;
  }

  // ---- after a split: keys of the other half ----

  /**
   * Keys for a command after a split: new keys (never written) of the left and right halves, and a
   * written key that moved to the right half.
   */
  private record Probe(String left, String right, String moved, ByteString rightCopy) {}

  static Stream<Arguments> commandsForTheRightHalf() {
    return Stream.of(
        Arguments.of("put of a new key", (Cmd) p -> put(p.right(), "v")),
        Arguments.of("put over a key that moved", (Cmd) p -> put(p.moved(), "v2")),
        Arguments.of("delete of a key that moved", (Cmd) p -> RangeCommand.newBuilder()
            .setDelete(DeleteRequest.newBuilder().setKey(b(p.moved()))).build()),
        Arguments.of("cas creating a key", (Cmd) p -> RangeCommand.newBuilder()
            .setCas(CasRequest.newBuilder().setKey(b(p.right())).setNewValue(b("v"))).build()),
        Arguments.of("incr", (Cmd) p -> RangeCommand.newBuilder()
            .setIncr(IncrRequest.newBuilder().setKey(b(p.right())).setDelta(1)).build()),
        Arguments.of("batch put of a left and a right key", (Cmd) p -> RangeCommand.newBuilder()
            .setBatchPut(BatchPutRequest.newBuilder()
                .addEntries(KeyValue.newBuilder().setKey(b(p.left())).setValue(b("l")))
                .addEntries(KeyValue.newBuilder().setKey(b(p.right())).setValue(b("r")))).build()),
        Arguments.of("read in the log", (Cmd) p -> RangeCommand.newBuilder()
            .setRead(RangeQuery.newBuilder().addKeys(b(p.left())).addKeys(b(p.right()))).build()),
        Arguments.of("copy put", (Cmd) p -> RangeCommand.newBuilder()
            .setCopyPut(CopyPut.newBuilder().setKey(p.rightCopy()).setVersion(5).setPresent(true)).build()),
        Arguments.of("seal copy", (Cmd) p -> RangeCommand.newBuilder()
            .setSealCopy(SealCopy.newBuilder().setKey(p.rightCopy())).build()),
        Arguments.of("fold copy", (Cmd) p -> RangeCommand.newBuilder()
            .setFoldCopy(FoldCopy.newBuilder().setKey(b(p.right())).setSalt(0).setSalts(2).setDelta(1)).build()),
        Arguments.of("clear folds of a key that moved", (Cmd) p -> RangeCommand.newBuilder()
            .setClearFolds(ClearFolds.newBuilder().setKey(b(p.moved()))).build()));
  }

  interface Cmd {
    RangeCommand of(Probe probe);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commandsForTheRightHalf")
  void aCommandForAKeyOfTheRightHalfIsAnsweredWrongRangeAndChangesNothing(String name, Cmd cmd) throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 100);
      long at = medianOf(written.keySet());
      parent.split(1, 101, split(7, 1), seedFile()).orElseThrow();
      TreeMap<String, String> left = where(written, h -> below(h, at));
      long bytes = parent.dataBytes();
      Probe probe = new Probe(keyWhere("new-left", h -> below(h, at)), keyWhere("new-right", h -> !below(h, at)),
          where(written, h -> !below(h, at)).firstKey(),
          IntStream.range(0, 10_000).mapToObj(i -> SaltedKeys.salted(b("hot-" + i), 1, 2))
              .filter(k -> !below(KeyHash.of(k.toByteArray()), at)).findFirst().orElseThrow());

      RangeResult result = parent.apply(1, 102, cmd.of(probe)).orElseThrow();

      assertThat(result.getStatus()).isEqualTo(RangeResult.Status.WRONG_RANGE);
      assertThat(result.getMessage()).contains("outside this range");
      assertThat(result.getResultCase()).isEqualTo(RangeResult.ResultCase.RESULT_NOT_SET);
      assertHolds(parent, left);
      assertThat(lookup(parent, probe.left())).isEmpty();
      assertThat(parent.dataBytes()).isEqualTo(bytes);
      assertThat(parent.bounds()).hasValue(new HashRange(0, at));
      // The entry is consumed like any other: a replay of it is skipped.
      assertThat(parent.appliedIndex()).isEqualTo(102);
      assertThat(parent.apply(1, 102, put(probe.left(), "x"))).isEmpty();
    }
  }

  @Test
  void aKeyOfTheLeftHalfIsStillServedAfterTheSplit() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 100);
      long at = medianOf(written.keySet());
      parent.split(1, 101, split(7, 1), seedFile()).orElseThrow();
      String key = keyWhere("new-left", h -> below(h, at));

      RangeResult result = parent.apply(1, 102, put(key, "fresh")).orElseThrow();

      assertThat(result.getStatus()).isEqualTo(RangeResult.Status.OK);
      assertThat(result.hasPut()).isTrue();
      assertThat(lookup(parent, key)).hasValue("fresh");
    }
  }

  @Test
  void aReadOfAKeyOfTheOtherHalfThrowsWrongRangeInEitherStore() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 100);
      long at = medianOf(written.keySet());
      parent.split(1, 101, split(7, 1), seedFile()).orElseThrow();
      String leftKey = where(written, h -> below(h, at)).firstKey();
      String rightKey = where(written, h -> !below(h, at)).firstKey();

      assertThatThrownBy(() -> parent.read(List.of(b(leftKey), b(rightKey))))
          .isInstanceOf(KvStore.WrongRangeException.class)
          .hasMessageContaining("outside this range")
          .hasMessageContaining(Long.toUnsignedString(hash(rightKey), 16));
      assertThatThrownBy(() -> parent.read(List.of(b(keyWhere("absent", h -> !below(h, at))))))
          .isInstanceOf(KvStore.WrongRangeException.class);
      assertThat(parent.read(List.of(b(leftKey))).getResults(0).getValue().toStringUtf8())
          .isEqualTo(written.get(leftKey));
      try (KvStore seed = openSeed(seedFile(), "right")) {
        assertThatThrownBy(() -> seed.read(List.of(b(leftKey)))).isInstanceOf(KvStore.WrongRangeException.class);
        assertThat(seed.read(List.of(b(rightKey))).getResults(0).getValue().toStringUtf8())
            .isEqualTo(written.get(rightKey));
        // The seed refuses commands for the left half just the same.
        assertThat(seed.apply(1, 1, put(leftKey, "x")).orElseThrow().getStatus())
            .isEqualTo(RangeResult.Status.WRONG_RANGE);
      }
    }
  }

  // ---- replays and refusals ----

  @Test
  void aReplayedSplitIsSkippedAndChangesNothing() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 100);
      long at = medianOf(written.keySet());
      parent.split(1, 101, split(7, 1), seedFile()).orElseThrow();
      TreeMap<String, String> left = where(written, h -> below(h, at));
      long bytes = parent.dataBytes();
      Path otherSeed = dir.resolve("seeds/8.db");

      // The same entry again (a restart replays the log), and an older one.
      assertThat(parent.split(1, 101, split(8, 2), otherSeed)).isEmpty();
      assertThat(parent.split(1, 50, split(8, 2), otherSeed)).isEmpty();

      assertHolds(parent, left);
      assertThat(parent.dataBytes()).isEqualTo(bytes);
      assertThat(parent.bounds()).hasValue(new HashRange(0, at));
      assertThat(parent.version()).isEqualTo(2);
      assertThat(parent.appliedIndex()).isEqualTo(101);
      assertThat(otherSeed).doesNotExist();
    }
  }

  @Test
  void aSplitEntryBeforeTheAppliedIndexIsSkippedOnAStoreNeverSplit() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(store, 20);
      assertThat(store.split(1, 20, split(7, 1), seedFile())).isEmpty();
      assertHolds(store, written);
      assertThat(store.bounds()).isEmpty();
      assertThat(seedFile()).doesNotExist();
    }
  }

  static Stream<Arguments> refusedSplits() {
    SplitCommand lowerHalf = SplitCommand.newBuilder().setNewRangeId(7).setExpectedVersion(1)
        .setStart(0).setEnd(HALF).build();
    SplitCommand middle = SplitCommand.newBuilder().setNewRangeId(7).setExpectedVersion(1)
        .setStart(QUARTER).setEnd(HALF).build();
    return Stream.of(
        Arguments.of("expected version ahead", 50, split(7, 2), "not the expected 2"),
        Arguments.of("expected version unset", 50, split(7, 0), "not the expected 0"),
        Arguments.of("split hash at the start of the range", 50, splitAt(7, 1, 0), "is not inside"),
        Arguments.of("split hash at the start of a range not at 0", 50,
            middle.toBuilder().setSplitHash(QUARTER).build(), "is not inside"),
        Arguments.of("split hash above the range", 50, lowerHalf.toBuilder().setSplitHash(HALF + 5).build(),
            "is not inside"),
        Arguments.of("split hash at the end of the range", 50, lowerHalf.toBuilder().setSplitHash(HALF).build(),
            "is not inside"),
        Arguments.of("split hash below the range", 50, middle.toBuilder().setSplitHash(5).build(), "is not inside"),
        Arguments.of("one key, no split hash", 1, split(7, 1), "too few"),
        Arguments.of("no keys, no split hash", 0, split(7, 1), "too few"),
        Arguments.of("new range id 0", 50, split(0, 1), "must be positive"),
        Arguments.of("new range id negative", 50, splitAt(-1, 1, QUARTER), "must be positive"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSplits")
  void aRefusedSplitChangesNoDataButConsumesItsIndex(String name, int keys, SplitCommand command, String reason)
      throws IOException {
    Path file = dir.resolve("parent/data.db");
    TreeMap<String, String> written;
    long bytes;
    try (KvStore store = KvStore.open(file)) {
      written = fill(store, keys);
      bytes = store.dataBytes();

      RangeResult result = store.split(2, keys + 1, command, seedFile()).orElseThrow();

      assertThat(result.getStatus()).isEqualTo(RangeResult.Status.FAILED_PRECONDITION);
      assertThat(result.getMessage()).startsWith("cannot split").contains(reason);
      assertThat(result.hasSplit()).isFalse();
      assertHolds(store, written);
      assertThat(store.dataBytes()).isEqualTo(bytes);
      assertThat(store.bounds()).isEmpty();
      assertThat(store.version()).isEqualTo(1);
      assertThat(store.appliedIndex()).isEqualTo(keys + 1);
      assertThat(store.appliedTerm()).isEqualTo(2);
      assertThat(seedFile()).doesNotExist();
      assertThat(store.split(2, keys + 1, command, seedFile())).as("replayed").isEmpty();
    }
    try (KvStore reopened = KvStore.open(file)) {
      assertThat(reopened.appliedIndex()).isEqualTo(keys + 1);
      assertHolds(reopened, written);
      assertThat(reopened.bounds()).isEmpty();
    }
  }

  @Test
  void aSplitRangeChecksTheSplitHashAgainstItsRecordedBoundsNotTheCommands() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 100);
      long at = medianOf(written.keySet());
      parent.split(1, 101, split(7, 1), seedFile()).orElseThrow();
      TreeMap<String, String> left = where(written, h -> below(h, at));
      Path otherSeed = dir.resolve("seeds/8.db");

      // The command still claims the whole space; the store knows it is [0, at).
      RangeResult result = parent.split(1, 102, splitAt(8, 2, at), otherSeed).orElseThrow();
      RangeResult stale = parent.split(1, 103, split(8, 1), otherSeed).orElseThrow();

      assertThat(result.getStatus()).isEqualTo(RangeResult.Status.FAILED_PRECONDITION);
      assertThat(result.getMessage()).contains("is not inside");
      assertThat(stale.getStatus()).isEqualTo(RangeResult.Status.FAILED_PRECONDITION);
      assertThat(stale.getMessage()).contains("version 2").contains("not the expected 1");
      assertHolds(parent, left);
      assertThat(parent.bounds()).hasValue(new HashRange(0, at));
      assertThat(parent.version()).isEqualTo(2);
      assertThat(parent.appliedIndex()).isEqualTo(103);
      assertThat(otherSeed).doesNotExist();
    }
  }

  @Test
  void aSplitCommandWithInvalidBoundsIsRefusedNotThrown() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(store, 20);
      SplitCommand inverted = SplitCommand.newBuilder().setNewRangeId(7).setExpectedVersion(1)
          .setStart(HALF).setEnd(QUARTER).build();

      RangeResult result = store.split(1, 21, inverted, seedFile()).orElseThrow();

      assertThat(result.getStatus()).isEqualTo(RangeResult.Status.FAILED_PRECONDITION);
      assertThat(store.appliedIndex()).isEqualTo(21);
      assertHolds(store, written);
    }
  }

  // ---- durability ----

  @Test
  void boundsAndVersionSurviveCloseAndReopen() throws IOException {
    Path file = dir.resolve("parent/data.db");
    long at;
    TreeMap<String, String> left;
    try (KvStore parent = KvStore.open(file)) {
      TreeMap<String, String> written = fill(parent, 80);
      at = medianOf(written.keySet());
      left = where(written, h -> below(h, at));
      parent.split(1, 81, split(7, 1), seedFile()).orElseThrow();
    }
    try (KvStore reopened = KvStore.open(file)) {
      assertThat(reopened.bounds()).hasValue(new HashRange(0, at));
      assertThat(reopened.version()).isEqualTo(2);
      assertThat(reopened.appliedIndex()).isEqualTo(81);
      assertThat(reopened.dataBytes()).isEqualTo(bytesOf(left));
      assertHolds(reopened, left);
      assertThat(reopened.apply(1, 82, put(keyWhere("r", h -> !below(h, at)), "v")).orElseThrow().getStatus())
          .isEqualTo(RangeResult.Status.WRONG_RANGE);
    }
    // The seed, opened as a store and reopened, keeps its own.
    try (KvStore seed = openSeed(seedFile(), "right")) {
      seed.apply(1, 1, put(keyWhere("r", h -> !below(h, at)), "v"));
    }
    try (KvStore seed = KvStore.open(dir.resolve("right/data.db"))) {
      assertThat(seed.bounds()).hasValue(new HashRange(at, 0));
      assertThat(seed.version()).isEqualTo(2);
      assertThat(seed.appliedIndex()).isEqualTo(1);
      assertThat(seed.keyCount()).isEqualTo(80 - left.size() + 1);
    }
  }

  @Test
  void boundsAndVersionTravelInASnapshot() throws IOException {
    Path snapshot = dir.resolve("snapshot.db");
    long at;
    TreeMap<String, String> left;
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 80);
      at = medianOf(written.keySet());
      left = where(written, h -> below(h, at));
      parent.split(1, 81, split(7, 1), seedFile()).orElseThrow();
      parent.writeSnapshot(snapshot, 2, 90);
    }
    try (KvStore restored = KvStore.restore(snapshot, dir.resolve("follower/data.db"))) {
      assertThat(restored.bounds()).hasValue(new HashRange(0, at));
      assertThat(restored.version()).isEqualTo(2);
      assertThat(restored.appliedIndex()).isEqualTo(90);
      assertThat(restored.dataBytes()).isEqualTo(bytesOf(left));
      assertHolds(restored, left);
      String right = keyWhere("r", h -> !below(h, at));
      assertThatThrownBy(() -> restored.read(List.of(b(right)))).isInstanceOf(KvStore.WrongRangeException.class);
    }
  }

  @Test
  void aSnapshotOfAStoreNeverSplitRestoresWithoutBounds() throws IOException {
    Path snapshot = dir.resolve("snapshot.db");
    TreeMap<String, String> written;
    try (KvStore store = KvStore.open(dir.resolve("a/data.db"))) {
      written = fill(store, 30);
      store.writeSnapshot(snapshot, 1, 30);
    }
    try (KvStore restored = KvStore.restore(snapshot, dir.resolve("b/data.db"))) {
      assertThat(restored.bounds()).isEmpty();
      assertThat(restored.version()).isEqualTo(1);
      assertHolds(restored, written);
      assertThat(restored.apply(1, 31, put(keyWhere("hi", h -> h < 0), "v")).orElseThrow().getStatus())
          .isEqualTo(RangeResult.Status.OK);
    }
  }

  // ---- keys a split moved away, removed after it ----

  /** Writes key-0..key-(n-1), splits at their median hash into range 7; returns what the left half holds. */
  private TreeMap<String, String> fillAndSplitAtTheMedian(KvStore parent, int n) throws IOException {
    TreeMap<String, String> written = fill(parent, n);
    long at = medianOf(written.keySet());
    parent.split(1, n + 1, split(7, 1), seedFile()).orElseThrow();
    return where(written, h -> below(h, at));
  }

  /** Removes leftovers a few keys at a time, as the owner's background task does; returns the calls it took. */
  private static int removeAllLeftovers(KvStore store) {
    int calls = 0;
    while (store.removeLeftovers(7)) {
      calls++;
      assertThat(calls).as("calls to remove leftovers").isLessThan(10_000);
    }
    return calls + 1;
  }

  @Test
  void movedKeysLeaveTheCountsAtTheSplitAndTheTreeAfterItsLeftoversAreRemoved() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 300);
      long at = medianOf(written.keySet());
      TreeMap<String, String> left = where(written, h -> below(h, at));
      assertThat(parent.hasLeftovers()).isFalse();

      parent.split(1, 301, split(7, 1), seedFile()).orElseThrow();

      assertThat(parent.hasLeftovers()).isTrue();
      assertThat(parent.storedKeys()).isEqualTo(300);
      assertHolds(parent, left);
      // Interleaved with writes to the left half, which keep their values.
      long index = 301;
      int calls = 0;
      while (parent.removeLeftovers(7)) {
        String key = left.firstKey();
        parent.apply(1, ++index, put(key, "v" + index));
        left.put(key, "v" + index);
        calls++;
      }
      assertThat(calls).as("chunks of at most 7 keys").isGreaterThanOrEqualTo(150 / 7);
      assertThat(parent.hasLeftovers()).isFalse();
      assertThat(parent.storedKeys()).isEqualTo(left.size());
      assertHolds(parent, left);
    }
    try (KvStore reopened = KvStore.open(dir.resolve("parent/data.db"))) {
      assertThat(reopened.hasLeftovers()).isFalse();
      assertThat(reopened.storedKeys()).isEqualTo(reopened.keyCount());
    }
  }

  @Test
  void leftoversNotYetRemovedAtARestartAreRemovedAfterIt() throws IOException {
    TreeMap<String, String> left;
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      left = fillAndSplitAtTheMedian(parent, 200);
      assertThat(parent.removeLeftovers(7)).isTrue(); // some removed, then the node stops
    }
    try (KvStore reopened = KvStore.open(dir.resolve("parent/data.db"))) {
      assertThat(reopened.hasLeftovers()).isTrue();
      assertHolds(reopened, left);
      removeAllLeftovers(reopened);
      assertThat(reopened.storedKeys()).isEqualTo(left.size());
      assertHolds(reopened, left);
    }
  }

  @Test
  void aSnapshotTakenBeforeLeftoversAreRemovedHoldsOnlyTheRangesOwnKeys() throws IOException {
    Path snapshot = dir.resolve("snapshot.db");
    TreeMap<String, String> left;
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      left = fillAndSplitAtTheMedian(parent, 200);
      parent.writeSnapshot(snapshot, 1, 201);
    }
    try (KvStore restored = KvStore.restore(snapshot, dir.resolve("restored/data.db"))) {
      assertThat(restored.hasLeftovers()).isFalse();
      assertThat(restored.storedKeys()).isEqualTo(left.size());
      assertHolds(restored, left);
    }
  }

  @Test
  void aSecondSplitBeforeTheFirstsLeftoversAreGoneLeavesOnlyTheLeftOfBoth() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 400);
      long at1 = medianOf(written.keySet());
      parent.split(1, 401, split(7, 1), seedFile()).orElseThrow();
      // Part of the first split's leftovers removed: the removal is part way through the tree.
      for (int i = 0; i < 5; i++) {
        parent.removeLeftovers(7);
      }
      TreeMap<String, String> left1 = where(written, h -> below(h, at1));
      long at2 = medianOf(left1.keySet());
      parent.split(1, 402, split(8, 2), dir.resolve("seeds/8.db")).orElseThrow();
      TreeMap<String, String> left2 = where(written, h -> below(h, at2));

      removeAllLeftovers(parent);

      assertThat(parent.storedKeys()).isEqualTo(left2.size());
      assertHolds(parent, left2);
      try (KvStore middle = openSeed(dir.resolve("seeds/8.db"), "r8")) {
        assertHolds(middle, where(left1, h -> !below(h, at2)));
      }
    }
  }

  // ---- further splits ----

  @Test
  void theLeftHalfCanBeSplitAgainReachingVersionThree() throws IOException {
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 200);
      long at1 = medianOf(written.keySet());
      parent.split(1, 201, split(7, 1), seedFile()).orElseThrow();
      TreeMap<String, String> left = where(written, h -> below(h, at1));
      long at2 = medianOf(left.keySet());
      Path secondSeed = dir.resolve("seeds/8.db");

      RangeResult second = parent.split(1, 202, split(8, 2), secondSeed).orElseThrow();

      assertThat(second.getSplit()).isEqualTo(SplitResult.newBuilder()
          .setSplitHash(at2).setNewRangeId(8).setLeftKeys(50).setRightKeys(50).build());
      assertThat(parent.bounds()).hasValue(new HashRange(0, at2));
      assertThat(parent.version()).isEqualTo(3);
      try (KvStore first = openSeed(seedFile(), "r7"); KvStore middle = openSeed(secondSeed, "r8")) {
        assertThat(first.bounds()).hasValue(new HashRange(at1, 0));
        assertThat(first.version()).isEqualTo(2);
        assertThat(middle.bounds()).hasValue(new HashRange(at2, at1));
        assertThat(middle.version()).isEqualTo(3);
        for (Map.Entry<String, String> e : written.entrySet()) {
          List<String> holders = new ArrayList<>();
          for (KvStore s : List.of(parent, middle, first)) {
            lookup(s, e.getKey()).ifPresent(holders::add);
          }
          assertThat(holders).as(e.getKey()).containsExactly(e.getValue());
        }
        assertThat(parent.keyCount() + middle.keyCount() + first.keyCount()).isEqualTo(200);
      }
    }
  }

  @Test
  void aRangeCreatedByASplitCanItselfBeSplit() throws IOException {
    TreeMap<String, String> right;
    long at1;
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      TreeMap<String, String> written = fill(parent, 100);
      at1 = medianOf(written.keySet());
      right = where(written, h -> !below(h, at1));
      parent.split(1, 101, split(7, 1), seedFile()).orElseThrow();
    }
    try (KvStore seed = openSeed(seedFile(), "r7")) {
      long at2 = medianOf(right.keySet());
      Path grandchild = dir.resolve("seeds/9.db");

      RangeResult result = seed.split(1, 1, split(9, 2), grandchild).orElseThrow();

      assertThat(result.getSplit().getSplitHash()).isEqualTo(at2);
      assertThat(seed.bounds()).hasValue(new HashRange(at1, at2));
      assertThat(seed.version()).isEqualTo(3);
      try (KvStore last = openSeed(grandchild, "r9")) {
        assertThat(last.bounds()).hasValue(new HashRange(at2, 0));
        assertThat(last.version()).isEqualTo(3);
        assertHolds(last, where(right, h -> !below(h, at2)));
      }
      assertHolds(seed, where(right, h -> below(h, at2)));
    }
  }

  // ---- never split ----

  @Test
  void aStoreNeverSplitAcceptsAnyKey() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("a/data.db"))) {
      assertThat(store.isFresh()).isTrue();
      assertThat(store.bounds()).isEmpty();
      assertThat(store.version()).isEqualTo(1);
      // Keys from every quarter of the hash space, including above 2^63.
      List<String> keys = List.of(
          keyWhere("q", h -> below(h, QUARTER)),
          keyWhere("q", h -> !below(h, QUARTER) && below(h, HALF)),
          keyWhere("q", h -> !below(h, HALF) && below(h, HALF + QUARTER)),
          keyWhere("q", h -> !below(h, HALF + QUARTER)));
      long index = 0;
      for (String key : keys) {
        assertThat(store.apply(1, ++index, put(key, key + "!")).orElseThrow().getStatus())
            .isEqualTo(RangeResult.Status.OK);
      }
      for (String key : keys) {
        assertThat(lookup(store, key)).hasValue(key + "!");
      }
      assertThat(store.read(keys.stream().map(KvStoreSplitTest::b).toList()).getResultsList())
          .allMatch(GetResponse::getFound);
      assertThat(store.isFresh()).isFalse();
      assertThat(store.bounds()).isEmpty();
    }
  }

  @Test
  void onlyABlankStoreIsFresh() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("a/data.db"))) {
      assertThat(store.isFresh()).isTrue();
      // A refused split consumes an index: the store is no longer blank.
      store.split(1, 1, split(7, 1), seedFile());
      assertThat(store.isFresh()).isFalse();
    }
    assertThat(Files.exists(seedFile())).isFalse();
  }
}
