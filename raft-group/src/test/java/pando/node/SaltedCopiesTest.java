package pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.api.KeyHash;
import pando.api.hot.HotKey;
import pando.api.hot.HotKeyTable;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.store.KvStore;
import pando.v1.CasRequest;
import pando.v1.DeleteRequest;
import pando.v1.GetResponse;
import pando.v1.IncrRequest;
import pando.v1.PutRequest;

/**
 * The node's salted-copy steps against real range stores (MapDB files, one per range; a key's
 * range chosen by its hash), with the Raft log left out: each command is applied at the next index.
 */
class SaltedCopiesTest {
  private static final int RANGES = 3;
  private static final ByteString KEY = ByteString.copyFromUtf8("celebrity");

  @TempDir Path dir;
  private final List<KvStore> stores = new ArrayList<>();
  private final long[] nextIndex = new long[RANGES];
  private SaltedCopies copies;

  @BeforeEach
  void open() throws IOException {
    for (int i = 0; i < RANGES; i++) {
      stores.add(KvStore.open(dir.resolve("range-" + i + ".db")));
    }
    copies = new SaltedCopies(new SaltedCopies.Ranges() {
      @Override
      public long rangeOf(ByteString key) {
        return Long.remainderUnsigned(KeyHash.of(key.toByteArray()), RANGES);
      }

      @Override
      public CompletableFuture<RangeResult> write(long rangeId, RangeCommand command) {
        return CompletableFuture.completedFuture(apply((int) rangeId, command));
      }

      @Override
      public CompletableFuture<RangeResult> read(long rangeId, RangeQuery query, boolean stale) {
        return CompletableFuture.completedFuture(stores.get((int) rangeId).query(query));
      }
    }, Duration.ofSeconds(10));
  }

  @AfterEach
  void close() {
    stores.forEach(KvStore::close);
  }

  private RangeResult apply(int range, RangeCommand command) {
    return stores.get(range).apply(1, ++nextIndex[range], command).orElseThrow();
  }

  private RangeResult applyToKey(ByteString key, RangeCommand command) {
    return apply((int) Long.remainderUnsigned(KeyHash.of(key.toByteArray()), RANGES), command);
  }

  private Optional<ByteString> read(ByteString key) {
    int range = (int) Long.remainderUnsigned(KeyHash.of(key.toByteArray()), RANGES);
    GetResponse r = stores.get(range).query(RangeQuery.newBuilder().addKeys(key).build()).getGet().getResults(0);
    return r.getFound() ? Optional.of(r.getValue()) : Optional.empty();
  }

  private static HotKey readHot(HotKey.State state) {
    return new HotKey(KEY, HotKey.Mode.READ_HOT, 4, state, HotKey.Origin.PINNED);
  }

  private static HotKey counter(HotKey.State state) {
    return new HotKey(KEY, HotKey.Mode.WRITE_HOT_COUNTER, 3, state, HotKey.Origin.PINNED);
  }

  private static RangeCommand put(String value) {
    return RangeCommand.newBuilder().setPut(PutRequest.newBuilder().setKey(KEY).setValue(ByteString.copyFromUtf8(value))).build();
  }

  @Test
  void aWriteReachesEveryCopyAndAnOlderOneArrivingLateChangesNothing() {
    HotKey hot = readHot(HotKey.State.ACTIVE);
    RangeCommand first = put("one");
    RangeResult firstResult = applyToKey(KEY, first);
    RangeCommand second = put("two");
    RangeResult secondResult = applyToKey(KEY, second);

    copies.copyWrite(hot, second, secondResult).join();
    copies.copyWrite(hot, first, firstResult).join(); // late, older

    for (ByteString copy : hot.copies()) {
      assertThat(read(copy)).contains(ByteString.copyFromUtf8("two"));
    }
  }

  @Test
  void deletesReachTheCopiesAndAFailedCasCopiesNothing() {
    HotKey hot = readHot(HotKey.State.ACTIVE);
    RangeCommand put = put("v");
    copies.copyWrite(hot, put, applyToKey(KEY, put)).join();
    RangeCommand failedCas = RangeCommand.newBuilder().setCas(CasRequest.newBuilder().setKey(KEY)
        .setExpected(ByteString.copyFromUtf8("not v")).setNewValue(ByteString.copyFromUtf8("w"))).build();
    copies.copyWrite(hot, failedCas, applyToKey(KEY, failedCas)).join();
    assertThat(read(hot.copy(2))).contains(ByteString.copyFromUtf8("v"));

    RangeCommand delete = RangeCommand.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(KEY)).build();
    copies.copyWrite(hot, delete, applyToKey(KEY, delete)).join();
    for (ByteString copy : hot.copies()) {
      assertThat(read(copy)).isEmpty();
    }
  }

  @Test
  void fillingCopiesTheKeyAsItIsAndDeletingRemovesThem() {
    HotKey hot = readHot(HotKey.State.SALTING);
    applyToKey(KEY, put("before salting"));

    copies.fill(hot).join();
    assertThat(hot.copies()).allSatisfy(copy -> assertThat(read(copy)).contains(ByteString.copyFromUtf8("before salting")));

    copies.deleteCopies(hot).join();
    assertThat(hot.copies()).allSatisfy(copy -> assertThat(read(copy)).isEmpty());
    assertThat(read(KEY)).contains(ByteString.copyFromUtf8("before salting"));
  }

  @Test
  void aSaltedCounterSumsToTheSameTotalBeforeDuringAndAfterFolding() {
    HotKey hot = counter(HotKey.State.ACTIVE);
    applyToKey(KEY, incr(KEY, 10));
    applyToKey(hot.copy(0), incr(hot.copy(0), 5));
    applyToKey(hot.copy(2), incr(hot.copy(2), 7));
    assertThat(total(hot)).isEqualTo(22);

    copies.foldCounter(hot.withState(HotKey.State.UNSALTING)).join();

    assertThat(total(hot)).isEqualTo(22);
    assertThat(read(KEY).map(v -> v.asReadOnlyByteBuffer().getLong())).contains(22L);
    assertThat(hot.copies()).allSatisfy(copy -> assertThat(read(copy)).isEmpty());
    // Folding again (a repeated step) adds nothing.
    copies.foldCounter(hot.withState(HotKey.State.UNSALTING)).join();
    assertThat(total(hot)).isEqualTo(22);
  }

  @Test
  void writesOfAReadHotKeyAreCopiedUntilItLeavesTheTableWhileReadsOfCopiesStopAtUnsalting() {
    // A node that knows the key is UNSALTING must still copy: another node may not know it yet and
    // serve a read of a copy (found by pando check: a read older than an acknowledged Cas).
    for (HotKey.State state : HotKey.State.values()) {
      assertThat(SaltedCopies.copiesWrites(readHot(state))).as("copies writes when %s", state).isTrue();
    }
    HotKey counter = new HotKey(KEY, HotKey.Mode.WRITE_HOT_COUNTER, 4, HotKey.State.ACTIVE, HotKey.Origin.PINNED);
    assertThat(SaltedCopies.copiesWrites(counter)).as("a counter's copies take increments, not writes").isFalse();
  }

  @Test
  void copiesAreServedOnlyWhileTheirKeyIsSaltedThatWay() {
    HotKeyTable table = HotKeyTable.empty().with(readHot(HotKey.State.ACTIVE));
    ByteString copy = readHot(HotKey.State.ACTIVE).copy(1);

    assertThat(SaltedCopies.copyReadRefusal(table, copy)).isEmpty();
    assertThat(SaltedCopies.copyReadRefusal(table, KEY)).as("plain keys are never refused").isEmpty();
    assertThat(SaltedCopies.copyIncrementRefusal(table, copy)).get().asString().contains("salted copy not in use");
    assertThat(SaltedCopies.copyReadRefusal(HotKeyTable.empty().with(readHot(HotKey.State.UNSALTING)), copy)).isPresent();
    assertThat(SaltedCopies.copyReadRefusal(HotKeyTable.empty(), copy)).isPresent();
    ByteString otherCount = new HotKey(KEY, HotKey.Mode.READ_HOT, 8, HotKey.State.ACTIVE, HotKey.Origin.PINNED).copy(1);
    assertThat(SaltedCopies.copyReadRefusal(table, otherCount)).as("copies of another salt count").isPresent();
  }

  private static RangeCommand incr(ByteString key, long delta) {
    return RangeCommand.newBuilder().setIncr(IncrRequest.newBuilder().setKey(key).setDelta(delta)).build();
  }

  private long total(HotKey hot) {
    GetResponse sum = copies.sumCounter(hot, false).join();
    return sum.getFound() ? ByteBuffer.wrap(sum.getValue().toByteArray()).getLong() : 0;
  }
}
