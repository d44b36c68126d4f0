package pando.pd;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What an Admin call answers when its step on a node fails: never a code that sends the caller to another PD replica. */
class AdminNodeErrorsTest {
  @Test
  void anUnreachableNodeIsAbortedWithTheReasonAndWhatToDo() {
    StatusRuntimeException fromNode = Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new ConnectException("Connection refused")).asRuntimeException();
    StatusRuntimeException answer = AdminService.nodeFailed("the leader transfer of range 3 to n4",
        new CompletionException(fromNode));
    assertThat(answer.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(answer.getStatus().getDescription()).isEqualTo("the leader transfer of range 3 to n4 did not complete:"
        + " a node answered UNAVAILABLE (Connection refused); check 'pando admin nodes' and retry");
  }

  @Test
  void aNodesRefusalIsAFailedPreconditionAndAPdSideProblemNamesNoJavaClass() {
    StatusRuntimeException refusal = AdminService.nodeFailed("the split",
        Status.NOT_FOUND.withDescription("this node knows no range 9").asRuntimeException());
    assertThat(refusal.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(refusal.getStatus().getDescription()).contains("NOT_FOUND (this node knows no range 9)");

    StatusRuntimeException local = AdminService.nodeFailed("the split",
        new CompletionException(new IllegalStateException("no replica of range 9 is up")));
    assertThat(local.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(local.getStatus().getDescription()).isEqualTo("the split did not complete: no replica of range 9 is up");
  }
}
