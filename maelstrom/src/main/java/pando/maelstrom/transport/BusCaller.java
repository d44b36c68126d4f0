package pando.maelstrom.transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;

/**
 * The outbound calls of one Ratis component (a server RPC or a client RPC) through its node's
 * endpoint. Closing it fails that component's outstanding calls at once, leaving the calls of the
 * node's other components alone.
 */
final class BusCaller implements Closeable {
  // The endpoint's own deadline completes every call; this margin only guards a stalled timer thread.
  private static final Duration WAIT_MARGIN = Duration.ofSeconds(1);

  private final BusEndpoint endpoint;
  private final String owner;
  private final Set<CompletableFuture<byte[]>> outstanding = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  BusCaller(BusEndpoint endpoint, String owner) {
    this.endpoint = endpoint;
    this.owner = owner;
  }

  BusEndpoint endpoint() {
    return endpoint;
  }

  CompletableFuture<byte[]> call(String dest, FrameType type, byte[] body, Duration timeout) {
    if (closed) {
      return CompletableFuture.failedFuture(closedException());
    }
    CompletableFuture<byte[]> reply = endpoint.call(dest, type, body, timeout);
    outstanding.add(reply);
    reply.whenComplete((r, e) -> outstanding.remove(reply));
    if (closed) { // closed while registering: close() may have missed this call
      reply.completeExceptionally(closedException());
    }
    return reply;
  }

  /** Makes a call and waits for its reply; every failure, the deadline included, is an IOException. */
  byte[] callAndWait(String dest, FrameType type, byte[] body, Duration timeout) throws IOException {
    return await(call(dest, type, body, timeout), timeout);
  }

  /** Waits for a future that completes by {@code timeout} at the latest, unwrapping its failure. */
  static <T> T await(CompletableFuture<T> future, Duration timeout) throws IOException {
    try {
      return future.get(timeout.plus(WAIT_MARGIN).toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // Ratis's log appender stops on InterruptedIOException, as it should when it is interrupted.
      throw new InterruptedIOException("interrupted while waiting for a reply");
    } catch (ExecutionException e) {
      throw asIOException(e.getCause());
    } catch (TimeoutException e) {
      throw new TimeoutIOException("no reply within " + timeout, e);
    }
  }

  static IOException asIOException(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof IOException io ? io : new IOException(t);
  }

  private AlreadyClosedException closedException() {
    return new AlreadyClosedException(owner + " is closed");
  }

  @Override
  public void close() {
    closed = true;
    AlreadyClosedException e = closedException();
    outstanding.forEach(f -> f.completeExceptionally(e));
  }
}
