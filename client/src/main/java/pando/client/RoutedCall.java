package pando.client;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import pando.api.RouteErrors;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.api.range.RouteCache;
import pando.v1.KVGrpc;
import pando.v1.Route;
import pando.v1.RouteError;
import pando.v1.WriteId;

/**
 * One client call carried to completion: its keys grouped by range, one request per range sent to
 * a replica with the route it was chosen by, and each refusal or failure answered by the rule
 * that fits it (see {@link RoutingClient}). A group whose keys turn out to span several ranges
 * after a split is regrouped and each part carries on from the attempts already spent.
 *
 * <p>Single-use. Each group keeps its own state; the only shared state is in {@link Shared}.
 */
final class RoutedCall {
  /** Most attempts per group of keys; an attempt is a request to a node or a failed PD fetch. */
  // Enough to ride out a leader transfer and a membership change (each an election timeout, 1-2 s,
  // of stale leader hints), with the backoff between attempts; the caller's deadline still rules.
  static final int MAX_ATTEMPTS = 16;

  /**
   * How writes get their identity ({@link WriteId}), which they keep across every attempt so that
   * their range applies them at most once; reads and session openings need none.
   */
  interface Identities {
    /**
     * A new identity for a write to {@code range}, from this client's session there; opening the
     * session, if it must, takes at most {@code maxAttempts} attempts.
     */
    WriteId issue(RangeDescriptor range, Deadline deadline, int maxAttempts);

    /** The call that used {@code id} has ended. */
    void done(WriteId id);

    /** Range {@code rangeId} does not know the session of {@code id} (see {@link WriterSessions#lost}). */
    void lost(long rangeId, WriteId id);
  }

  /** Where a request for the keys of one range goes: any replica, or the leader. */
  enum Target {
    LEADER,
    /** STALE reads: nodes check epoch and bounds but not leadership, so any replica serves. */
    ANY_REPLICA
  }

  /**
   * Sends the request for the keys at {@code positions} (all of one range) and keeps the answer;
   * {@code id} is the write's identity, null for a call without {@link Identities}.
   */
  interface Sender {
    void send(KVGrpc.KVBlockingStub stub, Route route, List<Integer> positions, WriteId id);
  }

  /** What all calls of one client share. */
  record Shared(Routes routes, NodeChannels channels, Backoff backoff, Random random, Executor fanOut) {}

  private final Shared shared;
  private final Deadline deadline;
  private final Identities identities;
  private final Target target;
  private final long[] hashes;
  private final Sender sender;
  private final int maxAttempts;

  // Every identity this call's writes used, handed back when it ends.
  private final List<WriteId> issued = Collections.synchronizedList(new ArrayList<>());

  /** @param identities how writes get their identity; null for reads and session openings */
  RoutedCall(Shared shared, Deadline deadline, Identities identities, Target target, long[] hashes, Sender sender) {
    this(shared, deadline, identities, target, hashes, sender, MAX_ATTEMPTS);
  }

  /** @param maxAttempts most attempts per group of keys; {@link #MAX_ATTEMPTS} for a request */
  RoutedCall(Shared shared, Deadline deadline, Identities identities, Target target, long[] hashes, Sender sender,
      int maxAttempts) {
    this.maxAttempts = maxAttempts;
    this.shared = shared;
    this.deadline = deadline;
    this.identities = identities;
    this.target = target;
    this.hashes = hashes.clone();
    this.sender = sender;
  }

  /** Runs the call; returns once every key was answered, or throws {@link PandoException}. */
  void run() {
    List<Integer> all = IntStream.range(0, hashes.length).boxed().toList();
    try {
      new Group(all, new Tally()).run(true);
    } finally {
      if (identities != null) {
        List.copyOf(issued).forEach(identities::done);
      }
    }
  }

  /** The attempts and backoffs a group has spent, and why the last attempt failed. */
  private static final class Tally {
    int attempts;
    int backoffs;
    String lastError;
    Throwable lastCause;
    /** The write's identity, kept across attempts once the first is sent; null before (or for reads). */
    WriteId id;
    /** The range {@link #id} was issued for, and whether an attempt carried it yet. */
    long idRange;
    boolean idSent;
    /** True once an attempt went unanswered: it may have reached a leader and been applied. */
    boolean mayHaveApplied;

    Tally copy() {
      Tally copy = new Tally();
      copy.attempts = attempts;
      copy.backoffs = backoffs;
      copy.lastError = lastError;
      copy.lastCause = lastCause;
      copy.id = id;
      copy.idRange = idRange;
      copy.idSent = idSent;
      copy.mayHaveApplied = mayHaveApplied;
      return copy;
    }

    void failed(String error, Throwable cause) {
      lastError = error;
      lastCause = cause;
    }
  }

  /** Keys expected to share a range, and what their retries have learned so far. */
  private final class Group {
    private final List<Integer> positions;
    private final Tally tally;
    /** The range view the fields below belong to; they start over when it changes. */
    private RangeDescriptor view;
    /** Addresses of replicas of {@link #view} that did not answer (or refused to know it). */
    private final Set<String> unanswered = new HashSet<>();
    /** For STALE reads: the replicas of {@link #view} in a random order, drawn once per view. */
    private List<String> shuffled;
    /** The leader a NOT_LEADER answer named, for the next attempt only. */
    private String redirect;
    /** Addresses that answered NOT_LEADER in this call: a hint back to one of them means views differ. */
    private final Set<String> saidNotLeader = new HashSet<>();
    /** Set when the routing table must be fetched before the next attempt: the fetch mark. */
    private Long refreshAfter;
    private boolean backOff;
    private boolean justRefreshed;

    Group(List<Integer> positions, Tally tally) {
      this.positions = positions;
      this.tally = tally;
    }

    void run(boolean mayFanOut) {
      while (true) {
        waitIfAsked();
        checkBudget();
        if (refreshAfter != null && !refresh()) {
          continue;
        }
        long mark = shared.routes().fetchMark();
        RouteCache cache = shared.routes().view();
        Map<Long, List<Integer>> byRange = new LinkedHashMap<>();
        Map<Long, RangeDescriptor> ranges = new LinkedHashMap<>();
        Optional<Long> unplaced = groupByRange(cache, byRange, ranges);
        if (unplaced.isPresent()) {
          onGap(unplaced.get(), mark);
          continue;
        }
        justRefreshed = false;
        if (byRange.size() > 1) {
          runParts(new ArrayList<>(byRange.values()), mayFanOut);
          return;
        }
        RangeDescriptor range = ranges.values().iterator().next();
        if (attempt(range, mark)) {
          return;
        }
      }
    }

    private void waitIfAsked() {
      if (!backOff) {
        return;
      }
      backOff = false;
      long nanos = shared.backoff().delayNanos(tally.backoffs++, deadline.timeRemaining(TimeUnit.NANOSECONDS));
      try {
        TimeUnit.NANOSECONDS.sleep(nanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PandoException(Status.Code.CANCELLED, "cancelled: interrupted while waiting to retry", e);
      }
    }

    private void checkBudget() {
      // Only a write has an outcome to be unsure of.
      String unknown = tally.mayHaveApplied && identities != null
          ? "; the outcome is unknown: an attempt went unanswered, so the write may have taken effect (once at most)"
          : "";
      if (deadline.isExpired()) {
        String last = tally.lastError != null ? tally.lastError : "no answer before the deadline";
        throw new PandoException(Status.Code.DEADLINE_EXCEEDED,
            "timed out after " + attempts(tally.attempts) + ": " + last + unknown, tally.lastCause);
      }
      if (tally.attempts >= maxAttempts) {
        throw new PandoException(Status.Code.UNAVAILABLE,
            "gave up after " + attempts(tally.attempts) + ": " + tally.lastError + unknown, tally.lastCause);
      }
    }

    /** Asks the PD for the table; false if that failed in a way worth another try. */
    private boolean refresh() {
      try {
        shared.routes().refresh(refreshAfter, deadline);
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        String problem = "placement driver: " + PandoException.from(e, "the placement driver").getMessage();
        if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
          throw new PandoException(code, problem, e);
        }
        // The PD may be electing a leader: count it, wait, ask again.
        tally.attempts++;
        tally.failed(problem, e);
        backOff = true;
        return false;
      }
      refreshAfter = null;
      justRefreshed = true;
      return true;
    }

    /** Fills the maps from the cache; the hash of a key no cached range covers, if there is one. */
    private Optional<Long> groupByRange(
        RouteCache cache, Map<Long, List<Integer>> byRange, Map<Long, RangeDescriptor> ranges) {
      for (int position : positions) {
        Optional<RangeDescriptor> range = cache.locate(hashes[position]);
        if (range.isEmpty()) {
          return Optional.of(hashes[position]);
        }
        ranges.putIfAbsent(range.get().rangeId(), range.get());
        byRange.computeIfAbsent(range.get().rangeId(), id -> new ArrayList<>()).add(position);
      }
      return Optional.empty();
    }

    private void onGap(long hash, long mark) {
      if (justRefreshed) {
        // Even a fresh table leaves the key unplaced: the PD lags behind what a node told us.
        tally.attempts++;
        tally.failed(String.format("unavailable: no known range holds key hash %016x yet", hash), null);
        backOff = true;
      }
      justRefreshed = false;
      refreshAfter = mark;
    }

    /** The parts run one after another, or (top level only) side by side on the fan-out pool. */
    private void runParts(List<List<Integer>> parts, boolean mayFanOut) {
      List<Group> groups = parts.stream().map(p -> new Group(p, tally.copy())).toList();
      if (!mayFanOut) {
        // Nested runs stay on their thread: a pool task waiting for pool tasks could deadlock.
        groups.forEach(g -> g.run(false));
        return;
      }
      RuntimeException failure = null;
      List<CompletableFuture<Void>> others = new ArrayList<>();
      for (Group g : groups.subList(1, groups.size())) {
        try {
          others.add(CompletableFuture.runAsync(() -> g.run(false), shared.fanOut()));
        } catch (RejectedExecutionException e) {
          failure = new PandoException(Status.Code.CANCELLED, "cancelled: the client is closed", e);
          break;
        }
      }
      try {
        if (failure == null) {
          groups.get(0).run(false);
        }
      } catch (RuntimeException e) {
        failure = e;
      }
      // Wait for every part, failed or not, so that no write of this call is still under way once
      // the caller hears how it ended.
      for (CompletableFuture<Void> other : others) {
        try {
          other.join();
        } catch (CompletionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException r ? r : e;
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    }

    /** One request to one node; true when it was answered. */
    private boolean attempt(RangeDescriptor range, long mark) {
      // An identity comes from the session of the range the write goes to; once an attempt carried
      // it, it stays, wherever the write goes next (a range that split copies its sessions).
      if (identities != null && (tally.id == null || !tally.idSent && tally.idRange != range.rangeId())) {
        tally.id = identities.issue(range, deadline, maxAttempts);
        tally.idRange = range.rangeId();
        issued.add(tally.id);
        // Opening a session may have taught the client a newer table: group the keys again first.
        return false;
      }
      if (view == null || !sameView(view, range)) {
        view = range;
        unanswered.clear();
        shuffled = null;
      }
      Optional<String> address = Optional.ofNullable(redirect).or(() -> nextReplica(range));
      redirect = null;
      if (address.isEmpty()) {
        everyReplicaFailed(range, mark);
        return false;
      }
      tally.attempts++;
      tally.idSent = tally.id != null;
      try {
        sender.send(shared.channels().stub(address.get()).withDeadline(deadline), route(range), positions, tally.id);
        return true;
      } catch (StatusRuntimeException e) {
        shared.channels().reconnectSoonAfter(address.get(), e);
        tally.failed(PandoException.from(e, address.get()).getMessage(), e);
        Optional<RouteError> routeError = RouteErrors.from(e);
        if (routeError.isPresent()) {
          onRouteError(routeError.get(), range, address.get(), mark, e);
        } else {
          onFailure(e, address.get());
        }
        return false;
      }
    }

    private void everyReplicaFailed(RangeDescriptor range, long mark) {
      if (unanswered.isEmpty()) {
        // Nothing was even tried: no replica has a known address.
        tally.attempts++;
        tally.failed("unavailable: no address is known for any replica of range " + range.rangeId()
            + " " + range.replicas(), null);
      }
      // Try them all again after the table is fetched; it may well name the same nodes.
      unanswered.clear();
      refreshAfter = mark;
      backOff = true;
    }

    private Optional<String> nextReplica(RangeDescriptor range) {
      for (String node : replicaOrder(range)) {
        Optional<String> address = shared.routes().apiAddress(node);
        if (address.isPresent() && !unanswered.contains(address.get())) {
          return address;
        }
      }
      return Optional.empty();
    }

    private List<String> replicaOrder(RangeDescriptor range) {
      if (target == Target.ANY_REPLICA) {
        if (shuffled == null) {
          List<String> order = new ArrayList<>(range.replicas());
          Collections.shuffle(order, shared.random());
          shuffled = order;
        }
        return shuffled;
      }
      List<String> order = new ArrayList<>(range.replicas());
      range.leader().ifPresent(leader -> {
        order.remove(leader);
        order.add(0, leader);
      });
      return order;
    }

    private void onRouteError(
        RouteError error, RangeDescriptor range, String address, long mark, StatusRuntimeException e) {
      switch (error.getKind()) {
        case STALE_EPOCH -> {
          if (!learnedFrom(error, range)) {
            refreshAfter = mark;
            backOff = true;
          }
        }
        case NOT_LEADER -> {
          Optional<String> leader = shared.routes()
              .recordLeader(range.rangeId(), error.getLeaderId(), error.getLeaderAddress());
          saidNotLeader.add(address);
          if (leader.isPresent() && !unanswered.contains(leader.get())) {
            redirect = leader.get();
            // Two nodes naming each other (one has not yet heard of an election the other lost)
            // agree within an election timeout: wait a little rather than spend every attempt
            // bouncing between them.
            backOff = !leader.get().equals(address) && saidNotLeader.contains(leader.get());
          } else {
            refreshAfter = mark;
            backOff = true;
          }
        }
        case SESSION_LOST -> {
          if (tally.mayHaveApplied) {
            throw new PandoException(Status.Code.UNAVAILABLE, "the outcome is unknown: an earlier attempt went"
                + " unanswered and may have been applied, and range " + range.rangeId() + " no longer remembers"
                + " this write (" + e.getStatus().getDescription() + ")", e);
          }
          // Nothing of this write was applied anywhere: send it again under a new identity.
          identities.lost(range.rangeId(), tally.id);
          tally.id = null;
          tally.idSent = false;
        }
        case UNKNOWN_RANGE -> {
          // Try another replica next, in case only this one is behind (e.g. it is being added).
          unanswered.add(address);
          shared.routes().invalidate(range.rangeId());
          refreshAfter = mark;
          backOff = true;
        }
        default -> throw PandoException.from(e, address);
      }
    }

    /** Installs the range a STALE_EPOCH answer carried; true if the route we used is now replaced. */
    private boolean learnedFrom(RouteError error, RangeDescriptor routed) {
      if (!error.hasCurrent()) {
        return false;
      }
      try {
        shared.routes().install(RangeProtos.fromProto(error.getCurrent()));
      } catch (IllegalArgumentException unreadable) {
        return false;
      }
      // If the node's view is not newer than ours, retrying at once would only hear it again.
      return !shared.routes().stillHolds(routed);
    }

    private void onFailure(StatusRuntimeException e, String address) {
      Status.Code code = e.getStatus().getCode();
      // "channel closed": the connection dropped mid-call (the node died); no answer came, as with
      // UNAVAILABLE. A node's own UNKNOWN (a result lost across a restart) is an answer.
      boolean noAnswer = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
          || (code == Status.Code.UNKNOWN && "channel closed".equals(e.getStatus().getDescription()));
      if (!noAnswer) {
        throw PandoException.from(e, address);
      }
      // Sent again with the same identity, a write that did reach a leader is not applied twice.
      tally.mayHaveApplied |= !neverConnected(e);
      unanswered.add(address);
      backOff = true;
    }
  }

  private static Route route(RangeDescriptor range) {
    return Route.newBuilder()
        .setRangeId(range.rangeId())
        .setEpoch(RangeProtos.toProto(range.epoch()))
        .build();
  }

  /** Same range, bounds and epoch; the leader hint may differ. */
  private static boolean sameView(RangeDescriptor a, RangeDescriptor b) {
    return a.rangeId() == b.rangeId() && a.bounds().equals(b.bounds()) && a.epoch().equals(b.epoch());
  }

  /**
   * True if the failure shows the request never left this client: the connection could not be
   * opened at all, so no node can have applied it and even cas and incr may be sent elsewhere.
   */
  static boolean neverConnected(StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
      return false;
    }
    Throwable t = e;
    // Bounded walk: a cause chain with a cycle must not hang the client.
    for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  private static String attempts(int n) {
    return n + (n == 1 ? " attempt" : " attempts");
  }
}
