package pando.raft;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's Ratis client for one range, replaced when it breaks.
 *
 * <p>Ratis sends a client's async writes through one ordered stream. When a write fails for good
 * (its retries ran out while the range had no leader, say), Ratis fails that stream and every
 * later request on the client fails with "is closed". A node must outlive such an outage, so a
 * failed ordered write swaps in a fresh client for the next requests. Reads use the unordered
 * path, which does not break this way.
 */
final class RangeClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RangeClient.class);
  static final int ATTEMPTS_MAX = 20;
  static final long RETRY_SLEEP_MILLIS = 100;
  // Membership changes and leader transfers are rare and block while they wait: a few threads,
  // shared by all ranges, with a bounded queue so a stuck PD cannot pile them up.
  private static final java.util.concurrent.ExecutorService ADMIN_CALLS = new java.util.concurrent.ThreadPoolExecutor(
      0, 4, 30, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(64), r -> {
        Thread t = new Thread(r, "range-admin");
        t.setDaemon(true);
        return t;
      });

  // Ratis waits on a semaphore when a client has its maximum of writes outstanding; node handlers
  // run on the gRPC event loop and must never wait, so this bound (at most Ratis's) refuses instead.
  private final java.util.concurrent.Semaphore inFlight;
  // Closing a broken client shuts its channels down and waits for them: never on a caller's thread.
  private static final java.util.concurrent.ExecutorService CLOSER = new java.util.concurrent.ThreadPoolExecutor(
      0, 1, 30, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(256), r -> {
        Thread t = new Thread(r, "raft-client-closer");
        t.setDaemon(true);
        return t;
      }, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());

  private final long rangeId;
  private final int inFlightMax;
  private final RaftProperties properties;
  private final RaftGroup group;
  private final AtomicReference<RaftClient> current;

  RangeClient(long rangeId, RaftProperties properties, RaftGroup group, int inFlightMax) {
    this.rangeId = rangeId;
    this.inFlightMax = inFlightMax;
    this.inFlight = new java.util.concurrent.Semaphore(inFlightMax);
    this.properties = properties;
    this.group = group;
    this.current = new AtomicReference<>(newClient());
  }

  private RaftClient newClient() {
    return RaftClient.newBuilder()
        .setProperties(properties)
        .setRaftGroup(group)
        .setClientRpc(new GrpcFactory(new Parameters()).newRaftClientRpc(ClientId.randomId(), properties))
        // Bounded: the caller's deadline cuts the wait shorter still.
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            ATTEMPTS_MAX, TimeDuration.valueOf(RETRY_SLEEP_MILLIS, TimeUnit.MILLISECONDS)))
        .build();
  }

  /**
   * Sends a write through the range's leader, or fails at once with {@link RangeBusyException} when
   * {@code inFlightMax} writes of this range are already outstanding from this node.
   */
  CompletableFuture<RaftClientReply> write(Message message) {
    if (!inFlight.tryAcquire()) {
      return CompletableFuture.failedFuture(new RangeBusyException(rangeId, inFlightMax));
    }
    RaftClient client = current.get();
    CompletableFuture<RaftClientReply> sent;
    try {
      sent = client.async().send(message);
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    return sent.whenComplete((reply, error) -> {
      inFlight.release();
      if (error != null) {
        replace(client, error);
      }
    });
  }


  /**
   * A read answered by the leader's state machine while the leader holds its lease. A refusal
   * (the lease lapsed, or the replica asked was cut off and does not know it is deposed yet) is
   * retried a bounded number of times: a lapsed lease returns with the next answered heartbeat, and
   * a deposed leader steps down within the maximum election timeout, after which Ratis points the
   * client to the new one.
   */
  CompletableFuture<RaftClientReply> linearizableRead(Message message) {
    return linearizableRead(message, 1);
  }

  private CompletableFuture<RaftClientReply> linearizableRead(Message message, int attempt) {
    return current.get().async().sendReadOnlyUnordered(message)
        .handle((reply, error) -> {
          Throwable refusal = error != null ? error : reply.isSuccess() ? null : reply.getException();
          if (refusal == null || !KvStateMachine.isLeaseRefusal(refusal) || attempt >= ATTEMPTS_MAX) {
            return error == null ? CompletableFuture.completedFuture(reply)
                : CompletableFuture.<RaftClientReply>failedFuture(error);
          }
          return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(
                  RETRY_SLEEP_MILLIS, TimeUnit.MILLISECONDS))
              .thenCompose(ignored -> linearizableRead(message, attempt + 1));
        })
        .thenCompose(f -> f);
  }

  /**
   * Sets the range's voters through its leader. Ratis's admin calls block, so this runs on the
   * common pool; its duration is bounded by the client's retries and request timeout.
   */
  CompletableFuture<Void> setMembers(java.util.List<org.apache.ratis.protocol.RaftPeer> voters) {
    return CompletableFuture.runAsync(() -> {
      try {
        RaftClientReply reply = current.get().admin().setConfiguration(voters);
        if (!reply.isSuccess()) {
          throw new java.util.concurrent.CompletionException(reply.getException());
        }
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, ADMIN_CALLS);
  }

  CompletableFuture<Void> transferLeader(RaftPeerId to, java.time.Duration timeout) {
    return CompletableFuture.runAsync(() -> {
      try {
        RaftClientReply reply = current.get().admin().transferLeadership(to, timeout.toMillis());
        if (!reply.isSuccess()) {
          throw new java.util.concurrent.CompletionException(reply.getException());
        }
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, ADMIN_CALLS);
  }

  CompletableFuture<RaftClientReply> staleRead(Message message, RaftPeerId replica) {
    return current.get().async().sendStaleRead(message, 0, replica);
  }

  private void replace(RaftClient broken, Throwable cause) {
    RaftClient fresh = newClient();
    if (current.compareAndSet(broken, fresh)) {
      LOG.info("range={} event=raft-client-replaced cause={}", rangeId, cause.toString());
      CLOSER.execute(() -> closeQuietly(broken));
    } else {
      CLOSER.execute(() -> closeQuietly(fresh));
    }
  }

  private static void closeQuietly(RaftClient client) {
    try {
      client.close();
    } catch (IOException e) {
      LOG.warn("event=raft-client-close-failed error={}", e.toString());
    }
  }

  @Override
  public void close() {
    closeQuietly(current.get());
  }
}
