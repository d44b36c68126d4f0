package pando.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class RoutedCallTest {
  @Test
  void aRefusedConnectionAnywhereInTheCauseChainNeverReachedTheNode() {
    Throwable wrapped = new IOException("channel failed", new ConnectException("Connection refused"));
    assertThat(RoutedCall.neverConnected(Status.UNAVAILABLE.withCause(wrapped).asRuntimeException())).isTrue();
    assertThat(RoutedCall.neverConnected(
        Status.UNAVAILABLE.withCause(new UnknownHostException("nowhere")).asRuntimeException())).isTrue();
  }

  @Test
  void aBrokenConnectionOrAnotherCodeMayHaveReachedIt() {
    assertThat(RoutedCall.neverConnected(
        Status.UNAVAILABLE.withCause(new IOException("Connection reset by peer")).asRuntimeException())).isFalse();
    assertThat(RoutedCall.neverConnected(Status.UNAVAILABLE.withDescription("shutting down").asRuntimeException()))
        .isFalse();
    assertThat(RoutedCall.neverConnected(
        Status.DEADLINE_EXCEEDED.withCause(new ConnectException("refused")).asRuntimeException())).isFalse();
  }
}
