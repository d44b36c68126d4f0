package pando.cli;

import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import pando.client.CasResult;
import pando.client.KvClient;
import pando.client.PandoException;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.Kind;
import pando.maelstrom.harness.HistoryRecorder;
import pando.maelstrom.harness.ProcessIds;
import pando.maelstrom.harness.Workload;
import pando.v1.ReadConsistency;

/**
 * One client of {@code pando check}: runs one operation at a time through a {@link KvClient} and
 * records it, as a Jepsen process does. What a completion is recorded as follows docs/api.md, as a
 * client that believes the docs would act on it:
 *
 * <ul>
 *   <li>an answer: {@code ok} (a Cas that found another value: {@code fail}, nothing changed);
 *   <li>a failed read: {@code fail}, since a read changes nothing;
 *   <li>a write refused with a code the docs call definite ({@link #DEFINITE}), or whose description
 *       says nothing was applied: {@code fail};
 *   <li>any other failed write: {@code info}, it may or may not have taken effect. The process is
 *       then crashed, as in Jepsen: its operation stays open, and the client goes on as a new
 *       process.
 * </ul>
 *
 * <p>So the checker also checks the error model: a write reported as refused that did take effect
 * makes the history non-linearizable.
 */
final class CheckClient {
  /** Codes that, for a write, mean nothing was applied (docs/api.md, "Errors"). */
  static final Set<Status.Code> DEFINITE = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.FAILED_PRECONDITION,
      Status.Code.OUT_OF_RANGE, Status.Code.RESOURCE_EXHAUSTED, Status.Code.NOT_FOUND, Status.Code.ALREADY_EXISTS,
      Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED);

  /** Words the docs put in an error's description when a write was refused before it was proposed. */
  static final String NOTHING_APPLIED = "nothing was applied";

  /** What happened to one operation, and the error if it failed. */
  record Completion(Event event, Optional<PandoException> error) {}

  private final HistoryRecorder history;
  private final ProcessIds processes;
  private final Supplier<KvClient> route;
  private final ReadConsistency reads;
  private int process;

  /**
   * @param route the client to send the next operation through (the routing client, or a node
   *     chosen at random)
   * @param reads LINEARIZABLE, or STALE to show that the check catches stale reads
   */
  CheckClient(HistoryRecorder history, ProcessIds processes, Supplier<KvClient> route, ReadConsistency reads) {
    this.history = history;
    this.processes = processes;
    this.route = route;
    this.reads = reads;
    this.process = processes.next();
  }

  /** The key a check's register {@code key} is stored under. */
  static byte[] keyOf(int key) {
    return ("check-" + key).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] valueOf(long value) {
    return Long.toString(value).getBytes(StandardCharsets.UTF_8);
  }

  private static Long parse(Optional<byte[]> value) {
    return value.map(v -> Long.parseLong(new String(v, StandardCharsets.UTF_8))).orElse(null);
  }

  /** Runs {@code request}, recording its invocation and completion. */
  Completion run(Workload.Request request) {
    String key = Integer.toString(request.key());
    byte[] storedKey = keyOf(request.key());
    KvClient client = route.get();
    Event invoke = history.invoke(now -> invocation(request, key, now));
    try {
      if (request instanceof Workload.Write w) {
        client.put(storedKey, valueOf(w.value()));
        return done(invoke, Event.Type.OK, w.value());
      }
      if (request instanceof Workload.Cas c) {
        CasResult result = client.cas(storedKey, Optional.of(valueOf(c.from())), valueOf(c.to()));
        return done(invoke, result.succeeded() ? Event.Type.OK : Event.Type.FAIL, invoke.value());
      }
      return done(invoke, Event.Type.OK, parse(client.get(storedKey, reads)));
    } catch (PandoException e) {
      Event.Type type = outcomeOf(request.f(), e.code(), e.getMessage());
      Completion failed = new Completion(history.complete(invoke, type, invoke.value()), Optional.of(e));
      if (type == Event.Type.INFO) {
        process = processes.next(); // crashed: its write stays open for ever
      }
      return failed;
    }
  }

  private Event invocation(Workload.Request request, String key, long now) {
    if (request instanceof Workload.Write w) {
      return Event.invokeWrite(process, key, w.value(), now);
    }
    if (request instanceof Workload.Cas c) {
      return Event.invokeCas(process, key, c.from(), c.to(), now);
    }
    return Event.invokeRead(process, key, now);
  }

  private Completion done(Event invoke, Event.Type type, Object value) {
    return new Completion(history.complete(invoke, type, value), Optional.empty());
  }

  /** How a failed operation is recorded: {@code fail} if it certainly changed nothing, else {@code info}. */
  static Event.Type outcomeOf(Kind f, Status.Code code, String message) {
    if (f == Kind.READ || DEFINITE.contains(code) || String.valueOf(message).contains(NOTHING_APPLIED)) {
      return Event.Type.FAIL;
    }
    return Event.Type.INFO;
  }
}
