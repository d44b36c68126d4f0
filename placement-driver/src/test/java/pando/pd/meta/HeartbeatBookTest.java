package pando.pd.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pando.v1.HeartbeatRequest;
import pando.v1.NodeState;
import pando.v1.ReplicaStats;

class HeartbeatBookTest {
  // Far from 0 so that mixing up "since leadership" and "since epoch" shows.
  private static final long LEADER_SINCE = 1_000_000;

  private final HeartbeatBook book = new HeartbeatBook(LivenessPolicy.defaults(), LEADER_SINCE);

  static ReplicaStats replica(long rangeId, boolean leader, long keys, long bytes) {
    return ReplicaStats.newBuilder()
        .setRangeId(rangeId)
        .setLeader(leader)
        .setKeys(keys)
        .setBytes(bytes)
        .build();
  }

  static HeartbeatRequest heartbeat(String nodeId, ReplicaStats... replicas) {
    return HeartbeatRequest.newBuilder()
        .setNodeId(nodeId)
        .addAllReplicas(List.of(replicas))
        .build();
  }

  private static List<ReplicaStats> replicas(int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> replica(i, false, i, i)).toList();
  }

  // ---- liveness ----

  @ParameterizedTest(name = "heard at +{0}, asked at +{1}: {2}, age {3}")
  @CsvSource({
    "0,     0,     UP,      0",
    "0,     3000,  UP,      3000",
    "0,     3001,  SUSPECT, 3001",
    "500,   10500, SUSPECT, 10000",
    "500,   10501, DOWN,    10001",
    "20000, 23000, UP,      3000",
  })
  void aHeardNodeIsJudgedByTheAgeOfItsLastHeartbeat(
      long heardAfter, long askedAfter, NodeState state, long age) {
    book.record(heartbeat("n1"), LEADER_SINCE + heardAfter);

    assertThat(book.state("n1", LEADER_SINCE + askedAfter)).isEqualTo(state);
    assertThat(book.ageMs("n1", LEADER_SINCE + askedAfter)).isEqualTo(age);
  }

  @ParameterizedTest(name = "{0} ms after taking over: {1}")
  @CsvSource({
    "0,     UP",
    "3000,  UP",
    "3001,  SUSPECT",
    "10000, SUSPECT",
    "10001, DOWN",
  })
  void aNodeNotHeardSinceLeadershipGetsTheGracePeriodFromTheTakeover(
      long sinceTakeover, NodeState state) {
    assertThat(book.state("n1", LEADER_SINCE + sinceTakeover)).isEqualTo(state);
    assertThat(book.ageMs("n1", LEADER_SINCE + sinceTakeover)).isEqualTo(-1);
  }

  @ParameterizedTest(name = "{0} ms after registering, not yet heard: {1}")
  @CsvSource({
    "0,     UP",
    "3000,  UP",
    "3001,  SUSPECT",
    "16000, SUSPECT",
    "30000, SUSPECT",
    "30001, DOWN",
  })
  void aNodeThatRegisteredHasTimeForItsFirstHeartbeatBeforeItIsDown(long sinceRegistering, NodeState state) {
    long registered = LEADER_SINCE + 20_000; // long after the takeover's own grace ran out
    book.registered("n4", registered);

    assertThat(book.state("n4", registered + sinceRegistering)).isEqualTo(state);
  }

  @Test
  void onceANewNodeHeartbeatsItIsJudgedByItsHeartbeatsAlone() {
    long registered = LEADER_SINCE + 20_000;
    book.registered("n4", registered);
    book.record(heartbeat("n4"), registered + 16_000);
    // A later registration (a retried one) does not reset the node's liveness.
    book.registered("n4", registered + 17_000);

    assertThat(book.state("n4", registered + 26_000)).isEqualTo(NodeState.SUSPECT);
    assertThat(book.state("n4", registered + 26_001)).isEqualTo(NodeState.DOWN);
  }

  @Test
  void afterAFailoverANodeIsNotReportedDownBeforeItHadAFullGracePeriod() {
    // The old leader heard from n1 at 0; a new leader takes over at 60 s, long after n1 would have
    // been DOWN by that heartbeat's age. The new leader's book has not heard that heartbeat.
    long takeover = 60_000;
    HeartbeatBook newLeader = new HeartbeatBook(LivenessPolicy.defaults(), takeover);

    assertThat(newLeader.state("n1", takeover + 1)).isEqualTo(NodeState.UP);
    newLeader.record(heartbeat("n1"), takeover + 900);
    assertThat(newLeader.state("n1", takeover + 3_900)).isEqualTo(NodeState.UP);
    assertThat(newLeader.state("n2", takeover + 3_900)).isEqualTo(NodeState.SUSPECT);
    assertThat(newLeader.state("n2", takeover + 10_001)).isEqualTo(NodeState.DOWN);
  }

  @Test
  void aNewHeartbeatMakesASuspectNodeUpAgain() {
    book.record(heartbeat("n1"), LEADER_SINCE);
    assertThat(book.state("n1", LEADER_SINCE + 5_000)).isEqualTo(NodeState.SUSPECT);

    book.record(heartbeat("n1"), LEADER_SINCE + 5_000);

    assertThat(book.state("n1", LEADER_SINCE + 5_000)).isEqualTo(NodeState.UP);
    assertThat(book.ageMs("n1", LEADER_SINCE + 5_000)).isZero();
  }

  @Test
  void anAgeIsNeverNegativeEvenIfTheTimeGoesBackwards() {
    book.record(heartbeat("n1"), LEADER_SINCE + 100);
    assertThat(book.ageMs("n1", LEADER_SINCE + 40)).isZero();
    assertThat(book.state("n1", LEADER_SINCE + 40)).isEqualTo(NodeState.UP);
  }

  @Test
  void nodesAreJudgedIndependently() {
    book.record(heartbeat("n1"), LEADER_SINCE + 8_000);
    assertThat(book.state("n1", LEADER_SINCE + 10_500)).isEqualTo(NodeState.UP);
    assertThat(book.state("n2", LEADER_SINCE + 10_500)).isEqualTo(NodeState.DOWN);
  }

  @Test
  void forgettingANodeMakesItUnheardAgain() {
    book.record(heartbeat("n1", replica(1, true, 5, 50)), LEADER_SINCE + 20_000);

    book.forget("n1");

    assertThat(book.ageMs("n1", LEADER_SINCE + 20_000)).isEqualTo(-1);
    assertThat(book.state("n1", LEADER_SINCE + 20_000)).isEqualTo(NodeState.DOWN);
    assertThat(book.replicas("n1")).isEmpty();
  }

  @Test
  void aHeartbeatWithoutANodeIdIsRejected() {
    assertThatThrownBy(() -> book.record(heartbeat(""), LEADER_SINCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without a node id");
  }

  // ---- replica statistics ----

  @Test
  void theLatestHeartbeatsReplicasReplaceTheEarlierOnes() {
    book.record(heartbeat("n1", replica(1, true, 5, 50), replica(2, false, 6, 60)), LEADER_SINCE);
    book.record(heartbeat("n1", replica(3, false, 7, 70)), LEADER_SINCE + 1_000);

    assertThat(book.replicas("n1")).containsExactly(replica(3, false, 7, 70));
  }

  @Test
  void aRangeListedTwiceKeepsItsFirstEntry() {
    book.record(heartbeat("n1", replica(1, false, 5, 50), replica(2, true, 6, 60), replica(1, true, 9, 90)),
        LEADER_SINCE);

    assertThat(book.replicas("n1")).containsExactly(replica(1, false, 5, 50), replica(2, true, 6, 60));
  }

  @Test
  void aNodeNeverHeardFromHasNoReplicas() {
    assertThat(book.replicas("n9")).isEmpty();
  }

  @Test
  void returnedReplicasCannotBeChangedByTheCaller() {
    book.record(heartbeat("n1", replica(1, true, 5, 50)), LEADER_SINCE);
    assertThatThrownBy(() -> book.replicas("n1").clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @ParameterizedTest(name = "bound {0}, {1} reported: {2} kept")
  @CsvSource({
    "3, 0, 0",
    "3, 2, 2",
    "3, 3, 3",
    "3, 4, 3",
    "3, 50, 3",
    "0, 5, 0",
  })
  void keepsTheFirstReplicasUpToTheBound(int bound, int reported, int kept) {
    HeartbeatBook bounded = new HeartbeatBook(LivenessPolicy.defaults(), LEADER_SINCE, bound);
    bounded.record(
        heartbeat("n1", replicas(reported).toArray(ReplicaStats[]::new)), LEADER_SINCE);

    assertThat(bounded.replicas("n1")).isEqualTo(replicas(kept));
    // Truncating the statistics must not lose the heartbeat itself.
    assertThat(bounded.ageMs("n1", LEADER_SINCE)).isZero();
  }

  @Test
  void theDefaultBoundIsOneHundredThousandReplicas() {
    int bound = HeartbeatBook.DEFAULT_MAX_REPLICAS_PER_NODE;
    assertThat(bound).isEqualTo(100_000);
    book.record(
        HeartbeatRequest.newBuilder().setNodeId("n1").addAllReplicas(replicas(bound + 1)).build(),
        LEADER_SINCE);

    List<ReplicaStats> kept = book.replicas("n1");
    assertThat(kept).hasSize(bound);
    assertThat(kept.get(bound - 1).getRangeId()).isEqualTo(bound);
  }

  @Test
  void aNegativeBoundIsRejected() {
    assertThatThrownBy(() -> new HeartbeatBook(LivenessPolicy.defaults(), 0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxReplicasPerNode");
  }
}
