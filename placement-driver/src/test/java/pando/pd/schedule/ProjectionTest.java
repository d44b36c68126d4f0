package pando.pd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pando.pd.schedule.Clusters.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.range.Epoch;
import pando.pd.schedule.Operator.MoveReplica;
import pando.pd.schedule.Operator.Reason;
import pando.pd.schedule.Operator.TransferLeader;

class ProjectionTest {

  private static MoveReplica move(long rangeId, String from, String to) {
    return new MoveReplica(rangeId, Epoch.initial(), from, to, Reason.BALANCE_REPLICAS);
  }

  static Stream<Arguments> inFlightMoves() {
    return Stream.of(
        // name, the table's replicas of range 1, expected projected replicas
        Arguments.of("not started", "a* b c", List.of("b", "c", "d"), Optional.empty()),
        Arguments.of("replica added", "a* b c d", List.of("b", "c", "d"), Optional.empty()),
        Arguments.of("finished", "b* c d", List.of("b", "c", "d"), Optional.of("b")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inFlightMoves")
  void anInFlightMoveCountsAsDoneWhateverPartTheTableAlreadyShows(
      String name, String replicas, List<String> expected, Optional<String> leader) {
    ClusterState state =
        cluster("a b c d", replicas).withInFlight(List.of(move(1, "a", "d")));

    Projection projection = Projection.of(state);

    assertEquals(expected, projection.replicasOf(1).stream().sorted().toList());
    assertEquals(leader, projection.leaderOf(1));
    assertEquals(0, projection.replicas("a"));
    assertEquals(1, projection.replicas("d"));
    assertEquals(leader.isPresent() ? 1 : 0, projection.leaders("b"));
    assertEquals(0, projection.leaders("a"));
    assertTrue(projection.busy(1));
  }

  @Test
  void movesCountAgainstTheirTargetAndTheirSourceUnlessItIsDown() {
    ClusterState state =
        cluster("a b:DOWN c d", "a b c")
            .withInFlight(List.of(move(1, "b", "d"), move(7, "a", "d")));

    Projection projection = Projection.of(state);

    assertEquals(2, projection.moves("d"));
    assertEquals(1, projection.moves("a"));
    assertEquals(0, projection.moves("b"));
    assertEquals(0, projection.moves("c"));
    assertFalse(projection.busy(2));
  }

  @Test
  void aTransferInFlightMovesTheLeaderOnlyToAReplica() {
    ClusterState state =
        cluster("a b c d", "a* b c | a* b c")
            .withInFlight(List.of(
                new TransferLeader(1, Epoch.initial(), "a", "b", Reason.BALANCE_LEADERS),
                new TransferLeader(2, Epoch.initial(), "a", "d", Reason.BALANCE_LEADERS)));

    Projection projection = Projection.of(state);

    assertEquals(Optional.of("b"), projection.leaderOf(1));
    assertEquals(Optional.of("a"), projection.leaderOf(2));
    assertEquals(1, projection.leaders("a"));
    assertEquals(1, projection.leaders("b"));
    assertEquals(0, projection.moves("b"));
  }

  @Test
  void bytesFollowTheReplicas() {
    ClusterState state =
        new ClusterState(
            Clusters.ranges("a b c | a b d"),
            Map.of(1L, 100L, 2L, 10L),
            Clusters.nodes("a b c d"),
            List.of(move(1, "c", "d")),
            Map.of());

    Projection projection = Projection.of(state);

    assertEquals(110, projection.bytes("a"));
    assertEquals(0, projection.bytes("c"));
    assertEquals(110, projection.bytes("d"));
  }
}
