package pando.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class FieldCodecTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRecordComesBackFieldForField() {
    Map<String, byte[]> record = new HashMap<>();
    record.put("field0", utf8("hello"));
    record.put("field1", new byte[] {0, -1, 127, -128});
    record.put("empty", new byte[0]);
    record.put("naïve ☃", utf8("unicode names"));
    SortedMap<String, byte[]> back = FieldCodec.decode(FieldCodec.encode(record));
    assertThat(back.keySet()).containsExactly("empty", "field0", "field1", "naïve ☃");
    record.forEach((name, value) -> assertThat(back.get(name)).as(name).isEqualTo(value));
  }

  @Test
  void anEmptyRecordIsFiveBytes() {
    byte[] encoded = FieldCodec.encode(Map.of());
    assertThat(encoded).hasSize(5);
    assertThat(FieldCodec.decode(encoded)).isEmpty();
  }

  @Test
  void equalRecordsEncodeEquallyWhateverTheInsertionOrder() {
    Map<String, byte[]> ab = new LinkedHashMap<>();
    ab.put("a", utf8("1"));
    ab.put("b", utf8("2"));
    Map<String, byte[]> ba = new LinkedHashMap<>();
    ba.put("b", utf8("2"));
    ba.put("a", utf8("1"));
    assertThat(FieldCodec.encode(ab)).isEqualTo(FieldCodec.encode(ba));
  }

  @Test
  void mergeOverwritesTheGivenFieldsAndKeepsTheOthers() {
    byte[] record = FieldCodec.encode(Map.of("f0", utf8("old0"), "f1", utf8("old1")));
    SortedMap<String, byte[]> merged = FieldCodec.decode(FieldCodec.merge(record,
        Map.of("f1", utf8("new1"), "f2", utf8("new2"))));
    assertThat(merged.keySet()).containsExactly("f0", "f1", "f2");
    assertThat(new String(merged.get("f0"), StandardCharsets.UTF_8)).isEqualTo("old0");
    assertThat(new String(merged.get("f1"), StandardCharsets.UTF_8)).isEqualTo("new1");
    assertThat(new String(merged.get("f2"), StandardCharsets.UTF_8)).isEqualTo("new2");
  }

  @Test
  void everyTruncationOfARecordIsRejected() {
    byte[] encoded = FieldCodec.encode(Map.of("field0", utf8("value0"), "field1", utf8("value1")));
    for (int length = 0; length < encoded.length; length++) {
      byte[] cut = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> FieldCodec.decode(cut)).as("first %d bytes", length)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a YCSB record");
    }
  }

  @Test
  void valuesThatAreNotRecordsAreRejectedWithAReason() {
    byte[] record = FieldCodec.encode(Map.of("f", utf8("v")));
    byte[] trailing = Arrays.copyOf(record, record.length + 1);
    assertThatThrownBy(() -> FieldCodec.decode(trailing)).hasMessageContaining("1 bytes after the last field");
    assertThatThrownBy(() -> FieldCodec.decode(utf8("plain text value")))
        .hasMessageContaining("format byte");
    byte[] hugeCount = ByteBuffer.allocate(5).put(FieldCodec.FORMAT).putInt(Integer.MAX_VALUE).array();
    assertThatThrownBy(() -> FieldCodec.decode(hugeCount)).hasMessageContaining("field count");
    byte[] hugeLength = ByteBuffer.allocate(9).put(FieldCodec.FORMAT).putInt(1).putInt(1 << 30).array();
    assertThatThrownBy(() -> FieldCodec.decode(hugeLength)).hasMessageContaining("a length of 1073741824");
    ByteBuffer twice = ByteBuffer.allocate(5 + 2 * (4 + 1 + 4));
    twice.put(FieldCodec.FORMAT).putInt(2).putInt(1).put((byte) 'a').putInt(0).putInt(1).put((byte) 'a').putInt(0);
    assertThatThrownBy(() -> FieldCodec.decode(twice.array())).hasMessageContaining("'a' appears twice");
  }

  @Test
  void tooManyFieldsAreRefusedWhenEncoding() {
    Map<String, byte[]> many = new HashMap<>();
    for (int i = 0; i <= FieldCodec.FIELDS_MAX; i++) {
      many.put("f" + i, new byte[0]);
    }
    assertThatThrownBy(() -> FieldCodec.encode(many)).hasMessageContaining("at most " + FieldCodec.FIELDS_MAX);
  }
}
