package pando.node;

import io.grpc.Status;

/**
 * A failure whose gRPC status is already chosen (a range's refusal inside a batch, a salted copy
 * that did not take a write), carried through futures to the request's answer. {@link
 * StatusMapping#forFailure} answers with its status as it is.
 */
final class StatusFailure extends RuntimeException {
  final Status status;
  // Machine-readable details for the client (a RouteError), or null.
  private final io.grpc.Metadata trailers;

  StatusFailure(Status status) {
    this(status, null);
  }

  StatusFailure(Status status, io.grpc.Metadata trailers) {
    super(status.getDescription(), null, false, false);
    this.status = status;
    this.trailers = trailers;
  }

  /** A range's refusal as the client must see it, with its details. */
  static StatusFailure of(pando.internal.v1.RangeResult result) {
    return new StatusFailure(StatusMapping.forResult(result), StatusMapping.trailersFor(result));
  }

  io.grpc.StatusRuntimeException asException() {
    return status.asRuntimeException(trailers);
  }
}
