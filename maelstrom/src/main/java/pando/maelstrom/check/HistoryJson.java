package pando.maelstrom.check;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Histories as JSON lines, one event per line:
 *
 * <pre>{@code
 * {"process": 3, "type": "invoke", "f": "cas", "key": "k1", "value": [1, 2], "time": 123456789}
 * }</pre>
 *
 * <p>{@code value} is an integer, {@code null}, or {@code [from, to]} for a cas; {@code time} is in
 * nanoseconds. The reader accepts any field order and whitespace, skips blank lines, and rejects
 * anything else (unknown or missing fields, non-integer numbers, trailing text) with a message
 * naming the line. Only this flat shape is supported, so no general JSON library is needed.
 */
public final class HistoryJson {
  private static final String HEX = "0123456789abcdef";
  /** The fields of a line, in the order they are written and reported missing. */
  private static final List<String> FIELDS =
      List.of("process", "type", "f", "key", "value", "time");

  private HistoryJson() {}

  /** One event as a single JSON object, without a line terminator. */
  public static String toLine(Event e) {
    StringBuilder b = new StringBuilder(96);
    b.append("{\"process\": ").append(e.process());
    b.append(", \"type\": ");
    appendString(b, e.type().wireName());
    b.append(", \"f\": ");
    appendString(b, e.f().wireName());
    b.append(", \"key\": ");
    appendString(b, e.key());
    b.append(", \"value\": ");
    if (e.value() instanceof Event.Cas cas) {
      b.append('[').append(cas.from()).append(", ").append(cas.to()).append(']');
    } else {
      b.append(e.value()); // a Long or null, both printed as JSON expects
    }
    b.append(", \"time\": ").append(e.timeNanos()).append('}');
    return b.toString();
  }

  /** Writes each event as one line. */
  public static void write(List<Event> events, Writer out) throws IOException {
    for (Event e : events) {
      out.write(toLine(e));
      out.write('\n');
    }
    out.flush();
  }

  /** Writes each event as one line of a UTF-8 file, replacing the file. */
  public static void write(List<Event> events, Path file) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(events, out);
    }
  }

  /**
   * Parses one line.
   *
   * @throws IllegalArgumentException saying what is wrong and at which column
   */
  public static Event parseLine(String line) {
    Map<String, Object> fields = new FlatObjectParser(line).parse();
    for (String name : FIELDS) {
      if (!fields.containsKey(name)) {
        throw new IllegalArgumentException("missing field \"" + name + "\"");
      }
    }
    long process = number(fields, "process");
    if (process < Integer.MIN_VALUE || process > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("process " + process + " is out of range");
    }
    Event.Type type = Event.Type.fromWireName(string(fields, "type"));
    Kind f = Kind.fromWireName(string(fields, "f"));
    String key = string(fields, "key");
    Object value = fields.get("value");
    if (value instanceof String) {
      throw new IllegalArgumentException("\"value\" must be a number, null or [from, to]");
    }
    if (value instanceof long[] pair) {
      if (pair.length != 2) {
        throw new IllegalArgumentException("\"value\" array must be [from, to], got "
            + pair.length + " elements");
      }
      value = new Event.Cas(pair[0], pair[1]);
    }
    return new Event((int) process, type, f, key, value, number(fields, "time"));
  }

  /**
   * Reads all events.
   *
   * @throws IllegalArgumentException for a malformed line, naming its (1-based) line number
   */
  public static List<Event> read(Reader in) throws IOException {
    BufferedReader lines = in instanceof BufferedReader br ? br : new BufferedReader(in);
    List<Event> events = new ArrayList<>();
    int lineNumber = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      try {
        events.add(parseLine(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + lineNumber + ": " + e.getMessage(), e);
      }
    }
    return events;
  }

  /** Reads all events of a UTF-8 file. */
  public static List<Event> read(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in);
    }
  }

  private static long number(Map<String, Object> fields, String name) {
    if (fields.get(name) instanceof Long n) {
      return n;
    }
    throw new IllegalArgumentException("\"" + name + "\" must be an integer");
  }

  private static String string(Map<String, Object> fields, String name) {
    if (fields.get(name) instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException("\"" + name + "\" must be a string");
  }

  private static void appendString(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  /**
   * Parses one JSON object whose values are strings, integers, null or arrays of integers. Values
   * come back as {@link String}, {@link Long}, {@code null} or {@code long[]}.
   */
  private static final class FlatObjectParser {
    private final String s;
    private int pos;

    FlatObjectParser(String s) {
      this.s = s;
    }

    Map<String, Object> parse() {
      Map<String, Object> fields = new LinkedHashMap<>();
      skipWhitespace();
      expect('{');
      skipWhitespace();
      if (peek() == '}') {
        pos++;
      } else {
        while (true) {
          skipWhitespace();
          int nameAt = pos;
          String name = parseString();
          if (!FIELDS.contains(name)) {
            throw error(nameAt, "unknown field \"" + name + "\"");
          }
          if (fields.containsKey(name)) {
            throw error(nameAt, "duplicate field \"" + name + "\"");
          }
          skipWhitespace();
          expect(':');
          skipWhitespace();
          fields.put(name, parseValue());
          skipWhitespace();
          if (peek() == ',') {
            pos++;
          } else {
            expect('}');
            break;
          }
        }
      }
      skipWhitespace();
      if (pos < s.length()) {
        throw error(pos, "unexpected text after the object");
      }
      return fields;
    }

    private Object parseValue() {
      char c = peek();
      if (c == '"') {
        return parseString();
      }
      if (c == '[') {
        return parseIntegerArray();
      }
      if (c == 'n') {
        if (!s.startsWith("null", pos)) {
          throw error(pos, "expected null");
        }
        pos += 4;
        return null;
      }
      if (c == '-' || (c >= '0' && c <= '9')) {
        return parseInteger();
      }
      throw error(pos, "expected a string, an integer, null or an array");
    }

    private long[] parseIntegerArray() {
      expect('[');
      List<Long> items = new ArrayList<>();
      skipWhitespace();
      if (peek() == ']') {
        pos++;
      } else {
        while (true) {
          skipWhitespace();
          items.add(parseInteger());
          skipWhitespace();
          if (peek() == ',') {
            pos++;
          } else {
            expect(']');
            break;
          }
        }
      }
      return items.stream().mapToLong(Long::longValue).toArray();
    }

    private long parseInteger() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      int digitsAt = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      if (pos == digitsAt) {
        throw error(start, "expected an integer");
      }
      if (pos < s.length() && ".eE".indexOf(s.charAt(pos)) >= 0) {
        throw error(start, "only integers are allowed");
      }
      try {
        return Long.parseLong(s.substring(start, pos));
      } catch (NumberFormatException e) {
        throw error(start, "integer out of range: " + s.substring(start, pos));
      }
    }

    private String parseString() {
      int start = pos;
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw error(start, "unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return b.toString();
        }
        if (c < 0x20) {
          throw error(pos - 1, "control character in string");
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        if (pos >= s.length()) {
          throw error(start, "unterminated string");
        }
        char esc = s.charAt(pos++);
        switch (esc) {
          case '"', '\\', '/' -> b.append(esc);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            int code = 0;
            for (int i = 0; i < 4; i++) {
              int digit =
                  pos < s.length() ? HEX.indexOf(Character.toLowerCase(s.charAt(pos))) : -1;
              if (digit < 0) {
                throw error(pos, "bad \\u escape");
              }
              code = code * 16 + digit;
              pos++;
            }
            b.append((char) code);
          }
          default -> throw error(pos - 2, "bad escape \\" + esc);
        }
      }
    }

    private void skipWhitespace() {
      while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
    }

    private char peek() {
      if (pos >= s.length()) {
        throw error(pos, "unexpected end of line");
      }
      return s.charAt(pos);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error(pos, "expected '" + c + "' but found '" + s.charAt(pos) + "'");
      }
      pos++;
    }

    private IllegalArgumentException error(int at, String what) {
      return new IllegalArgumentException("column " + (at + 1) + ": " + what);
    }
  }
}
