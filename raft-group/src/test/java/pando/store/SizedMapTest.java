package pando.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The byte count a range keeps of its keys and values, as commands put and remove entries. */
class SizedMapTest {
  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  /** A map of byte-array keys compared by content, like the MapDB tree a store wraps. */
  private static TreeMap<byte[], byte[]> backing() {
    return new TreeMap<>(Arrays::compare);
  }

  /** Starts from {@code {"key" -> "value"}}: 3 + 5 = 8 bytes. */
  private static SizedMap oneEntry() {
    TreeMap<byte[], byte[]> map = backing();
    map.put(b("key"), b("value"));
    return new SizedMap(map, SizedMap.count(map));
  }

  @Test
  void countReadsEveryKeyAndValue() {
    TreeMap<byte[], byte[]> map = backing();
    assertThat(SizedMap.count(map)).isEqualTo(SizedMap.Size.EMPTY);
    map.put(b("a"), b("12345"));
    map.put(b("bcd"), new byte[0]);
    assertThat(SizedMap.count(map)).isEqualTo(new SizedMap.Size(2, 1 + 5 + 3));
  }

  @Test
  void anEmptyMapCountsZeroAndTheStartingCountIsTakenAsGiven() {
    assertThat(new SizedMap(backing(), SizedMap.Size.EMPTY).counted()).isEqualTo(SizedMap.Size.EMPTY);
    // A count read back from a store file is trusted, not recomputed.
    SizedMap given = new SizedMap(backing(), new SizedMap.Size(3, 42));
    assertThat(given.bytes()).isEqualTo(42);
    assertThat(given.entries()).isEqualTo(3);
    assertThat(given).hasSize(3);
  }

  static Stream<Arguments> changes() {
    return Stream.of(
        // name, change, expected bytes after it (from 8), expected old value returned (null: none), entries after
        Arguments.of("put of a new key adds key and value", (Change) m -> m.put(b("other"), b("xy")), 8 + 5 + 2, null, 2),
        Arguments.of("put of a new key with an empty value adds the key", (Change) m -> m.put(b("k2"), new byte[0]), 8 + 2, null, 2),
        Arguments.of("overwrite with a longer value adds the difference", (Change) m -> m.put(b("key"), b("value-longer")), 3 + 12, "value", 1),
        Arguments.of("overwrite with a shorter value subtracts the difference", (Change) m -> m.put(b("key"), b("v")), 3 + 1, "value", 1),
        Arguments.of("overwrite with an equally long value changes nothing", (Change) m -> m.put(b("key"), b("VALUE")), 8, "value", 1),
        Arguments.of("overwrite with an empty value keeps only the key", (Change) m -> m.put(b("key"), new byte[0]), 3, "value", 1),
        Arguments.of("remove of a present key subtracts key and value", (Change) m -> m.remove(b("key")), 0, "value", 0),
        Arguments.of("remove of an absent key changes nothing", (Change) m -> m.remove(b("absent")), 8, null, 1));
  }

  interface Change {
    byte[] apply(SizedMap map);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void eachChangeMovesTheCountByExactlyItsBytes(String name, Change change, long expectedBytes, String expectedOld,
      long expectedEntries) {
    SizedMap map = oneEntry();
    assertThat(map.bytes()).isEqualTo(8);

    byte[] old = change.apply(map);

    assertThat(old == null ? null : new String(old, UTF_8)).isEqualTo(expectedOld);
    assertThat(map.bytes()).isEqualTo(expectedBytes);
    assertThat(map.entries()).isEqualTo(expectedEntries);
    assertThat(map.counted()).isEqualTo(SizedMap.count(map));
  }

  @Test
  void aKeyEqualInContentButNotInIdentityIsTheSameKey() {
    SizedMap map = oneEntry();
    byte[] sameContent = b("key");
    assertThat(map.get(sameContent)).isEqualTo(b("value"));
    map.put(sameContent, b("vv"));
    assertThat(map.bytes()).isEqualTo(3 + 2);
    map.remove(b("key"));
    assertThat(map.bytes()).isZero();
    assertThat(map).isEmpty();
  }

  @Test
  void putAllCountsEveryEntry() {
    SizedMap map = oneEntry();
    TreeMap<byte[], byte[]> more = backing();
    more.put(b("key"), b("v")); // overwrite: -4
    more.put(b("new"), b("1234")); // new: +7
    map.putAll(more);
    assertThat(map.bytes()).isEqualTo(8 - 4 + 7).isEqualTo(SizedMap.count(map).bytes());
  }

  @Test
  void theCountMatchesARecountAfterManyRandomPutsAndRemoves() {
    TreeMap<byte[], byte[]> backing = backing();
    SizedMap map = new SizedMap(backing, SizedMap.Size.EMPTY);
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      byte[] key = b("k" + random.nextInt(200));
      if (random.nextInt(3) == 0) {
        map.remove(key);
      } else {
        byte[] value = new byte[random.nextInt(40)];
        random.nextBytes(value);
        map.put(key, value);
      }
      if (i % 500 == 0) {
        assertThat(map.bytes()).as("after %d changes", i + 1).isEqualTo(SizedMap.count(backing).bytes());
      }
    }
    assertThat(map.bytes()).isEqualTo(SizedMap.count(backing).bytes()).isEqualTo(SizedMap.count(map).bytes());
    assertThat(map.size()).isEqualTo(backing.size());
    assertThat(map.counted()).isEqualTo(SizedMap.count(backing));
  }

  @Test
  void theEntrySetCannotChangeTheMapBehindTheCountsBack() {
    SizedMap map = oneEntry();
    assertThatThrownBy(map::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.entrySet().iterator().next().setValue(b("longer-value")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> map.entrySet().removeIf(e -> true)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(map.bytes()).isEqualTo(8).isEqualTo(SizedMap.count(map).bytes());
    assertThat(map).hasSize(1);
  }

  @Test
  void readsGoThroughToTheWrappedMap() {
    SizedMap map = oneEntry();
    assertThat(map.get(b("key"))).isEqualTo(b("value"));
    assertThat(map.get(b("absent"))).isNull();
    assertThat(map.entrySet()).extracting(e -> new String(e.getKey(), UTF_8)).containsExactly("key");
    assertThat(map.bytes()).isEqualTo(8);
  }

  @Test
  void aRecountOfAMapWithEntriesAddsUpEveryEntry() {
    Map<byte[], byte[]> map = backing();
    for (int i = 0; i < 10; i++) {
      map.put(b("key-" + i), b("v".repeat(i)));
    }
    // keys: 10 * 5 bytes; values: 0 + 1 + ... + 9
    assertThat(SizedMap.count(map)).isEqualTo(new SizedMap.Size(10, 50 + 45));
  }
}
