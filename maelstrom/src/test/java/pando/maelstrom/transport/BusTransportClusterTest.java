package pando.maelstrom.transport;

import pando.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.maelstrom.transport.BusCluster.NODES;
import static pando.maelstrom.transport.BusCluster.get;
import static pando.maelstrom.transport.BusCluster.put;
import static pando.maelstrom.transport.BusCluster.value;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.api.GroupManagementApi;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ratis servers running {@code KvStateMachine} over a {@link LocalBus}, with the faults a harness injects. */
class BusTransportClusterTest {
  // Deadlines for a loaded machine; on an idle one each wait ends within a few seconds.
  private static final Duration ELECTION = Duration.ofSeconds(30);
  private static final Duration CATCH_UP = Duration.ofSeconds(60);
  private static final Duration REPLY = Duration.ofSeconds(60);

  @TempDir Path dir;

  @AfterEach
  void noTransportThreadOutlivesTheCluster() {
    Await.until(Duration.ofSeconds(10), "the transport's threads end", () -> Thread.getAllStackTraces().keySet()
        .stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .noneMatch(name -> name.startsWith(BusEndpoint.THREAD_PREFIX) || name.equals(LocalBus.DELIVERER_THREAD)));
  }

  private static List<String> othersThan(String node) {
    return NODES.stream().filter(n -> !n.equals(node)).toList();
  }

  private static RaftClientReply await(CompletableFuture<RaftClientReply> reply) throws Exception {
    return reply.get(REPLY.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void electsALeaderReplicatesWritesToEveryReplicaAndServesLinearizableReads() throws Exception {
    try (BusCluster cluster = new BusCluster(dir, p -> {})) {
      String leader = cluster.awaitLeader(ELECTION, NODES);
      RaftClient client = cluster.client("n1", 20);

      List<CompletableFuture<RaftClientReply>> writes = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        writes.add(client.async().send(put("k" + i, "v" + i)));
      }
      for (CompletableFuture<RaftClientReply> write : writes) {
        assertThat(await(write).isSuccess()).isTrue();
      }
      Await.until(CATCH_UP, "every replica applied the 30 writes",
          () -> NODES.stream().allMatch(n -> cluster.stateMachine(n).keyCount() == 30));
      for (String node : NODES) {
        assertThat(cluster.localValue(node, "k29")).isEqualTo("v29");
      }

      // Through the leader, answered on its lease.
      assertThat(value(client.io().sendReadOnly(get("k7")))).isEqualTo("v7");
      // A follower answers no linearizable read; it names the leader instead.
      String follower = othersThan(leader).get(0);
      RaftClient once = cluster.client("n1", null, RetryPolicies.noRetry());
      assertThatThrownBy(() -> once.io().sendReadOnly(get("k7"), RaftPeerId.valueOf(follower)))
          .isInstanceOf(java.io.IOException.class);
      // Without a target, the client is sent on to the leader.
      assertThat(value(cluster.client(follower, follower, RetryPolicies.retryUpToMaximumCountWithFixedSleep(
          5, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS))).io().sendReadOnly(get("k7")))).isEqualTo("v7");

      // Admin requests travel in frames of their own and have replies of their own types.
      GroupManagementApi groups = client.getGroupManagementApi(RaftPeerId.valueOf(follower));
      assertThat(groups.list().getGroupIds()).containsExactly(cluster.group.getGroupId());
      assertThat(groups.info(cluster.group.getGroupId()).getGroup().getPeers()).hasSize(3);
      // Leadership transfer: the leader tells the follower to start an election (startLeaderElection).
      assertThat(client.admin().transferLeadership(RaftPeerId.valueOf(follower), REPLY.toMillis()).isSuccess()).isTrue();
      Await.until(ELECTION, follower + " leads", () -> cluster.isLeader(follower));
      assertThat(cluster.endpoint(follower).served(FrameType.START_LEADER_ELECTION)).isPositive();
      assertThat(client.io().send(put("after-transfer", "2")).isSuccess()).isTrue();
    }
  }

  @Test
  void anIsolatedLeaderCannotCommitWhileTheMajorityMovesOnAndCatchesUpAfterHealing() throws Exception {
    try (BusCluster cluster = new BusCluster(dir, p -> {})) {
      String oldLeader = cluster.awaitLeader(ELECTION, NODES);
      List<String> majority = othersThan(oldLeader);
      RaftClient onMajority = cluster.client(majority.get(0), 30);
      assertThat(onMajority.io().send(put("before", "1")).isSuccess()).isTrue();
      long oldTerm = cluster.division(oldLeader).getInfo().getCurrentTerm();
      // Ratis follows a commit with a metadata entry recording it; let that settle too, so that
      // nothing from before the cut is still on its way to being committed.
      cluster.awaitEveryLogCommitted(CATCH_UP);

      cluster.bus.partition(Set.of(oldLeader), majority);
      long committedWhenCut = cluster.division(oldLeader).getRaftLog().getLastCommittedIndex();
      // A client on the old leader's node reaches only the old leader, which cannot reach a majority.
      RaftClient onOldLeader = cluster.client(oldLeader, oldLeader,
          RetryPolicies.retryUpToMaximumCountWithFixedSleep(2, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
      CompletableFuture<RaftClientReply> stranded = onOldLeader.async().send(put("stranded", "x"));

      String newLeader = cluster.awaitLeader(ELECTION, majority);
      assertThat(cluster.division(newLeader).getInfo().getCurrentTerm()).isGreaterThan(oldTerm);
      assertThat(onMajority.io().send(put("during", "2")).isSuccess()).isTrue();

      // Nor may it answer a read from its old state: it no longer holds a lease.
      String seenByOldLeader = onOldLeader.async().sendReadOnlyUnordered(get("during"))
          .handle((reply, error) -> error != null || !reply.isSuccess() ? "refused" : value(reply))
          .get(REPLY.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(seenByOldLeader).as("a read through the isolated leader").isIn("refused", "2");

      // Fails once its retries run out (each attempt times out), or at best answers with a failure.
      boolean strandedCommitted = stranded
          .handle((reply, error) -> error == null && reply.isSuccess())
          .get(REPLY.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(strandedCommitted).as("a write through the isolated leader succeeded").isFalse();
      assertThat(cluster.division(oldLeader).getRaftLog().getLastCommittedIndex()).isEqualTo(committedWhenCut);
      assertThat(cluster.localValue(oldLeader, "during")).isNull();

      cluster.bus.heal();
      Await.until(CATCH_UP, "the old leader follows the new one and has applied its writes", () ->
          !cluster.division(oldLeader).getInfo().isLeader()
              && "2".equals(cluster.localValue(oldLeader, "during")));
      for (String node : NODES) {
        // Appended by the isolated leader at most, never committed, and overwritten on healing.
        assertThat(cluster.localValue(node, "stranded")).as("stranded write on %s", node).isNull();
        assertThat(cluster.localValue(node, "before")).isEqualTo("1");
      }
    }
  }

  @Test
  void aFollowerLeftBehindThePurgedLogCatchesUpByInstallingASnapshotOverTheBus() throws Exception {
    try (BusCluster cluster = new BusCluster(dir, p -> {
      RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
      RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, 50);
      RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
      RaftServerConfigKeys.Log.setPurgeGap(p, 16);
      // Small segments, so the log rolls over: only closed segments are purged.
      RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("64KB"));
    })) {
      String leader = cluster.awaitLeader(ELECTION, NODES);
      String lagging = othersThan(leader).get(0);
      List<String> majority = othersThan(lagging);
      RaftClient client = cluster.client(leader, 30);
      assertThat(client.io().send(put("early", "0")).isSuccess()).isTrue();
      Await.until(CATCH_UP, "the lagging replica applied the first write",
          () -> "0".equals(cluster.localValue(lagging, "early")));

      cluster.bus.partition(Set.of(lagging), majority);
      long laggingApplied = cluster.division(lagging).getInfo().getLastAppliedIndex();
      String padding = "p".repeat(1024);
      List<CompletableFuture<RaftClientReply>> writes = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        writes.add(client.async().send(put("late-" + i, i + padding)));
      }
      for (CompletableFuture<RaftClientReply> write : writes) {
        assertThat(await(write).isSuccess()).isTrue();
      }
      String current = cluster.awaitLeader(ELECTION, majority);
      // Only a snapshot can bring the lagging replica back: the entries it lacks are gone.
      Await.until(CATCH_UP, "the leader purged the entries the lagging replica lacks",
          () -> cluster.division(current).getRaftLog().getStartIndex() > laggingApplied + 1);
      assertThat(cluster.endpoint(lagging).served(FrameType.INSTALL_SNAPSHOT)).isZero();

      cluster.bus.heal();
      Await.until(CATCH_UP, "the lagging replica holds every key", () ->
          cluster.stateMachine(lagging).keyCount() == 301
              && (299 + padding).equals(cluster.localValue(lagging, "late-299")));
      // The snapshot came in chunks (16 KB at most each), each one a call over the bus.
      assertThat(cluster.endpoint(lagging).served(FrameType.INSTALL_SNAPSHOT)).isGreaterThan(1);
      assertThat(cluster.stateMachine(lagging).getLatestSnapshot().getIndex()).isGreaterThan(laggingApplied);
      assertThat(cluster.localValue(lagging, "late-0")).isEqualTo(0 + padding);
    }
  }
}
