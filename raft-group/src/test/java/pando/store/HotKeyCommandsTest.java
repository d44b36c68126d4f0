package pando.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.hot.HotKey;
import pando.api.hot.SaltedKeys;
import pando.internal.v1.ClearFolds;
import pando.internal.v1.CopyPut;
import pando.internal.v1.CopyPutResult;
import pando.internal.v1.FoldCopy;
import pando.internal.v1.FoldCopyResult;
import pando.internal.v1.KeyMeta;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.internal.v1.SealCopy;
import pando.internal.v1.SealCopyResult;
import pando.v1.IncrRequest;
import pando.v1.PutRequest;

/** The commands for salted copies, applied to plain maps through {@link RangeCommands#apply}. */
class HotKeyCommandsTest {
  private static final ByteString PLAIN = ByteString.copyFromUtf8("counter");
  private static final ByteString COPY = SaltedKeys.salted(PLAIN, 1, 4);

  private final NavigableMap<byte[], byte[]> data = new TreeMap<>(Arrays::compareUnsigned);
  private final NavigableMap<byte[], byte[]> metaMap = new TreeMap<>(Arrays::compareUnsigned);
  private final KeyMetas metas = new KeyMetas(metaMap);

  // ---- helpers ----

  private RangeResult apply(RangeCommand command) {
    return RangeCommands.apply(data, metas, command, KeyVersions.of(1, 1));
  }

  private RangeResult copyPut(ByteString key, long version, Optional<String> value) {
    CopyPut.Builder put = CopyPut.newBuilder().setKey(key).setVersion(version).setPresent(value.isPresent());
    value.ifPresent(v -> put.setValue(ByteString.copyFromUtf8(v)));
    return apply(RangeCommand.newBuilder().setCopyPut(put).build());
  }

  private RangeResult seal(ByteString key) {
    return apply(RangeCommand.newBuilder().setSealCopy(SealCopy.newBuilder().setKey(key)).build());
  }

  private RangeResult fold(ByteString key, int salt, int salts, long delta) {
    return apply(RangeCommand.newBuilder()
        .setFoldCopy(FoldCopy.newBuilder().setKey(key).setSalt(salt).setSalts(salts).setDelta(delta)).build());
  }

  private RangeResult clearFolds(ByteString key) {
    return apply(RangeCommand.newBuilder().setClearFolds(ClearFolds.newBuilder().setKey(key)).build());
  }

  private RangeResult incr(ByteString key, long delta) {
    return apply(RangeCommand.newBuilder().setIncr(IncrRequest.newBuilder().setKey(key).setDelta(delta)).build());
  }

  private Optional<ByteString> value(ByteString key) {
    byte[] v = data.get(key.toByteArray());
    return Optional.ofNullable(v).map(ByteString::copyFrom);
  }

  private Optional<String> text(ByteString key) {
    return value(key).map(ByteString::toStringUtf8);
  }

  private long counter(ByteString key) {
    return value(key).map(v -> v.asReadOnlyByteBuffer().getLong()).orElse(0L);
  }

  private KeyMeta meta(ByteString key) {
    return metas.of(key.toByteArray());
  }

  /** Everything the maps hold, to compare before and after a command that must change nothing. */
  private Map<String, String> state() {
    Map<String, String> state = new TreeMap<>();
    data.forEach((k, v) -> state.put("value " + Arrays.toString(k), Arrays.toString(v)));
    metaMap.forEach((k, v) -> state.put("meta " + Arrays.toString(k), Arrays.toString(v)));
    return state;
  }

  private static ByteString counterValue(long value) {
    return ByteString.copyFrom(RangeCommands.encodeCounter(value));
  }

  private static void assertRefused(RangeResult result, RangeResult.Status status, String reason) {
    assertThat(result.getStatus()).isEqualTo(status);
    assertThat(result.getMessage()).contains(reason);
    assertThat(result.getResultCase()).isEqualTo(RangeResult.ResultCase.RESULT_NOT_SET);
  }

  // ---- CopyPut ----

  @Test
  void aCopyPutStoresTheValueAndItsVersion() {
    RangeResult result = copyPut(COPY, 5, Optional.of("v5"));

    assertThat(result.getCopyPut())
        .isEqualTo(CopyPutResult.newBuilder().setApplied(true).setStoredVersion(5).build());
    assertThat(text(COPY)).hasValue("v5");
    assertThat(meta(COPY)).isEqualTo(KeyMeta.newBuilder().setVersion(5).build());
  }

  @Test
  void aCopyPutOfAnAbsentValueRemovesTheCopyAndKeepsATombstone() {
    copyPut(COPY, 5, Optional.of("v5"));

    RangeResult result = copyPut(COPY, 6, Optional.empty());

    assertThat(result.getCopyPut().getApplied()).isTrue();
    assertThat(value(COPY)).isEmpty();
    assertThat(meta(COPY)).isEqualTo(KeyMeta.newBuilder().setVersion(6).setTombstone(true).build());
    // The tombstone stops the older value from coming back.
    assertThat(copyPut(COPY, 5, Optional.of("v5")).getCopyPut().getApplied()).isFalse();
    assertThat(value(COPY)).isEmpty();
    // A newer value replaces the tombstone.
    copyPut(COPY, 7, Optional.of("v7"));
    assertThat(text(COPY)).hasValue("v7");
    assertThat(meta(COPY)).isEqualTo(KeyMeta.newBuilder().setVersion(7).build());
  }

  @ParameterizedTest(name = "stored {0}, arriving {1}")
  @CsvSource({"10, 10", "10, 9", "10, 1"})
  void aCopyPutNoNewerThanTheCopyChangesNothing(long stored, long arriving) {
    copyPut(COPY, stored, Optional.of("stored"));
    Map<String, String> before = state();

    RangeResult result = copyPut(COPY, arriving, Optional.of("arriving"));

    assertThat(result.getCopyPut())
        .isEqualTo(CopyPutResult.newBuilder().setApplied(false).setStoredVersion(stored).build());
    assertThat(state()).isEqualTo(before);
  }

  @Test
  void versionsAreComparedAsUnsignedNumbers() {
    long high = KeyVersions.of(KeyVersions.MAX_EPOCH_VERSION, 1);
    assertThat(high).isNegative();
    copyPut(COPY, KeyVersions.of(2, 5), Optional.of("low"));

    assertThat(copyPut(COPY, high, Optional.of("high")).getCopyPut().getApplied()).isTrue();
    assertThat(copyPut(COPY, KeyVersions.of(3, 5), Optional.of("lower")).getCopyPut().getApplied()).isFalse();
    assertThat(text(COPY)).hasValue("high");
  }

  /** Every order of 0..n-1. */
  private static List<int[]> permutations(int n) {
    List<int[]> out = new ArrayList<>();
    permute(IntStream.range(0, n).toArray(), 0, out);
    return out;
  }

  private static void permute(int[] items, int from, List<int[]> out) {
    if (from == items.length) {
      out.add(items.clone());
      return;
    }
    for (int i = from; i < items.length; i++) {
      int[] swapped = items.clone();
      swapped[from] = items[i];
      swapped[i] = items[from];
      permute(swapped, from + 1, out);
    }
  }

  @Test
  void copyPutsArrivingInAnyOrderConvergeToTheHighestVersion() {
    // A primary's writes: write i has version (i + 1) << 40; write 3 is a delete, so a value and a
    // tombstone both get to be the newest in some orders.
    List<Optional<String>> writes =
        List.of(Optional.of("w0"), Optional.of("w1"), Optional.of("w2"), Optional.empty(), Optional.of("w4"));
    List<int[]> orders = permutations(writes.size());
    assertThat(orders).hasSize(120);
    for (int[] order : orders) {
      data.clear();
      metaMap.clear();
      int highest = -1;
      for (int write : order) {
        String where = Arrays.toString(order) + " at write " + write;
        RangeResult result = copyPut(COPY, KeyVersions.of(write + 1, 1), writes.get(write));
        assertThat(result.getCopyPut().getApplied()).as(where).isEqualTo(write > highest);
        highest = Math.max(highest, write);
        // At every moment the copy holds the newest write that has arrived.
        assertThat(text(COPY)).as(where).isEqualTo(writes.get(highest));
        assertThat(meta(COPY)).as(where).isEqualTo(KeyMeta.newBuilder()
            .setVersion(KeyVersions.of(highest + 1, 1)).setTombstone(writes.get(highest).isEmpty()).build());
      }
      assertThat(text(COPY)).hasValue("w4");
    }
  }

  static Stream<Arguments> notCopies() {
    ByteString otherInternal = ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e, 0x64, 0x01, 0x02, 0x03, 0x04});
    ByteString saltOutOfRange = COPY.substring(0, 5).concat(ByteString.copyFrom(new byte[] {4, 4}))
        .concat(PLAIN);
    return Stream.of(
        Arguments.of("plain key", PLAIN),
        Arguments.of("internal key of another kind", otherInternal),
        Arguments.of("copy header with salt 4 of 4", saltOutOfRange),
        Arguments.of("copy header without a key", COPY.substring(0, SaltedKeys.OVERHEAD_BYTES)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notCopies")
  void copyCommandsRefuseAKeyThatIsNotACopyAndChangeNothing(String name, ByteString key) {
    data.put(key.toByteArray(), "before".getBytes(UTF_8));
    Map<String, String> before = state();

    assertRefused(copyPut(key, 5, Optional.of("v")), RangeResult.Status.FAILED_PRECONDITION, "salted copy");
    assertRefused(copyPut(key, 5, Optional.empty()), RangeResult.Status.FAILED_PRECONDITION, "salted copy");
    assertRefused(seal(key), RangeResult.Status.FAILED_PRECONDITION, "salted copy");

    assertThat(state()).isEqualTo(before);
  }

  @Test
  void aCopyPutWithoutAVersionIsRefused() {
    copyPut(COPY, 3, Optional.of("v3"));
    Map<String, String> before = state();

    assertRefused(copyPut(COPY, 0, Optional.of("v")), RangeResult.Status.FAILED_PRECONDITION, "version 0");

    assertThat(state()).isEqualTo(before);
  }

  // ---- SealCopy ----

  @Test
  void sealingACopyAnswersAndKeepsItsValueAndRefusesLaterIncrements() {
    assertThat(incr(COPY, 7).getIncr().getValue()).isEqualTo(7);

    RangeResult sealed = seal(COPY);

    assertThat(sealed.getSealCopy())
        .isEqualTo(SealCopyResult.newBuilder().setFound(true).setValue(counterValue(7)).build());
    assertThat(meta(COPY).getSealed()).isTrue();
    Map<String, String> before = state();
    RangeResult refused = incr(COPY, 1);
    assertRefused(refused, RangeResult.Status.FAILED_PRECONDITION, "sealed");
    assertThat(refused.getKeyVersion()).isZero();
    assertThat(state()).isEqualTo(before);
    assertThat(counter(COPY)).isEqualTo(7);
  }

  @Test
  void sealingIsIdempotent() {
    incr(COPY, 4);
    RangeResult first = seal(COPY);
    Map<String, String> afterFirst = state();

    RangeResult second = seal(COPY);

    assertThat(second).isEqualTo(first);
    assertThat(state()).isEqualTo(afterFirst);
  }

  @Test
  void sealingAnAbsentCopyStopsAnIncrementFromCreatingIt() {
    RangeResult sealed = seal(COPY);

    assertThat(sealed.getSealCopy()).isEqualTo(SealCopyResult.getDefaultInstance());
    assertRefused(incr(COPY, 1), RangeResult.Status.FAILED_PRECONDITION, "sealed");
    assertThat(value(COPY)).isEmpty();
  }

  @Test
  void sealingKeepsTheCopysVersionAndACopyPutKeepsTheSeal() {
    copyPut(COPY, 5, Optional.of("v5"));
    seal(COPY);
    assertThat(meta(COPY)).isEqualTo(KeyMeta.newBuilder().setVersion(5).setSealed(true).build());

    copyPut(COPY, 6, Optional.of("v6"));

    assertThat(meta(COPY)).isEqualTo(KeyMeta.newBuilder().setVersion(6).setSealed(true).build());
    assertRefused(incr(COPY, 1), RangeResult.Status.FAILED_PRECONDITION, "sealed");
  }

  // ---- FoldCopy ----

  @Test
  void aFoldAddsTheDeltaToThePlainCounterAndRecordsTheSalt() {
    incr(PLAIN, 10);

    RangeResult result = fold(PLAIN, 2, 4, 5);

    assertThat(result.getFoldCopy()).isEqualTo(FoldCopyResult.newBuilder().setApplied(true).setValue(15).build());
    assertThat(counter(PLAIN)).isEqualTo(15);
    assertThat(meta(PLAIN).getFoldedSaltsList()).containsExactly(2);
  }

  @Test
  void aFoldIntoAnAbsentKeyStartsFromZero() {
    assertThat(fold(PLAIN, 0, 2, -3).getFoldCopy().getValue()).isEqualTo(-3);
    assertThat(counter(PLAIN)).isEqualTo(-3);
  }

  @Test
  void aRepeatedFoldChangesNothingAndAnswersTheCurrentValue() {
    fold(PLAIN, 1, 4, 5);
    incr(PLAIN, 2);
    Map<String, String> before = state();

    RangeResult again = fold(PLAIN, 1, 4, 5);

    assertThat(again.getStatus()).isEqualTo(RangeResult.Status.OK);
    assertThat(again.getFoldCopy()).isEqualTo(FoldCopyResult.newBuilder().setApplied(false).setValue(7).build());
    assertThat(state()).isEqualTo(before);
  }

  @Test
  void aRepeatedFoldIsANoOpEvenIfItsDeltaWouldOverflow() {
    fold(PLAIN, 1, 4, Long.MAX_VALUE);
    RangeResult again = fold(PLAIN, 1, 4, Long.MAX_VALUE);
    assertThat(again.getFoldCopy()).isEqualTo(
        FoldCopyResult.newBuilder().setApplied(false).setValue(Long.MAX_VALUE).build());
  }

  @Test
  void foldsOfEverySaltInAnyOrderAddUpAndRecordTheSaltsInOrder() {
    int[] order = {3, 0, 2, 1};
    long[] deltas = {10, 20, 30, 40};
    for (int salt : order) {
      fold(PLAIN, salt, 4, deltas[salt]);
      fold(PLAIN, salt, 4, deltas[salt]);
    }
    assertThat(counter(PLAIN)).isEqualTo(100);
    assertThat(meta(PLAIN).getFoldedSaltsList()).containsExactly(0, 1, 2, 3);
  }

  @Test
  void aSaltedCounterSumsToTheSameValueBeforeAndAfterEachFold() {
    HotKey hot = new HotKey(PLAIN, HotKey.Mode.WRITE_HOT_COUNTER, 4, HotKey.State.UNSALTING, HotKey.Origin.DETECTED);
    incr(PLAIN, 100);
    for (int salt = 0; salt < 4; salt++) {
      incr(hot.copy(salt), 10L * (salt + 1));
    }
    long total = sum(hot);
    assertThat(total).isEqualTo(200);
    for (int salt : new int[] {2, 0, 3, 1}) {
      ByteString copyValue = seal(hot.copy(salt)).getSealCopy().getValue();
      assertThat(sum(hot)).isEqualTo(total);
      fold(PLAIN, salt, 4, copyValue.asReadOnlyByteBuffer().getLong());
      assertThat(sum(hot)).as("after folding salt %d", salt).isEqualTo(total);
    }
    assertThat(counter(PLAIN)).isEqualTo(total);
  }

  private long sum(HotKey hot) {
    List<Optional<ByteString>> copies = hot.copies().stream().map(this::value).toList();
    Set<Integer> folded = Set.copyOf(meta(PLAIN).getFoldedSaltsList());
    HotKey.CounterSum sum = hot.sumCounter(value(PLAIN), folded, copies);
    return ((HotKey.CounterSum.Value) sum).value();
  }

  static Stream<Arguments> refusedFolds() {
    return Stream.of(
        Arguments.of("a copy's key", COPY, 0, 4, "reserved"),
        Arguments.of("an empty key", ByteString.EMPTY, 0, 4, "empty"),
        Arguments.of("a key too long to salt", ByteString.copyFrom(new byte[SaltedKeys.MAX_SALTABLE_KEY_BYTES + 1]),
            0, 4, "can be salted"),
        Arguments.of("salt equal to the count", PLAIN, 4, 4, "salt must be in 0..3"),
        Arguments.of("negative salt", PLAIN, -1, 4, "salt must be in 0..3"),
        Arguments.of("one salt", PLAIN, 0, 1, "salt count"),
        Arguments.of("65 salts", PLAIN, 0, 65, "salt count"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedFolds")
  void aFoldWithABadKeyOrSaltIsRefusedAndChangesNothing(String name, ByteString key, int salt, int salts,
      String reason) {
    incr(PLAIN, 1);
    data.put(key.toByteArray(), RangeCommands.encodeCounter(5));
    Map<String, String> before = state();

    assertRefused(fold(key, salt, salts, 3), RangeResult.Status.FAILED_PRECONDITION, reason);

    assertThat(state()).isEqualTo(before);
  }

  @Test
  void aFoldIntoAValueThatIsNotACounterIsRefusedAndChangesNothing() {
    apply(RangeCommand.newBuilder().setPut(PutRequest.newBuilder().setKey(PLAIN).setValue(ByteString.copyFromUtf8("text")))
        .build());
    Map<String, String> before = state();

    assertRefused(fold(PLAIN, 0, 4, 1), RangeResult.Status.FAILED_PRECONDITION, "not an 8-byte counter");

    assertThat(state()).isEqualTo(before);
  }

  @Test
  void aFoldThatWouldOverflowIsRefusedChangesNothingAndCanBeRetried() {
    fold(PLAIN, 0, 4, Long.MAX_VALUE);
    Map<String, String> before = state();

    assertRefused(fold(PLAIN, 1, 4, 1), RangeResult.Status.OUT_OF_RANGE, "overflows");

    assertThat(state()).isEqualTo(before);
    assertThat(meta(PLAIN).getFoldedSaltsList()).containsExactly(0);
    assertThat(fold(PLAIN, 1, 4, -1).getFoldCopy().getApplied()).isTrue();
    assertThat(counter(PLAIN)).isEqualTo(Long.MAX_VALUE - 1);
  }

  // ---- ClearFolds ----

  @Test
  void clearingFoldsDropsAMetaThatHeldNothingElseAndLetsTheSaltsFoldAgain() {
    fold(PLAIN, 0, 2, 1);
    fold(PLAIN, 1, 2, 1);

    assertThat(clearFolds(PLAIN).hasClearFolds()).isTrue();

    assertThat(metaMap).isEmpty();
    assertThat(counter(PLAIN)).isEqualTo(2);
    // A later salting of the key folds its copies afresh.
    assertThat(fold(PLAIN, 0, 2, 5).getFoldCopy().getApplied()).isTrue();
    assertThat(counter(PLAIN)).isEqualTo(7);
  }

  @Test
  void clearingFoldsKeepsTheRestOfTheMeta() {
    byte[] key = PLAIN.toByteArray();
    metas.put(key, KeyMeta.newBuilder().setVersion(9).setSealed(true).addFoldedSalts(3).build());

    clearFolds(PLAIN);

    assertThat(meta(PLAIN)).isEqualTo(KeyMeta.newBuilder().setVersion(9).setSealed(true).build());
  }

  @Test
  void clearingFoldsIsIdempotentAndCreatesNoMeta() {
    incr(PLAIN, 3);
    Map<String, String> before = state();

    assertThat(clearFolds(PLAIN).getStatus()).isEqualTo(RangeResult.Status.OK);
    assertThat(clearFolds(PLAIN).getStatus()).isEqualTo(RangeResult.Status.OK);

    assertThat(state()).isEqualTo(before);
    assertThat(metaMap).isEmpty();
  }

  // ---- reading metas ----

  @Test
  void plainReadsSeeValuesOnlyAndMetaReadsSeeBoth() {
    copyPut(COPY, 5, Optional.of("v5"));
    RangeQuery.Builder query = RangeQuery.newBuilder().addKeys(COPY);

    RangeResult plain = apply(RangeCommand.newBuilder().setRead(query).build());
    RangeResult withMeta = apply(RangeCommand.newBuilder().setRead(query.setWithMeta(true)).build());

    assertThat(plain.getGet().getResults(0).getValue().toStringUtf8()).isEqualTo("v5");
    assertThat(plain.getMetasList()).isEmpty();
    assertThat(withMeta.getMetasList()).containsExactly(KeyMeta.newBuilder().setVersion(5).build());
  }
}
