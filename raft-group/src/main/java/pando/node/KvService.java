package pando.node;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import pando.api.RequestLimits;
import pando.api.hot.HotKey;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.raft.RangeReplicas;
import pando.v1.BatchGetRequest;
import pando.v1.BatchGetResponse;
import pando.v1.BatchPutRequest;
import pando.v1.BatchPutResponse;
import pando.v1.CasRequest;
import pando.v1.CasResponse;
import pando.v1.DeleteRequest;
import pando.v1.DeleteResponse;
import pando.v1.GetRequest;
import pando.v1.GetResponse;
import pando.v1.IncrRequest;
import pando.v1.IncrResponse;
import pando.v1.KVGrpc;
import pando.v1.KeyValue;
import pando.v1.PutRequest;
import pando.v1.PutResponse;
import pando.v1.ReadConsistency;
import pando.v1.Route;

/**
 * The public KV service of a node. It checks each request against the limits, finds the range that
 * owns each key, and hands the request to that range's leader through {@link RangeReplicas}, so any
 * node serves any key. Every request waits at most until the caller's deadline or {@code
 * requestTimeoutMax}, whichever is sooner.
 *
 * <p>Hot keys ({@link HotKeyView}, {@link SaltedCopies}): a write of a read-hot key is copied to its
 * salted copies before it is answered; a read of a salted counter sums its copies; a read or Incr
 * of a copy is served only while the copy is in use, and Put, Delete or Cas of a salted counter is
 * refused. Each request decides by the hot-key table it started under and holds it until answered.
 */
final class KvService extends KVGrpc.KVImplBase {
  // The node's current layout; replaced when the placement driver publishes a newer table.
  private final Supplier<RangeLayout> layout;
  private final RangeAccess access;
  private final NodeWriter writer;
  private final RequestLimits limits;
  private final Duration requestTimeoutMax;
  private final RouteCheck routes;
  private final HotKeyView hotKeys;
  private final SaltedCopies copies;
  private final LayoutChanges layoutChanges;

  KvService(Supplier<RangeLayout> layout, RangeReplicas replicas, RangeAccess access, NodeWriter writer,
      RequestLimits limits, Duration requestTimeoutMax, HotKeyView hotKeys, SaltedCopies copies,
      LayoutChanges layoutChanges) {
    this.layout = layout;
    this.layoutChanges = layoutChanges;
    this.access = access;
    this.writer = writer;
    this.hotKeys = hotKeys;
    this.copies = copies;
    this.limits = limits;
    this.requestTimeoutMax = requestTimeoutMax;
    this.routes = new RouteCheck(layout, replicas::isLeader, replicas::leaderOf);
  }

  /** Answers a wrongly routed request and returns true; see {@link RouteCheck}. */
  private boolean misrouted(boolean routed, Route route, List<ByteString> keys, boolean needsLeader,
      StreamObserver<?> response) {
    Optional<io.grpc.StatusRuntimeException> error = routes.check(routed, route, keys, needsLeader);
    error.ifPresent(response::onError);
    return error.isPresent();
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> response) {
    if (rejected(limits.checkKeyAndValue(request.getKey(), request.getValue()), response)
        || misrouted(request.hasRoute(), request.getRoute(), List.of(request.getKey()), true, response)) {
      return;
    }
    write(request.getKey(), RangeCommand.newBuilder().setPut(request.toBuilder().clearRoute().clearWriteId()).build(),
        writeId(request.hasWriteId(), request.getWriteId()), RangeResult::getPut, response);
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> response) {
    if (rejected(limits.checkWrittenKey(request.getKey()), response)
        || misrouted(request.hasRoute(), request.getRoute(), List.of(request.getKey()), true, response)) {
      return;
    }
    write(request.getKey(), RangeCommand.newBuilder().setDelete(request.toBuilder().clearRoute().clearWriteId()).build(),
        writeId(request.hasWriteId(), request.getWriteId()), RangeResult::getDelete, response);
  }

  @Override
  public void cas(CasRequest request, StreamObserver<CasResponse> response) {
    Optional<String> problem = limits.checkKeyAndValue(request.getKey(), request.getNewValue());
    if (problem.isEmpty() && request.hasExpected()) {
      problem = limits.checkValue(request.getExpected()).map(m -> "expected " + m);
    }
    if (rejected(problem, response)
        || misrouted(request.hasRoute(), request.getRoute(), List.of(request.getKey()), true, response)) {
      return;
    }
    write(request.getKey(), RangeCommand.newBuilder().setCas(request.toBuilder().clearRoute().clearWriteId()).build(),
        writeId(request.hasWriteId(), request.getWriteId()), RangeResult::getCas, response);
  }

  @Override
  public void incr(IncrRequest request, StreamObserver<IncrResponse> response) {
    if (rejected(limits.checkIncrementedKey(request.getKey()), response)
        || misrouted(request.hasRoute(), request.getRoute(), List.of(request.getKey()), true, response)) {
      return;
    }
    write(request.getKey(), RangeCommand.newBuilder().setIncr(request.toBuilder().clearRoute().clearWriteId()).build(),
        writeId(request.hasWriteId(), request.getWriteId()), RangeResult::getIncr, response);
  }

  @Override
  public void openSession(pando.v1.OpenSessionRequest request, StreamObserver<pando.v1.OpenSessionResponse> response) {
    // A routing client names the range; anyone else names a key of it.
    if (!request.hasRoute() && rejected(limits.checkKey(request.getKey()), response)
        || misrouted(request.hasRoute(), request.getRoute(), List.of(), true, response)) {
      return;
    }
    long rangeId = request.hasRoute() ? request.getRoute().getRangeId()
        : layout.get().rangeFor(request.getKey().toByteArray()).id();
    pando.internal.v1.Proposal open = pando.internal.v1.Proposal.newBuilder()
        .setCommand(RangeCommand.newBuilder().setOpenSession(pando.internal.v1.OpenSession.getDefaultInstance()))
        .build();
    complete(rangeId, access.write(rangeId, open, deadlineNanos(), new RangeAccess.Attempts()),
        r -> pando.v1.OpenSessionResponse.newBuilder().setSession(r.getOpenSession().getSession())
            .setRangeId(rangeId).build(), response);
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    if (rejected(limits.checkKey(request.getKey()).or(() -> checkConsistency(request.getConsistency())), response)
        || misrouted(request.hasRoute(), request.getRoute(), List.of(request.getKey()),
            request.getConsistency() != ReadConsistency.STALE, response)) {
      return;
    }
    HotKeyView.Ticket ticket = hotKeys.begin();
    Optional<String> refusal = SaltedCopies.copyReadRefusal(ticket.table(), request.getKey());
    if (refusal.isPresent()) {
      ticket.close();
      response.onError(Status.FAILED_PRECONDITION.withDescription(refusal.get()).asRuntimeException());
      return;
    }
    long rangeId = layout.get().rangeFor(request.getKey().toByteArray()).id();
    Optional<HotKey> counter = SaltedCopies.counter(ticket.table(), request.getKey());
    if (counter.isPresent()) {
      answer(rangeId, copies.sumCounter(counter.get(), request.getConsistency() == ReadConsistency.STALE),
          new Closing<>(response, ticket));
      return;
    }
    RangeQuery query = RangeQuery.newBuilder().addKeys(request.getKey()).build();
    long deadline = deadlineNanos();
    // A read changes nothing, so one that met a split is always safe to send where the key went.
    CompletableFuture<RangeResult> read = rerouted(request.getKey(),
        id -> access.read(id, query, request.getConsistency() == ReadConsistency.STALE, deadline), deadline,
        REROUTES_MAX);
    complete(rangeId, read, r -> r.getGet().getResults(0), new Closing<>(response, ticket));
  }

  @Override
  public void batchGet(BatchGetRequest request, StreamObserver<BatchGetResponse> response) {
    Optional<String> problem = limits.checkBatchSize(request.getKeysCount())
        .or(() -> checkConsistency(request.getConsistency()));
    for (int i = 0; problem.isEmpty() && i < request.getKeysCount(); i++) {
      int index = i;
      problem = limits.checkKey(request.getKeys(i)).map(m -> "key #" + index + ": " + m);
    }
    if (rejected(problem, response)
        || misrouted(request.hasRoute(), request.getRoute(), request.getKeysList(),
            request.getConsistency() != ReadConsistency.STALE, response)) {
      return;
    }
    HotKeyView.Ticket ticket = hotKeys.begin();
    for (int i = 0; i < request.getKeysCount(); i++) {
      Optional<String> refusal = SaltedCopies.copyReadRefusal(ticket.table(), request.getKeys(i));
      if (refusal.isPresent()) {
        ticket.close();
        response.onError(Status.FAILED_PRECONDITION.withDescription("key #" + i + ": " + refusal.get())
            .asRuntimeException());
        return;
      }
    }
    // One query per range; results are put back in request order. Salted counters are summed.
    GetResponse[] results = new GetResponse[request.getKeysCount()];
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    Map<Long, List<Integer>> positionsByRange = new LinkedHashMap<>();
    for (int i = 0; i < request.getKeysCount(); i++) {
      Optional<HotKey> counter = SaltedCopies.counter(ticket.table(), request.getKeys(i));
      if (counter.isPresent()) {
        int position = i;
        long rangeId = layout.get().rangeFor(request.getKeys(i).toByteArray()).id();
        parts.add(bounded(copies.sumCounter(counter.get(), request.getConsistency() == ReadConsistency.STALE), rangeId)
            .thenAccept(sum -> results[position] = sum));
        continue;
      }
      long rangeId = layout.get().rangeFor(request.getKeys(i).toByteArray()).id();
      positionsByRange.computeIfAbsent(rangeId, id -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<Long, List<Integer>> part : positionsByRange.entrySet()) {
      RangeQuery.Builder query = RangeQuery.newBuilder();
      part.getValue().forEach(i -> query.addKeys(request.getKeys(i)));
      parts.add(
          bounded(read(part.getKey(), query.build(), request.getConsistency()), part.getKey())
              .thenApply(r -> checked(part.getKey(), r))
              .thenAccept(r -> {
                for (int k = 0; k < part.getValue().size(); k++) {
                  results[part.getValue().get(k)] = r.getGet().getResults(k);
                }
              }));
    }
    whenAll(parts, () -> {
      BatchGetResponse answer = BatchGetResponse.newBuilder().addAllResults(List.of(results)).build();
      if (answer.getSerializedSize() > limits.maxMessageBytes()) {
        throw new StatusFailure(Status.RESOURCE_EXHAUSTED.withDescription("the values of these " + results.length
            + " keys add up to " + answer.getSerializedSize() + " bytes; one answer may carry at most "
            + limits.maxMessageBytes() + " bytes, so ask for fewer keys"));
      }
      return answer;
    }, new Closing<>(response, ticket));
  }

  @Override
  public void batchPut(BatchPutRequest request, StreamObserver<BatchPutResponse> response) {
    Optional<String> problem = limits.checkBatchSize(request.getEntriesCount());
    long totalBytes = 0;
    for (int i = 0; problem.isEmpty() && i < request.getEntriesCount(); i++) {
      KeyValue entry = request.getEntries(i);
      int index = i;
      problem = limits.checkKeyAndValue(entry.getKey(), entry.getValue()).map(m -> "entry #" + index + ": " + m);
      totalBytes += entry.getKey().size() + entry.getValue().size();
    }
    if (problem.isEmpty() && totalBytes > limits.maxBatchBytes()) {
      problem = Optional.of("batch holds " + totalBytes + " bytes of keys and values; the limit is "
          + limits.maxBatchBytes() + " bytes");
    }
    if (rejected(problem, response)
        || misrouted(request.hasRoute(), request.getRoute(),
            request.getEntriesList().stream().map(KeyValue::getKey).toList(), true, response)) {
      return;
    }
    HotKeyView.Ticket ticket = hotKeys.begin();
    for (int i = 0; i < request.getEntriesCount(); i++) {
      if (SaltedCopies.counter(ticket.table(), request.getEntries(i).getKey()).isPresent()) {
        ticket.close();
        response.onError(Status.FAILED_PRECONDITION.withDescription("entry #" + i + ": " + COUNTER_WRITE)
            .asRuntimeException());
        return;
      }
    }
    CompletableFuture<Void> nextTable = layoutChanges.next();
    RangeLayout routedBy = layout.get();
    Map<Long, BatchPutRequest.Builder> byRange = byRange(routedBy, request.getEntriesList());
    if (request.hasWriteId() && byRange.size() > 1) {
      ticket.close();
      response.onError(Status.INVALID_ARGUMENT.withDescription("a BatchPut with a write_id must hold keys of one"
          + " range only (a session belongs to one range); split the batch by range").asRuntimeException());
      return;
    }
    pando.v1.WriteId id = writeId(request.hasWriteId(), request.getWriteId());
    long deadline = deadlineNanos();
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    byRange.forEach((rangeId, part) ->
        parts.add(putPart(rangeId, part, id, deadline, routedBy, nextTable, REROUTES_MAX, ticket)));
    whenAll(parts, BatchPutResponse::getDefaultInstance, new Closing<>(response, ticket));
  }

  private static Map<Long, BatchPutRequest.Builder> byRange(RangeLayout routing, List<KeyValue> entries) {
    Map<Long, BatchPutRequest.Builder> byRange = new LinkedHashMap<>();
    for (KeyValue entry : entries) {
      long rangeId = routing.rangeFor(entry.getKey().toByteArray()).id();
      byRange.computeIfAbsent(rangeId, id -> BatchPutRequest.newBuilder()).addEntries(entry);
    }
    return byRange;
  }

  /**
   * Writes one range's part of a batch. If the range split since the part was routed (nothing of
   * it was applied), the part follows its keys once the node has the newer table, as a single-key
   * write does; a part with the caller's write_id only while its keys still share one range.
   */
  private CompletableFuture<Void> putPart(long rangeId, BatchPutRequest.Builder part, pando.v1.WriteId id,
      long deadlineNanos, RangeLayout routedBy, CompletableFuture<Void> nextTable, int reroutesLeft,
      HotKeyView.Ticket ticket) {
    RangeCommand command = RangeCommand.newBuilder().setBatchPut(part).build();
    return bounded(writer.write(rangeId, command, id, deadlineNanos), rangeId).thenCompose(result -> {
      if (result.getStatus() != RangeResult.Status.WRONG_RANGE || reroutesLeft == 0) {
        return copyBatch(ticket, part, checked(rangeId, result));
      }
      return newerTable(routedBy, nextTable, deadlineNanos).thenCompose(arrived -> {
        CompletableFuture<Void> newerNext = layoutChanges.next();
        RangeLayout now = layout.get();
        Map<Long, BatchPutRequest.Builder> regrouped = byRange(now, part.getEntriesList());
        if (!arrived || (id != null && regrouped.size() > 1)) {
          return copyBatch(ticket, part, checked(rangeId, result)); // fails with the range's answer
        }
        List<CompletableFuture<Void>> pieces = new ArrayList<>();
        regrouped.forEach((nextRange, piece) -> pieces.add(
            putPart(nextRange, piece, id, deadlineNanos, now, newerNext, reroutesLeft - 1, ticket)));
        return CompletableFuture.allOf(pieces.toArray(CompletableFuture[]::new));
      });
    });
  }

  /**
   * Completes with true once the node serves by a table newer than {@code routedBy} ({@code
   * nextTable} taken before routing by it), false if the deadline comes first.
   */
  private CompletableFuture<Boolean> newerTable(RangeLayout routedBy, CompletableFuture<Void> nextTable,
      long deadlineNanos) {
    long leftNanos = deadlineNanos - System.nanoTime();
    if (layout.get().version() > routedBy.version()) {
      return CompletableFuture.completedFuture(true);
    }
    if (leftNanos <= 0) {
      return CompletableFuture.completedFuture(false);
    }
    return nextTable.orTimeout(leftNanos, TimeUnit.NANOSECONDS).handle((ok, timedOut) -> timedOut == null);
  }

  static final String COUNTER_WRITE =
      "key is salted as a counter: only Incr and Get are served until it is unsalted";

  /** Copies the read-hot keys of one range's part of a batch to their salted copies. */
  private CompletableFuture<Void> copyBatch(HotKeyView.Ticket ticket, BatchPutRequest.Builder part, RangeResult result) {
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (KeyValue entry : part.getEntriesList()) {
      Optional<HotKey> hot = ticket.table().lookup(entry.getKey()).filter(SaltedCopies::copiesWrites);
      if (hot.isPresent()) {
        RangeCommand put = RangeCommand.newBuilder()
            .setPut(PutRequest.newBuilder().setKey(entry.getKey()).setValue(entry.getValue())).build();
        all = all.thenCompose(ignored -> copiesOf(hot.get(), put, result));
      }
    }
    return all;
  }

  /** The caller's identity of a write, or null if it gave none (the node then gives it one). */
  private static pando.v1.WriteId writeId(boolean given, pando.v1.WriteId id) {
    return given ? id : null;
  }

  private long deadlineNanos() {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis());
  }

  private <T> void write(ByteString key, RangeCommand command, pando.v1.WriteId id, Function<RangeResult, T> extract,
      StreamObserver<T> response) {
    HotKeyView.Ticket ticket = hotKeys.begin();
    Optional<HotKey> hot = ticket.table().lookup(key);
    Optional<String> refusal = command.hasIncr()
        ? SaltedCopies.copyIncrementRefusal(ticket.table(), key)
        : SaltedCopies.counter(ticket.table(), key).map(h -> COUNTER_WRITE);
    if (refusal.isPresent()) {
      ticket.close();
      response.onError(Status.FAILED_PRECONDITION.withDescription(refusal.get()).asRuntimeException());
      return;
    }
    long rangeId = layout.get().rangeFor(key.toByteArray()).id();
    CompletableFuture<RangeResult> pending = writeRerouted(key, command, id, deadlineNanos(), REROUTES_MAX);
    if (hot.isPresent() && SaltedCopies.copiesWrites(hot.get())) {
      pending = pending.thenCompose(r -> copiesOf(hot.get(), command, r).thenApply(ignored -> r));
    }
    complete(rangeId, pending, extract, new Closing<>(response, ticket));
  }

  /** How many times one write follows its key to the range it moved to in a split. */
  private static final int REROUTES_MAX = 3;

  /**
   * Writes one key through its range; if the range answers that the key is no longer its own (it
   * split after the write was routed here), nothing was applied, so the write waits for the table
   * that says where the key went and goes there, within its deadline. Given up, the range's answer
   * stands. A caller's write_id stays valid: a split copies every writer session to both halves.
   */
  private CompletableFuture<RangeResult> writeRerouted(ByteString key, RangeCommand command,
      pando.v1.WriteId id, long deadlineNanos, int reroutesLeft) {
    return rerouted(key, rangeId -> writer.write(rangeId, command, id, deadlineNanos), deadlineNanos, reroutesLeft);
  }

  /**
   * Sends {@code attempt} to the range of {@code key}; if that range answers that the key is no
   * longer its own (it split after the request was routed here; nothing was applied), waits for the
   * table that says where the key went and sends it there, within the deadline, at most {@code
   * reroutesLeft} more times. Given up, the range's answer stands.
   */
  private CompletableFuture<RangeResult> rerouted(ByteString key,
      java.util.function.LongFunction<CompletableFuture<RangeResult>> attempt, long deadlineNanos, int reroutesLeft) {
    CompletableFuture<Void> nextTable = layoutChanges.next();
    RangeLayout routedBy = layout.get();
    long rangeId = routedBy.rangeFor(key.toByteArray()).id();
    return attempt.apply(rangeId).thenCompose(result -> {
      if (result.getStatus() != RangeResult.Status.WRONG_RANGE || reroutesLeft == 0) {
        return CompletableFuture.completedFuture(result);
      }
      return newerTable(routedBy, nextTable, deadlineNanos)
          .thenCompose(arrived -> arrived ? rerouted(key, attempt, deadlineNanos, reroutesLeft - 1)
              : CompletableFuture.completedFuture(result));
    });
  }

  /**
   * Copies a write of a read-hot key to its copies. If a copy does not take it in time, the write
   * has still taken effect at the key: the answer says so rather than invite a blind retry.
   */
  private CompletableFuture<Void> copiesOf(HotKey hot, RangeCommand command, RangeResult result) {
    return copies.copyWrite(hot, command, result)
        .orTimeout(waitMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(error -> {
          throw new StatusFailure(Status.UNKNOWN.withDescription("the write took effect, but not every salted copy of"
              + " this hot key took it yet (" + StatusMapping.forFailure("a salted copy", error).getDescription()
              + "); readers may see the previous value until the next write or the placement driver's repair"));
        });
  }

  /** Answers with what {@code pending} completes with, within the request's deadline. */
  private <T> void answer(long rangeId, CompletableFuture<T> pending, StreamObserver<T> response) {
    bounded(pending, rangeId).whenComplete((value, error) -> {
      if (error != null) {
        response.onError(toException(error));
      } else {
        response.onNext(value);
        response.onCompleted();
      }
    });
  }

  /** A response that lets its request's hot-key ticket go once answered, either way. */
  private static final class Closing<T> implements StreamObserver<T> {
    private final StreamObserver<T> delegate;
    private final HotKeyView.Ticket ticket;

    Closing(StreamObserver<T> delegate, HotKeyView.Ticket ticket) {
      this.delegate = delegate;
      this.ticket = ticket;
    }

    @Override
    public void onNext(T value) {
      delegate.onNext(value);
    }

    @Override
    public void onError(Throwable t) {
      ticket.close();
      delegate.onError(t);
    }

    @Override
    public void onCompleted() {
      ticket.close();
      delegate.onCompleted();
    }
  }

  private CompletableFuture<RangeResult> read(long rangeId, RangeQuery query, ReadConsistency consistency) {
    return access.read(rangeId, query, consistency == ReadConsistency.STALE, deadlineNanos());
  }

  private <T> void complete(
      long rangeId, CompletableFuture<RangeResult> pending, Function<RangeResult, T> extract, StreamObserver<T> response) {
    bounded(pending, rangeId).whenComplete((result, error) -> {
      if (error != null) {
        response.onError(toException(error));
        return;
      }
      if (StatusMapping.forResult(result).isOk()) {
        response.onNext(extract.apply(result));
        response.onCompleted();
      } else {
        response.onError(StatusFailure.of(result).asException());
      }
    });
  }

  private <T> void whenAll(List<CompletableFuture<Void>> parts, java.util.function.Supplier<T> answer, StreamObserver<T> response) {
    CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
      if (error != null) {
        response.onError(toException(error));
        return;
      }
      T result;
      try {
        result = answer.get();
      } catch (StatusFailure failure) {
        response.onError(failure.asException());
        return;
      }
      response.onNext(result);
      response.onCompleted();
    });
  }

  private static RangeResult checked(long rangeId, RangeResult result) {
    if (!StatusMapping.forResult(result).isOk()) {
      throw StatusFailure.of(result);
    }
    return result;
  }

  /** {@code pending}, failed with the status to answer if it fails or outlasts the request's deadline. */
  private <T> CompletableFuture<T> bounded(CompletableFuture<T> pending, long rangeId) {
    return pending
        .orTimeout(waitMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(error -> {
          Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
              ? error.getCause() : error;
          throw cause instanceof StatusFailure chosen ? chosen : new StatusFailure(StatusMapping.forFailure(rangeId, error));
        });
  }

  private static io.grpc.StatusRuntimeException toException(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && !(t instanceof StatusFailure)) {
      t = t.getCause();
    }
    return t instanceof StatusFailure failure ? failure.asException()
        : StatusMapping.forFailure("the request", t).asRuntimeException();
  }

  private long waitMillis() {
    long max = requestTimeoutMax.toMillis();
    Deadline deadline = Context.current().getDeadline();
    return deadline == null ? max : Math.max(1, Math.min(max, deadline.timeRemaining(TimeUnit.MILLISECONDS)));
  }

  private static Optional<String> checkConsistency(ReadConsistency consistency) {
    return consistency == ReadConsistency.UNRECOGNIZED
        ? Optional.of("unknown read consistency; use LINEARIZABLE or STALE")
        : Optional.empty();
  }

  private static boolean rejected(Optional<String> problem, StreamObserver<?> response) {
    problem.ifPresent(m -> response.onError(Status.INVALID_ARGUMENT.withDescription(m).asRuntimeException()));
    return problem.isPresent();
  }
}
