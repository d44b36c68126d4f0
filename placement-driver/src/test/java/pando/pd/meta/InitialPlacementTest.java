package pando.pd.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class InitialPlacementTest {

  private static List<String> nodes(int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> "n" + i).toList();
  }

  /** "a b c | b c a" as [[a, b, c], [b, c, a]]. */
  private static List<List<String>> placement(String ranges) {
    return Arrays.stream(ranges.split("\\|"))
        .map(range -> Arrays.asList(range.trim().split(" +")))
        .toList();
  }

  @ParameterizedTest(name = "nodes {0}, {1} ranges x {2}: {3}")
  @CsvSource(
      delimiter = ';',
      value = {
        "a;           1; 1; a",
        "a;           3; 1; a | a | a",
        "a b c;       1; 3; a b c",
        "a b c;       3; 3; a b c | b c a | c a b",
        "a b c;       4; 3; a b c | b c a | c a b | a b c",
        "a b c d;     4; 3; a b c | b c d | c d a | d a b",
        "a b c d;     2; 1; a | b",
        "a b c d e;   2; 3; a b c | b c d",
        "a b c d e;   3; 5; a b c d e | b c d e a | c d e a b",
        "z y x;       3; 1; z | y | x",
      })
  void rangeIGoesOnTheConsecutiveNodesStartingAtNodeIModN(
      String nodeIds, int rangeCount, int replication, String expected) {
    List<String> ids = Arrays.asList(nodeIds.trim().split(" +"));

    assertThat(InitialPlacement.replicasPerRange(ids, rangeCount, replication))
        .isEqualTo(placement(expected));
  }

  static Stream<Arguments> balancedCases() {
    return Stream.of(
        // nodes, ranges, replication
        Arguments.of(1, 1, 1),
        Arguments.of(1, 64, 1),
        Arguments.of(3, 1, 3),
        Arguments.of(3, 8, 3),
        Arguments.of(4, 2, 3),
        Arguments.of(4, 8, 3),
        Arguments.of(5, 20, 3),
        Arguments.of(5, 7, 5),
        Arguments.of(6, 60, 3),
        Arguments.of(7, 100, 1),
        Arguments.of(9, 4096, 5));
  }

  @ParameterizedTest(name = "{0} nodes, {1} ranges x {2}")
  @MethodSource("balancedCases")
  void everyRangeGetsDistinctNodesAndEveryNodeItsShare(int nodeCount, int ranges, int replication) {
    List<String> ids = nodes(nodeCount);

    List<List<String>> placement = InitialPlacement.replicasPerRange(ids, ranges, replication);

    assertThat(placement).hasSize(ranges);
    Map<String, Integer> perNode = new HashMap<>();
    ids.forEach(id -> perNode.put(id, 0));
    for (int i = 0; i < ranges; i++) {
      List<String> replicas = placement.get(i);
      assertThat(replicas).hasSize(replication).doesNotHaveDuplicates().isSubsetOf(ids);
      assertThat(replicas.get(0)).isEqualTo(ids.get(i % nodeCount));
      replicas.forEach(id -> perNode.merge(id, 1, Integer::sum));
    }
    Collection<Integer> counts = perNode.values();
    assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(ranges * replication);
    int max = counts.stream().mapToInt(Integer::intValue).max().orElseThrow();
    int min = counts.stream().mapToInt(Integer::intValue).min().orElseThrow();
    assertThat(max - min).as("replicas per node %s", perNode).isLessThanOrEqualTo(1);
  }

  @Test
  void withFewRangesOnManyNodesTheShareIsNotEven() {
    // Documents the limit of consecutive placement; the schedulers rebalance later.
    List<List<String>> placement = InitialPlacement.replicasPerRange(nodes(5), 2, 3);

    Map<String, Long> perNode = new HashMap<>();
    placement.stream().flatMap(List::stream).forEach(id -> perNode.merge(id, 1L, Long::sum));
    assertThat(perNode).isEqualTo(Map.of("n1", 1L, "n2", 2L, "n3", 2L, "n4", 1L));
  }

  @Test
  void theAnswerCannotBeChangedByTheCaller() {
    List<List<String>> placement = InitialPlacement.replicasPerRange(nodes(3), 2, 3);
    assertThatThrownBy(() -> placement.get(0).clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> placement.clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  static Stream<Arguments> invalidArguments() {
    return Stream.of(
        Arguments.of(nodes(3), 0, 3, "range count must be at least 1, got 0"),
        Arguments.of(nodes(3), -1, 3, "range count must be at least 1, got -1"),
        Arguments.of(nodes(3), 1, 0, "replication must be at least 1, got 0"),
        Arguments.of(nodes(2), 1, 3, "3 replicas per range need at least 3 nodes, got [n1, n2]"),
        Arguments.of(List.of(), 1, 1, "need at least 1 nodes, got []"),
        Arguments.of(List.of("a", "b", "a"), 1, 3, "node ids must be distinct, got [a, b, a]"));
  }

  @ParameterizedTest(name = "{3}")
  @MethodSource("invalidArguments")
  void rejectsImpossiblePlacements(
      List<String> ids, int ranges, int replication, String message) {
    assertThatThrownBy(() -> InitialPlacement.replicasPerRange(ids, ranges, replication))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
