package pando.maelstrom.node;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.maelstrom.protocol.ErrorCode;
import pando.maelstrom.protocol.MaelstromException;
import pando.maelstrom.protocol.MalformedMessageException;
import pando.maelstrom.protocol.Message;
import pando.maelstrom.protocol.NodeIo;
import pando.raft.KvStateMachine;
import pando.v1.CasRequest;
import pando.v1.CasResponse;
import pando.v1.GetResponse;
import pando.v1.PutRequest;

/**
 * The lin-kv request handlers: {@code read}, {@code write} and {@code cas} through Raft.
 *
 * <p>NodeIo handler threads must not block on Raft: the same threads deliver the {@code raft}
 * messages that Raft needs to make progress. So a handler only hands the request to a bounded
 * pool of blocking Raft calls and returns; the reply is sent when the call ends or when the
 * request's deadline passes, whichever is first.
 *
 * <p>Error codes follow Maelstrom's definite/indefinite rule. A write or cas that failed or ran
 * out of time may still be committed later, so it gets {@code timeout} (0) or {@code crash} (13);
 * only one refused before it reached Raft (node not started, pool full) gets {@code
 * temporarily-unavailable} (11). A failed read changed nothing, so it is always definite (11).
 */
final class LinKvHandlers {
  private static final Duration LEASE_RETRY_PAUSE = Duration.ofMillis(50);

  private final NodeIo io;
  private final Supplier<RaftReplica> replica;
  private final ExecutorService raftCalls;
  private final Duration deadline;
  private final boolean unsafeLocalReads;

  LinKvHandlers(NodeIo io, Supplier<RaftReplica> replica, ExecutorService raftCalls,
      Duration deadline, boolean unsafeLocalReads) {
    this.io = io;
    this.replica = replica;
    this.raftCalls = raftCalls;
    this.deadline = deadline;
    this.unsafeLocalReads = unsafeLocalReads;
  }

  void register() {
    // Fields are checked here, on the handler thread, so a malformed request is answered at once.
    io.on("read", r -> {
      JsonElement key = json(r, "key");
      submit(r, false, rep -> read(rep, key));
    });
    io.on("write", r -> {
      JsonElement key = json(r, "key");
      JsonElement value = json(r, "value");
      submit(r, true, rep -> write(rep, key, value));
    });
    io.on("cas", r -> {
      JsonElement key = json(r, "key");
      JsonElement from = json(r, "from");
      JsonElement to = json(r, "to");
      submit(r, true, rep -> cas(rep, key, from, to));
    });
  }

  /** A blocking Raft call that computes the reply body. */
  @FunctionalInterface
  private interface Call {
    JsonObject run(RaftReplica replica) throws Exception;
  }

  private void submit(Message request, boolean mutating, Call call) {
    RaftReplica rep = replica.get();
    if (rep == null) {
      throw new MaelstromException(ErrorCode.TEMPORARILY_UNAVAILABLE, "raft is not running");
    }
    CompletableFuture<JsonObject> result;
    try {
      result = CompletableFuture.supplyAsync(() -> unchecked(() -> call.run(rep)), raftCalls);
    } catch (RejectedExecutionException e) {
      // Never reached Raft: certainly did not happen.
      throw new MaelstromException(ErrorCode.TEMPORARILY_UNAVAILABLE, "too many requests in flight");
    }
    // The call itself may run on past the deadline (bounded by the Raft client's retry policy);
    // the client has its answer by then and the late outcome is dropped.
    result.orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS).whenComplete((body, error) -> {
      if (error == null) {
        io.reply(request, body);
      } else {
        Throwable cause = unwrap(error);
        io.replyError(request, codeFor(cause, mutating),
            cause instanceof MaelstromException ? cause.getMessage() : String.valueOf(cause));
      }
    });
  }

  static ErrorCode codeFor(Throwable cause, boolean mutating) {
    if (cause instanceof MaelstromException m) {
      return m.code();
    }
    if (!mutating) {
      return ErrorCode.TEMPORARILY_UNAVAILABLE;
    }
    return cause instanceof TimeoutException ? ErrorCode.TIMEOUT : ErrorCode.CRASH;
  }

  private JsonObject read(RaftReplica rep, JsonElement key) throws Exception {
    org.apache.ratis.protocol.Message query = ratis(RangeQuery.newBuilder()
        .addKeys(JsonBytes.encode(key)).build().toByteArray());
    org.apache.ratis.protocol.Message answer = unsafeLocalReads
        ? rep.queryLocally(query)
        : readOnLeaderLease(rep, query);
    GetResponse get = RangeResult.parseFrom(answer.getContent().toByteArray()).getGet().getResults(0);
    if (!get.getFound()) {
      throw new MaelstromException(ErrorCode.KEY_DOES_NOT_EXIST, "no key " + key);
    }
    JsonObject ok = Message.newBody("read_ok");
    ok.add("value", JsonBytes.decode(get.getValue()));
    return ok;
  }

  /**
   * Reads on the leader while it holds its lease. A refusal (lease lapsed, or a deposed leader that
   * has not stepped down yet) is retried until the request's deadline; the reply goes out by then
   * anyway, so a later answer is dropped.
   */
  private org.apache.ratis.protocol.Message readOnLeaderLease(
      RaftReplica rep, org.apache.ratis.protocol.Message query) throws Exception {
    long giveUp = System.nanoTime() + deadline.toNanos();
    while (true) {
      try {
        RaftClientReply reply = rep.client().io().sendReadOnly(query);
        if (reply.isSuccess() || !KvStateMachine.isLeaseRefusal(reply.getException())
            || System.nanoTime() > giveUp) {
          return success(reply);
        }
      } catch (IOException e) {
        // The Ratis client may throw the refusal rather than return it, after its own retries.
        if (!KvStateMachine.isLeaseRefusal(e) || System.nanoTime() > giveUp) {
          throw e;
        }
      }
      Thread.sleep(LEASE_RETRY_PAUSE.toMillis());
    }
  }

  private JsonObject write(RaftReplica rep, JsonElement key, JsonElement value) throws Exception {
    apply(rep, RangeCommand.newBuilder().setPut(PutRequest.newBuilder()
        .setKey(JsonBytes.encode(key)).setValue(JsonBytes.encode(value))).build());
    return Message.newBody("write_ok");
  }

  private JsonObject cas(RaftReplica rep, JsonElement key, JsonElement from, JsonElement to)
      throws Exception {
    CasResponse cas = apply(rep, RangeCommand.newBuilder().setCas(CasRequest.newBuilder()
        .setKey(JsonBytes.encode(key)).setExpected(JsonBytes.encode(from))
        .setNewValue(JsonBytes.encode(to))).build()).getCas();
    if (cas.getSucceeded()) {
      return Message.newBody("cas_ok");
    }
    if (!cas.getCurrentFound()) {
      throw new MaelstromException(ErrorCode.KEY_DOES_NOT_EXIST, "no key " + key);
    }
    throw new MaelstromException(ErrorCode.PRECONDITION_FAILED,
        "expected " + from + ", had " + JsonBytes.decode(cas.getCurrent()));
  }

  /** Commits {@code command}; a result that is not a plain success is indefinite. */
  private static RangeResult apply(RaftReplica rep, RangeCommand command) throws Exception {
    org.apache.ratis.protocol.Message reply = success(
        rep.client().io().send(ratis(command.toByteArray())));
    RangeResult result = RangeResult.parseFrom(reply.getContent().toByteArray());
    if (result.getStatus() != RangeResult.Status.OK) {
      // APPLIED_RESULT_UNKNOWN (applied before a restart, result lost) is the case that matters.
      throw new MaelstromException(ErrorCode.CRASH, result.getStatus() + ": " + result.getMessage());
    }
    return result;
  }

  private static org.apache.ratis.protocol.Message success(RaftClientReply reply) throws Exception {
    if (!reply.isSuccess()) {
      throw reply.getException() != null ? reply.getException()
          : new IllegalStateException("raft reply without success: " + reply);
    }
    return reply.getMessage();
  }

  private static org.apache.ratis.protocol.Message ratis(byte[] bytes) {
    return org.apache.ratis.protocol.Message.valueOf(ByteString.copyFrom(bytes));
  }

  private static JsonElement json(Message request, String field) {
    JsonElement e = request.get(field);
    if (e == null || e.isJsonNull()) {
      throw new MalformedMessageException(request.type() + " has no " + field);
    }
    return e;
  }

  private static <T> T unchecked(Callable<T> c) {
    try {
      return c.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
