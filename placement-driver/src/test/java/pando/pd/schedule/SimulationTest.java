package pando.pd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static pando.pd.schedule.Clusters.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.pd.schedule.Operator.MoveReplica;
import pando.pd.schedule.Operator.Reason;
import pando.pd.schedule.Operator.TransferLeader;

/** The test helper plays operators the way the tests rely on. */
class SimulationTest {

  @Test
  void aMoveReplacesTheSourceInPlaceAndBumpsTheConfVersion() {
    ClusterState state = cluster("a b c d", "a b* c");
    MoveReplica move = new MoveReplica(1, Epoch.initial(), "b", "d", Reason.BALANCE_REPLICAS);

    ClusterState after = Simulation.apply(state, List.of(move), 5_000);

    RangeDescriptor range = after.ranges().get(0);
    assertEquals(List.of("a", "d", "c"), range.replicas());
    assertEquals(new Epoch(1, 2), range.epoch());
    // The leader was removed; the first remaining UP replica takes over.
    assertEquals(Optional.of("a"), range.leader());
    assertEquals(Map.of(1L, 5_000L), after.lastChangeMsPerRange());
  }

  @Test
  void aTransferSetsTheLeaderAndKeepsTheEpoch() {
    ClusterState state = cluster("a b c", "a* b c");
    TransferLeader transfer =
        new TransferLeader(1, Epoch.initial(), "a", "c", Reason.BALANCE_LEADERS);

    ClusterState after = Simulation.apply(state, List.of(transfer), 5_000);

    assertEquals(Optional.of("c"), after.ranges().get(0).leader());
    assertEquals(Epoch.initial(), after.ranges().get(0).epoch());
  }

  @Test
  void appliedOperatorsLeaveTheInFlightList() {
    MoveReplica move = new MoveReplica(1, Epoch.initial(), "a", "d", Reason.DRAIN);
    ClusterState state = cluster("a b c d", "a b c").withInFlight(List.of(move));

    assertEquals(List.of(), Simulation.apply(state, List.of(move), 0).inFlight());
  }
}
