package pando.ycsb;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A YCSB record (named fields, each a byte string) as one Pando value, and back.
 *
 * <p>Layout: a format byte (1), the field count, then per field, in name order: name length, name
 * (UTF-8), value length, value. Lengths and the count are 4-byte big-endian ints. Name order makes
 * the encoding of a record unique, so equal records are equal values (a compare-and-set can
 * compare them). Pure; decoding rejects anything that is not exactly one well-formed record.
 */
public final class FieldCodec {
  static final byte FORMAT = 1;
  /** Fields per record; YCSB's default record has 10. */
  public static final int FIELDS_MAX = 1024;

  private FieldCodec() {}

  public static byte[] encode(Map<String, byte[]> fields) {
    if (fields.size() > FIELDS_MAX) {
      throw new IllegalArgumentException("a record holds at most " + FIELDS_MAX + " fields, got " + fields.size());
    }
    SortedMap<String, byte[]> sorted = new TreeMap<>(fields);
    int size = 1 + 4;
    for (Map.Entry<String, byte[]> field : sorted.entrySet()) {
      size += 4 + field.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + field.getValue().length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(FORMAT).putInt(sorted.size());
    for (Map.Entry<String, byte[]> field : sorted.entrySet()) {
      byte[] name = field.getKey().getBytes(StandardCharsets.UTF_8);
      out.putInt(name.length).put(name).putInt(field.getValue().length).put(field.getValue());
    }
    return out.array();
  }

  /** The fields of an encoded record, in name order. */
  public static SortedMap<String, byte[]> decode(byte[] value) {
    ByteBuffer in = ByteBuffer.wrap(value);
    try {
      byte format = in.get();
      if (format != FORMAT) {
        throw new IllegalArgumentException("not a YCSB record: format byte " + format + ", expected " + FORMAT);
      }
      int count = in.getInt();
      if (count < 0 || count > FIELDS_MAX) {
        throw new IllegalArgumentException("not a YCSB record: field count " + count);
      }
      SortedMap<String, byte[]> fields = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        String name = new String(bytes(in), StandardCharsets.UTF_8);
        if (fields.put(name, bytes(in)) != null) {
          throw new IllegalArgumentException("not a YCSB record: field '" + name + "' appears twice");
        }
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("not a YCSB record: " + in.remaining() + " bytes after the last field");
      }
      return fields;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("not a YCSB record: it ends inside a field (" + value.length + " bytes)");
    }
  }

  /** {@code record} with {@code changes} written over it: an update of some fields keeps the others. */
  public static byte[] merge(byte[] record, Map<String, byte[]> changes) {
    SortedMap<String, byte[]> fields = decode(record);
    fields.putAll(changes);
    return encode(fields);
  }

  private static byte[] bytes(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("not a YCSB record: a length of " + length + " with "
          + in.remaining() + " bytes left");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }
}
