package pando.maelstrom.harness;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.Kind;
import pando.maelstrom.protocol.ErrorCode;
import pando.maelstrom.protocol.Message;

/**
 * A simulated Maelstrom {@code lin-kv} client: sends one request at a time through the {@link
 * Network} to a chosen node and records the operation in the shared {@link HistoryRecorder}.
 *
 * <p>How an answer is recorded:
 *
 * <ul>
 *   <li>{@code read_ok}, {@code write_ok}, {@code cas_ok}: {@code ok} (a read with the value read);
 *   <li>error {@code key-does-not-exist} to a <em>read</em>: {@code ok} with no value, because it
 *       is an answer (the key was absent), and recording it lets the checker verify it;
 *   <li>any other {@linkplain ErrorCode#isDefinite() definite} error (1, 10, 11, 12, 14, 20, 21,
 *       22): {@code fail}, the operation did not happen;
 *   <li>an indefinite error (0 timeout, 13 crash, any non-standard code), a reply of an unexpected
 *       shape, or no reply within the timeout: {@code info}, the operation may or may not have
 *       happened, now or later.
 * </ul>
 *
 * <p>After an {@code info}, as in Jepsen, the process is considered crashed: its operation stays
 * outstanding forever, so the client continues as a fresh process number with a fresh client id
 * (and a late reply to the old id is dropped by the network).
 *
 * <p>Invocations are stamped before the request is sent and completions after the reply arrived,
 * so every recorded interval contains the real one. One thread uses a client at a time; {@link
 * #invoke} is synchronized to enforce it.
 */
public final class Client implements AutoCloseable {

  /** The recorded completion, and in words why it has that type. */
  public record Completion(Event event, String detail) {}

  private final Network network;
  private final HistoryRecorder history;
  private final ProcessIds processes;
  private final Duration timeout;

  private int process;
  private Inbox inbox;
  private long lastMsgId;
  private boolean closed;

  /**
   * @param timeout how long to wait for each reply before recording {@code info}
   */
  public Client(Network network, HistoryRecorder history, ProcessIds processes,
      Duration timeout) {
    this.network = Objects.requireNonNull(network, "network");
    this.history = Objects.requireNonNull(history, "history");
    this.processes = Objects.requireNonNull(processes, "processes");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    becomeNewProcess();
  }

  /** The current process number. */
  public synchronized int process() {
    return process;
  }

  /** The current Maelstrom client id, {@code c<process>}. */
  public synchronized String id() {
    return ProcessIds.clientId(process);
  }

  /** Performs {@code request} against {@code node}; blocks at most about the timeout. */
  public synchronized Completion invoke(String node, Workload.Request request)
      throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("client closed");
    }
    String key = Integer.toString(request.key());
    int p = process;
    Event invoke = history.invoke(t -> invocation(p, key, request, t));
    long msgId = ++lastMsgId;
    JsonObject body = body(request);
    body.addProperty("msg_id", msgId);
    CompletableFuture<Message> reply = inbox.expect(msgId);
    // A request the network drops at once is not reported here: a real client could not know.
    network.send(new Message(ProcessIds.clientId(p), node, body));
    Message answer;
    try {
      answer = reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return crashed(invoke, "no reply from " + node + " within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new IllegalStateException("reply future failed", e); // never completed exceptionally
    } catch (InterruptedException e) {
      // The request may still take effect; record that before giving up.
      crashed(invoke, "interrupted while waiting for " + node);
      throw e;
    } finally {
      inbox.forget(msgId);
    }
    Verdict v = classify(request.f(), answer);
    Object value = v.type == Event.Type.OK && request.f() == Kind.READ ? v.readValue
        : invoke.value();
    if (v.type == Event.Type.INFO) {
      return crashed(invoke, v.detail);
    }
    return new Completion(history.complete(invoke, v.type, value), v.detail);
  }

  /** Convenience for {@code invoke(node, new Workload.Read(key))}. */
  public Completion read(String node, int key) throws InterruptedException {
    return invoke(node, new Workload.Read(key));
  }

  /** Convenience for {@code invoke(node, new Workload.Write(key, value))}. */
  public Completion write(String node, int key, long value) throws InterruptedException {
    return invoke(node, new Workload.Write(key, value));
  }

  /** Convenience for {@code invoke(node, new Workload.Cas(key, from, to))}. */
  public Completion cas(String node, int key, long from, long to) throws InterruptedException {
    return invoke(node, new Workload.Cas(key, from, to));
  }

  /** Stops receiving; later replies are dropped by the network. */
  @Override
  public synchronized void close() {
    closed = true;
    network.unregister(ProcessIds.clientId(process), inbox);
  }

  // ---------------------------------------------------------------- internals

  /** How a reply is recorded. */
  record Verdict(Event.Type type, Long readValue, String detail) {}

  /** Decides how a reply to an operation of kind {@code f} is recorded; see the class comment. */
  static Verdict classify(Kind f, Message reply) {
    String type = reply.type();
    String expected = f.wireName() + "_ok";
    if (type.equals(expected)) {
      if (f != Kind.READ) {
        return new Verdict(Event.Type.OK, null, type);
      }
      JsonElement value = reply.get("value");
      if (value != null && value.isJsonNull()) {
        return new Verdict(Event.Type.OK, null, "read_ok with null value");
      }
      Long read = integral(value);
      return read != null
          ? new Verdict(Event.Type.OK, read, type)
          : new Verdict(Event.Type.INFO, null, "read_ok without an integer value: " + reply);
    }
    if (type.equals("error")) {
      OptionalInt code = reply.errorCode();
      if (code.isEmpty()) {
        return new Verdict(Event.Type.INFO, null, "error without an integer code: " + reply);
      }
      String text = reply.has("text") ? String.valueOf(reply.get("text")) : "";
      String name = ErrorCode.fromCode(code.getAsInt()).map(ErrorCode::wireName)
          .orElse("non-standard");
      String detail = "error " + code.getAsInt() + " " + name + " " + text;
      if (f == Kind.READ && code.getAsInt() == ErrorCode.KEY_DOES_NOT_EXIST.code()) {
        return new Verdict(Event.Type.OK, null, detail);
      }
      return new Verdict(
          ErrorCode.isDefinite(code.getAsInt()) ? Event.Type.FAIL : Event.Type.INFO, null, detail);
    }
    return new Verdict(Event.Type.INFO, null, "unexpected reply to " + f.wireName() + ": " + reply);
  }

  private static Long integral(JsonElement value) {
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      return null;
    }
    try {
      return new BigDecimal(value.getAsString()).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      return null;
    }
  }

  /** Records {@code info} and moves on as a new process, as Jepsen does for a crashed one. */
  private Completion crashed(Event invoke, String detail) {
    Event info = history.complete(invoke, Event.Type.INFO, invoke.value());
    network.unregister(ProcessIds.clientId(process), inbox);
    becomeNewProcess();
    return new Completion(info, detail);
  }

  private void becomeNewProcess() {
    process = processes.next();
    inbox = new Inbox();
    network.register(ProcessIds.clientId(process), inbox);
  }

  private static Event invocation(int process, String key, Workload.Request r, long t) {
    if (r instanceof Workload.Read) {
      return Event.invokeRead(process, key, t);
    } else if (r instanceof Workload.Write w) {
      return Event.invokeWrite(process, key, w.value(), t);
    } else if (r instanceof Workload.Cas c) {
      return Event.invokeCas(process, key, c.from(), c.to(), t);
    }
    throw new AssertionError(r);
  }

  /** The Maelstrom lin-kv request body; keys are JSON numbers, as Maelstrom sends them. */
  private static JsonObject body(Workload.Request r) {
    JsonObject b = Message.newBody(r.f().wireName());
    b.addProperty("key", r.key());
    if (r instanceof Workload.Write w) {
      b.addProperty("value", w.value());
    } else if (r instanceof Workload.Cas c) {
      b.addProperty("from", c.from());
      b.addProperty("to", c.to());
    }
    return b;
  }

  /** Receives replies for one process; holds at most the one outstanding request. */
  private static final class Inbox implements Network.Endpoint {
    private long expectedMsgId = -1;
    private CompletableFuture<Message> pending;

    synchronized CompletableFuture<Message> expect(long msgId) {
      expectedMsgId = msgId;
      pending = new CompletableFuture<>();
      return pending;
    }

    synchronized void forget(long msgId) {
      if (expectedMsgId == msgId) {
        expectedMsgId = -1;
        pending = null;
      }
    }

    @Override
    public boolean deliver(Message m) {
      CompletableFuture<Message> target;
      synchronized (this) {
        boolean matches = m.inReplyTo().isPresent()
            && m.inReplyTo().getAsLong() == expectedMsgId;
        target = matches ? pending : null;
      }
      if (target != null) {
        target.complete(m); // a duplicate reply finds the future done and changes nothing
      }
      return true; // taken; anything unexpected is ignored, as a client ignores stray replies
    }

    @Override
    public boolean isUp() {
      return true;
    }
  }
}
