package pando.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyVersionsTest {
  @Test
  void theEpochVersionIsTheHighPartAndTheIndexTheLow() {
    assertThat(KeyVersions.of(1, 1)).isEqualTo((1L << 40) + 1);
    assertThat(KeyVersions.of(3, 17)).isEqualTo(3 * (1L << 40) + 17);
    assertThat(KeyVersions.of(1, 0)).isEqualTo(1L << 40);
  }

  @Test
  void anyIndexOfALaterEpochVersionIsHigherThanEveryIndexOfAnEarlierOne() {
    // What keeps a key's versions growing when it moves to a new range whose log starts again.
    assertThat(KeyVersions.of(2, 0)).isGreaterThan(KeyVersions.of(1, KeyVersions.MAX_INDEX));
    assertThat(Long.compareUnsigned(KeyVersions.of(KeyVersions.MAX_EPOCH_VERSION, 0),
        KeyVersions.of(KeyVersions.MAX_EPOCH_VERSION - 1, KeyVersions.MAX_INDEX))).isPositive();
  }

  @ParameterizedTest(name = "epoch version {0}, index {1}")
  @CsvSource({"1, 1099511627776", "1, -1", "0, 5", "16777216, 5", "-1, 5"})
  void aVersionThatWouldNotFitIsRefusedNeverWrapped(long epochVersion, long index) {
    assertThat(KeyVersions.refusal(epochVersion, index)).isPresent();
    assertThatThrownBy(() -> KeyVersions.of(epochVersion, index)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theLargestIndexAndEpochVersionStillFit() {
    assertThat(KeyVersions.MAX_INDEX).isEqualTo((1L << 40) - 1);
    assertThat(KeyVersions.refusal(KeyVersions.MAX_EPOCH_VERSION, KeyVersions.MAX_INDEX)).isEmpty();
    assertThat(KeyVersions.of(KeyVersions.MAX_EPOCH_VERSION, KeyVersions.MAX_INDEX)).isEqualTo(-1L);
    assertThat(KeyVersions.refusal(1, 1L << 40)).hasValueSatisfying(reason -> assertThat(reason).contains("40 bits"));
  }
}
