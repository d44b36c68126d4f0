package pando.api.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.KeyHash;
import pando.api.RequestLimits;

class SaltedKeysTest {
  private static final ByteString KEY = ByteString.copyFromUtf8("user:42");

  static LongStream seeds() {
    return LongStream.of(1, 7, 2024, new Random().nextLong());
  }

  @Test
  void aCopyIsTheReservedHeaderThenTheKey() {
    ByteString copy = SaltedKeys.salted(KEY, 3, 8);

    assertThat(copy.substring(0, SaltedKeys.OVERHEAD_BYTES).toByteArray())
        .containsExactly(0x00, 0x70, 0x6e, 0x64, 0x73, 3, 8);
    assertThat(copy.substring(SaltedKeys.OVERHEAD_BYTES)).isEqualTo(KEY);
    assertThat(SaltedKeys.isReserved(copy)).isTrue();
  }

  @ParameterizedTest(name = "{0} reserved: {1}")
  @CsvSource({
    "'', false",
    "00, false",
    "0070, false",
    "00706e, false",
    "00706e64, true",
    "00706e6400, true",
    "00706e6473000201, true",
    "01706e64, false",
    "70616e646f, false",
    "ff00706e64, false",
  })
  void onlyKeysStartingWithTheFourBytePrefixAreReserved(String hex, boolean reserved) {
    assertThat(SaltedKeys.isReserved(bytes(hex))).isEqualTo(reserved);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void userKeysNeverParseAsCopies(long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      ByteString key = randomSaltableKey(random);
      assertThat(SaltedKeys.isReserved(key)).isFalse();
      assertThat(SaltedKeys.parse(key)).as("seed %d, key %s", seed, key).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "00706e64730002, header without a key",
    "00706e64740002ff, another internal kind",
    "00706e6473020261, salt equal to the count",
    "00706e6473000161, count below 2",
    "00706e6473004161, count above 64",
    "00706e6473000200706e6461, a copy of a reserved key",
  })
  void malformedCopiesDoNotParse(String hex, String why) {
    assertThat(SaltedKeys.parse(bytes(hex))).as(why).isEmpty();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void parseUndoesSaltedForRandomKeys(long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      ByteString key = randomSaltableKey(random);
      int salts = 2 + random.nextInt(63);
      int salt = random.nextInt(salts);

      ByteString copy = SaltedKeys.salted(key, salt, salts);

      assertThat(copy.size()).as("seed %d", seed).isLessThanOrEqualTo(RequestLimits.MAX_KEY_BYTES);
      assertThat(SaltedKeys.parse(copy))
          .as("seed %d, key %s", seed, key)
          .hasValue(new SaltedKeys.Copy(key, salt, salts));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void copiesOfOneKeyHashToDifferentPlaces(long seed) {
    Random random = new Random(seed);
    int pairs = 0;
    int pairsInOneEighth = 0;
    for (int i = 0; i < 400; i++) {
      ByteString key = randomSaltableKey(random);
      int salts = 2 + random.nextInt(63);
      Set<Long> hashes = new HashSet<>();
      Set<Long> eighths = new HashSet<>();
      long previousEighth = -1;
      for (int salt = 0; salt < salts; salt++) {
        long hash = KeyHash.of(SaltedKeys.salted(key, salt, salts).toByteArray());
        hashes.add(hash);
        eighths.add(hash >>> 61);
        if (salt > 0) {
          pairs++;
          pairsInOneEighth += (hash >>> 61) == previousEighth ? 1 : 0;
        }
        previousEighth = hash >>> 61;
      }
      assertThat(hashes).as("seed %d: distinct hashes", seed).hasSize(salts);
      if (salts >= 24) {
        // With 8 evenly cut ranges, 24 independent copies miss 5 of them with odds below 1e-9.
        assertThat(eighths.size()).as("seed %d: ranges reached", seed).isGreaterThanOrEqualTo(4);
      }
    }
    // Neighbouring salts behave like independent hashes: they share one of 8 ranges 1/8 of the time.
    assertThat((double) pairsInOneEighth / pairs).as("seed %d", seed).isBetween(0.09, 0.16);
  }

  @Test
  void copiesOfDifferentSaltCountsAreDifferentKeys() {
    assertThat(SaltedKeys.salted(KEY, 0, 4)).isNotEqualTo(SaltedKeys.salted(KEY, 0, 8));
  }

  @Test
  void keysUpToTheSaltableLimitAreSaltedWithinTheKeyLimit() {
    ByteString longest = ByteString.copyFrom(new byte[SaltedKeys.MAX_SALTABLE_KEY_BYTES]);
    assertThat(SaltedKeys.MAX_SALTABLE_KEY_BYTES).isEqualTo(4089);
    assertThat(SaltedKeys.salted(longest, 63, 64).size()).isEqualTo(RequestLimits.MAX_KEY_BYTES);
    assertThat(SaltedKeys.saltingRefusal(longest)).isEmpty();

    ByteString tooLong = ByteString.copyFrom(new byte[SaltedKeys.MAX_SALTABLE_KEY_BYTES + 1]);
    assertThat(SaltedKeys.saltingRefusal(tooLong)).hasValueSatisfying(
        reason -> assertThat(reason).contains("4090 bytes").contains("4089"));
    assertThatThrownBy(() -> SaltedKeys.salted(tooLong, 0, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "salt {0} of {1}")
  @CsvSource({"0, 1", "0, 65", "-1, 4", "4, 4", "0, 0"})
  void saltsOutsideTheirRangesAreRefused(int salt, int salts) {
    assertThatThrownBy(() -> SaltedKeys.salted(KEY, salt, salts))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SaltedKeys.copyRefusal(KEY, salt, salts)).hasValueSatisfying(
        reason -> assertThat(reason).contains(salts < 2 || salts > 64 ? "salt count" : "salt must be"));
  }

  @Test
  void aCopyRefusalNamesWhatIsWrongWithoutThrowing() {
    assertThat(SaltedKeys.copyRefusal(KEY, 0, 2)).isEmpty();
    assertThat(SaltedKeys.copyRefusal(KEY, 63, 64)).isEmpty();
    assertThat(SaltedKeys.copyRefusal(SaltedKeys.salted(KEY, 0, 2), 0, 2))
        .hasValueSatisfying(reason -> assertThat(reason).contains("reserved"));
    assertThat(SaltedKeys.copyRefusal(ByteString.EMPTY, 0, 2))
        .hasValueSatisfying(reason -> assertThat(reason).contains("empty"));
  }

  @Test
  void emptyAndReservedKeysAreNeverSalted() {
    assertThatThrownBy(() -> SaltedKeys.salted(ByteString.EMPTY, 0, 2))
        .hasMessageContaining("empty");
    ByteString copy = SaltedKeys.salted(KEY, 0, 2);
    assertThatThrownBy(() -> SaltedKeys.salted(copy, 0, 2)).hasMessageContaining("reserved");
  }

  static ByteString randomSaltableKey(Random random) {
    // Mostly short keys, some up to the saltable limit; any bytes except the reserved prefix.
    int length = random.nextInt(10) == 0
        ? 1 + random.nextInt(SaltedKeys.MAX_SALTABLE_KEY_BYTES)
        : 1 + random.nextInt(32);
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    if (length >= 4 && bytes[0] == 0 && bytes[1] == 0x70) {
      bytes[0] = 1;
    }
    return ByteString.copyFrom(bytes);
  }

  private static ByteString bytes(String hex) {
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return ByteString.copyFrom(out);
  }
}
