package pando.maelstrom.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;

/**
 * The calls a node has sent and awaits replies for, keyed by request id.
 *
 * <p>Guarantees: at most {@code capacity} calls are pending, a call beyond that fails at once;
 * every call completes, by its reply, by its deadline ({@link TimeoutIOException}) or by {@link
 * #close}; and however it completes, its entry and its timer are gone afterwards. A reply is
 * accepted only from the node the call went to; late replies (after the deadline) are ignored.
 *
 * <p>Replies and deadlines complete their futures on the {@code completions} executor, never on
 * the thread that received the reply or the timer thread, so that a slow callback cannot hold up
 * inbound requests (heartbeats) or other deadlines.
 */
final class PendingCalls {
  /**
   * A registered call: its id goes into the request frame, and {@code reply} completes with the
   * reply body once the call is no longer counted as pending, so a caller that sees the reply sees
   * the call gone; {@link #fail} ends the call early.
   */
  record Call(long requestId, CompletableFuture<byte[]> reply, CompletableFuture<byte[]> source) {
    void fail(Throwable error) {
      source.completeExceptionally(error);
    }
  }

  private record Entry(String dest, CompletableFuture<byte[]> reply) {}

  private final int capacity;
  private final ScheduledExecutorService timer;
  private final Executor completions;
  private final Map<Long, Entry> calls = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  // A random start, so that a restarted node's ids do not collide with the previous incarnation's
  // whose replies may still be in flight.
  private final AtomicLong nextId = new AtomicLong(ThreadLocalRandom.current().nextLong());
  private volatile IOException closed;

  PendingCalls(int capacity, ScheduledExecutorService timer, Executor completions) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
    this.timer = timer;
    this.completions = completions;
  }

  /** Registers a call to {@code dest} that fails with a {@link TimeoutIOException} after {@code timeout}. */
  Call register(String dest, Duration timeout) throws IOException {
    if (count.incrementAndGet() > capacity) {
      count.decrementAndGet();
      throw new IOException("too many calls awaiting replies (" + capacity + "); not calling " + dest);
    }
    long id = nextId.getAndIncrement();
    Entry entry = new Entry(dest, new CompletableFuture<>());
    calls.put(id, entry);
    ScheduledFuture<?> deadline;
    try {
      deadline = timer.schedule(
          () -> completeOffThread(() -> entry.reply.completeExceptionally(new TimeoutIOException(
              "no reply from " + dest + " to request #" + id + " within " + timeout))),
          timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      calls.remove(id);
      count.decrementAndGet();
      throw new AlreadyClosedException("the endpoint is closed; not calling " + dest);
    }
    CompletableFuture<byte[]> settled = new CompletableFuture<>();
    entry.reply.whenComplete((body, error) -> {
      if (calls.remove(id, entry)) {
        count.decrementAndGet();
      }
      deadline.cancel(false);
      if (error != null) {
        settled.completeExceptionally(error);
      } else {
        settled.complete(body);
      }
    });
    IOException closedBy = closed;
    if (closedBy != null) { // closed while registering: close() may have missed this call
      entry.reply.completeExceptionally(closedBy);
    }
    return new Call(id, settled, entry.reply);
  }

  /** Completes the call that {@code reply} answers, if it is still pending and went to {@code src}. */
  void complete(String src, Frame reply) {
    Entry entry = calls.get(reply.requestId());
    if (entry == null || !entry.dest.equals(src)) {
      return; // timed out already, or not an answer to us
    }
    if (reply.type() == FrameType.REPLY) {
      completeOffThread(() -> entry.reply.complete(reply.body()));
    } else {
      IOException error = RemoteErrors.decode(reply.body(), src);
      completeOffThread(() -> entry.reply.completeExceptionally(error));
    }
  }

  private void completeOffThread(Runnable completion) {
    try {
      completions.execute(completion);
    } catch (RejectedExecutionException e) {
      completion.run(); // shutting down: completing inline beats never completing
    }
  }

  /** Fails every pending call, and every call registered from now on, with {@code error}. */
  void close(IOException error) {
    closed = error;
    calls.values().forEach(e -> e.reply.completeExceptionally(error));
  }

  int size() {
    return count.get();
  }
}
