package pando.pd.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static pando.pd.meta.HeartbeatBookTest.heartbeat;
import static pando.pd.meta.HeartbeatBookTest.replica;
import static pando.pd.meta.NodeRegistryTest.register;
import static pando.pd.meta.NodeRegistryTest.registryOf;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.range.RangeProtos;
import pando.api.range.RangeTable;
import pando.v1.HeartbeatRequest;
import pando.v1.ListRangesResponse;
import pando.v1.NodeAddress;
import pando.v1.NodeInfo;
import pando.v1.NodeState;
import pando.v1.RangeInfo;
import pando.v1.RangeTableResponse;
import pando.v1.ReplicaInfo;
import pando.v1.ReplicaStats;
import pando.v1.StatusResponse;

class ClusterViewTest {
  private static final long LEADER_SINCE = 50_000;
  private static final long NOW = LEADER_SINCE + 20_000;

  /** Registered in an order other than by id, to show the output is sorted. */
  private static final NodeRegistry REGISTRY =
      registryOf(
          register("up", "h1:1", "h1:2", 100, 1),
          register("down", "h2:1", "h2:2", 200, 2),
          register("suspect", "h3:1", "h3:2", 300, 3),
          register("", "h4:1", "h4:2", 0, 4));

  /** up: fresh with three replicas; suspect: 5 s silent; down: 15 s silent; n1: never heard. */
  private static HeartbeatBook book() {
    HeartbeatBook book = new HeartbeatBook(LivenessPolicy.defaults(), LEADER_SINCE);
    book.record(
        heartbeat(
            "up",
            replica(1, true, 10, 1_000),
            replica(2, false, 20, 2_000),
            replica(3, true, 30, 3_000)),
        NOW - 200);
    book.record(heartbeat("suspect", replica(1, false, 7, 70)), NOW - 5_000);
    book.record(heartbeat("down"), NOW - 15_000);
    // Not registered (e.g. a heartbeat that raced its registration): counted nowhere.
    book.record(heartbeat("ghost", replica(9, true, 1, 1)), NOW);
    return book;
  }

  @Test
  void listsEveryRegisteredNodeByIdWithStateAgeAndSummedReplicaStatistics() {
    List<NodeInfo> nodes = ClusterView.nodes(REGISTRY, book(), NOW);

    assertThat(nodes)
        .containsExactly(
            NodeInfo.newBuilder()
                .setNodeId("down").setApiAddress("h2:1").setRaftAddress("h2:2")
                .setState(NodeState.DOWN).setCapacityBytes(200).setLastHeartbeatAgeMs(15_000)
                .build(),
            // Never heard from: judged from the takeover 20 s ago, and shown with age -1.
            NodeInfo.newBuilder()
                .setNodeId("n1").setApiAddress("h4:1").setRaftAddress("h4:2")
                .setState(NodeState.DOWN).setCapacityBytes(0).setLastHeartbeatAgeMs(-1)
                .build(),
            NodeInfo.newBuilder()
                .setNodeId("suspect").setApiAddress("h3:1").setRaftAddress("h3:2")
                .setState(NodeState.SUSPECT).setCapacityBytes(300).setLastHeartbeatAgeMs(5_000)
                .setReplicas(1).setLeaders(0).setKeys(7).setBytes(70)
                .build(),
            NodeInfo.newBuilder()
                .setNodeId("up").setApiAddress("h1:1").setRaftAddress("h1:2")
                .setState(NodeState.UP).setCapacityBytes(100).setLastHeartbeatAgeMs(200)
                .setReplicas(3).setLeaders(2).setKeys(60).setBytes(6_000)
                .build());
  }

  @Test
  void countsOnlyTheReplicasTheBookKept() {
    HeartbeatBook bounded = new HeartbeatBook(LivenessPolicy.defaults(), LEADER_SINCE, 2);
    bounded.record(
        heartbeat("up", replica(1, true, 1, 10), replica(2, true, 2, 20), replica(3, true, 4, 40)),
        NOW);

    NodeInfo up = ClusterView.nodes(REGISTRY, bounded, NOW).get(3);

    assertThat(up.getNodeId()).isEqualTo("up");
    assertThat(List.of(up.getReplicas(), up.getLeaders())).containsExactly(2, 2);
    assertThat(List.of(up.getKeys(), up.getBytes())).containsExactly(3L, 30L);
  }

  @Test
  void statusCountsRegisteredNodesByState() {
    StatusResponse status = ClusterView.status(REGISTRY, book(), NOW, "pd2", "pd1", 12);

    assertThat(status)
        .isEqualTo(
            StatusResponse.newBuilder()
                .setPdReplicaId("pd2")
                .setPdLeaderId("pd1")
                .setNodesUp(1)
                .setNodesSuspect(1)
                .setNodesDown(2)
                .setRanges(12)
                .build());
  }

  @ParameterizedTest(name = "{0} ms after the takeover: {1} up, {2} suspect, {3} down")
  @CsvSource({
    "0,     4, 0, 0",
    "3000,  4, 0, 0",
    "3001,  0, 4, 0",
    "10001, 0, 0, 4",
  })
  void rightAfterAFailoverNodesAreGivenTheGracePeriod(
      long sinceTakeover, int up, int suspect, int down) {
    HeartbeatBook fresh = new HeartbeatBook(LivenessPolicy.defaults(), LEADER_SINCE);

    StatusResponse status =
        ClusterView.status(REGISTRY, fresh, LEADER_SINCE + sinceTakeover, "pd1", "pd1", 0);

    assertThat(List.of(status.getNodesUp(), status.getNodesSuspect(), status.getNodesDown()))
        .containsExactly(up, suspect, down);
    assertThat(ClusterView.nodes(REGISTRY, fresh, LEADER_SINCE + sinceTakeover))
        .extracting(NodeInfo::getLastHeartbeatAgeMs)
        .containsOnly(-1L);
  }

  @Test
  void anEmptyClusterHasNoNodesAndZeroCounts() {
    HeartbeatBook book = book();

    assertThat(ClusterView.nodes(NodeRegistry.empty(), book, NOW)).isEmpty();
    assertThat(ClusterView.status(NodeRegistry.empty(), book, NOW, "pd1", "", 0))
        .isEqualTo(StatusResponse.newBuilder().setPdReplicaId("pd1").build());
  }

  // ---- ranges ----

  /** Nodes a, b, c, d, registered in another order. */
  private static final PdState NODES =
      PdStateTest.stateOf(
          register("c", "h3:1", "h3:2", 0, 1),
          register("a", "h1:1", "h1:2", 0, 2),
          register("d", "h4:1", "h4:2", 0, 3),
          register("b", "h2:1", "h2:2", 0, 4));

  /** Range 1 on a b c, 2 on b c d, 3 on c d a, 4 on d a b. */
  private static final PdState BOOTSTRAPPED =
      NODES.apply(PdStateTest.bootstrap(4, 3)).state();

  private static final RangeTable TABLE = BOOTSTRAPPED.ranges().orElseThrow();

  private static ReplicaStats claim(long rangeId, boolean leader, long appliedIndex) {
    return ReplicaStats.newBuilder()
        .setRangeId(rangeId)
        .setLeader(leader)
        .setAppliedIndex(appliedIndex)
        .build();
  }

  private static HeartbeatBook bookOf(HeartbeatRequest... heartbeats) {
    HeartbeatBook book = new HeartbeatBook(LivenessPolicy.defaults(), LEADER_SINCE);
    for (HeartbeatRequest heartbeat : heartbeats) {
      book.record(heartbeat, NOW);
    }
    return book;
  }

  private static Arguments hint(String name, String leader, HeartbeatRequest... heartbeats) {
    return Arguments.of(name, List.of(heartbeats), Optional.ofNullable(leader));
  }

  /** Heartbeats about range 1 (replicas a, b, c), and the leader hint they give. */
  static Stream<Arguments> leaderHints() {
    return Stream.of(
        hint("nobody heard from", null),
        hint("nobody claims it", null,
            heartbeat("a", claim(1, false, 9)), heartbeat("b", claim(1, false, 9))),
        hint("one claim", "b",
            heartbeat("a", claim(1, false, 9)), heartbeat("b", claim(1, true, 9))),
        hint("a claim without an applied index", "c", heartbeat("c", claim(1, true, 0))),
        hint("the claim with the higher applied index wins", "b",
            heartbeat("a", claim(1, true, 10)), heartbeat("b", claim(1, true, 12))),
        hint("... whatever the node ids", "a",
            heartbeat("a", claim(1, true, 12)), heartbeat("b", claim(1, true, 10))),
        hint("equal indexes: the lowest node id", "a",
            heartbeat("c", claim(1, true, 7)), heartbeat("a", claim(1, true, 7))),
        hint("equal indexes, other order", "b",
            heartbeat("b", claim(1, true, 7)), heartbeat("c", claim(1, true, 7))),
        hint("claims about other ranges do not count", null,
            heartbeat("a", claim(2, true, 50), claim(3, true, 50)),
            heartbeat("b", claim(4, true, 50))),
        hint("a node that is not a replica is ignored", "c",
            heartbeat("d", claim(1, true, 100)), heartbeat("c", claim(1, true, 1))),
        hint("an unregistered node is ignored", null,
            heartbeat("ghost", claim(1, true, 100))),
        hint("only the latest heartbeat counts", "b",
            heartbeat("a", claim(1, true, 20)), heartbeat("b", claim(1, true, 5)),
            heartbeat("a", claim(1, false, 21))),
        hint("a range listed twice: the first entry counts", "b",
            heartbeat("a", claim(1, false, 30), claim(1, true, 30)),
            heartbeat("b", claim(1, true, 1))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leaderHints")
  void theLeaderHintIsTheClaimingReplicaFurthestAhead(
      String name, List<HeartbeatRequest> heartbeats, Optional<String> leader) {
    HeartbeatBook book = bookOf(heartbeats.toArray(HeartbeatRequest[]::new));
    String wire = leader.orElse("");

    assertThat(ClusterView.leaderHint(TABLE.byId(1).orElseThrow(), book)).isEqualTo(leader);
    assertThat(ClusterView.withLeaderHints(TABLE.ranges(), book).get(0).leader()).isEqualTo(leader);
    assertThat(ClusterView.rangeTable(BOOTSTRAPPED, book).getRanges(0).getLeader())
        .isEqualTo(wire);
    assertThat(ClusterView.ranges(BOOTSTRAPPED, book, NOW).getRanges(0).getRange().getLeader())
        .isEqualTo(wire);
    assertThat(ClusterView.range(BOOTSTRAPPED, book, NOW, 1).orElseThrow().getRange().getLeader())
        .isEqualTo(wire);
  }

  @Test
  void eachRangeGetsItsOwnLeaderHint() {
    HeartbeatBook book = bookOf(
        heartbeat("a", claim(1, true, 5), claim(3, false, 5), claim(4, true, 5)),
        heartbeat("b", claim(1, false, 5), claim(2, false, 5), claim(4, false, 5)),
        heartbeat("c", claim(1, false, 5), claim(2, true, 5), claim(3, false, 5)));

    assertThat(ClusterView.rangeTable(BOOTSTRAPPED, book).getRangesList())
        .extracting(pando.v1.Range::getLeader)
        .containsExactly("a", "c", "", "a");
    assertThat(ClusterView.withLeaderHints(TABLE.ranges(), book))
        .extracting(r -> r.leader().orElse(""))
        .containsExactly("a", "c", "", "a");
  }

  @Test
  void theRangeTableHasEveryRangeWithItsHintAndEveryRegisteredNodesAddresses() {
    HeartbeatBook book = bookOf(heartbeat("d", claim(2, true, 3)));

    RangeTableResponse response = ClusterView.rangeTable(BOOTSTRAPPED, book);

    assertThat(response.getBootstrapped()).isTrue();
    assertThat(response.getRangesList())
        .isEqualTo(RangeProtos.toProto(TABLE.withLeader(2, Optional.of("d"))));
    assertThat(response.getNodesList())
        .containsExactly(
            address("a", "h1:1", "h1:2"),
            address("b", "h2:1", "h2:2"),
            address("c", "h3:1", "h3:2"),
            address("d", "h4:1", "h4:2"));
  }

  @Test
  void beforeTheBootstrapTheRangeTableIsEmptyButTheNodesAreListed() {
    RangeTableResponse response = ClusterView.rangeTable(NODES, book());

    assertThat(response.getBootstrapped()).isFalse();
    assertThat(response.getRangesList()).isEmpty();
    assertThat(response.getNodesList())
        .extracting(NodeAddress::getNodeId)
        .containsExactly("a", "b", "c", "d");
    assertThat(ClusterView.rangeTable(PdState.empty(), book()))
        .isEqualTo(RangeTableResponse.getDefaultInstance());
  }

  private static NodeAddress address(String id, String api, String raft) {
    return NodeAddress.newBuilder().setNodeId(id).setApiAddress(api).setRaftAddress(raft).build();
  }

  /**
   * a: fresh, leads range 1 and reports range 3; b: suspect, follows range 1 but has not reported
   * range 4; c: never heard from (judged from the takeover); d: fresh, reports nothing.
   */
  private static HeartbeatBook rangeBook() {
    HeartbeatBook book = new HeartbeatBook(LivenessPolicy.defaults(), NOW - 2_000);
    book.record(
        heartbeat(
            "a",
            ReplicaStats.newBuilder()
                .setRangeId(1).setLeader(true).setKeys(10).setBytes(1_000).setAppliedIndex(42)
                .setReadsPerSecond(1.5).setWritesPerSecond(0.25)
                .build(),
            ReplicaStats.newBuilder().setRangeId(3).setKeys(30).setAppliedIndex(7).build()),
        NOW - 100);
    book.record(
        heartbeat(
            "b",
            ReplicaStats.newBuilder()
                .setRangeId(1).setKeys(9).setBytes(900).setAppliedIndex(40)
                .setReadsPerSecond(0.5)
                .build()),
        NOW - 4_000);
    book.record(heartbeat("d"), NOW);
    return book;
  }

  @Test
  void aRangeShowsOneReplicaPerTableReplicaWithItsNodesStateAndReport() {
    Optional<RangeInfo> info = ClusterView.range(BOOTSTRAPPED, rangeBook(), NOW, 1);

    assertThat(info)
        .hasValue(
            RangeInfo.newBuilder()
                .setRange(RangeProtos.toProto(TABLE.byId(1).orElseThrow().withLeader(
                    Optional.of("a"))))
                .addReplicas(
                    ReplicaInfo.newBuilder()
                        .setNodeId("a").setNodeState(NodeState.UP).setReported(true)
                        .setLeader(true).setKeys(10).setBytes(1_000).setAppliedIndex(42)
                        .setReadsPerSecond(1.5).setWritesPerSecond(0.25))
                .addReplicas(
                    ReplicaInfo.newBuilder()
                        .setNodeId("b").setNodeState(NodeState.SUSPECT).setReported(true)
                        .setKeys(9).setBytes(900).setAppliedIndex(40).setReadsPerSecond(0.5))
                .addReplicas(
                    ReplicaInfo.newBuilder()
                        .setNodeId("c").setNodeState(NodeState.UP).setReported(false))
                .build());
  }

  @Test
  void aReplicaItsNodeDoesNotListIsUnreportedEvenIfTheNodeIsHeardFrom() {
    // Range 4 is on d a b: d is fresh but lists nothing, a lists other ranges, b too.
    RangeInfo info = ClusterView.range(BOOTSTRAPPED, rangeBook(), NOW, 4).orElseThrow();

    assertThat(info.getReplicasList())
        .containsExactly(
            ReplicaInfo.newBuilder().setNodeId("d").setNodeState(NodeState.UP).build(),
            ReplicaInfo.newBuilder().setNodeId("a").setNodeState(NodeState.UP).build(),
            ReplicaInfo.newBuilder().setNodeId("b").setNodeState(NodeState.SUSPECT).build());
    assertThat(info.getRange().getLeader()).isEmpty();
  }

  @Test
  void listRangesShowsEveryRangeInTableOrderAsGetRangeDoes() {
    HeartbeatBook book = rangeBook();

    ListRangesResponse response = ClusterView.ranges(BOOTSTRAPPED, book, NOW);

    assertThat(response.getBootstrapped()).isTrue();
    assertThat(response.getRangesList())
        .extracting(info -> info.getRange().getRangeId())
        .containsExactly(1L, 2L, 3L, 4L);
    for (RangeInfo info : response.getRangesList()) {
      assertThat(info.getReplicasList())
          .extracting(ReplicaInfo::getNodeId)
          .containsExactlyElementsOf(
              TABLE.byId(info.getRange().getRangeId()).orElseThrow().replicas());
      assertThat(ClusterView.range(BOOTSTRAPPED, book, NOW, info.getRange().getRangeId()))
          .hasValue(info);
    }
    // c is never heard from; 12 s after the takeover it is DOWN everywhere it holds a replica.
    assertThat(ClusterView.ranges(BOOTSTRAPPED, book, NOW + 10_000).getRangesList())
        .flatExtracting(RangeInfo::getReplicasList)
        .filteredOn(replica -> replica.getNodeId().equals("c"))
        .extracting(ReplicaInfo::getNodeState)
        .containsExactly(NodeState.DOWN, NodeState.DOWN, NodeState.DOWN);
  }

  @ParameterizedTest(name = "range {0}")
  @CsvSource({"0", "5", "-1", "9223372036854775807"})
  void anUnknownRangeIsAbsent(long rangeId) {
    assertThat(ClusterView.range(BOOTSTRAPPED, rangeBook(), NOW, rangeId)).isEmpty();
  }

  @Test
  void beforeTheBootstrapThereAreNoRanges() {
    assertThat(ClusterView.ranges(NODES, rangeBook(), NOW))
        .isEqualTo(ListRangesResponse.getDefaultInstance());
    assertThat(ClusterView.range(NODES, rangeBook(), NOW, 1)).isEmpty();
  }

  @Test
  void statusOfAStateCountsTheTablesRanges() {
    HeartbeatBook book = rangeBook();

    StatusResponse before = ClusterView.status(NODES, book, NOW, "pd1", "pd1");
    StatusResponse after = ClusterView.status(BOOTSTRAPPED, book, NOW, "pd1", "pd1");

    assertThat(before.getRanges()).isZero();
    assertThat(after.getRanges()).isEqualTo(4);
    assertThat(after)
        .isEqualTo(ClusterView.status(BOOTSTRAPPED.nodes(), book, NOW, "pd1", "pd1", 4));
    assertThat(List.of(after.getNodesUp(), after.getNodesSuspect(), after.getNodesDown()))
        .containsExactly(3, 1, 0);
    // The state's view adds what only the state knows: replicas the table places on each node.
    assertThat(ClusterView.nodes(BOOTSTRAPPED, book, NOW).stream()
            .map(n -> n.toBuilder().clearReplicasInTable().clearDraining().build()).toList())
        .isEqualTo(ClusterView.nodes(BOOTSTRAPPED.nodes(), book, NOW));
    assertThat(ClusterView.nodes(BOOTSTRAPPED, book, NOW).stream()
            .mapToInt(pando.v1.NodeInfo::getReplicasInTable).sum())
        .isEqualTo(BOOTSTRAPPED.ranges().orElseThrow().ranges().stream().mapToInt(r -> r.replicas().size()).sum());
  }
}
