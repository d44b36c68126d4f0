package pando.node;

import io.grpc.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import pando.internal.v1.Proposal;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.raft.NotLeaderHere;
import pando.raft.RangeBusyException;
import pando.raft.RangeReplicas;
import pando.store.KvStore;
import pando.v1.ForwardedRead;
import pando.v1.ForwardedReply;
import pando.v1.ForwardedWrite;
import pando.v1.NotLeader;

/**
 * Reaches the leader of any range from this node, for writes and reads: this node's own replica
 * when it leads (in process, into the range's group commit), otherwise the leader's node through
 * {@code RangeData}. It follows the leader a node names, tries the range's other replicas when a
 * node does not answer, and backs off between rounds, until the request's deadline.
 *
 * <p>A write keeps its {@link Proposal}, and so its {@link pando.v1.WriteId}, across every
 * attempt: however many attempts reach a leader, the range applies it at most once, and an attempt
 * after the first one that took effect is answered with that one's result.
 */
final class RangeAccess {
  private static final int ATTEMPTS_MAX = 64;
  private static final long BACKOFF_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long BACKOFF_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** What one attempt came to. */
  sealed interface Outcome {
    /** The range answered. */
    record Done(RangeResult result) implements Outcome {}

    /** Not served there, nothing proposed: try {@code leader}, or again later if it is not ready. */
    record Redirect(Optional<String> leader, boolean notReady) implements Outcome {}

    /** Failed; {@code definite} if nothing was proposed (then it is not tried again). */
    record Failed(Throwable cause, boolean definite) implements Outcome {}
  }

  /** What the attempts of one request did: whether any may have reached a leader. */
  static final class Attempts {
    private volatile boolean mayHaveApplied;

    boolean mayHaveApplied() {
      return mayHaveApplied;
    }
  }

  private final String self;
  private final Supplier<RangeLayout> layout;
  private final RangeReplicas replicas;
  private final Forwarding forwarding;
  // The leader each range last named or answered from; a hint, checked by the node it names.
  private final Map<Long, String> leaderHints = new ConcurrentHashMap<>();

  RangeAccess(String self, Supplier<RangeLayout> layout, RangeReplicas replicas, Forwarding forwarding) {
    this.self = self;
    this.layout = layout;
    this.replicas = replicas;
    this.forwarding = forwarding;
  }

  /** Proposes a write to the range's leader, wherever it is; completes with its result. */
  CompletableFuture<RangeResult> write(long rangeId, Proposal proposal, long deadlineNanos, Attempts attempts) {
    ForwardedWrite forwarded = ForwardedWrite.newBuilder().setRangeId(rangeId).setProposal(proposal).build();
    return new Call(rangeId, deadlineNanos, attempts, false, target -> target.equals(self)
        ? writeHere(rangeId, proposal, deadlineNanos)
        : remote(forwarding.write(address(target), forwarded, deadlineNanos))).start();
  }

  /**
   * A read: linearizable through the range's leader, or {@code stale} from this node's replica if
   * it has one, else from any replica.
   */
  CompletableFuture<RangeResult> read(long rangeId, RangeQuery query, boolean stale, long deadlineNanos) {
    ForwardedRead forwarded = ForwardedRead.newBuilder().setRangeId(rangeId).setQuery(query).setStale(stale).build();
    return new Call(rangeId, deadlineNanos, new Attempts(), stale, target -> target.equals(self)
        ? readHere(rangeId, query, stale, deadlineNanos)
        : remote(forwarding.read(address(target), forwarded, deadlineNanos))).start();
  }

  /** A write proposed through this node's replica, which must lead the range. */
  CompletableFuture<Outcome> writeHere(long rangeId, Proposal proposal, long deadlineNanos) {
    return replicas.propose(rangeId, proposal, deadlineNanos).handle(RangeAccess::outcome);
  }

  /** A read answered by this node's replica: as leader (on its lease or through the log), or stale. */
  CompletableFuture<Outcome> readHere(long rangeId, RangeQuery query, boolean stale, long deadlineNanos) {
    Optional<pando.raft.KvStateMachine> replica = replicas.stateMachine(rangeId);
    if (replica.isEmpty()) {
      return done(new Outcome.Redirect(Optional.empty(), false));
    }
    if (stale || replica.get().holdsLease()) {
      try {
        return done(new Outcome.Done(replica.get().read(query)));
      } catch (KvStore.WrongRangeException e) {
        return done(new Outcome.Done(RangeResult.newBuilder()
            .setStatus(RangeResult.Status.WRONG_RANGE).setMessage(e.getMessage()).build()));
      }
    }
    if (!replicas.isLeader(rangeId)) {
      return done(new Outcome.Redirect(replicas.leaderOf(rangeId), false));
    }
    if (replicas.leaseReads()) {
      // Leading without a lease: just elected, or cut off and about to learn it. Ask again shortly.
      return done(new Outcome.Redirect(Optional.of(self), true));
    }
    Proposal read = Proposal.newBuilder().setCommand(RangeCommand.newBuilder().setRead(query)).build();
    return replicas.propose(rangeId, read, deadlineNanos).handle(RangeAccess::outcome);
  }

  private static Outcome outcome(RangeResult result, Throwable error) {
    if (error == null) {
      return new Outcome.Done(result);
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof NotLeaderHere notLeader) {
      return new Outcome.Redirect(notLeader.leaderId(), notLeader.leaderNotReady());
    }
    if (cause instanceof org.apache.ratis.protocol.exceptions.NotLeaderException ratis) {
      // Raised after the entry may have been appended, when the leader stepped down.
      return new Outcome.Failed(cause, false);
    }
    boolean definite = cause instanceof RangeBusyException
        || cause instanceof pando.raft.DeadlinePassedException;
    return new Outcome.Failed(cause, definite);
  }

  private static CompletableFuture<Outcome> remote(CompletableFuture<ForwardedReply> reply) {
    return reply.handle((answer, error) -> {
      if (error == null) {
        return answer.hasNotLeader()
            ? new Outcome.Redirect(leaderOf(answer.getNotLeader()), answer.getNotLeader().getNotReady())
            : new Outcome.Done(answer.getResult());
      }
      Status status = Status.fromThrowable(error);
      boolean definite = status.getCode() == Status.Code.RESOURCE_EXHAUSTED
          || status.getCode() == Status.Code.INVALID_ARGUMENT;
      return new Outcome.Failed(definite ? new StatusFailure(status) : error, definite);
    });
  }

  private static Optional<String> leaderOf(NotLeader notLeader) {
    return notLeader.getLeaderId().isEmpty() ? Optional.empty() : Optional.of(notLeader.getLeaderId());
  }

  private static CompletableFuture<Outcome> done(Outcome outcome) {
    return CompletableFuture.completedFuture(outcome);
  }

  private String address(String nodeId) {
    return layout.get().member(nodeId).apiAddress();
  }

  /** The attempts of one request, each chosen from what the previous ones learned. */
  private final class Call {
    private final long rangeId;
    private final long deadlineNanos;
    private final Attempts attempts;
    private final boolean anyReplica;
    private final Function<String, CompletableFuture<Outcome>> attempt;
    private final CompletableFuture<RangeResult> answer = new CompletableFuture<>();
    // Nodes that failed this round; cleared when every replica has.
    private final Set<String> failed = new HashSet<>();
    private String redirect;
    private int count;
    private int backoffs;
    private Throwable lastFailure;

    Call(long rangeId, long deadlineNanos, Attempts attempts, boolean anyReplica,
        Function<String, CompletableFuture<Outcome>> attempt) {
      this.rangeId = rangeId;
      this.deadlineNanos = deadlineNanos;
      this.attempts = attempts;
      this.anyReplica = anyReplica;
      this.attempt = attempt;
    }

    CompletableFuture<RangeResult> start() {
      next();
      return answer;
    }

    private void next() {
      if (System.nanoTime() - deadlineNanos >= 0) {
        answer.completeExceptionally(new TimeoutException("range " + rangeId + " did not answer in time"
            + (lastFailure == null ? "" : " (last: " + describe(lastFailure) + ")")));
        return;
      }
      if (count++ >= ATTEMPTS_MAX) {
        answer.completeExceptionally(new RangeUnavailableException(rangeId, lastFailure));
        return;
      }
      Optional<String> target;
      try {
        target = target();
      } catch (RuntimeException e) {
        answer.completeExceptionally(e);
        return;
      }
      if (target.isEmpty()) {
        failed.clear(); // every replica failed this round: start another after a pause
        backOff();
        return;
      }
      String node = target.get();
      CompletableFuture<Outcome> sent;
      try {
        sent = attempt.apply(node);
      } catch (RuntimeException e) {
        sent = done(new Outcome.Failed(e, false));
      }
      sent.whenComplete((outcome, error) -> handle(node, error != null ? new Outcome.Failed(error, false) : outcome));
    }

    private void handle(String node, Outcome outcome) {
      if (outcome instanceof Outcome.Done done) {
        leaderHints.put(rangeId, node);
        answer.complete(done.result());
      } else if (outcome instanceof Outcome.Redirect redirected) {
        if (redirected.notReady()) {
          backOff();
        } else if (redirected.leader().isPresent() && !redirected.leader().get().equals(node)
            && !failed.contains(redirected.leader().get())) {
          redirect = redirected.leader().get();
          leaderHints.put(rangeId, redirect);
          next();
        } else {
          failed.add(node);
          leaderHints.remove(rangeId, node);
          next();
        }
      } else if (outcome instanceof Outcome.Failed failure) {
        lastFailure = failure.cause();
        if (failure.definite()) {
          answer.completeExceptionally(failure.cause());
          return;
        }
        attempts.mayHaveApplied = true;
        failed.add(node);
        leaderHints.remove(rangeId, node);
        backOff();
      }
    }

    /** The node to try next: the leader named last, else the best guess, else a replica not yet tried. */
    private Optional<String> target() {
      if (redirect != null) {
        String to = redirect;
        redirect = null;
        return Optional.of(to);
      }
      List<String> placed = layout.get().range(rangeId)
          .orElseThrow(() -> new pando.raft.RangeReplicas.UnknownRangeException(rangeId)).replicas();
      if (anyReplica) {
        return placed.contains(self) && !failed.contains(self) ? Optional.of(self)
            : placed.stream().filter(n -> !failed.contains(n)).findFirst();
      }
      Optional<String> guess = replicas.leaderOf(rangeId).or(() -> Optional.ofNullable(leaderHints.get(rangeId)));
      if (guess.isPresent() && !failed.contains(guess.get()) && layout.get().members().stream()
          .anyMatch(m -> m.id().equals(guess.get()))) {
        return guess;
      }
      return placed.stream().filter(n -> !failed.contains(n)).findFirst();
    }

    private void backOff() {
      long delay = Math.min(BACKOFF_MAX_NANOS, BACKOFF_MIN_NANOS << Math.min(backoffs++, 10));
      delay = ThreadLocalRandom.current().nextLong(delay / 2, delay + 1);
      delay = Math.max(0, Math.min(delay, deadlineNanos - System.nanoTime()));
      CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS).execute(this::next);
    }
  }

  private static String describe(Throwable error) {
    return error.getMessage() == null ? "no reason given" : error.getMessage();
  }

  /** No leader of the range answered in {@value #ATTEMPTS_MAX} attempts. */
  static final class RangeUnavailableException extends RuntimeException {
    RangeUnavailableException(long rangeId, Throwable last) {
      super("range " + rangeId + " has no reachable leader (is a majority of its replicas up?)", last);
    }
  }
}
