package pando.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import pando.v1.RouteError;

/**
 * How a node tells a routing client that it routed a request wrongly: FAILED_PRECONDITION with a
 * {@link RouteError} in the trailing metadata, so the client can act on it without parsing text.
 * Both sides use this class, so they agree on the key and the encoding.
 */
public final class RouteErrors {
  /** The trailer that carries the serialized {@link RouteError}. */
  public static final Metadata.Key<byte[]> KEY =
      Metadata.Key.of("pando-route-error-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private RouteErrors() {}

  /** The error a node answers with; {@code description} is what a person reading it sees. */
  public static StatusRuntimeException toStatus(RouteError error, String description) {
    Metadata trailers = new Metadata();
    trailers.put(KEY, error.toByteArray());
    return Status.FAILED_PRECONDITION.withDescription(description).asRuntimeException(trailers);
  }

  /** The route error a failed call carries, if it carries one. */
  public static Optional<RouteError> from(Throwable error) {
    Metadata trailers = Status.trailersFromThrowable(error);
    if (trailers == null || Status.fromThrowable(error).getCode() != Status.Code.FAILED_PRECONDITION) {
      return Optional.empty();
    }
    byte[] bytes = trailers.get(KEY);
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(RouteError.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty(); // unreadable: treat as a plain failure
    }
  }
}
