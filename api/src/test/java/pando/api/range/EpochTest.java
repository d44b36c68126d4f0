package pando.api.range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.api.range.TestRanges.epoch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EpochTest {
  @ParameterizedTest(name = "({0},{1}) older than ({2},{3}): {4}")
  @CsvSource({
    // version, conf, other version, other conf, older?
    "1, 1, 1, 1, false", // equal is not older
    "1, 1, 2, 1, true", // missed a split or merge
    "1, 1, 1, 2, true", // missed a replica change
    "1, 3, 2, 2, true", // newer membership does not excuse missing a split
    "2, 2, 1, 3, true", // ... and the reverse: incomparable epochs are older both ways
    "2, 1, 1, 1, false",
    "1, 2, 1, 1, false",
    "5, 5, 4, 4, false",
  })
  void isOlderThanWhenEitherComponentIsLower(long v, long c, long ov, long oc, boolean older) {
    assertThat(epoch(v, c).isOlderThan(epoch(ov, oc))).isEqualTo(older);
  }

  @Test
  void componentsStartAtOneSoAnUnsetProtobufFieldIsRejected() {
    assertThat(Epoch.initial()).isEqualTo(epoch(1, 1));
    assertThatThrownBy(() -> epoch(0, 1)).hasMessageContaining("start at 1");
    assertThatThrownBy(() -> epoch(1, 0)).hasMessageContaining("start at 1");
    assertThatThrownBy(() -> epoch(-1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nextVersionAndNextConfVersionRaiseOnlyTheirOwnComponent() {
    assertThat(epoch(3, 7).nextVersion()).isEqualTo(epoch(4, 7));
    assertThat(epoch(3, 7).nextConfVersion()).isEqualTo(epoch(3, 8));
  }

  @Test
  void versionOverflowFailsInsteadOfWrappingToAnOlderEpoch() {
    assertThatThrownBy(() -> epoch(Long.MAX_VALUE, 1).nextVersion())
        .isInstanceOf(ArithmeticException.class);
  }
}
