package pando.maelstrom.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's presence on a {@link MessageBus}: request/reply calls to other nodes, and the serving
 * of their requests by this node's Raft server.
 *
 * <p>A node opens one endpoint and shares it between its Raft server and all its Raft clients
 * (see {@link BusRpcType#parameters}); replies come back to the node and are paired with their
 * call by request id, so a client needs no bus address of its own.
 *
 * <p>Guarantees: a call never waits forever, it fails with an {@link IOException} on its deadline,
 * when too many calls are pending ({@link Limits#maxPendingCalls}), or when the endpoint closes;
 * inbound messages are queued in a bounded queue ({@link Limits#inboundQueueCapacity}) and handled
 * in arrival order by one thread, the excess is dropped like a lost message; a request arriving
 * while no server is serving is answered with a {@link ServerNotReadyException} at once.
 *
 * <p>Threads (daemons, named {@code raft-bus-<node>-*}): one handles inbound messages, one fires
 * deadlines, and up to {@value #COMPLETION_THREADS} complete reply futures, so callbacks on a
 * reply run there and never delay inbound requests. A callback that blocks on another call through
 * the same endpoint ties up a completion thread until that call's deadline; avoid it.
 */
public final class BusEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BusEndpoint.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  static final int COMPLETION_THREADS = 2;
  static final String THREAD_PREFIX = "raft-bus-";

  /**
   * @param maxPendingCalls calls awaiting a reply at once; more fail at once with an IOException
   * @param inboundQueueCapacity received messages waiting to be handled; more are dropped
   */
  public record Limits(int maxPendingCalls, int inboundQueueCapacity) {
    public Limits {
      if (maxPendingCalls < 1 || inboundQueueCapacity < 1) {
        throw new IllegalArgumentException("limits must be positive: " + maxPendingCalls + ", " + inboundQueueCapacity);
      }
    }

    public static Limits defaults() {
      return new Limits(4096, 4096);
    }
  }

  /**
   * Serves one request; called on the endpoint's inbound thread, so it must not block: blocking
   * work goes to an executor and completes the returned future. The reply is the future's value
   * (a serialized proto) or its failure.
   */
  @FunctionalInterface
  interface RequestHandler {
    CompletableFuture<byte[]> handle(String src, FrameType type, byte[] body);
  }

  private final String nodeId;
  private final MessageBus.Port port;
  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor inbound;
  private final ThreadPoolExecutor completions;
  private final PendingCalls pending;
  private final AtomicReference<RequestHandler> handler = new AtomicReference<>();
  private final Map<FrameType, LongAdder> served = new EnumMap<>(FrameType.class);
  private final AtomicLong droppedInbound = new AtomicLong();
  private volatile boolean closed;

  private BusEndpoint(MessageBus bus, String nodeId, Limits limits) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    for (FrameType t : FrameType.values()) {
      served.put(t, new LongAdder());
    }
    this.timer = new ScheduledThreadPoolExecutor(1, daemon(nodeId + "-deadlines"));
    // Cancelled deadlines (answered calls) leave the queue at once instead of at their due time.
    timer.setRemoveOnCancelPolicy(true);
    this.inbound = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(limits.inboundQueueCapacity()), daemon(nodeId + "-inbound"));
    // A call queues at most two completions (its reply and its deadline), so this queue never
    // overflows; PendingCalls completes inline should it ever refuse.
    this.completions = new ThreadPoolExecutor(COMPLETION_THREADS, COMPLETION_THREADS, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(2 * limits.maxPendingCalls()), daemon(nodeId + "-completions"));
    completions.allowCoreThreadTimeOut(true);
    this.pending = new PendingCalls(limits.maxPendingCalls(), timer, completions);
    try {
      this.port = bus.attach(nodeId, this::receive);
    } catch (RuntimeException e) {
      shutdownExecutors();
      throw e;
    }
  }

  public static BusEndpoint open(MessageBus bus, String nodeId) {
    return open(bus, nodeId, Limits.defaults());
  }

  /** Attaches node {@code nodeId} to {@code bus}; close the endpoint to detach it. */
  public static BusEndpoint open(MessageBus bus, String nodeId, Limits limits) {
    return new BusEndpoint(bus, nodeId, limits);
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Sends a request to {@code dest}; the future completes with the reply body, or fails with an
   * IOException: the remote failure, a {@code TimeoutIOException} after {@code timeout}, or an
   * {@link AlreadyClosedException}.
   */
  CompletableFuture<byte[]> call(String dest, FrameType type, byte[] body, Duration timeout) {
    if (closed) {
      return CompletableFuture.failedFuture(new AlreadyClosedException(nodeId + ": the bus endpoint is closed"));
    }
    PendingCalls.Call call;
    try {
      call = pending.register(dest, timeout);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    try {
      port.send(dest, new Frame(type, call.requestId(), body).encode());
    } catch (RuntimeException e) {
      // A bus that cannot take the message is a lost message, reported at once.
      call.fail(new IOException(nodeId + ": could not send to " + dest, e));
    }
    return call.reply();
  }

  /** Routes inbound requests to {@code h} from now on; one server per node. */
  void serve(RequestHandler h) {
    if (!handler.compareAndSet(null, Objects.requireNonNull(h))) {
      throw new IllegalStateException(nodeId + " already serves a Raft server");
    }
  }

  /** Stops routing requests to {@code h}; later requests are answered with ServerNotReadyException. */
  void stopServing(RequestHandler h) {
    handler.compareAndSet(h, null);
  }

  /** Requests of this type served so far, successfully or not. */
  long served(FrameType type) {
    return served.get(type).sum();
  }

  int pendingCalls() {
    return pending.size();
  }

  /** Inbound messages dropped because the queue was full or the frame was unreadable. */
  long droppedInbound() {
    return droppedInbound.get();
  }

  /** Called on the bus's thread: hand over and return. */
  private void receive(Envelope envelope) {
    try {
      inbound.execute(() -> dispatch(envelope));
    } catch (RejectedExecutionException e) {
      droppedInbound.incrementAndGet(); // full or closed: the sender's deadline reports it
    }
  }

  private void dispatch(Envelope envelope) {
    Frame frame;
    try {
      frame = Frame.decode(envelope.payload());
    } catch (IOException e) {
      droppedInbound.incrementAndGet();
      LOG.warn("node={} event=unreadable-frame src={} error={}", nodeId, envelope.src(), e.getMessage());
      return;
    }
    if (frame.type().isReply()) {
      pending.complete(envelope.src(), frame);
    } else {
      serveRequest(envelope.src(), frame);
    }
  }

  private void serveRequest(String src, Frame request) {
    served.get(request.type()).increment();
    RequestHandler h = handler.get();
    CompletableFuture<byte[]> result;
    if (h == null) {
      result = CompletableFuture.failedFuture(new ServerNotReadyException(nodeId + " is not serving Raft requests"));
    } else {
      try {
        result = h.handle(src, request.type(), request.body());
      } catch (RuntimeException e) {
        result = CompletableFuture.failedFuture(e);
      }
    }
    result.whenComplete((body, error) -> reply(src, request.requestId(), body, error));
  }

  private void reply(String dest, long requestId, byte[] body, Throwable error) {
    if (closed) {
      return;
    }
    Frame reply = error == null
        ? new Frame(FrameType.REPLY, requestId, body)
        : new Frame(FrameType.ERROR, requestId, RemoteErrors.encode(error));
    MessageBus.Port replyPort = port;
    if (replyPort == null) {
      return; // a request that arrived while the constructor was still attaching: lost, like any reply may be
    }
    try {
      replyPort.send(dest, reply.encode());
    } catch (RuntimeException e) {
      LOG.debug("node={} event=reply-not-sent dest={} error={}", nodeId, dest, e.toString());
    }
  }

  /** Detaches from the bus and fails every pending call with an {@link AlreadyClosedException}. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    port.close();
    shutdownExecutors();
    // Last, so that it also fails calls whose replies were queued when the executors stopped.
    pending.close(new AlreadyClosedException(nodeId + ": the bus endpoint is closed"));
  }

  private void shutdownExecutors() {
    // Queued messages and completions are dropped: after close nobody is left to answer, and
    // every pending call is failed below.
    inbound.shutdownNow();
    completions.shutdownNow();
    timer.shutdownNow();
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    try {
      for (ThreadPoolExecutor executor : new ThreadPoolExecutor[] {inbound, completions, timer}) {
        if (!executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          LOG.warn("node={} event=bus-thread-still-running", nodeId);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicLong count = new AtomicLong();
    return runnable -> {
      Thread t = new Thread(runnable, THREAD_PREFIX + name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
