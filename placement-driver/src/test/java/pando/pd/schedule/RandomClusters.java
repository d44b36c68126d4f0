package pando.pd.schedule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import pando.api.HashRange;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.v1.NodeState;

/** Random but valid cluster states, the same for the same seed. */
final class RandomClusters {
  private RandomClusters() {}

  /**
   * 4 to 9 nodes (mostly UP, some SUSPECT or DOWN, some draining), 1 to 40 ranges of 3 replicas
   * with random sizes (one in eight empty, the others from 1 MiB to 1 GiB, evenly spread on a log
   * scale, so that byte balancing has work past its 64 MiB default floor) and leader hints, a few
   * operators in flight and some recent changes.
   */
  static ClusterState generate(long seed, long nowMs) {
    Random random = new Random(seed);
    List<NodeStatus> nodes = new ArrayList<>();
    int nodeCount = 4 + random.nextInt(6);
    for (int i = 1; i <= nodeCount; i++) {
      int roll = random.nextInt(10);
      NodeState state = roll < 7 ? NodeState.UP : roll < 8 ? NodeState.SUSPECT : NodeState.DOWN;
      nodes.add(new NodeStatus("n" + i, state, random.nextInt(7) == 0));
    }
    List<String> ids = nodes.stream().map(NodeStatus::id).toList();
    List<RangeDescriptor> ranges = new ArrayList<>();
    Map<Long, Long> bytes = new HashMap<>();
    Map<Long, Long> lastChange = new HashMap<>();
    int rangeCount = 1 + random.nextInt(40);
    for (long id = 1; id <= rangeCount; id++) {
      List<String> shuffled = new ArrayList<>(ids);
      Collections.shuffle(shuffled, random);
      List<String> replicas = shuffled.subList(0, 3);
      Optional<String> leader =
          random.nextInt(5) == 0 ? Optional.empty() : Optional.of(replicas.get(random.nextInt(3)));
      ranges.add(
          new RangeDescriptor(id, new HashRange(id, id + 1), Epoch.initial(), replicas, leader));
      bytes.put(id, sizeBytes(random));
      if (random.nextInt(4) == 0) {
        lastChange.put(id, nowMs - random.nextInt(20_000));
      }
    }
    List<Operator> inFlight = new ArrayList<>();
    int inFlightCount = random.nextInt(4);
    for (int i = 0; i < inFlightCount; i++) {
      RangeDescriptor range = ranges.get(random.nextInt(ranges.size()));
      String from = range.replicas().get(random.nextInt(3));
      List<String> others = ids.stream().filter(id -> !range.replicas().contains(id)).toList();
      String to = others.get(random.nextInt(others.size()));
      inFlight.add(
          new Operator.MoveReplica(
              range.rangeId(), range.epoch(), from, to, Operator.Reason.BALANCE_REPLICAS));
    }
    return new ClusterState(ranges, bytes, nodes, inFlight, lastChange);
  }

  private static long sizeBytes(Random random) {
    return random.nextInt(8) == 0 ? 0 : (long) Math.pow(2, 20 + 10 * random.nextDouble());
  }
}
