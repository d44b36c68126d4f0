package pando.pd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static pando.pd.schedule.Clusters.cluster;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pando.api.range.Epoch;
import pando.pd.schedule.Operator.MoveReplica;
import pando.pd.schedule.Operator.Reason;

class BalanceTest {

  @Test
  void countsTheTableForEveryNodeAndSummarisesTheNodesThatAcceptWork() {
    // The move in flight is not counted: the report shows where replicas are, not will be.
    ClusterState table = cluster("a b c d:draining e:DOWN", "a* b c | a* b d | b* c e");
    ClusterState state =
        new ClusterState(
            table.ranges(), Map.of(1L, 100L, 2L, 10L, 3L, 1_000L), table.nodes(),
            List.of(new MoveReplica(1, Epoch.initial(), "a", "d", Reason.DRAIN)), Map.of());

    Balance balance = Balance.of(state);

    assertEquals(Map.of("a", 2, "b", 3, "c", 2, "d", 1, "e", 1), balance.replicasPerNode());
    assertEquals(Map.of("a", 2, "b", 1, "c", 0, "d", 0, "e", 0), balance.leadersPerNode());
    assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(balance.replicasPerNode().keySet()));
    // Over a, b and c: replicas 2, 3, 2 (mean 7/3), leaders 2, 1, 0 (mean 1).
    assertEquals(9.0 / 7, balance.replicasMaxOverMean(), 1e-9);
    assertEquals(2.0, balance.leadersMaxOverMean(), 1e-9);
    assertEquals(1, balance.replicaSpread());
    assertEquals(2, balance.leaderSpread());
    assertEquals(
        Map.of("a", 110L, "b", 1_110L, "c", 1_100L, "d", 10L, "e", 1_000L),
        balance.bytesPerNode());
    // Over a, b and c: bytes 110, 1110, 1100 (mean 2320/3).
    assertEquals(3_330.0 / 2_320, balance.bytesMaxOverMean(), 1e-9);
    assertEquals(1_000, balance.bytesSpread());
  }

  @Test
  void withNothingToCountTheClusterIsPerfectlyBalanced() {
    Balance noLeadersNoSizes = Balance.of(cluster("a b c", "a b c"));
    assertEquals(1.0, noLeadersNoSizes.leadersMaxOverMean());
    assertEquals(0, noLeadersNoSizes.leaderSpread());
    assertEquals(1.0, noLeadersNoSizes.bytesMaxOverMean());
    assertEquals(0, noLeadersNoSizes.bytesSpread());
    assertEquals(Map.of("a", 0L, "b", 0L, "c", 0L), noLeadersNoSizes.bytesPerNode());

    Balance noWorkers = Balance.of(cluster("a:DOWN b:SUSPECT c:draining", "a* b c"));
    assertEquals(1.0, noWorkers.replicasMaxOverMean());
    assertEquals(1.0, noWorkers.bytesMaxOverMean());
    assertEquals(0, noWorkers.replicaSpread());
    assertEquals(Map.of("a", 1, "b", 1, "c", 1), noWorkers.replicasPerNode());
  }
}
