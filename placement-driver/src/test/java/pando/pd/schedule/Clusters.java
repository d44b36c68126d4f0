package pando.pd.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import pando.api.HashRange;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.pd.meta.InitialPlacement;
import pando.v1.NodeState;

/** Short notations for the clusters the scheduler tests are about. */
final class Clusters {
  private Clusters() {}

  /**
   * "a b:DOWN c:SUSPECT d:draining e:DOWN:draining" as nodes a (UP), b (DOWN), c (SUSPECT), d (UP,
   * draining) and e (DOWN, draining).
   */
  static List<NodeStatus> nodes(String spec) {
    return Arrays.stream(spec.trim().split(" +")).map(Clusters::node).toList();
  }

  private static NodeStatus node(String token) {
    String[] parts = token.split(":");
    NodeState state = NodeState.UP;
    boolean draining = false;
    for (int i = 1; i < parts.length; i++) {
      if (parts[i].equals("draining")) {
        draining = true;
      } else {
        state = NodeState.valueOf(parts[i]);
      }
    }
    return new NodeStatus(parts[0], state, draining);
  }

  /** "a* b c", range {@code id} on a, b and c, led by a (the starred one); no star, no leader. */
  static RangeDescriptor range(long id, String spec) {
    List<String> replicas = new ArrayList<>();
    Optional<String> leader = Optional.empty();
    for (String token : spec.trim().split(" +")) {
      if (token.endsWith("*")) {
        token = token.substring(0, token.length() - 1);
        leader = Optional.of(token);
      }
      replicas.add(token);
    }
    return new RangeDescriptor(id, new HashRange(id, id + 1), Epoch.initial(), replicas, leader);
  }

  /** "a* b c | b* c a", ranges 1, 2, ... */
  static List<RangeDescriptor> ranges(String spec) {
    String[] parts = spec.split("\\|");
    return IntStream.range(0, parts.length).mapToObj(i -> range(i + 1, parts[i])).toList();
  }

  /** A state of the nodes and ranges with no sizes, nothing in flight, nothing changed recently. */
  static ClusterState cluster(String nodes, String ranges) {
    return ClusterState.of(ranges(ranges), nodes(nodes));
  }

  /** n1, n2, ... */
  static List<String> nodeIds(int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> "n" + i).toList();
  }

  /** The initial placement of ranges 1..rangeCount on the nodes, each led by its first replica. */
  static List<RangeDescriptor> placed(List<String> nodeIds, int rangeCount, int replication) {
    List<List<String>> placement =
        InitialPlacement.replicasPerRange(nodeIds, rangeCount, replication);
    List<RangeDescriptor> ranges = new ArrayList<>();
    for (int i = 0; i < placement.size(); i++) {
      List<String> replicas = placement.get(i);
      ranges.add(
          new RangeDescriptor(
              i + 1,
              new HashRange(i + 1, i + 2),
              Epoch.initial(),
              replicas,
              Optional.of(replicas.get(0))));
    }
    return ranges;
  }

  static List<NodeStatus> upNodes(List<String> ids) {
    return ids.stream().map(NodeStatus::up).toList();
  }
}
