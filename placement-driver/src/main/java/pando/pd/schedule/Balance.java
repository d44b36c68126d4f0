package pando.pd.schedule;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * How evenly a cluster's replicas and leaderships are spread, as the range table shows them
 * (in-flight operators are not counted; leaderships come from the leader hints).
 *
 * <p>The per-node maps list every node, sorted by id, with 0 for a node holding nothing. The
 * summary figures are over the nodes that accept work (UP and not draining), the ones balancing
 * aims at, so a drained or DOWN node at 0 does not distort them: {@code maxOverMean} is the
 * largest count divided by the mean count (1.0 is perfect; 1.0 as well when there is nothing to
 * count or no such node), {@code spread} the largest count minus the smallest (0 with no such
 * node).
 */
public record Balance(
    Map<String, Integer> replicasPerNode,
    Map<String, Integer> leadersPerNode,
    double replicasMaxOverMean,
    double leadersMaxOverMean,
    int replicaSpread,
    int leaderSpread) {

  public Balance {
    replicasPerNode = Collections.unmodifiableMap(new TreeMap<>(replicasPerNode));
    leadersPerNode = Collections.unmodifiableMap(new TreeMap<>(leadersPerNode));
  }

  /** The balance of the state's range table. */
  public static Balance of(ClusterState state) {
    Projection table = Projection.ofTable(state);
    Map<String, Integer> replicas = new TreeMap<>();
    Map<String, Integer> leaders = new TreeMap<>();
    for (NodeStatus node : table.nodes()) {
      replicas.put(node.id(), table.replicas(node.id()));
      leaders.put(node.id(), table.leaders(node.id()));
    }
    List<String> workers =
        table.nodes().stream().filter(NodeStatus::acceptsWork).map(NodeStatus::id).toList();
    return new Balance(
        replicas,
        leaders,
        maxOverMean(workers, replicas::get),
        maxOverMean(workers, leaders::get),
        spread(workers, replicas::get),
        spread(workers, leaders::get));
  }

  private static double maxOverMean(List<String> nodes, ToIntFunction<String> count) {
    int max = nodes.stream().mapToInt(count).max().orElse(0);
    double mean = nodes.stream().mapToInt(count).average().orElse(0);
    return mean == 0 ? 1.0 : max / mean;
  }

  private static int spread(List<String> nodes, ToIntFunction<String> count) {
    int max = nodes.stream().mapToInt(count).max().orElse(0);
    int min = nodes.stream().mapToInt(count).min().orElse(0);
    return max - min;
  }
}
