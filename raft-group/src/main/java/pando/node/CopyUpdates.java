package pando.node;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import pando.internal.v1.CopyPut;

/**
 * Brings salted copies up to a version, with at most one update in flight per copy. A copy takes
 * "put if newer", and a writer only needs its copy to hold its version or a newer one, so updates
 * that queue behind the one in flight collapse into the newest of them: a burst of N writes to a
 * hot key costs each copy about two Raft writes instead of N. Copies are independent of each
 * other; a caller that updates several waits for all.
 *
 * <p>Memory is bounded by what is in flight: a copy's slot exists only while an update of it is
 * being sent, and holds at most one queued update plus the futures of the writes waiting on it.
 * A send that does not finish within {@code sendTimeout} fails its waiters and frees the slot, so
 * one stuck range cannot hold a copy's later updates forever.
 */
final class CopyUpdates {
  private final Function<CopyPut, CompletableFuture<Void>> sender;
  private final Duration sendTimeout;

  /** Guarded by {@code this}. Keyed by the copy's key. */
  private final Map<ByteString, Slot> slots = new HashMap<>();

  /**
   * @param sender applies one "put if newer" (its key names the copy); completes once the copy
   *     holds that version or a newer one
   */
  CopyUpdates(Function<CopyPut, CompletableFuture<Void>> sender, Duration sendTimeout) {
    this.sender = sender;
    this.sendTimeout = sendTimeout;
  }

  /** Completes once {@code put}'s copy holds {@code put}'s version or a newer one. */
  CompletableFuture<Void> update(CopyPut put) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    boolean sendNow;
    synchronized (this) {
      Slot slot = slots.get(put.getKey());
      sendNow = slot == null;
      if (sendNow) {
        slot = new Slot(put.getVersion());
        slots.put(put.getKey(), slot);
        slot.sending.add(done);
      } else if (put.getVersion() <= slot.sendingVersion) {
        slot.sending.add(done); // the update in flight already carries this version or a newer one
      } else {
        if (slot.queued == null || slot.queued.getVersion() < put.getVersion()) {
          slot.queued = put;
        }
        slot.waitingForQueued.add(done);
      }
    }
    if (sendNow) {
      send(put);
    }
    return done;
  }

  /** The number of copies with an update in flight; for tests. */
  synchronized int inFlight() {
    return slots.size();
  }

  private void send(CopyPut put) {
    CompletableFuture<Void> sent;
    try {
      sent = sender.apply(put);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.orTimeout(sendTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((ignored, error) -> finished(put.getKey(), error));
  }

  private void finished(ByteString copy, Throwable error) {
    List<CompletableFuture<Void>> waiters;
    CopyPut next;
    synchronized (this) {
      Slot slot = slots.get(copy);
      waiters = slot.sending;
      next = slot.queued;
      if (next == null) {
        slots.remove(copy);
      } else {
        slot.sendingVersion = next.getVersion();
        slot.sending = slot.waitingForQueued;
        slot.queued = null;
        slot.waitingForQueued = new ArrayList<>();
      }
    }
    for (CompletableFuture<Void> waiter : waiters) {
      if (error == null) {
        waiter.complete(null);
      } else {
        waiter.completeExceptionally(error);
      }
    }
    if (next != null) {
      send(next);
    }
  }

  /** One copy's update in flight, and the newest update queued behind it. */
  private static final class Slot {
    long sendingVersion;
    List<CompletableFuture<Void>> sending = new ArrayList<>();
    CopyPut queued;
    List<CompletableFuture<Void>> waitingForQueued = new ArrayList<>();

    Slot(long sendingVersion) {
      this.sendingVersion = sendingVersion;
    }
  }
}
