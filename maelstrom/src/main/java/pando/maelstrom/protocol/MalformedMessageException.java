package pando.maelstrom.protocol;

/**
 * A line or body that does not have the shape the Maelstrom protocol requires. Thrown by
 * {@link MessageCodec#parse} and by {@link Message}'s typed field accessors; {@link NodeIo}
 * answers a handler that throws it with {@link ErrorCode#MALFORMED_REQUEST}.
 */
public class MalformedMessageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String message) {
    super(message);
  }

  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
