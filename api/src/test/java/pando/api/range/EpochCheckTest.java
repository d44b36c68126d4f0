package pando.api.range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.api.range.TestRanges.MID;
import static pando.api.range.TestRanges.epoch;
import static pando.api.range.TestRanges.range;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.range.EpochCheck.FutureEpoch;
import pando.api.range.EpochCheck.Ok;
import pando.api.range.EpochCheck.StaleEpoch;
import pando.api.range.EpochCheck.UnknownRange;
import pando.api.range.EpochCheck.Verdict;

class EpochCheckTest {
  private static final long Q1 = 0x4000_0000_0000_0000L;
  private static final long Q3 = 0xc000_0000_0000_0000L;

  /**
   * The replica's view of range 1 after it split the full space at MID (version 2) and then had
   * one replica change (confVersion 3): [0, MID) at epoch (2, 3).
   */
  private static final RangeDescriptor CURRENT = range(1, 0, MID, epoch(2, 3));

  static Stream<Arguments> cases() {
    Optional<RangeDescriptor> current = Optional.of(CURRENT);
    return Stream.of(
        Arguments.of("same epoch, key inside", epoch(2, 3), new long[] {Q1}, current, new Ok()),
        Arguments.of("same epoch, first and last hash", epoch(2, 3), new long[] {0, MID - 1},
            current, new Ok()),
        Arguments.of("same epoch, no keys", epoch(2, 3), new long[] {}, current, new Ok()),
        Arguments.of("older version", epoch(1, 3), new long[] {Q1}, current,
            new StaleEpoch(CURRENT)),
        Arguments.of("older confVersion", epoch(2, 2), new long[] {Q1}, current,
            new StaleEpoch(CURRENT)),
        Arguments.of("newer confVersion but older version", epoch(1, 4), new long[] {Q1}, current,
            new StaleEpoch(CURRENT)),
        Arguments.of("routed before the split, key now in the other half", epoch(1, 3),
            new long[] {Q3}, current, new StaleEpoch(CURRENT)),
        Arguments.of("same epoch but key outside (misrouted)", epoch(2, 3), new long[] {MID},
            current, new StaleEpoch(CURRENT)),
        Arguments.of("same epoch, one key of a batch outside", epoch(2, 3),
            new long[] {0, Q1, -1L}, current, new StaleEpoch(CURRENT)),
        Arguments.of("replica does not hold the range", epoch(2, 3), new long[] {Q1},
            Optional.empty(), new UnknownRange(1)),
        Arguments.of("newer version", epoch(3, 3), new long[] {Q1}, current,
            new FutureEpoch(epoch(2, 3))),
        Arguments.of("newer confVersion", epoch(2, 4), new long[] {Q1}, current,
            new FutureEpoch(epoch(2, 3))),
        Arguments.of("newer epoch and key outside the bounds the replica knows", epoch(3, 3),
            new long[] {Q3}, current, new FutureEpoch(epoch(2, 3))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decidesFromRoutedEpochKeysAndTheReplicasDescriptor(
      String name, Epoch routed, long[] hashes, Optional<RangeDescriptor> current,
      Verdict expected) {
    assertThat(EpochCheck.check(1, routed, current, hashes)).isEqualTo(expected);
  }

  @Test
  void checkKeysPlacesKeysByTheirKeyHash() {
    // KeyHash("a") = 0x85555565f6597889: in [MID, end), not in [0, MID).
    List<byte[]> keys = List.of("a".getBytes(StandardCharsets.UTF_8));
    RangeDescriptor upper = range(2, MID, 0, epoch(2, 3));

    assertThat(EpochCheck.checkKeys(2, epoch(2, 3), Optional.of(upper), keys)).isEqualTo(new Ok());
    assertThat(EpochCheck.checkKeys(1, epoch(2, 3), Optional.of(CURRENT), keys))
        .isEqualTo(new StaleEpoch(CURRENT));
  }

  @Test
  void checkingAgainstAnotherRangesDescriptorIsACallerBug() {
    assertThatThrownBy(() -> EpochCheck.check(5, epoch(2, 3), Optional.of(CURRENT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("routed to range 5 checked against range 1");
  }

  @Test
  void matchCallsTheFunctionForTheVerdictsKind() {
    List<Verdict> verdicts =
        List.of(new Ok(), new StaleEpoch(CURRENT), new UnknownRange(7), new FutureEpoch(epoch(9, 9)));
    List<String> names =
        verdicts.stream()
            .map(v -> v.match(
                ok -> "ok",
                stale -> "stale " + stale.current().rangeId(),
                unknown -> "unknown " + unknown.rangeId(),
                future -> "future " + future.replicaEpoch().version()))
            .toList();
    assertThat(names).containsExactly("ok", "stale 1", "unknown 7", "future 9");
  }
}
