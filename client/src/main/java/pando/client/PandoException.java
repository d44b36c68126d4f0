package pando.client;

import io.grpc.Status;

/** A request that did not succeed, with the gRPC status code and the server's explanation. */
public final class PandoException extends RuntimeException {
  private final Status.Code code;

  PandoException(Status.Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  static PandoException from(Throwable error, String endpoint) {
    Status status = Status.fromThrowable(error);
    String description = status.getDescription() != null ? status.getDescription()
        : status.getCause() != null ? String.valueOf(status.getCause().getMessage()) : "no details";
    if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null
        && "io exception".equals(status.getDescription())) {
      // gRPC's own wording says nothing about where; the cause says why.
      description = "cannot reach the node at " + endpoint + " (" + rootMessage(status.getCause()) + ")";
    }
    return new PandoException(status.getCode(), describe(status.getCode(), description), error);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message.replaceAll(".*: ", "");
  }

  private static String describe(Status.Code code, String description) {
    return switch (code) {
      case UNAVAILABLE -> "unavailable: " + description;
      case DEADLINE_EXCEEDED -> "timed out: " + description;
      case INVALID_ARGUMENT -> "invalid request: " + description;
      default -> code.name().toLowerCase().replace('_', ' ') + ": " + description;
    };
  }

  /** The gRPC status code, e.g. INVALID_ARGUMENT or UNAVAILABLE. */
  public Status.Code code() {
    return code;
  }
}
