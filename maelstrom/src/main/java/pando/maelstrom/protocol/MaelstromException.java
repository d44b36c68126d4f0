package pando.maelstrom.protocol;

import java.util.Objects;

/**
 * Thrown by a {@link NodeIo.Handler} to answer the request with a Maelstrom error of the given code
 * and the exception's message as {@code text}.
 */
public class MaelstromException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public MaelstromException(ErrorCode code, String text) {
    super(text);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The code the request is answered with. */
  public ErrorCode code() {
    return code;
  }
}
