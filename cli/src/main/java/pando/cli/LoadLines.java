package pando.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import pando.client.BulkLoad;

/**
 * One line of a {@code pando load} file as a record, or why it is not one. JSON lines: an object
 * {@code {"key": "...", "value": "..."}}; CSV: {@code key,value}, split at the first comma (a key
 * cannot hold a comma: use JSON lines for such keys). Keys are UTF-8 text; values too, or hex
 * with {@code --hex}. Pure: the command reads the file.
 */
final class LoadLines {
  enum Format { JSONL, CSV;

    /** JSONL for files ending in .jsonl, .ndjson or .json, CSV for .csv; empty otherwise. */
    static java.util.Optional<Format> ofFileName(String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) {
        return java.util.Optional.of(JSONL);
      }
      return lower.endsWith(".csv") ? java.util.Optional.of(CSV) : java.util.Optional.empty();
    }
  }

  /** A line read: a record, a blank line to skip, or a line that is not a record and why. */
  sealed interface Parsed permits Parsed.Ok, Parsed.Blank, Parsed.Bad {
    record Ok(BulkLoad.Record record) implements Parsed {}

    record Blank() implements Parsed {}

    record Bad(String reason) implements Parsed {}
  }

  private final Format format;
  private final boolean hexValues;

  LoadLines(Format format, boolean hexValues) {
    this.format = format;
    this.hexValues = hexValues;
  }

  Parsed parse(long lineNumber, String line) {
    if (line.isBlank()) {
      return new Parsed.Blank();
    }
    String key;
    String value;
    if (format == Format.CSV) {
      int comma = line.indexOf(',');
      if (comma < 0) {
        return new Parsed.Bad("not key,value: no comma");
      }
      key = line.substring(0, comma);
      value = line.substring(comma + 1);
    } else {
      JsonObject object;
      try {
        JsonElement parsed = JsonParser.parseString(line);
        if (!parsed.isJsonObject()) {
          return new Parsed.Bad("not a JSON object");
        }
        object = parsed.getAsJsonObject();
      } catch (RuntimeException e) {
        return new Parsed.Bad("not JSON: " + jsonProblem(e));
      }
      if (!isString(object.get("key")) || !isString(object.get("value"))) {
        return new Parsed.Bad("a JSON line needs string fields \"key\" and \"value\"");
      }
      key = object.get("key").getAsString();
      value = object.get("value").getAsString();
    }
    byte[] valueBytes;
    if (hexValues) {
      try {
        valueBytes = HexFormat.of().parseHex(value.trim());
      } catch (IllegalArgumentException e) {
        return new Parsed.Bad("the value is not hex (--hex): " + e.getMessage());
      }
    } else {
      valueBytes = value.getBytes(StandardCharsets.UTF_8);
    }
    return new Parsed.Ok(new BulkLoad.Record(lineNumber, key.getBytes(StandardCharsets.UTF_8), valueBytes));
  }

  /**
   * What Gson found wrong: the message of the innermost cause (outer ones start with its class
   * name), first line only (Gson adds one pointing to its troubleshooting page).
   */
  private static String jsonProblem(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage()).lines().findFirst().orElse("");
  }

  private static boolean isString(JsonElement e) {
    return e instanceof JsonPrimitive p && p.isString();
  }
}
