package pando.raft;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import pando.internal.v1.Batch;
import pando.internal.v1.Proposal;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeResult;
import pando.store.RangeCommands;

/**
 * Group commit for one range, on the node whose replica leads it: the writes that arrive while
 * earlier entries are in flight wait, and go out together as the next entry (one log append, one
 * fsync per replica, one apply), each answered with its own result.
 *
 * <p>No write waits for company: an idle range sends a write at once. At most {@code
 * entriesInFlightMax} entries of the range are in flight, each with at most {@code
 * proposalsPerEntryMax} writes and {@code entryBytesMax} bytes; at most {@code queuedMax} writes
 * wait, and the next is refused ({@link RangeBusyException}, nothing proposed). An entry never
 * holds two writes of one key (each write of a key keeps a log index, hence a key version, of its
 * own) nor two session openings, and a split goes alone. A write whose deadline passes before it
 * is proposed is dropped ({@link DeadlinePassedException}): no one waits for it any more.
 */
final class GroupCommit {
  /** Bounds of the entries and of the queue. */
  record Limits(int proposalsPerEntryMax, long entryBytesMax, int entriesInFlightMax, int queuedMax) {
    Limits {
      if (proposalsPerEntryMax < 1 || entryBytesMax < 1 || entriesInFlightMax < 1 || queuedMax < 1) {
        throw new IllegalArgumentException("group commit limits must be positive");
      }
    }
  }

  /** Appends one entry to the range's Raft log; completes with what the leader's replica applied. */
  interface Log {
    CompletableFuture<RangeResult> append(RangeCommand entry);
  }

  private record Pending(Proposal proposal, long deadlineNanos, int bytes, CompletableFuture<RangeResult> answer) {}

  private record Entry(RangeCommand command, List<Pending> writes, boolean single) {}

  // Stands for "opens a session" among an entry's keys: no user key is empty.
  private static final ByteString OPENS_SESSION = ByteString.EMPTY;

  private final long rangeId;
  private final Limits limits;
  private final Log log;
  private final Executor sender;
  private final LongSupplier clockMillis;
  private final LongSupplier nanoTime;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by this
  private int inFlight; // guarded by this
  private boolean draining; // guarded by this

  /**
   * @param sender runs the sending of entries, off the callers' threads (an append may block briefly)
   * @param clockMillis the leader's clock stamped on each entry, by which the range ages sessions
   */
  GroupCommit(long rangeId, Limits limits, Log log, Executor sender, LongSupplier clockMillis, LongSupplier nanoTime) {
    this.rangeId = rangeId;
    this.limits = limits;
    this.log = log;
    this.sender = sender;
    this.clockMillis = clockMillis;
    this.nanoTime = nanoTime;
  }

  /** Queues a write for the next entry; completes with its own result once applied by the leader. */
  CompletableFuture<RangeResult> propose(Proposal proposal, long deadlineNanos) {
    CompletableFuture<RangeResult> answer = new CompletableFuture<>();
    synchronized (this) {
      if (queue.size() >= limits.queuedMax()) {
        return CompletableFuture.failedFuture(new RangeBusyException(rangeId, limits.queuedMax()));
      }
      queue.add(new Pending(proposal, deadlineNanos, proposal.getSerializedSize(), answer));
      if (draining || inFlight >= limits.entriesInFlightMax()) {
        return answer;
      }
      draining = true;
    }
    sender.execute(this::drain);
    return answer;
  }

  /** Writes waiting for an entry; for tests and statistics. */
  synchronized int queued() {
    return queue.size();
  }

  private void drain() {
    while (true) {
      Entry entry;
      synchronized (this) {
        if (inFlight >= limits.entriesInFlightMax() || queue.isEmpty()) {
          draining = false;
          return;
        }
        entry = nextEntry();
        if (entry == null) {
          continue; // every write it looked at had expired
        }
        inFlight++;
      }
      send(entry);
    }
  }

  private void send(Entry entry) {
    CompletableFuture<RangeResult> applied;
    try {
      applied = log.append(entry.command());
    } catch (RuntimeException e) {
      applied = CompletableFuture.failedFuture(e);
    }
    applied.whenComplete((result, error) -> {
      boolean restart;
      synchronized (this) {
        inFlight--;
        restart = !draining && !queue.isEmpty();
        draining |= restart;
      }
      answer(entry, result, error);
      if (restart) {
        sender.execute(this::drain);
      }
    });
  }

  private static void answer(Entry entry, RangeResult result, Throwable error) {
    List<Pending> writes = entry.writes();
    for (int i = 0; i < writes.size(); i++) {
      if (error != null) {
        writes.get(i).answer().completeExceptionally(error);
      } else if (entry.single() || !result.hasBatch()) {
        // A split's own answer, or one the replica gave the whole entry (a replayed one).
        writes.get(i).answer().complete(result);
      } else {
        writes.get(i).answer().complete(result.getBatch().getResults(i));
      }
    }
  }

  /** Takes the writes of the next entry off the queue, in order; null if all it met had expired. */
  private Entry nextEntry() {
    List<Pending> taken = new ArrayList<>();
    Set<ByteString> keys = new HashSet<>();
    long bytes = 0;
    long now = nanoTime.getAsLong();
    // Bounded, so a queue of writes to one hot key costs a few looks per entry, not the whole queue.
    int looksLeft = 4 * limits.proposalsPerEntryMax();
    for (Iterator<Pending> it = queue.iterator();
        it.hasNext() && taken.size() < limits.proposalsPerEntryMax() && looksLeft-- > 0; ) {
      Pending next = it.next();
      if (next.deadlineNanos() - now < 0) {
        it.remove();
        next.answer().completeExceptionally(new DeadlinePassedException(rangeId));
        continue;
      }
      RangeCommand command = next.proposal().getCommand();
      if (command.hasSplit()) {
        if (taken.isEmpty()) {
          it.remove();
          return new Entry(command, List.of(next), true);
        }
        continue; // it goes alone, next time
      }
      List<ByteString> touched = command.hasOpenSession() ? List.of(OPENS_SESSION) : writtenKeys(command);
      if (!taken.isEmpty() && (bytes + next.bytes() > limits.entryBytesMax() || touched.stream().anyMatch(keys::contains))) {
        continue;
      }
      it.remove();
      taken.add(next);
      keys.addAll(touched);
      bytes += next.bytes();
    }
    if (taken.isEmpty()) {
      return null;
    }
    Batch.Builder batch = Batch.newBuilder().setProposedAtUnixMillis(clockMillis.getAsLong());
    taken.forEach(p -> batch.addProposals(p.proposal()));
    return new Entry(RangeCommand.newBuilder().setBatch(batch).build(), taken, false);
  }

  /** The keys a command writes; a read placed in the log writes none. */
  private static List<ByteString> writtenKeys(RangeCommand command) {
    return command.hasRead() ? List.of() : RangeCommands.keys(command);
  }
}
