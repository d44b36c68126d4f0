package pando.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import pando.internal.v1.CopyPut;

/** Sends are held by the test and finished by hand, so every interleaving here is chosen. */
class CopyUpdatesTest {
  private static final ByteString COPY_A = ByteString.copyFromUtf8("copy-a");
  private static final ByteString COPY_B = ByteString.copyFromUtf8("copy-b");

  private final List<Sent> sent = new ArrayList<>();
  private final CopyUpdates updates = holdingSends(Duration.ofMinutes(1));

  private record Sent(CopyPut put, CompletableFuture<Void> result) {}

  /** Updates whose sends are recorded in {@link #sent} and finish only when the test says. */
  private CopyUpdates holdingSends(Duration sendTimeout) {
    return new CopyUpdates(put -> {
      CompletableFuture<Void> result = new CompletableFuture<>();
      sent.add(new Sent(put, result));
      return result;
    }, sendTimeout);
  }

  @Test
  void updatesQueuedBehindOneInFlightCollapseIntoTheNewest() {
    CompletableFuture<Void> v1 = updates.update(put(COPY_A, 1));
    CompletableFuture<Void> v3 = updates.update(put(COPY_A, 3));
    CompletableFuture<Void> v4 = updates.update(put(COPY_A, 4));
    CompletableFuture<Void> v2 = updates.update(put(COPY_A, 2));
    assertThat(versionsSent()).containsExactly(1L);

    sent.get(0).result().complete(null);
    assertThat(v1).isCompleted();
    assertThat(v2).as("waits for the newest queued update, which covers it").isNotDone();
    assertThat(versionsSent()).containsExactly(1L, 4L);

    sent.get(1).result().complete(null);
    assertThat(List.of(v2, v3, v4)).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(updates.inFlight()).isZero();
  }

  @Test
  void anUpdateNoNewerThanTheOneInFlightWaitsForItWithoutAnotherSend() {
    CompletableFuture<Void> v5 = updates.update(put(COPY_A, 5));
    CompletableFuture<Void> v4 = updates.update(put(COPY_A, 4));

    sent.get(0).result().complete(null);

    assertThat(List.of(v4, v5)).allMatch(CompletableFuture::isDone);
    assertThat(versionsSent()).containsExactly(5L);
  }

  @Test
  void copiesAreUpdatedIndependently() {
    CompletableFuture<Void> a = updates.update(put(COPY_A, 1));
    CompletableFuture<Void> b = updates.update(put(COPY_B, 1));
    assertThat(sent).hasSize(2);

    sent.get(1).result().complete(null);

    assertThat(b).isCompleted();
    assertThat(a).isNotDone();
    assertThat(updates.inFlight()).isEqualTo(1);
  }

  @Test
  void aFailedSendFailsItsWaitersAndTheQueuedUpdateStillGoes() {
    CompletableFuture<Void> v1 = updates.update(put(COPY_A, 1));
    CompletableFuture<Void> v2 = updates.update(put(COPY_A, 2));

    sent.get(0).result().completeExceptionally(new IllegalStateException("range unavailable"));

    assertThatThrownBy(v1::join).hasRootCauseMessage("range unavailable");
    assertThat(versionsSent()).containsExactly(1L, 2L);
    sent.get(1).result().complete(null);
    assertThat(v2).isCompleted();
  }

  @Test
  void aSendThatNeverFinishesTimesOutAndFreesTheCopyForLaterUpdates() {
    CopyUpdates quick = holdingSends(Duration.ofMillis(50));

    CompletableFuture<Void> stuck = quick.update(put(COPY_A, 1));

    assertThatThrownBy(stuck::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
    CompletableFuture<Void> later = quick.update(put(COPY_A, 2));
    assertThat(versionsSent()).containsExactly(1L, 2L);
    sent.get(1).result().complete(null);
    assertThat(later).isCompleted();
  }

  @Test
  void aSenderThatThrowsFailsTheUpdateInsteadOfLeavingItHanging() {
    CopyUpdates throwing = new CopyUpdates(put -> {
      throw new IllegalStateException("no replica of that range here");
    }, Duration.ofMinutes(1));

    assertThatThrownBy(throwing.update(put(COPY_A, 1))::join).hasRootCauseMessage("no replica of that range here");
    assertThat(throwing.inFlight()).isZero();
  }

  private List<Long> versionsSent() {
    return sent.stream().map(s -> s.put().getVersion()).toList();
  }

  private static CopyPut put(ByteString copy, long version) {
    return CopyPut.newBuilder().setKey(copy).setVersion(version).setPresent(true)
        .setValue(ByteString.copyFromUtf8("v" + version)).build();
  }
}
