package pando.client;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import pando.api.RouteErrors;
import pando.api.range.Epoch;
import pando.api.range.EpochCheck;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
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
import pando.v1.RouteError;

/**
 * A scripted stand-in for a node's KV service: it holds the ranges a test gives it, leads the ones
 * it is told to, checks each request's route as a real node does (epoch and bounds through {@link
 * EpochCheck}, leadership except for STALE reads), and records every request with whether it was
 * served. Only served requests touch its in-memory data.
 */
final class FakeNode extends KVGrpc.KVImplBase {
  /** One request as the node saw it. */
  record Received(String method, Route route, List<ByteString> keys, boolean served) {}

  final String id;
  private volatile String address;
  private final Map<Long, RangeDescriptor> ranges = new ConcurrentHashMap<>();
  private final Set<Long> leads = ConcurrentHashMap.newKeySet();
  private volatile RouteError notLeader = RouteError.newBuilder().setKind(RouteError.Kind.NOT_LEADER).build();
  private volatile Supplier<StatusRuntimeException> failure;
  private volatile boolean silent;
  final Map<ByteString, ByteString> data = new ConcurrentHashMap<>();
  // Like a range's sessions: the answer to each identified write it applied (by range, session and
  // seq), so a copy is not applied again.
  private final Map<List<Long>, Object> answered = new ConcurrentHashMap<>();
  // Writes applied whose answer is then dropped (the caller sees UNAVAILABLE), and session refusals to make.
  private final java.util.concurrent.atomic.AtomicInteger answersToDrop = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger sessionsToForget = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong sessions = new java.util.concurrent.atomic.AtomicLong(100);
  private final List<Received> received = new CopyOnWriteArrayList<>();

  FakeNode(String id) {
    this.id = id;
  }

  String address() {
    return address;
  }

  void setAddress(String address) {
    this.address = address;
  }

  /** Holds a replica of {@code range} (replacing any view of that id), leading it if asked. */
  FakeNode holds(RangeDescriptor range, boolean leader) {
    ranges.put(range.rangeId(), range);
    if (leader) {
      leads.add(range.rangeId());
    } else {
      leads.remove(range.rangeId());
    }
    return this;
  }

  /**
   * Refuses the next {@code count} requests that need a leader NOT_LEADER, and leads {@code range}
   * from then on: a range electing its leader for a while, as after a split.
   */
  FakeNode leadingAfter(RangeDescriptor range, int count) {
    holds(range, false);
    refusalsBeforeLeading.set(count);
    leaderToBe = range.rangeId();
    return this;
  }

  private final java.util.concurrent.atomic.AtomicInteger refusalsBeforeLeading = new java.util.concurrent.atomic.AtomicInteger();
  private volatile long leaderToBe = -1;

  /** NOT_LEADER answers name this leader (by default they name none). */
  FakeNode notLeaderNaming(String leaderId, String leaderAddress) {
    notLeader = RouteError.newBuilder()
        .setKind(RouteError.Kind.NOT_LEADER)
        .setLeaderId(leaderId)
        .setLeaderAddress(leaderAddress)
        .build();
    return this;
  }

  /** Every request is answered with this error instead of being checked or served. */
  FakeNode failingWith(Supplier<StatusRuntimeException> error) {
    failure = error;
    return this;
  }

  /** The next {@code count} writes are applied, and then answered UNAVAILABLE as if the connection broke. */
  FakeNode droppingAnswers(int count) {
    answersToDrop.set(count);
    return this;
  }

  /** The next {@code count} identified writes are refused SESSION_LOST, as by a range that forgot the session. */
  FakeNode forgettingSessions(int count) {
    sessionsToForget.set(count);
    return this;
  }

  /** Every request is received and never answered. */
  FakeNode silent() {
    silent = true;
    return this;
  }

  /** Like {@link #silent}, but it opens writer sessions. */
  FakeNode silentExceptSessionOpenings() {
    silentExceptSessions = true;
    return this;
  }

  /** A session whose write had its answer dropped is then forgotten, as by a range where it expired. */
  FakeNode forgettingSessionsAfterADroppedAnswer() {
    forgetAfterDrop = true;
    return this;
  }

  private volatile boolean silentExceptSessions;
  private volatile boolean forgetAfterDrop;
  private final Set<Long> forgotten = ConcurrentHashMap.newKeySet();

  FakeNode store(byte[] key, String value) {
    data.put(ByteString.copyFrom(key), ByteString.copyFromUtf8(value));
    return this;
  }

  /** The data requests received: every request but the openings of writer sessions. */
  List<Received> received() {
    return received.stream().filter(r -> !r.method().equals("openSession")).toList();
  }

  List<Received> served() {
    return received().stream().filter(Received::served).toList();
  }

  /** Every request received, session openings included. */
  List<Received> all() {
    return List.copyOf(received);
  }

  /** The writer sessions opened here. */
  List<Received> sessionOpenings() {
    return received.stream().filter(r -> r.method().equals("openSession") && r.served()).toList();
  }

  /** How many writes of {@code method} changed the data: each identified write counts once. */
  int applied(String method) {
    return applications.getOrDefault(method, 0);
  }

  private final Map<String, Integer> applications = new ConcurrentHashMap<>();

  @Override
  public void openSession(pando.v1.OpenSessionRequest request, StreamObserver<pando.v1.OpenSessionResponse> out) {
    if (admit("openSession", request.getRoute(), List.of(), true, out)) {
      reply(out, pando.v1.OpenSessionResponse.newBuilder().setSession(sessions.incrementAndGet())
          .setRangeId(request.getRoute().getRangeId()).build());
    }
  }

  /** Answers a write once per identity, as a range does: a copy gets the first answer, changing nothing. */
  @SuppressWarnings("unchecked")
  private <T> void once(String method, Route route, boolean identified, pando.v1.WriteId id, StreamObserver<T> out, Supplier<T> apply) {
    if (identified && (forgotten.contains(id.getSession()) || sessionsToForget.getAndUpdate(n -> Math.max(0, n - 1)) > 0)) {
      out.onError(RouteErrors.toStatus(RouteError.newBuilder().setKind(RouteError.Kind.SESSION_LOST).build(),
          "writer session not open on this range"));
      return;
    }
    T answer;
    synchronized (answered) {
      List<Long> key = List.of(route.getRangeId(), id.getSession(), id.getSeq());
      Object previous = identified ? answered.get(key) : null;
      if (previous != null) {
        answer = (T) previous;
      } else {
        answer = apply.get();
        applications.merge(method, 1, Integer::sum);
        if (identified) {
          answered.put(key, answer);
        }
      }
    }
    if (answersToDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      if (forgetAfterDrop) {
        forgotten.add(id.getSession());
      }
      out.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
      return;
    }
    reply(out, answer);
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> out) {
    if (admit("put", request.getRoute(), List.of(request.getKey()), true, out)) {
      once("put", request.getRoute(), request.hasWriteId(), request.getWriteId(), out, () -> {
        data.put(request.getKey(), request.getValue());
        return PutResponse.getDefaultInstance();
      });
    }
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> out) {
    boolean needsLeader = request.getConsistency() != ReadConsistency.STALE;
    if (admit("get", request.getRoute(), List.of(request.getKey()), needsLeader, out)) {
      reply(out, lookup(request.getKey()));
    }
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> out) {
    if (admit("delete", request.getRoute(), List.of(request.getKey()), true, out)) {
      once("delete", request.getRoute(), request.hasWriteId(), request.getWriteId(), out,
          () -> DeleteResponse.newBuilder().setDeleted(data.remove(request.getKey()) != null).build());
    }
  }

  @Override
  public void cas(CasRequest request, StreamObserver<CasResponse> out) {
    if (!admit("cas", request.getRoute(), List.of(request.getKey()), true, out)) {
      return;
    }
    once("cas", request.getRoute(), request.hasWriteId(), request.getWriteId(), out, () -> {
      synchronized (data) {
        Optional<ByteString> current = Optional.ofNullable(data.get(request.getKey()));
        Optional<ByteString> expected = request.hasExpected() ? Optional.of(request.getExpected()) : Optional.empty();
        if (current.equals(expected)) {
          data.put(request.getKey(), request.getNewValue());
          return CasResponse.newBuilder().setSucceeded(true).build();
        }
        CasResponse.Builder failed = CasResponse.newBuilder().setCurrentFound(current.isPresent());
        current.ifPresent(failed::setCurrent);
        return failed.build();
      }
    });
  }

  @Override
  public void incr(IncrRequest request, StreamObserver<IncrResponse> out) {
    if (!admit("incr", request.getRoute(), List.of(request.getKey()), true, out)) {
      return;
    }
    once("incr", request.getRoute(), request.hasWriteId(), request.getWriteId(), out, () -> {
      synchronized (data) {
        ByteString old = data.get(request.getKey());
        long value = (old == null ? 0 : old.asReadOnlyByteBuffer().getLong()) + request.getDelta();
        data.put(request.getKey(), ByteString.copyFrom(ByteBuffer.allocate(8).putLong(0, value)));
        return IncrResponse.newBuilder().setValue(value).build();
      }
    });
  }

  @Override
  public void batchGet(BatchGetRequest request, StreamObserver<BatchGetResponse> out) {
    boolean needsLeader = request.getConsistency() != ReadConsistency.STALE;
    if (admit("batchGet", request.getRoute(), request.getKeysList(), needsLeader, out)) {
      BatchGetResponse.Builder answer = BatchGetResponse.newBuilder();
      request.getKeysList().forEach(k -> answer.addResults(lookup(k)));
      reply(out, answer.build());
    }
  }

  @Override
  public void batchPut(BatchPutRequest request, StreamObserver<BatchPutResponse> out) {
    List<ByteString> keys = request.getEntriesList().stream().map(KeyValue::getKey).toList();
    if (admit("batchPut", request.getRoute(), keys, true, out)) {
      once("batchPut", request.getRoute(), request.hasWriteId(), request.getWriteId(), out, () -> {
        request.getEntriesList().forEach(e -> data.put(e.getKey(), e.getValue()));
        return BatchPutResponse.getDefaultInstance();
      });
    }
  }

  private GetResponse lookup(ByteString key) {
    ByteString value = data.get(key);
    return value == null
        ? GetResponse.newBuilder().setFound(false).build()
        : GetResponse.newBuilder().setFound(true).setValue(value).build();
  }

  /** Records the request; true if it is to be served, else it has been answered (or dropped). */
  private boolean admit(String method, Route route, List<ByteString> keys, boolean needsLeader, StreamObserver<?> out) {
    if (silent || silentExceptSessions && !method.equals("openSession")) {
      received.add(new Received(method, route, keys, false));
      return false;
    }
    Optional<StatusRuntimeException> refusal = refusal(route, keys, needsLeader);
    received.add(new Received(method, route, keys, refusal.isEmpty()));
    refusal.ifPresent(out::onError);
    return refusal.isEmpty();
  }

  private Optional<StatusRuntimeException> refusal(Route route, List<ByteString> keys, boolean needsLeader) {
    Supplier<StatusRuntimeException> scripted = failure;
    if (scripted != null) {
      return Optional.of(scripted.get());
    }
    Epoch epoch;
    try {
      epoch = RangeProtos.fromProto(route.getEpoch());
    } catch (IllegalArgumentException e) {
      return Optional.of(Status.INVALID_ARGUMENT.withDescription("invalid route: " + e.getMessage()).asRuntimeException());
    }
    long rangeId = route.getRangeId();
    EpochCheck.Verdict verdict = EpochCheck.checkKeys(rangeId, epoch, Optional.ofNullable(ranges.get(rangeId)),
        keys.stream().map(ByteString::toByteArray).toList());
    if (verdict instanceof EpochCheck.StaleEpoch stale) {
      return Optional.of(RouteErrors.toStatus(RouteError.newBuilder()
          .setKind(RouteError.Kind.STALE_EPOCH)
          .setCurrent(RangeProtos.toProto(stale.current()))
          .build(), "stale route to range " + rangeId));
    }
    if (verdict instanceof EpochCheck.UnknownRange) {
      return Optional.of(RouteErrors.toStatus(
          RouteError.newBuilder().setKind(RouteError.Kind.UNKNOWN_RANGE).build(), "no range " + rangeId + " here"));
    }
    if (verdict instanceof EpochCheck.FutureEpoch) {
      return Optional.of(Status.UNAVAILABLE.withDescription("behind on range " + rangeId).asRuntimeException());
    }
    if (needsLeader && rangeId == leaderToBe && refusalsBeforeLeading.getAndDecrement() <= 0) {
      leads.add(rangeId);
    }
    if (needsLeader && !leads.contains(rangeId)) {
      return Optional.of(RouteErrors.toStatus(notLeader, "node " + id + " does not lead range " + rangeId));
    }
    return Optional.empty();
  }

  private static <T> void reply(StreamObserver<T> out, T answer) {
    out.onNext(answer);
    out.onCompleted();
  }
}
