package pando.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import pando.internal.v1.BatchResult;
import pando.internal.v1.Proposal;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeResult;
import pando.internal.v1.SplitCommand;
import pando.v1.IncrRequest;
import pando.v1.IncrResponse;
import pando.v1.PutRequest;

class GroupCommitTest {
  private static final long NO_DEADLINE = Long.MAX_VALUE / 2;

  /** A log that keeps each appended entry until the test answers it. */
  private static final class HeldLog implements GroupCommit.Log {
    final List<RangeCommand> entries = new ArrayList<>();
    final List<CompletableFuture<RangeResult>> answers = new ArrayList<>();

    @Override
    public CompletableFuture<RangeResult> append(RangeCommand entry) {
      entries.add(entry);
      CompletableFuture<RangeResult> answer = new CompletableFuture<>();
      answers.add(answer);
      return answer;
    }

    /** Answers entry {@code i} as a replica would: each Incr with its delta, each other write OK. */
    void apply(int i) {
      BatchResult.Builder results = BatchResult.newBuilder();
      for (Proposal p : entries.get(i).getBatch().getProposalsList()) {
        results.addResults(p.getCommand().hasIncr()
            ? RangeResult.newBuilder().setIncr(IncrResponse.newBuilder().setValue(p.getCommand().getIncr().getDelta()))
                .build()
            : RangeResult.getDefaultInstance());
      }
      answers.get(i).complete(RangeResult.newBuilder().setBatch(results).build());
    }

    int proposalsIn(int i) {
      return entries.get(i).getBatch().getProposalsCount();
    }
  }

  private final HeldLog log = new HeldLog();
  private final AtomicLong now = new AtomicLong(1_000);

  private GroupCommit groupCommit(int inFlightMax, int queuedMax) {
    return new GroupCommit(1, new GroupCommit.Limits(100, 1 << 20, inFlightMax, queuedMax), log, Runnable::run,
        () -> 42L, now::get);
  }

  private static Proposal incr(String key, long delta) {
    return Proposal.newBuilder().setCommand(RangeCommand.newBuilder()
        .setIncr(IncrRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setDelta(delta))).build();
  }

  private static Proposal put(String key) {
    return Proposal.newBuilder().setCommand(RangeCommand.newBuilder()
        .setPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)))).build();
  }

  @Test
  void anIdleRangeSendsAWriteAtOnce() {
    GroupCommit commits = groupCommit(1, 100);
    commits.propose(incr("a", 1), NO_DEADLINE);
    assertThat(log.entries).hasSize(1);
    assertThat(log.proposalsIn(0)).isEqualTo(1);
    assertThat(log.entries.get(0).getBatch().getProposedAtUnixMillis()).isEqualTo(42);
  }

  @Test
  void writesThatQueueBehindAnEntryGoTogetherEachWithItsOwnResult() throws Exception {
    GroupCommit commits = groupCommit(1, 100);
    CompletableFuture<RangeResult> first = commits.propose(incr("a", 1), NO_DEADLINE);
    List<CompletableFuture<RangeResult>> queued = new ArrayList<>();
    for (int i = 2; i <= 5; i++) {
      queued.add(commits.propose(incr("k" + i, i), NO_DEADLINE));
    }
    assertThat(log.entries).hasSize(1);
    log.apply(0);
    assertThat(first.get().getIncr().getValue()).isEqualTo(1);
    assertThat(log.entries).hasSize(2);
    assertThat(log.proposalsIn(1)).isEqualTo(4);
    log.apply(1);
    for (int i = 0; i < queued.size(); i++) {
      assertThat(queued.get(i).get().getIncr().getValue()).isEqualTo(i + 2);
    }
  }

  @Test
  void twoWritesOfOneKeyNeverShareAnEntry() {
    GroupCommit commits = groupCommit(1, 100);
    commits.propose(put("busy"), NO_DEADLINE);
    commits.propose(put("hot"), NO_DEADLINE);
    commits.propose(put("other"), NO_DEADLINE);
    commits.propose(put("hot"), NO_DEADLINE);
    log.apply(0);
    assertThat(log.entries.get(1).getBatch().getProposalsList()).extracting(p -> p.getCommand().getPut().getKey().toStringUtf8())
        .containsExactly("hot", "other");
    log.apply(1);
    assertThat(log.entries.get(2).getBatch().getProposalsList()).extracting(p -> p.getCommand().getPut().getKey().toStringUtf8())
        .containsExactly("hot");
  }

  @Test
  void aSplitGoesAloneAsItsOwnCommand() throws Exception {
    GroupCommit commits = groupCommit(1, 100);
    commits.propose(put("a"), NO_DEADLINE);
    commits.propose(put("b"), NO_DEADLINE);
    Proposal split = Proposal.newBuilder()
        .setCommand(RangeCommand.newBuilder().setSplit(SplitCommand.newBuilder().setNewRangeId(9))).build();
    CompletableFuture<RangeResult> splitAnswer = commits.propose(split, NO_DEADLINE);
    commits.propose(put("c"), NO_DEADLINE);
    log.apply(0);
    assertThat(log.proposalsIn(1)).isEqualTo(2); // b and c; the split waits
    log.apply(1);
    assertThat(log.entries.get(2)).isEqualTo(split.getCommand());
    RangeResult splitResult = RangeResult.newBuilder().setMessage("split done").build();
    log.answers.get(2).complete(splitResult);
    assertThat(splitAnswer.get()).isEqualTo(splitResult);
  }

  @Test
  void aFullQueueRefusesTheNextWriteWithoutProposingIt() {
    GroupCommit commits = groupCommit(1, 2);
    commits.propose(put("in-flight"), NO_DEADLINE);
    commits.propose(put("q1"), NO_DEADLINE);
    commits.propose(put("q2"), NO_DEADLINE);
    CompletableFuture<RangeResult> refused = commits.propose(put("q3"), NO_DEADLINE);
    assertThat(refused).isCompletedExceptionally();
    assertThat(causeOf(refused)).isInstanceOf(RangeBusyException.class);
    log.apply(0);
    assertThat(log.proposalsIn(1)).isEqualTo(2);
  }

  @Test
  void aWriteWhoseDeadlinePassedWhileQueuedIsNeverProposed() {
    GroupCommit commits = groupCommit(1, 100);
    commits.propose(put("in-flight"), NO_DEADLINE);
    CompletableFuture<RangeResult> late = commits.propose(put("late"), now.get() + 10);
    CompletableFuture<RangeResult> onTime = commits.propose(put("on-time"), NO_DEADLINE);
    now.addAndGet(11);
    log.apply(0);
    assertThat(causeOf(late)).isInstanceOf(DeadlinePassedException.class);
    assertThat(log.entries.get(1).getBatch().getProposalsList()).containsExactly(put("on-time"));
    assertThat(onTime).isNotDone();
  }

  @Test
  void aFailedEntryFailsEveryWriteInItAndTheNextEntryStillGoes() {
    GroupCommit commits = groupCommit(1, 100);
    CompletableFuture<RangeResult> first = commits.propose(put("a"), NO_DEADLINE);
    CompletableFuture<RangeResult> second = commits.propose(put("b"), NO_DEADLINE);
    log.answers.get(0).completeExceptionally(new IllegalStateException("leader stepped down"));
    assertThat(causeOf(first)).hasMessage("leader stepped down");
    assertThat(log.entries).hasSize(2);
    log.apply(1);
    assertThat(second).isCompleted();
  }

  @Test
  void upToTheInFlightLimitEntriesGoWithoutWaitingForEachOther() {
    GroupCommit commits = groupCommit(2, 100);
    commits.propose(put("a"), NO_DEADLINE);
    commits.propose(put("b"), NO_DEADLINE);
    commits.propose(put("c"), NO_DEADLINE);
    assertThat(log.entries).hasSize(2);
    log.apply(1);
    assertThat(log.entries).hasSize(3);
  }

  private static Throwable causeOf(CompletableFuture<?> future) {
    try {
      future.get();
      throw new AssertionError("completed normally");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
