package pando.pd.schedule;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * How evenly a cluster's replicas, leaderships and bytes are spread, as the range table shows them
 * (in-flight operators are not counted; leaderships come from the leader hints, bytes from the
 * state's range sizes).
 *
 * <p>The per-node maps list every node, sorted by id, with 0 for a node holding nothing. The
 * summary figures are over the nodes that accept work (UP and not draining), the ones balancing
 * aims at, so a drained or DOWN node at 0 does not distort them: a {@code maxOverMean} is the
 * largest count divided by the mean count (1.0 is perfect; 1.0 as well when there is nothing to
 * count or no such node), a {@code spread} the largest count minus the smallest (0 with no such
 * node).
 */
public record Balance(
    Map<String, Integer> replicasPerNode,
    Map<String, Integer> leadersPerNode,
    Map<String, Long> bytesPerNode,
    double replicasMaxOverMean,
    double leadersMaxOverMean,
    double bytesMaxOverMean,
    int replicaSpread,
    int leaderSpread,
    long bytesSpread) {

  public Balance {
    replicasPerNode = Collections.unmodifiableMap(new TreeMap<>(replicasPerNode));
    leadersPerNode = Collections.unmodifiableMap(new TreeMap<>(leadersPerNode));
    bytesPerNode = Collections.unmodifiableMap(new TreeMap<>(bytesPerNode));
  }

  /** The balance of the state's range table. */
  public static Balance of(ClusterState state) {
    Projection table = Projection.ofTable(state);
    Map<String, Integer> replicas = new TreeMap<>();
    Map<String, Integer> leaders = new TreeMap<>();
    Map<String, Long> bytes = new TreeMap<>();
    for (NodeStatus node : table.nodes()) {
      replicas.put(node.id(), table.replicas(node.id()));
      leaders.put(node.id(), table.leaders(node.id()));
      bytes.put(node.id(), table.bytes(node.id()));
    }
    List<String> workers =
        table.nodes().stream().filter(NodeStatus::acceptsWork).map(NodeStatus::id).toList();
    return new Balance(
        replicas,
        leaders,
        bytes,
        maxOverMean(workers, replicas::get),
        maxOverMean(workers, leaders::get),
        maxOverMean(workers, bytes::get),
        (int) spread(workers, replicas::get),
        (int) spread(workers, leaders::get),
        spread(workers, bytes::get));
  }

  private static double maxOverMean(List<String> nodes, ToLongFunction<String> count) {
    long max = nodes.stream().mapToLong(count).max().orElse(0);
    double mean = nodes.stream().mapToLong(count).average().orElse(0);
    return mean == 0 ? 1.0 : max / mean;
  }

  private static long spread(List<String> nodes, ToLongFunction<String> count) {
    long max = nodes.stream().mapToLong(count).max().orElse(0);
    long min = nodes.stream().mapToLong(count).min().orElse(0);
    return max - min;
  }
}
