package pando.api.range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.api.range.TestRanges.ABC;
import static pando.api.range.TestRanges.MID;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.HashRange;

class RangeDescriptorTest {
  private static final HashRange UPPER_HALF = new HashRange(MID, 0);

  static Stream<Arguments> invalidDescriptors() {
    return Stream.of(
        Arguments.of(0L, ABC, Optional.empty(), "range id must be positive, got 0"),
        Arguments.of(-4L, ABC, Optional.empty(), "range id must be positive, got -4"),
        Arguments.of(3L, List.of(), Optional.empty(), "range 3 needs at least one replica"),
        Arguments.of(3L, List.of("a", "b", "a"), Optional.empty(), "range 3 lists a replica twice"),
        Arguments.of(3L, ABC, Optional.of("z"), "leader z is not one of its replicas [a, b, c]"));
  }

  @ParameterizedTest(name = "{3}")
  @MethodSource("invalidDescriptors")
  void rejectsInvalidDescriptorsNamingTheRange(
      long id, List<String> replicas, Optional<String> leader, String message) {
    assertThatThrownBy(() -> new RangeDescriptor(id, UPPER_HALF, Epoch.initial(), replicas, leader))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void keepsItsOwnCopyOfTheReplicaList() {
    List<String> replicas = new ArrayList<>(ABC);
    RangeDescriptor range =
        new RangeDescriptor(1, UPPER_HALF, Epoch.initial(), replicas, Optional.of("a"));
    replicas.add("d");
    assertThat(range.replicas()).containsExactly("a", "b", "c");
  }

  @Test
  void containsItsStartAndLastHashButNotTheHashBelow() {
    RangeDescriptor range =
        new RangeDescriptor(1, UPPER_HALF, Epoch.initial(), ABC, Optional.empty());
    assertThat(range.contains(MID)).isTrue();
    assertThat(range.contains(-1L)).isTrue();
    assertThat(range.contains(Long.MAX_VALUE)).isFalse();
    assertThat(range.contains(0)).isFalse();
  }

  @Test
  void withLeaderKeepsEverythingElse() {
    RangeDescriptor range =
        new RangeDescriptor(1, UPPER_HALF, new Epoch(4, 2), ABC, Optional.empty());
    assertThat(range.withLeader(Optional.of("b")))
        .isEqualTo(new RangeDescriptor(1, UPPER_HALF, new Epoch(4, 2), ABC, Optional.of("b")));
  }
}
