package pando.maelstrom.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The runtime of a Maelstrom node binary: reads messages from an input stream (stdin), dispatches
 * them to handlers by body {@code type}, and writes messages to an output stream (stdout).
 *
 * <p>Threads and why:
 *
 * <ul>
 *   <li>One <b>input thread</b> reads and parses lines, answers {@code init} itself, completes
 *       {@link #rpc} futures whose reply arrived, and hands every other request to the handler
 *       pool. It never runs handler code, so a slow handler cannot stop rpc replies from being
 *       seen (a handler may therefore wait on an rpc without deadlocking the node).
 *   <li>A small <b>handler pool</b> with a bounded queue runs handlers. When the queue is full the
 *       request is answered with {@link ErrorCode#TEMPORARILY_UNAVAILABLE}, which is truthful: the
 *       request was never looked at.
 *   <li>One <b>output thread</b> owns the output stream and writes whole lines from a bounded
 *       queue; being the only writer is what keeps lines from interleaving (it plays the role of
 *       the output lock). When the queue is full a message is dropped and logged, exactly like a
 *       lossy network: a client then sees a timeout, which it must treat as indefinite anyway.
 *   <li>One <b>timer thread</b> fails rpc futures whose timeout passed.
 * </ul>
 *
 * <p>{@code init} is handled on the input thread before the next line is read, so every handler
 * sees {@link #nodeId()}; requests arriving before {@code init} get {@code temporarily-unavailable}.
 * Requests of a type with no handler get {@code not-supported}. Lines that are not messages are
 * logged and skipped. Replies (bodies with {@code in_reply_to}) that match no outstanding rpc are
 * given to the handler for their type if there is one, else logged and dropped: a node never
 * answers a reply, which could otherwise start an endless error ping-pong.
 *
 * <p>A handler throwing {@link MaelstromException} is answered with that code, {@link
 * MalformedMessageException} with {@code malformed-request}, anything else with {@code crash}
 * (indefinite, because the handler may have done part of its work).
 *
 * <p>{@code send}, {@code reply} and {@code rpc} may be called from any thread once {@code init} has
 * been handled. Register handlers before {@link #start()}.
 */
public final class NodeIo implements AutoCloseable {

  /** Handles one request. Runs on the handler pool. */
  @FunctionalInterface
  public interface Handler {
    void handle(Message request) throws Exception;
  }

  /** What {@code init} told the node. */
  public record Init(String nodeId, List<String> nodeIds) {
    public Init {
      Objects.requireNonNull(nodeId, "nodeId");
      nodeIds = List.copyOf(nodeIds);
    }
  }

  /**
   * Resource limits.
   *
   * @param maxLineChars longer input lines are skipped
   * @param outgoingCapacity messages waiting for the output thread; more are dropped
   * @param incomingCapacity requests waiting for a handler; more are refused
   * @param handlerThreads handler pool size
   * @param maxPendingRpcs outstanding rpcs; more fail at once
   * @param closeTimeout how long {@link #close()} waits for handlers and the output thread
   */
  public record Config(int maxLineChars, int outgoingCapacity, int incomingCapacity,
      int handlerThreads, int maxPendingRpcs, Duration closeTimeout) {
    public Config {
      positive(maxLineChars, "maxLineChars");
      positive(outgoingCapacity, "outgoingCapacity");
      positive(incomingCapacity, "incomingCapacity");
      positive(handlerThreads, "handlerThreads");
      positive(maxPendingRpcs, "maxPendingRpcs");
      if (closeTimeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout must not be negative");
      }
    }

    /** 1 MiB lines, 10,000 queued messages each way, 4 handler threads, 10,000 pending rpcs. */
    public static Config defaults() {
      return new Config(1 << 20, 10_000, 10_000, 4, 10_000, Duration.ofSeconds(2));
    }

    private static void positive(int n, String name) {
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be positive: " + n);
      }
    }
  }

  private final InputStream in;
  private final OutputStream out;
  private final PrintStream log;
  private final Config config;
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  private final List<Consumer<Init>> initListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong nextMsgId = new AtomicLong();
  private final Map<Long, CompletableFuture<Message>> pendingRpcs = new ConcurrentHashMap<>();
  private final BlockingQueue<String> outgoing;
  private final ThreadPoolExecutor handlerPool;
  private final ScheduledThreadPoolExecutor timer;
  private final Thread inputThread;
  private final Thread outputThread;
  private final CountDownLatch inputEnded = new CountDownLatch(1);
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong droppedOutgoing = new AtomicLong();
  private volatile Init init;
  /** Set by close() once handlers are done; later messages are dropped instead of queued. */
  private volatile boolean outputStopping;

  /** A node on this process's stdin, stdout and stderr with default limits. */
  public static NodeIo stdio() {
    return new NodeIo(System.in, System.out, System.err, Config.defaults());
  }

  /** A node on the given streams; it owns them and closes them in {@link #close()}. */
  public NodeIo(InputStream in, OutputStream out, PrintStream log, Config config) {
    this.in = Objects.requireNonNull(in, "in");
    this.out = Objects.requireNonNull(out, "out");
    this.log = Objects.requireNonNull(log, "log");
    this.config = Objects.requireNonNull(config, "config");
    this.outgoing = new ArrayBlockingQueue<>(config.outgoingCapacity());
    this.handlerPool = new ThreadPoolExecutor(config.handlerThreads(), config.handlerThreads(),
        0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(config.incomingCapacity()),
        daemonThreads("maelstrom-handler"), new ThreadPoolExecutor.AbortPolicy());
    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("maelstrom-timer"));
    // Cancelled timeouts (the usual case: the reply came) must not pile up in the timer's queue.
    this.timer.setRemoveOnCancelPolicy(true);
    // Daemon threads: a node blocked reading stdin must not keep the JVM alive after main ends.
    this.inputThread = daemonThreads("maelstrom-input").newThread(this::readLoop);
    this.outputThread = daemonThreads("maelstrom-output").newThread(this::writeLoop);
  }

  /** Registers the handler for requests of this body type, replacing any earlier one. */
  public NodeIo on(String type, Handler handler) {
    if ("init".equals(type)) {
      throw new IllegalArgumentException("init is handled by NodeIo; use onInit");
    }
    handlers.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(handler, "handler"));
    return this;
  }

  /**
   * Runs {@code listener} when {@code init} arrives, on the input thread, before {@code init_ok} is
   * sent and before any other message is dispatched. If it throws, {@code init} is answered with
   * {@code crash}.
   */
  public NodeIo onInit(Consumer<Init> listener) {
    initListeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** Starts the input and output threads. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    outputThread.start();
    inputThread.start();
  }

  /** Runs the node until its input ends, then closes it: the body of a node's {@code main}. */
  public void run() throws InterruptedException {
    start();
    try {
      inputEnded.await(); // the node's lifetime: Maelstrom ends a node by closing stdin or killing it
    } finally {
      close();
    }
  }

  /** Waits until the input has ended (or failed); true if it did within the timeout. */
  public boolean awaitInputEnd(Duration timeout) throws InterruptedException {
    return inputEnded.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** This node's id; throws {@link IllegalStateException} before {@code init}. */
  public String nodeId() {
    return requireInit().nodeId();
  }

  /** All node ids of the cluster, this one included; throws before {@code init}. */
  public List<String> nodeIds() {
    return requireInit().nodeIds();
  }

  /** Whether {@code init} has been handled. */
  public boolean isInitialized() {
    return init != null;
  }

  /** Messages dropped so far because the output queue was full or the node was closing. */
  public long droppedOutgoing() {
    return droppedOutgoing.get();
  }

  /**
   * Sends a message with a fresh {@code msg_id} (added to a copy of {@code body}).
   *
   * @return false if it was dropped because the output queue is full or the node is closed
   */
  public boolean send(String dest, JsonObject body) {
    return enqueue(nodeId(), dest, body, nextMsgId.incrementAndGet());
  }

  /**
   * Answers {@code request}: sends {@code body} to its sender with {@code in_reply_to} set to its
   * {@code msg_id} and a fresh {@code msg_id}.
   *
   * @return false if it was dropped (see {@link #send})
   * @throws IllegalArgumentException if the request has no {@code msg_id} to reply to
   */
  public boolean reply(Message request, JsonObject body) {
    long to = request.msgId().orElseThrow(() ->
        new IllegalArgumentException("cannot reply to a message without msg_id: " + request));
    JsonObject b = body.deepCopy();
    b.addProperty("in_reply_to", to);
    // Before init (when refusing early requests) the only name we know is the one we were sent to.
    Init current = init;
    String self = current == null ? request.dest() : current.nodeId();
    return enqueue(self, request.src(), b, nextMsgId.incrementAndGet());
  }

  /** Answers {@code request} with an error body. */
  public boolean replyError(Message request, ErrorCode code, String text) {
    return reply(request, code.body(text));
  }

  /**
   * Sends a request and returns its reply: the next message whose {@code in_reply_to} is the
   * request's {@code msg_id}, whatever its type (an {@code error} reply completes normally).
   *
   * <p>The future completes on the input thread, so dependent actions attached with the non-async
   * methods must be quick and must not block; use the {@code *Async} variants for anything else.
   * It fails with {@link TimeoutException} after {@code timeout}, with {@link
   * IllegalStateException} at once if the request could not be queued or too many rpcs are
   * outstanding, and with {@link java.util.concurrent.CancellationException} when the node closes.
   * Cancelling it forgets the request; a late reply is then dropped.
   */
  public CompletableFuture<Message> rpc(String dest, JsonObject body, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    requireInit();
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("node is closed"));
    }
    if (pendingRpcs.size() >= config.maxPendingRpcs()) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "too many outstanding rpcs (" + config.maxPendingRpcs() + ")"));
    }
    long id = nextMsgId.incrementAndGet();
    String type = Objects.requireNonNull(body.get("type"), "body has no type").getAsString();
    CompletableFuture<Message> reply = new CompletableFuture<>();
    pendingRpcs.put(id, reply);
    if (closed.get()) { // close() may have cancelled the pending rpcs just before the put
      pendingRpcs.remove(id);
      return CompletableFuture.failedFuture(new IllegalStateException("node is closed"));
    }
    ScheduledFuture<?> expiry;
    try {
      expiry = timer.schedule(() -> reply.completeExceptionally(new TimeoutException(
              "no reply from " + dest + " to " + type + " (msg_id " + id + ") within "
                  + timeout.toMillis() + " ms")),
          Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      pendingRpcs.remove(id);
      return CompletableFuture.failedFuture(new IllegalStateException("node is closed"));
    }
    // However the rpc ends (reply, timeout, cancel, close), forget it and its timer.
    reply.whenComplete((m, e) -> {
      expiry.cancel(false);
      pendingRpcs.remove(id);
    });
    if (!enqueue(nodeId(), dest, body, id)) {
      reply.completeExceptionally(new IllegalStateException(
          "request to " + dest + " was not sent: output queue full or node closed"));
    }
    return reply;
  }

  /**
   * Stops the node: lets queued handlers finish (bounded by the configured close timeout), fails
   * outstanding rpcs, writes what is queued, and closes the streams. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Outstanding rpcs first, so that handlers waiting on them finish now rather than at timeout.
    for (CompletableFuture<Message> rpc : List.copyOf(pendingRpcs.values())) {
      rpc.cancel(false);
    }
    handlerPool.shutdown();
    long deadline = System.nanoTime() + config.closeTimeout().toNanos();
    try {
      if (!handlerPool.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
        handlerPool.shutdownNow();
      }
      timer.shutdownNow();
      // Handlers have finished (their answers are queued); stop taking more, write what is queued.
      outputStopping = true;
      outputThread.interrupt(); // it drains the queue, then exits
      if (started.get()) {
        outputThread.join(Math.max(1, remaining(deadline) / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handlerPool.shutdownNow();
      timer.shutdownNow();
      outputStopping = true;
      outputThread.interrupt();
    }
    closeQuietly(out);
    // Closing stdin does not reliably wake a blocked read; the input thread is a daemon and ends
    // with the input (or the process).
    closeQuietly(in);
  }

  // ---------------------------------------------------------------- input

  private void readLoop() {
    try (LineReader reader = new LineReader(in, config.maxLineChars())) {
      while (!closed.get()) { // each pass consumes a line; ends at end of input
        String line;
        try {
          line = reader.readLine();
        } catch (LineReader.LineTooLongException e) {
          log.println("maelstrom: " + e.getMessage());
          continue;
        }
        if (line == null) {
          break;
        }
        if (line.isBlank()) {
          continue;
        }
        Message m;
        try {
          m = MessageCodec.parse(line);
        } catch (MalformedMessageException e) {
          log.println("maelstrom: skipping malformed input: " + e.getMessage());
          continue;
        }
        dispatch(m);
      }
    } catch (IOException e) {
      if (!closed.get()) {
        log.println("maelstrom: input failed: " + e);
      }
    } catch (RuntimeException e) {
      log.println("maelstrom: input thread failed: " + e);
      e.printStackTrace(log);
    } finally {
      inputEnded.countDown();
    }
  }

  private void dispatch(Message m) {
    Init current = init;
    if (current != null && !m.dest().equals(current.nodeId())) {
      log.println("maelstrom: dropping message for " + m.dest() + ", I am " + current.nodeId()
          + ": " + m);
      return;
    }
    if (m.isReply()) {
      CompletableFuture<Message> rpc = pendingRpcs.get(m.inReplyTo().getAsLong());
      if (rpc != null) {
        rpc.complete(m);
        return;
      }
      if (!handlers.containsKey(m.type())) {
        log.println("maelstrom: dropping reply that matches no outstanding rpc (late?): " + m);
        return;
      }
    }
    if ("init".equals(m.type())) {
      handleInit(m);
      return;
    }
    if (current == null) {
      answerError(m, ErrorCode.TEMPORARILY_UNAVAILABLE, "not initialized yet");
      return;
    }
    Handler handler = handlers.get(m.type());
    if (handler == null) {
      answerError(m, ErrorCode.NOT_SUPPORTED, "unsupported message type \"" + m.type() + "\"");
      return;
    }
    try {
      handlerPool.execute(() -> runHandler(handler, m));
    } catch (RejectedExecutionException full) {
      answerError(m, ErrorCode.TEMPORARILY_UNAVAILABLE, "node overloaded: request not processed");
    }
  }

  private void handleInit(Message m) {
    if (init != null) {
      answerError(m, ErrorCode.MALFORMED_REQUEST, "already initialized as " + init.nodeId());
      return;
    }
    Init parsed;
    try {
      parsed = parseInit(m);
    } catch (MalformedMessageException e) {
      answerError(m, ErrorCode.MALFORMED_REQUEST, e.getMessage());
      return;
    }
    init = parsed;
    try {
      for (Consumer<Init> listener : initListeners) {
        listener.accept(parsed);
      }
    } catch (RuntimeException e) {
      log.println("maelstrom: init listener failed: " + e);
      e.printStackTrace(log);
      answerError(m, ErrorCode.CRASH, "init failed: " + e);
      return;
    }
    if (m.msgId().isPresent()) {
      reply(m, Message.newBody("init_ok"));
    }
    log.println("maelstrom: initialized as " + parsed.nodeId() + " of " + parsed.nodeIds());
  }

  private static Init parseInit(Message m) {
    String nodeId = m.requireString("node_id");
    JsonElement ids = m.get("node_ids");
    if (ids == null || !ids.isJsonArray()) {
      throw new MalformedMessageException("init has no array \"node_ids\"");
    }
    List<String> nodeIds = new ArrayList<>();
    for (JsonElement id : ids.getAsJsonArray()) {
      if (!id.isJsonPrimitive() || !id.getAsJsonPrimitive().isString()) {
        throw new MalformedMessageException("init \"node_ids\" must hold strings, got " + id);
      }
      nodeIds.add(id.getAsString());
    }
    return new Init(nodeId, nodeIds);
  }

  private void runHandler(Handler handler, Message m) {
    try {
      handler.handle(m);
    } catch (MaelstromException e) {
      answerError(m, e.code(), e.getMessage());
    } catch (MalformedMessageException e) {
      answerError(m, ErrorCode.MALFORMED_REQUEST, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing
      answerError(m, ErrorCode.CRASH, "interrupted: node is closing");
    } catch (Exception e) {
      log.println("maelstrom: handler for " + m.type() + " failed: " + e);
      e.printStackTrace(log);
      answerError(m, ErrorCode.CRASH, "handler failed: " + e);
    }
  }

  /** Replies with an error if the message can be replied to; never answers a reply. */
  private void answerError(Message m, ErrorCode code, String text) {
    if (m.isReply() || m.msgId().isEmpty()) {
      log.println("maelstrom: " + code.wireName() + " (" + text + ") for a message that cannot be"
          + " answered: " + m);
      return;
    }
    replyError(m, code, text);
  }

  // ---------------------------------------------------------------- output

  private boolean enqueue(String src, String dest, JsonObject body, long msgId) {
    JsonObject b = body.deepCopy();
    b.addProperty("msg_id", msgId);
    String line = MessageCodec.serialize(new Message(src, dest, b));
    if (outputStopping) {
      droppedOutgoing.incrementAndGet();
      return false;
    }
    if (!outgoing.offer(line)) {
      long n = droppedOutgoing.incrementAndGet();
      if (Long.bitCount(n) == 1) { // log the 1st, 2nd, 4th, ... drop: visible but not a flood
        log.println("maelstrom: output queue full, dropped " + n + " message(s) so far");
      }
      return false;
    }
    return true;
  }

  private void writeLoop() {
    Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    try {
      while (true) { // ends when interrupted by close(), after draining the queue
        String line;
        try {
          line = outgoing.take();
        } catch (InterruptedException closing) {
          drain(w);
          return;
        }
        w.write(line);
        w.write('\n');
        // Write whatever else is ready before flushing: one flush per burst, not per line.
        for (String more = outgoing.poll(); more != null; more = outgoing.poll()) {
          w.write(more);
          w.write('\n');
        }
        w.flush();
      }
    } catch (IOException e) {
      if (!closed.get()) {
        log.println("maelstrom: output failed, no more messages can be sent: " + e);
      }
    }
  }

  private void drain(Writer w) {
    try {
      for (String more = outgoing.poll(); more != null; more = outgoing.poll()) {
        w.write(more);
        w.write('\n');
      }
      w.flush();
    } catch (IOException e) {
      log.println("maelstrom: output failed while closing: " + e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private Init requireInit() {
    Init current = init;
    if (current == null) {
      throw new IllegalStateException("init has not been received yet");
    }
    return current;
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      log.println("maelstrom: close failed: " + e);
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
