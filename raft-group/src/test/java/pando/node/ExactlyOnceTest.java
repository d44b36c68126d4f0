package pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.raft.ReplicaStatus;
import pando.testing.Await;
import pando.internal.v1.Proposal;
import pando.internal.v1.RangeCommand;
import pando.v1.ForwardedReply;
import pando.v1.ForwardedWrite;
import pando.v1.GetRequest;
import pando.v1.IncrRequest;
import pando.v1.NodeTransferLeaderRequest;
import pando.v1.OpenSessionRequest;
import pando.v1.PutRequest;
import pando.v1.RangeAdminGrpc;
import pando.v1.RangeDataGrpc;
import pando.v1.WriteId;

/**
 * A write delivered to a range again, after it was applied and answered and after later writes of
 * the same key (a retry, or a copy held up in a broken connection), is answered as the first time
 * and changes nothing: on the leader that applied it, through a node that forwards, after the
 * leadership moved, and on a leader that has the session only from an installed snapshot.
 */
class ExactlyOnceTest {
  @TempDir Path dir;

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static WriteId id(long session, long seq) {
    return WriteId.newBuilder().setSession(session).setSeq(seq).setDoneBelow(1).build();
  }

  private static PutRequest put(String key, String value, WriteId id) {
    return PutRequest.newBuilder().setKey(b(key)).setValue(b(value)).setWriteId(id).build();
  }

  private static String get(TestCluster cluster, int node, String key) {
    return cluster.kv(node).get(GetRequest.newBuilder().setKey(b(key)).build()).getValue().toStringUtf8();
  }

  private static long openSession(TestCluster cluster, String key) {
    return cluster.kv(0).openSession(OpenSessionRequest.newBuilder().setKey(b(key)).build()).getSession();
  }

  @Test
  void aWriteDeliveredAgainAfterLaterWritesIsAnsweredAsBeforeAndChangesNothing() {
    try (TestCluster cluster = new TestCluster(dir, 3, 2, TestCluster.fastTuning())) {
      cluster.awaitAllLeaders();
      long range = cluster.layout().rangeFor("k3".getBytes()).id();
      int leader = cluster.awaitLeader(range);
      int other = (leader + 1) % 3;
      long session = openSession(cluster, "k3");

      PutRequest first = put("k3", "118", id(session, 1));
      cluster.kv(leader).put(first);
      cluster.kv(leader).put(put("k3", "170", id(session, 2)));
      cluster.kv(other).put(put("k3", "190", id(session, 3)));
      // The first Put again: to the leader, and through a node that forwards it.
      cluster.kv(leader).put(first);
      cluster.kv(other).put(first);
      assertThat(get(cluster, other, "k3")).isEqualTo("190");

      // A session belongs to the range it was opened on.
      long countSession = cluster.layout().rangeFor("k3-count".getBytes()).id() == range ? session
          : openSession(cluster, "k3-count");
      IncrRequest incr = IncrRequest.newBuilder().setKey(b("k3-count")).setDelta(1).setWriteId(id(countSession, 4)).build();
      assertThat(cluster.kv(leader).incr(incr).getValue()).isEqualTo(1);
      assertThat(cluster.kv(other).incr(incr).getValue()).isEqualTo(1);
      assertThat(cluster.kv(leader).incr(incr.toBuilder().setWriteId(id(countSession, 5)).build()).getValue())
          .isEqualTo(2);
    }
  }

  @Test
  void aWriteForwardedTwiceBetweenNodesIsAppliedOnce() {
    try (TestCluster cluster = new TestCluster(dir, 3, 1, TestCluster.fastTuning())) {
      cluster.awaitAllLeaders();
      int leader = cluster.awaitLeader(1);
      long session = openSession(cluster, "c");
      ForwardedWrite held = ForwardedWrite.newBuilder().setRangeId(1).setProposal(Proposal.newBuilder()
          .setId(id(session, 1))
          .setCommand(RangeCommand.newBuilder().setIncr(IncrRequest.newBuilder().setKey(b("c")).setDelta(5))))
          .build();
      ManagedChannel channel = ManagedChannelBuilder.forTarget(cluster.layout().members().get(leader).apiAddress())
          .usePlaintext().build();
      try {
        RangeDataGrpc.RangeDataBlockingStub data = RangeDataGrpc.newBlockingStub(channel);
        ForwardedReply once = data.withDeadlineAfter(10, TimeUnit.SECONDS).write(held);
        assertThat(once.getResult().getIncr().getValue()).isEqualTo(5);
        cluster.kv(leader).incr(IncrRequest.newBuilder().setKey(b("c")).setDelta(1).build());
        // The held copy arrives after a later write: it gets the first answer and adds nothing.
        ForwardedReply again = data.withDeadlineAfter(10, TimeUnit.SECONDS).write(held);
        assertThat(again.getResult()).isEqualTo(once.getResult());
        assertThat(counter(cluster, leader, "c")).isEqualTo(6);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aNewLeaderAnswersAWriteItsPredecessorApplied() {
    try (TestCluster cluster = new TestCluster(dir, 3, 1, TestCluster.fastTuning())) {
      cluster.awaitAllLeaders();
      int leader = cluster.awaitLeader(1);
      long session = openSession(cluster, "k");
      PutRequest first = put("k", "old", id(session, 1));
      cluster.kv(leader).put(first);
      cluster.kv(leader).put(put("k", "new", id(session, 2)));
      int next = (leader + 1) % 3;
      transferLeadership(cluster, next);
      assertThat(cluster.awaitLeader(1)).isEqualTo(next);
      cluster.kv(next).put(first);
      assertThat(get(cluster, next, "k")).isEqualTo("new");
    }
  }

  @Test
  void aLeaderThatKnowsTheSessionOnlyFromAnInstalledSnapshotStillAppliesOnce() {
    var tuning = TestCluster.fastTuning().withSnapshotEveryEntries(50).withLogPurgeGapEntries(16);
    try (TestCluster cluster = new TestCluster(dir, 3, 1, tuning)) {
      cluster.awaitAllLeaders();
      int leader = cluster.awaitLeader(1);
      int lagging = (leader + 1) % 3;
      long session = openSession(cluster, "c");
      IncrRequest incr = IncrRequest.newBuilder().setKey(b("c")).setDelta(1).setWriteId(id(session, 1)).build();
      cluster.kv(leader).incr(incr);
      long laggingApplied = cluster.node(lagging).replicaStatus(1).orElseThrow().appliedIndex();
      cluster.stop(lagging);
      // Large values roll the log over, so the entries the stopped replica misses are purged.
      String padding = "x".repeat(100 * 1024);
      int survivor = 3 - leader - lagging;
      for (int i = 0; i < 150; i++) {
        cluster.kv(survivor).put(PutRequest.newBuilder().setKey(b("fill-" + i)).setValue(b(padding)).build());
      }
      ReplicaStatus filled = cluster.node(leader).replicaStatus(1).orElseThrow();
      assertThat(filled.logStartIndex()).as("the leader purged the entries the stopped replica lacks")
          .isGreaterThan(laggingApplied + 1);
      cluster.start(lagging);
      Await.until(Duration.ofSeconds(90), "the restarted replica installs a snapshot and catches up",
          () -> cluster.node(lagging).replicaStatus(1)
              .map(s -> s.snapshotIndex() >= filled.logStartIndex() - 1 && s.appliedIndex() >= filled.appliedIndex())
              .orElse(false),
          () -> "leader " + filled + ", replicas " + java.util.stream.IntStream.range(0, 3)
              .mapToObj(n -> "n" + (n + 1) + "=" + cluster.node(n).replicaStatus(1))
              .collect(java.util.stream.Collectors.joining(", ")));
      transferLeadership(cluster, lagging);
      assertThat(cluster.awaitLeader(1)).isEqualTo(lagging);
      assertThat(cluster.kv(lagging).incr(incr).getValue()).isEqualTo(1);
      assertThat(counter(cluster, lagging, "c")).isEqualTo(1);
    }
  }

  /** Hands range 1's leadership to node {@code to}, asked of that node. */
  private static void transferLeadership(TestCluster cluster, int to) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(cluster.layout().members().get(to).apiAddress())
        .usePlaintext().build();
    try {
      RangeAdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .transferLeader(NodeTransferLeaderRequest.newBuilder().setRangeId(1).setToNode("n" + (to + 1)).build());
    } finally {
      channel.shutdownNow();
    }
  }

  private static long counter(TestCluster cluster, int node, String key) {
    return cluster.kv(node).get(GetRequest.newBuilder().setKey(b(key)).build()).getValue().asReadOnlyByteBuffer().getLong();
  }
}
