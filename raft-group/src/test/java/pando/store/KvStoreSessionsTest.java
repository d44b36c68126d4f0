package pando.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.api.KeyHash;
import pando.internal.v1.Batch;
import pando.internal.v1.OpenSession;
import pando.internal.v1.Proposal;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeResult;
import pando.internal.v1.SplitCommand;
import pando.v1.CasRequest;
import pando.v1.GetResponse;
import pando.v1.IncrRequest;
import pando.v1.PutRequest;
import pando.v1.WriteId;

/** A store applies each identified write once: in batches, across restarts, snapshots and splits. */
class KvStoreSessionsTest {
  private static final long HALF = Long.MIN_VALUE; // 2^63 as an unsigned hash
  @TempDir Path dir;

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static RangeCommand incr(String key) {
    return RangeCommand.newBuilder().setIncr(IncrRequest.newBuilder().setKey(b(key)).setDelta(1)).build();
  }

  private static RangeCommand put(String key, String value) {
    return RangeCommand.newBuilder().setPut(PutRequest.newBuilder().setKey(b(key)).setValue(b(value))).build();
  }

  private static RangeCommand cas(String key, String expected, String next) {
    return RangeCommand.newBuilder()
        .setCas(CasRequest.newBuilder().setKey(b(key)).setExpected(b(expected)).setNewValue(b(next))).build();
  }

  private static Proposal identified(long session, long seq, RangeCommand command) {
    return Proposal.newBuilder()
        .setId(WriteId.newBuilder().setSession(session).setSeq(seq).setDoneBelow(1))
        .setCommand(command).build();
  }

  private static RangeCommand batch(Proposal... proposals) {
    return RangeCommand.newBuilder()
        .setBatch(Batch.newBuilder().setProposedAtUnixMillis(1_000).addAllProposals(List.of(proposals))).build();
  }

  private static final RangeCommand OPEN = batch(Proposal.newBuilder()
      .setCommand(RangeCommand.newBuilder().setOpenSession(OpenSession.getDefaultInstance())).build());

  /** Opens a session at {@code index}; returns its id. */
  private static long open(KvStore store, long index) {
    RangeResult result = store.apply(1, index, OPEN).orElseThrow().getBatch().getResults(0);
    assertThat(result.getStatus()).isEqualTo(RangeResult.Status.OK);
    return result.getOpenSession().getSession();
  }

  private static List<RangeResult> apply(KvStore store, long index, Proposal... proposals) {
    return store.apply(1, index, batch(proposals)).orElseThrow().getBatch().getResultsList();
  }

  private static long counter(KvStore store, String key) {
    GetResponse r = store.read(List.of(b(key))).getResults(0);
    return r.getFound() ? r.getValue().asReadOnlyByteBuffer().getLong() : 0;
  }

  private static String value(KvStore store, String key) {
    return store.read(List.of(b(key))).getResults(0).getValue().toStringUtf8();
  }

  @Test
  void aBatchAnswersEachWriteWithItsOwnResultInOrder() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("data.db"))) {
      long session = open(store, 1);
      apply(store, 2, identified(session, 1, put("a", "1")));
      List<RangeResult> results = apply(store, 3,
          identified(session, 2, cas("a", "wrong", "2")),
          identified(session, 3, put("b", "x")),
          identified(session, 4, cas("a", "1", "3")),
          identified(session, 5, incr("c")));
      assertThat(results).hasSize(4);
      assertThat(results.get(0).getCas().getSucceeded()).isFalse();
      assertThat(results.get(0).getCas().getCurrent().toStringUtf8()).isEqualTo("1");
      assertThat(results.get(1).hasPut()).isTrue();
      assertThat(results.get(2).getCas().getSucceeded()).isTrue();
      assertThat(results.get(3).getIncr().getValue()).isEqualTo(1);
      assertThat(value(store, "a")).isEqualTo("3");
      assertThat(value(store, "b")).isEqualTo("x");
    }
  }

  @Test
  void aDelayedCopyOfAWriteAfterLaterWritesChangesNothing() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("data.db"))) {
      long session = open(store, 1);
      RangeResult first = apply(store, 2, identified(session, 1, put("k", "118"))).get(0);
      apply(store, 3, identified(session, 2, put("k", "170")));
      apply(store, 4, identified(session, 3, put("k", "190")));
      RangeResult again = apply(store, 5, identified(session, 1, put("k", "118"))).get(0);
      assertThat(again).isEqualTo(first);
      assertThat(value(store, "k")).isEqualTo("190");
    }
  }

  @Test
  void aWriteOfAnUnopenedSessionIsRefusedAndChangesNothing() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("data.db"))) {
      RangeResult result = apply(store, 1, identified(12345, 1, incr("c"))).get(0);
      assertThat(result.getStatus()).isEqualTo(RangeResult.Status.SESSION_UNKNOWN);
      assertThat(counter(store, "c")).isZero();
    }
  }

  @Test
  void oneEntryOpensAtMostOneSession() throws IOException {
    try (KvStore store = KvStore.open(dir.resolve("data.db"))) {
      Proposal opening = OPEN.getBatch().getProposals(0);
      List<RangeResult> results = apply(store, 1, opening, opening);
      assertThat(results.get(0).getStatus()).isEqualTo(RangeResult.Status.OK);
      assertThat(results.get(1).getStatus()).isEqualTo(RangeResult.Status.FAILED_PRECONDITION);
    }
  }

  @Test
  void sessionsSurviveARestartAndAnIncrIsNotCountedTwice() throws IOException {
    Path file = dir.resolve("data.db");
    long session;
    try (KvStore store = KvStore.open(file)) {
      session = open(store, 1);
      apply(store, 2, identified(session, 1, incr("c")));
    }
    try (KvStore store = KvStore.open(file)) {
      RangeResult again = apply(store, 3, identified(session, 1, incr("c"))).get(0);
      assertThat(again.getIncr().getValue()).isEqualTo(1);
      assertThat(counter(store, "c")).isEqualTo(1);
    }
  }

  @Test
  void aRestoredSnapshotKnowsTheSessionsOfItsSource() throws IOException {
    Path snapshot = dir.resolve("snapshot.db");
    long session;
    try (KvStore store = KvStore.open(dir.resolve("a/data.db"))) {
      session = open(store, 1);
      apply(store, 2, identified(session, 1, incr("c")));
      store.flush();
      store.writeSnapshot(snapshot, 1, 2);
    }
    try (KvStore restored = KvStore.restore(snapshot, dir.resolve("b/data.db"))) {
      assertThat(apply(restored, 3, identified(session, 1, incr("c"))).get(0).getIncr().getValue()).isEqualTo(1);
      assertThat(counter(restored, "c")).isEqualTo(1);
      assertThat(apply(restored, 4, identified(session, 2, incr("c"))).get(0).getIncr().getValue()).isEqualTo(2);
    }
  }

  @Test
  void bothHalvesOfASplitKnowTheSessionsOfTheParent() throws IOException {
    String right = IntStream.range(0, 1000).mapToObj(i -> "r-" + i)
        .filter(k -> Long.compareUnsigned(KeyHash.of(k.getBytes(UTF_8)), HALF) >= 0).findFirst().orElseThrow();
    String left = IntStream.range(0, 1000).mapToObj(i -> "l-" + i)
        .filter(k -> Long.compareUnsigned(KeyHash.of(k.getBytes(UTF_8)), HALF) < 0).findFirst().orElseThrow();
    Path seed = dir.resolve("seeds/9.db");
    long session;
    try (KvStore parent = KvStore.open(dir.resolve("parent/data.db"))) {
      session = open(parent, 1);
      apply(parent, 2, identified(session, 1, incr(right)), identified(session, 2, incr(left)));
      parent.split(1, 3, SplitCommand.newBuilder().setNewRangeId(9).setExpectedVersion(1).setStart(0).setEnd(0)
          .setSplitHash(HALF).build(), seed).orElseThrow();
      // A retry of the write whose key moved right is refused here (it belongs to the new range)...
      assertThat(apply(parent, 4, identified(session, 1, incr(right))).get(0).getStatus())
          .isEqualTo(RangeResult.Status.WRONG_RANGE);
      // ...and one of the write whose key stayed is answered as before.
      assertThat(apply(parent, 5, identified(session, 2, incr(left))).get(0).getIncr().getValue()).isEqualTo(1);
      assertThat(counter(parent, left)).isEqualTo(1);
    }
    try (KvStore newRange = KvStore.restore(seed, dir.resolve("new/data.db"))) {
      assertThat(apply(newRange, 1, identified(session, 1, incr(right))).get(0).getIncr().getValue()).isEqualTo(1);
      assertThat(counter(newRange, right)).isEqualTo(1);
    }
  }

  @Test
  void aSessionWithThousandsOfUnfinishedWritesIsPersistedWhole() throws IOException {
    Path file = dir.resolve("data.db");
    long session;
    int writes = 20_000; // the most results a session keeps
    try (KvStore store = KvStore.open(file)) {
      session = open(store, 1);
      for (int seq = 1; seq <= writes; seq++) {
        // done_below stays at 1: the writer has not heard back about any of them yet.
        apply(store, 1 + seq, identified(session, seq, incr("c")));
      }
    }
    try (KvStore store = KvStore.open(file)) {
      for (int seq : new int[] {1, writes / 2, writes}) {
        assertThat(apply(store, writes + 1 + seq, identified(session, seq, incr("c"))).get(0).getIncr().getValue())
            .isEqualTo(seq);
      }
      assertThat(counter(store, "c")).isEqualTo(writes);
    }
  }
}
