package pando.maelstrom.protocol;

import com.google.gson.JsonObject;
import java.util.Optional;

/**
 * Maelstrom's standard error codes, with whether each is <em>definite</em>.
 *
 * <p>A definite error guarantees that the requested operation did not and will never take effect,
 * so a client may record it as {@code fail}. An indefinite one ({@link #TIMEOUT}, {@link #CRASH},
 * and any code not listed here) leaves the outcome unknown, so a client must record {@code info}.
 * The classification follows Maelstrom's own error definitions; a node must therefore only answer
 * {@link #TEMPORARILY_UNAVAILABLE} or {@link #ABORT} when it knows the operation was not applied,
 * and use {@link #CRASH} or {@link #TIMEOUT} otherwise.
 */
public enum ErrorCode {
  /** The operation could not complete within a timeout; it may still happen. */
  TIMEOUT(0, "timeout", false),
  /** The request was addressed to a node that does not exist. */
  NODE_NOT_FOUND(1, "node-not-found", true),
  /** The node does not implement this request type. */
  NOT_SUPPORTED(10, "not-supported", true),
  /** The node definitely cannot perform the operation now (not leader, not initialised, ...). */
  TEMPORARILY_UNAVAILABLE(11, "temporarily-unavailable", true),
  /** The request did not conform to what the node expects and could not have been processed. */
  MALFORMED_REQUEST(12, "malformed-request", true),
  /** A general indefinite error: the node failed while processing; the outcome is unknown. */
  CRASH(13, "crash", false),
  /** A general definite error: the node knows the operation did not take place. */
  ABORT(14, "abort", true),
  /** The key does not exist (for operations that do not create it). */
  KEY_DOES_NOT_EXIST(20, "key-does-not-exist", true),
  /** The key already exists (for operations that require it not to). */
  KEY_ALREADY_EXISTS(21, "key-already-exists", true),
  /** A precondition, such as a compare-and-set's expected value, did not hold. */
  PRECONDITION_FAILED(22, "precondition-failed", true);

  private final int code;
  private final String wireName;
  private final boolean definite;

  ErrorCode(int code, String wireName, boolean definite) {
    this.code = code;
    this.wireName = wireName;
    this.definite = definite;
  }

  /** The numeric code sent in an {@code error} body. */
  public int code() {
    return code;
  }

  /** Maelstrom's name for the code, for example {@code temporarily-unavailable}. */
  public String wireName() {
    return wireName;
  }

  /** Whether the error guarantees that the operation had no effect. */
  public boolean isDefinite() {
    return definite;
  }

  /** The code with this number, if it is one of the standard ones. */
  public static Optional<ErrorCode> fromCode(int code) {
    for (ErrorCode c : values()) {
      if (c.code == code) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a numeric code is definite; codes outside this enum are treated as indefinite because
   * nothing is known about what they guarantee.
   */
  public static boolean isDefinite(int code) {
    return fromCode(code).map(ErrorCode::isDefinite).orElse(false);
  }

  /** A fresh {@code {"type": "error", "code": ..., "text": ...}} body (no ids yet). */
  public JsonObject body(String text) {
    JsonObject body = new JsonObject();
    body.addProperty("type", "error");
    body.addProperty("code", code);
    body.addProperty("text", text == null ? wireName : text);
    return body;
  }
}
