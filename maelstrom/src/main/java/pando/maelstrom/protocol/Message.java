package pando.maelstrom.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One Maelstrom message: {@code {"src": "n1", "dest": "c1", "body": {"type": ..., ...}}}.
 *
 * <p>Immutable: the body is copied on the way in and on the way out, so a message can be handed to
 * several threads (the network, a handler, a log) without anyone seeing another's edits. The
 * constructor checks the parts every message must have (a string {@code type}; integral {@code
 * msg_id} and {@code in_reply_to} when present), so holders of a {@code Message} need not.
 */
public final class Message {
  private final String src;
  private final String dest;
  private final JsonObject body;

  /**
   * @throws MalformedMessageException if the body has no string {@code type}, or a {@code msg_id}
   *     or {@code in_reply_to} that is not an integer
   */
  public Message(String src, String dest, JsonObject body) {
    this.src = Objects.requireNonNull(src, "src");
    this.dest = Objects.requireNonNull(dest, "dest");
    this.body = Objects.requireNonNull(body, "body").deepCopy();
    JsonElement type = this.body.get("type");
    if (!isString(type)) {
      throw new MalformedMessageException("body has no string \"type\"");
    }
    optionalLong(this.body, "msg_id");
    optionalLong(this.body, "in_reply_to");
  }

  /** A new body holding only {@code type}, to be filled in by the caller. */
  public static JsonObject newBody(String type) {
    JsonObject body = new JsonObject();
    body.addProperty("type", Objects.requireNonNull(type, "type"));
    return body;
  }

  /** The node or client id that sent the message. */
  public String src() {
    return src;
  }

  /** The node or client id the message is for. */
  public String dest() {
    return dest;
  }

  /** A copy of the body. */
  public JsonObject body() {
    return body.deepCopy();
  }

  /** The body's {@code type}, such as {@code read} or {@code read_ok}. */
  public String type() {
    return body.get("type").getAsString();
  }

  /** The body's {@code msg_id}, if any. */
  public OptionalLong msgId() {
    return optionalLong(body, "msg_id");
  }

  /** The body's {@code in_reply_to}, present exactly when the message is a reply. */
  public OptionalLong inReplyTo() {
    return optionalLong(body, "in_reply_to");
  }

  /** Whether this is a reply to an earlier message. */
  public boolean isReply() {
    return body.has("in_reply_to");
  }

  /** For an {@code error} body, its integral {@code code}; empty for anything else. */
  public OptionalInt errorCode() {
    if (!"error".equals(type())) {
      return OptionalInt.empty();
    }
    OptionalLong code = optionalLong(body, "code");
    if (code.isEmpty() || code.getAsLong() != (int) code.getAsLong()) {
      return OptionalInt.empty();
    }
    return OptionalInt.of((int) code.getAsLong());
  }

  /** Whether the body has a field of this name (possibly JSON {@code null}). */
  public boolean has(String field) {
    return body.has(field);
  }

  /** A copy of one body field, or {@code null} if it is absent. */
  public JsonElement get(String field) {
    JsonElement e = body.get(field);
    return e == null ? null : e.deepCopy();
  }

  /**
   * An integral body field.
   *
   * @throws MalformedMessageException if it is absent or not an integer in the range of a long
   */
  public long requireLong(String field) {
    OptionalLong value = optionalLong(body, field);
    if (value.isEmpty()) {
      throw new MalformedMessageException("body of " + type() + " has no integer \"" + field + "\"");
    }
    return value.getAsLong();
  }

  /**
   * A string body field.
   *
   * @throws MalformedMessageException if it is absent or not a string
   */
  public String requireString(String field) {
    JsonElement e = body.get(field);
    if (!isString(e)) {
      throw new MalformedMessageException("body of " + type() + " has no string \"" + field + "\"");
    }
    return e.getAsString();
  }

  /** The message as one JSON line (see {@link MessageCodec#serialize}). */
  @Override
  public String toString() {
    return MessageCodec.serialize(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message m && src.equals(m.src) && dest.equals(m.dest) && body.equals(m.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(src, dest, body);
  }

  private static boolean isString(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
  }

  /** Empty if absent; throws if present but not an integer that fits in a long. */
  private static OptionalLong optionalLong(JsonObject body, String field) {
    JsonElement e = body.get(field);
    if (e == null) {
      return OptionalLong.empty();
    }
    if (e.isJsonPrimitive() && ((JsonPrimitive) e).isNumber()) {
      try {
        // Via BigDecimal so that 1.5 or 1e30 is rejected instead of silently truncated.
        return OptionalLong.of(new BigDecimal(e.getAsString()).longValueExact());
      } catch (ArithmeticException | NumberFormatException notIntegral) {
        // fall through to the error below
      }
    }
    throw new MalformedMessageException("\"" + field + "\" must be an integer, got " + e);
  }
}
