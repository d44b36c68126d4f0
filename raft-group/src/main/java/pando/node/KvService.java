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
 */
final class KvService extends KVGrpc.KVImplBase {
  // The node's current layout; replaced when the placement driver publishes a newer table.
  private final Supplier<RangeLayout> layout;
  private final RangeReplicas replicas;
  private final RequestLimits limits;
  private final Duration requestTimeoutMax;
  private final RouteCheck routes;

  KvService(Supplier<RangeLayout> layout, RangeReplicas replicas, RequestLimits limits, Duration requestTimeoutMax) {
    this.layout = layout;
    this.replicas = replicas;
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
    write(request.getKey(), RangeCommand.newBuilder().setPut(request.toBuilder().clearRoute()).build(),
        RangeResult::getPut, response);
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> response) {
    if (rejected(limits.checkWrittenKey(request.getKey()), response)
        || misrouted(request.hasRoute(), request.getRoute(), List.of(request.getKey()), true, response)) {
      return;
    }
    write(request.getKey(), RangeCommand.newBuilder().setDelete(request.toBuilder().clearRoute()).build(),
        RangeResult::getDelete, response);
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
    write(request.getKey(), RangeCommand.newBuilder().setCas(request.toBuilder().clearRoute()).build(),
        RangeResult::getCas, response);
  }

  @Override
  public void incr(IncrRequest request, StreamObserver<IncrResponse> response) {
    if (rejected(limits.checkKey(request.getKey()), response)
        || misrouted(request.hasRoute(), request.getRoute(), List.of(request.getKey()), true, response)) {
      return;
    }
    write(request.getKey(), RangeCommand.newBuilder().setIncr(request.toBuilder().clearRoute()).build(),
        RangeResult::getIncr, response);
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    if (rejected(limits.checkKey(request.getKey()).or(() -> checkConsistency(request.getConsistency())), response)
        || misrouted(request.hasRoute(), request.getRoute(), List.of(request.getKey()),
            request.getConsistency() != ReadConsistency.STALE, response)) {
      return;
    }
    long rangeId = layout.get().rangeFor(request.getKey().toByteArray()).id();
    RangeQuery query = RangeQuery.newBuilder().addKeys(request.getKey()).build();
    complete(rangeId, read(rangeId, query, request.getConsistency()), r -> r.getGet().getResults(0), response);
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
    // One query per range; results are put back in request order.
    Map<Long, List<Integer>> positionsByRange = new LinkedHashMap<>();
    for (int i = 0; i < request.getKeysCount(); i++) {
      long rangeId = layout.get().rangeFor(request.getKeys(i).toByteArray()).id();
      positionsByRange.computeIfAbsent(rangeId, id -> new ArrayList<>()).add(i);
    }
    GetResponse[] results = new GetResponse[request.getKeysCount()];
    List<CompletableFuture<Void>> parts = new ArrayList<>();
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
        throw new RangeFailure(Status.RESOURCE_EXHAUSTED.withDescription("the values of these " + results.length
            + " keys add up to " + answer.getSerializedSize() + " bytes; one answer may carry at most "
            + limits.maxMessageBytes() + " bytes, so ask for fewer keys"));
      }
      return answer;
    }, response);
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
    Map<Long, BatchPutRequest.Builder> byRange = new LinkedHashMap<>();
    for (KeyValue entry : request.getEntriesList()) {
      long rangeId = layout.get().rangeFor(entry.getKey().toByteArray()).id();
      byRange.computeIfAbsent(rangeId, id -> BatchPutRequest.newBuilder()).addEntries(entry);
    }
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    byRange.forEach((rangeId, part) -> parts.add(
        bounded(replicas.write(rangeId, RangeCommand.newBuilder().setBatchPut(part).build()), rangeId)
            .thenAccept(r -> checked(rangeId, r))));
    whenAll(parts, BatchPutResponse::getDefaultInstance, response);
  }

  private <T> void write(
      ByteString key, RangeCommand command, Function<RangeResult, T> extract, StreamObserver<T> response) {
    long rangeId = layout.get().rangeFor(key.toByteArray()).id();
    complete(rangeId, replicas.write(rangeId, command), extract, response);
  }

  private CompletableFuture<RangeResult> read(long rangeId, RangeQuery query, ReadConsistency consistency) {
    return replicas.read(rangeId, query, consistency == ReadConsistency.STALE);
  }

  private <T> void complete(
      long rangeId, CompletableFuture<RangeResult> pending, Function<RangeResult, T> extract, StreamObserver<T> response) {
    bounded(pending, rangeId).whenComplete((result, error) -> {
      if (error != null) {
        response.onError(toStatus(error).asRuntimeException());
        return;
      }
      Status status = StatusMapping.forResult(result);
      if (!status.isOk()) {
        response.onError(status.asRuntimeException());
        return;
      }
      response.onNext(extract.apply(result));
      response.onCompleted();
    });
  }

  private <T> void whenAll(List<CompletableFuture<Void>> parts, java.util.function.Supplier<T> answer, StreamObserver<T> response) {
    CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
      if (error != null) {
        response.onError(toStatus(error).asRuntimeException());
        return;
      }
      T result;
      try {
        result = answer.get();
      } catch (RangeFailure failure) {
        response.onError(failure.status.asRuntimeException());
        return;
      }
      response.onNext(result);
      response.onCompleted();
    });
  }

  /** A range failure inside a batch, carried to {@link #whenAll} with its status already chosen. */
  private static final class RangeFailure extends RuntimeException {
    final Status status;

    RangeFailure(Status status) {
      super(status.getDescription(), null, false, false);
      this.status = status;
    }
  }

  private static RangeResult checked(long rangeId, RangeResult result) {
    Status status = StatusMapping.forResult(result);
    if (!status.isOk()) {
      throw new RangeFailure(status);
    }
    return result;
  }

  private CompletableFuture<RangeResult> bounded(CompletableFuture<RangeResult> pending, long rangeId) {
    return pending
        .orTimeout(waitMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(error -> {
          throw new RangeFailure(StatusMapping.forFailure(rangeId, error));
        });
  }

  private static Status toStatus(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && !(t instanceof RangeFailure)) {
      t = t.getCause();
    }
    return t instanceof RangeFailure failure ? failure.status : Status.INTERNAL.withDescription(String.valueOf(t));
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
