package pando.maelstrom.protocol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;

/**
 * Converts between {@link Message}s and the single JSON lines Maelstrom exchanges on stdin and
 * stdout.
 *
 * <p>Parsing is strict (RFC 8259 JSON, one value per line, nothing after it) so that a node and
 * the harness agree on what is a message; unknown top-level fields, such as the {@code id} the
 * reference Maelstrom adds, are ignored. Serialising never emits a line break: JSON escapes them
 * inside strings.
 */
public final class MessageCodec {
  /** How much of an offending line an error message quotes. */
  private static final int EXCERPT_CHARS = 200;

  // Gson instances are thread-safe. Nulls are kept (a JSON null is a value, for example a read of
  // nothing); HTML escaping would only make logs harder to read.
  private static final Gson GSON =
      new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private MessageCodec() {}

  /**
   * Parses one line.
   *
   * @throws MalformedMessageException saying what is wrong, quoting the start of the line
   */
  public static Message parse(String line) {
    if (line == null || line.isBlank()) {
      throw new MalformedMessageException("empty line");
    }
    try {
      return toMessage(parseStrict(line));
    } catch (MalformedMessageException e) {
      throw new MalformedMessageException(e.getMessage() + ": " + excerpt(line), e);
    }
  }

  /** The message as one line of compact JSON with fields src, dest, body; no line terminator. */
  public static String serialize(Message m) {
    JsonObject o = new JsonObject();
    o.addProperty("src", m.src());
    o.addProperty("dest", m.dest());
    o.add("body", m.body());
    return GSON.toJson(o);
  }

  private static JsonElement parseStrict(String line) {
    try (JsonReader reader = new JsonReader(new StringReader(line))) {
      reader.setStrictness(Strictness.STRICT);
      JsonElement e = JsonParser.parseReader(reader);
      if (!atEnd(reader)) {
        throw new MalformedMessageException("unexpected text after the JSON object");
      }
      return e;
    } catch (JsonParseException | IOException | IllegalStateException e) {
      // Gson reports syntax errors with a line/column and a help link; the first sentence is the
      // useful part.
      String why = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
      throw new MalformedMessageException("not valid JSON (" + why + ")", e);
    }
  }

  /** Whether only whitespace is left; a strict reader throws on a second value, which is "no". */
  private static boolean atEnd(JsonReader reader) {
    try {
      return reader.peek() == JsonToken.END_DOCUMENT;
    } catch (IOException | IllegalStateException e) {
      return false;
    }
  }

  private static Message toMessage(JsonElement e) {
    if (!e.isJsonObject()) {
      throw new MalformedMessageException("a message must be a JSON object");
    }
    JsonObject o = e.getAsJsonObject();
    String src = requireString(o, "src");
    String dest = requireString(o, "dest");
    JsonElement body = o.get("body");
    if (body == null || !body.isJsonObject()) {
      throw new MalformedMessageException("\"body\" must be a JSON object");
    }
    return new Message(src, dest, body.getAsJsonObject());
  }

  private static String requireString(JsonObject o, String field) {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new MalformedMessageException("\"" + field + "\" must be a string");
    }
    return e.getAsString();
  }

  private static String excerpt(String line) {
    return line.length() <= EXCERPT_CHARS
        ? line
        : line.substring(0, EXCERPT_CHARS) + "... (" + line.length() + " chars)";
  }
}
