package pando.node;

import io.grpc.Status;

/**
 * A failure whose gRPC status is already chosen (a range's refusal inside a batch, a salted copy
 * that did not take a write), carried through futures to the request's answer. {@link
 * StatusMapping#forFailure} answers with its status as it is.
 */
final class StatusFailure extends RuntimeException {
  final Status status;

  StatusFailure(Status status) {
    super(status.getDescription(), null, false, false);
    this.status = status;
  }
}
