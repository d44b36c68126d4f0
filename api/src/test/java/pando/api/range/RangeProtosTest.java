package pando.api.range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.api.range.TestRanges.ABC;
import static pando.api.range.TestRanges.BCD;
import static pando.api.range.TestRanges.MID;
import static pando.api.range.TestRanges.evenTable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pando.api.HashRange;
import pando.v1.Range;
import pando.v1.RangeEpoch;

class RangeProtosTest {
  private static final long Q3 = 0xc000_0000_0000_0000L; // 3 * 2^62, negative as a long

  static Stream<Arguments> descriptors() {
    return Stream.of(
        Arguments.of(
            "full space, no leader",
            new RangeDescriptor(1, HashRange.full(), Epoch.initial(), ABC, Optional.empty())),
        Arguments.of(
            "lower half with a leader",
            new RangeDescriptor(2, new HashRange(0, MID), new Epoch(3, 7), BCD, Optional.of("c"))),
        Arguments.of(
            "above 2^63, up to the end",
            new RangeDescriptor(
                9, new HashRange(Q3, 0), new Epoch(5, 2), List.of("x"), Optional.of("x"))),
        Arguments.of(
            "both bounds above 2^63",
            new RangeDescriptor(
                4, new HashRange(MID, Q3), Epoch.initial(), List.of("c", "a"), Optional.empty())),
        Arguments.of(
            "last hash only",
            new RangeDescriptor(
                Long.MAX_VALUE, new HashRange(-1L, 0), new Epoch(Long.MAX_VALUE, Long.MAX_VALUE),
                ABC, Optional.of("a"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("descriptors")
  void aDescriptorRoundTripsExactly(String name, RangeDescriptor range) throws Exception {
    Range proto = RangeProtos.toProto(range);

    assertThat(RangeProtos.fromProto(proto)).isEqualTo(range);
    assertThat(RangeProtos.fromProto(Range.parseFrom(proto.toByteArray()))).isEqualTo(range);
  }

  @Test
  void theWireFormCarriesTheBoundsBitForBitAndNoLeaderAsTheEmptyString() {
    RangeDescriptor range =
        new RangeDescriptor(6, new HashRange(Q3, 0), new Epoch(2, 3), BCD, Optional.empty());

    assertThat(RangeProtos.toProto(range))
        .isEqualTo(
            Range.newBuilder()
                .setRangeId(6)
                .setStart(Q3)
                .setEnd(0)
                .setEpoch(RangeEpoch.newBuilder().setVersion(2).setConfVersion(3))
                .addAllReplicas(BCD)
                .setLeader("")
                .build());
    assertThat(RangeProtos.toProto(range.withLeader(Optional.of("d"))).getLeader()).isEqualTo("d");
  }

  @Test
  void aDescriptorWithAnEmptyReplicaIdIsNotWritten() {
    RangeDescriptor range =
        new RangeDescriptor(3, HashRange.full(), Epoch.initial(), List.of("a", ""), Optional.of(""));

    assertThatThrownBy(() -> RangeProtos.toProto(range))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("range 3")
        .hasMessageContaining("empty replica id");
  }

  /** A valid message: range 7, the upper half, epoch (2,1), replicas a b c, leader b. */
  private static Range valid() {
    return RangeProtos.toProto(
        new RangeDescriptor(7, new HashRange(MID, 0), new Epoch(2, 1), ABC, Optional.of("b")));
  }

  private static Arguments broken(String name, UnaryOperator<Range.Builder> change, String message) {
    return Arguments.of(name, change, message);
  }

  static Stream<Arguments> invalidMessages() {
    return Stream.of(
        broken("no epoch", b -> b.clearEpoch(), "invalid range 7: it has no epoch"),
        broken("version 0", b -> b.setEpoch(RangeEpoch.newBuilder().setConfVersion(1)),
            "invalid range 7: epoch components start at 1, got version 0"),
        broken("conf version 0", b -> b.setEpoch(RangeEpoch.newBuilder().setVersion(1)),
            "confVersion 0"),
        broken("start above end", b -> b.setStart(Q3).setEnd(MID),
            "invalid range 7: range start must be below its end"),
        broken("start equal to end", b -> b.setStart(5).setEnd(5),
            "invalid range 7: range start must be below its end"),
        broken("id 0", b -> b.setRangeId(0), "invalid range 0: range id must be positive"),
        broken("negative id", b -> b.setRangeId(-2), "invalid range -2"),
        broken("no replicas", b -> b.clearReplicas().clearLeader(),
            "invalid range 7: range 7 needs at least one replica"),
        broken("repeated replica", b -> b.addReplicas("a"), "invalid range 7: range 7 lists a replica twice"),
        broken("empty replica id", b -> b.addReplicas(""), "invalid range 7: it has an empty replica id"),
        broken("leader not a replica", b -> b.setLeader("z"),
            "invalid range 7: range 7: leader z is not one of its replicas"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidMessages")
  void anInvalidMessageIsRejectedNamingTheRange(
      String name, UnaryOperator<Range.Builder> change, String message) {
    Range range = change.apply(valid().toBuilder()).build();

    assertThatThrownBy(() -> RangeProtos.fromProto(range))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void theValidMessageTheRefusalsStartFromIsAccepted() {
    assertThat(RangeProtos.fromProto(valid()).leader()).hasValue("b");
  }

  // ---- tables ----

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 64})
  void aTableRoundTripsExactlySortedByStart(int count) {
    RangeTable table = evenTable(count).withLeader(1, Optional.of("c"));

    List<Range> protos = RangeProtos.toProto(table);

    assertThat(protos).extracting(Range::getRangeId).isSorted();
    assertThat(protos.get(count - 1).getEnd()).isZero();
    assertThat(RangeProtos.fromProto(protos)).isEqualTo(table);
  }

  @Test
  void aSplitAndMergedTableWithHashesAbove2To63RoundTrips() {
    RangeTable table =
        evenTable(2)
            .split(2, Q3, 3)
            .withReplicas(3, BCD)
            .withLeader(3, Optional.of("d"))
            .split(1, 12345, 4);

    assertThat(RangeProtos.fromProto(RangeProtos.toProto(table))).isEqualTo(table);
  }

  @Test
  void aTablesRangesMayComeInAnyOrder() {
    List<Range> reversed = new ArrayList<>(RangeProtos.toProto(evenTable(5)));
    Collections.reverse(reversed);

    assertThat(RangeProtos.fromProto(reversed)).isEqualTo(evenTable(5));
  }

  static Stream<Arguments> invalidTables() {
    List<Range> four = RangeProtos.toProto(evenTable(4));
    return Stream.of(
        Arguments.of("no ranges", List.of(), "at least one range"),
        Arguments.of("a gap", List.of(four.get(0), four.get(2), four.get(3)),
            "invalid range table: gap"),
        Arguments.of("no last range", four.subList(0, 3), "the last range must reach the end"),
        Arguments.of("a repeated id",
            List.of(four.get(0), four.get(1), four.get(2), four.get(3).toBuilder().setRangeId(1).build()),
            "range id 1 is used twice"),
        Arguments.of("an overlap",
            List.of(four.get(0), four.get(1).toBuilder().setStart(1).build(), four.get(2), four.get(3)),
            "overlaps"),
        Arguments.of("an invalid range",
            List.of(four.get(0), four.get(1), four.get(2), four.get(3).toBuilder().clearEpoch().build()),
            "invalid range 4: it has no epoch"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidTables")
  void anInvalidTableIsRejected(String name, List<Range> ranges, String message) {
    assertThatThrownBy(() -> RangeProtos.fromProto(ranges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
