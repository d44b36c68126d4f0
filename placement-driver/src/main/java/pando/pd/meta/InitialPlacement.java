package pando.pd.meta;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a new cluster's first ranges go: range {@code i} (from 0) on the {@code replication}
 * consecutive nodes starting at node {@code i mod n}, wrapping around the node list. This is the
 * placement the static {@code RangeLayout.initial} of the nodes used before the placement driver,
 * so a cluster bootstrapped by either gets the same layout.
 *
 * <p>Each range gets distinct nodes. When the range count is a multiple of the node count (or the
 * replication is 1 or all nodes) every node holds as many replicas as any other; otherwise the
 * counts can differ by more than one (5 nodes, 3 replicas, 2 ranges: 1, 2, 2, 1, 0) — balancing
 * is left to the schedulers that will replace this. Leaders are not chosen here.
 *
 * <p>Pure and deterministic: the answer depends only on the arguments, in their order.
 */
public final class InitialPlacement {
  private InitialPlacement() {}

  /**
   * The replicas of each of {@code rangeCount} ranges, in range order; each list starts with the
   * node {@code i mod n}.
   *
   * @param nodeIds the nodes to place on, in the order placement walks them (the PD passes them
   *     sorted by id)
   * @throws IllegalArgumentException if {@code rangeCount < 1}, {@code replication < 1}, there are
   *     fewer nodes than {@code replication}, or a node id repeats
   */
  public static List<List<String>> replicasPerRange(
      List<String> nodeIds, int rangeCount, int replication) {
    if (rangeCount < 1) {
      throw new IllegalArgumentException("range count must be at least 1, got " + rangeCount);
    }
    if (replication < 1) {
      throw new IllegalArgumentException("replication must be at least 1, got " + replication);
    }
    if (nodeIds.size() < replication) {
      throw new IllegalArgumentException(
          replication + " replicas per range need at least " + replication + " nodes, got "
              + nodeIds);
    }
    if (nodeIds.stream().distinct().count() != nodeIds.size()) {
      throw new IllegalArgumentException("node ids must be distinct, got " + nodeIds);
    }
    int n = nodeIds.size();
    List<List<String>> placement = new ArrayList<>(rangeCount);
    for (int i = 0; i < rangeCount; i++) {
      List<String> replicas = new ArrayList<>(replication);
      for (int r = 0; r < replication; r++) {
        // In long: i + r could pass Integer.MAX_VALUE for a huge range count.
        replicas.add(nodeIds.get((int) (((long) i + r) % n)));
      }
      placement.add(List.copyOf(replicas));
    }
    return List.copyOf(placement);
  }
}
