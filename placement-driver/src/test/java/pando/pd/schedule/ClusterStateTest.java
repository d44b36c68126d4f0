package pando.pd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pando.pd.schedule.Clusters.nodes;
import static pando.pd.schedule.Clusters.range;
import static pando.pd.schedule.Clusters.ranges;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.range.RangeDescriptor;

class ClusterStateTest {

  static Stream<Arguments> invalidStates() {
    return Stream.of(
        Arguments.of(
            "node twice", "a b a", ranges("a b"), Map.of(), "node a is listed twice"),
        Arguments.of(
            "range twice", "a b c", List.of(range(1, "a b"), range(1, "b c")), Map.of(),
            "range 1 is listed twice"),
        Arguments.of(
            "replica on an unknown node", "a b", ranges("a b | a z"), Map.of(),
            "range 2 has a replica on z, which is not among the nodes"),
        Arguments.of(
            "negative size", "a b", ranges("a b"), Map.of(1L, -5L),
            "range 1 has a negative size: -5 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidStates")
  void rejectsStatesTheSchedulerCouldNotTrust(
      String name, String nodes, List<RangeDescriptor> ranges,
      Map<Long, Long> bytes, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ClusterState(ranges, bytes, nodes(nodes), List.of(), Map.of()));
    assertTrue(e.getMessage().startsWith(message), () -> "message: " + e.getMessage());
  }

  @Test
  void missingSizesAreZeroAndMissingChangesLongAgo() {
    ClusterState state =
        new ClusterState(ranges("a b | a b"), Map.of(1L, 7L), nodes("a b"), List.of(),
            Map.of(1L, 42L));

    assertEquals(7, state.bytesOf(1));
    assertEquals(0, state.bytesOf(2));
    assertEquals(OptionalLong.of(42), state.lastChangeMs(1));
    assertEquals(OptionalLong.empty(), state.lastChangeMs(2));
  }

  @Test
  void laterChangesToTheCallersListsDoNotReachTheState() {
    List<NodeStatus> nodes = new ArrayList<>(nodes("a b"));
    ClusterState state = ClusterState.of(ranges("a b"), nodes);

    nodes.add(NodeStatus.up("c"));

    assertEquals(2, state.nodes().size());
  }
}
