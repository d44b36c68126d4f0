package pando.raft;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * This node's Ratis client for one range, for the range's membership changes and leader transfers
 * (writes and reads take {@code pando.node.RangeAccess}, not a Ratis client).
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

  private final long rangeId;
  private final RaftProperties properties;
  private final RaftGroup group;
  private final RaftClient client;

  RangeClient(long rangeId, RaftProperties properties, RaftGroup group) {
    this.rangeId = rangeId;
    this.properties = properties;
    this.group = group;
    this.client = newClient();
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
   * Sets the range's voters through its leader. Ratis's admin calls block, so this runs on the
   * common pool; its duration is bounded by the client's retries and request timeout.
   */
  CompletableFuture<Void> setMembers(java.util.List<org.apache.ratis.protocol.RaftPeer> voters) {
    return CompletableFuture.runAsync(() -> {
      try {
        RaftClientReply reply = client.admin().setConfiguration(voters);
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
        RaftClientReply reply = client.admin().transferLeadership(to, timeout.toMillis());
        if (!reply.isSuccess()) {
          throw new java.util.concurrent.CompletionException(reply.getException());
        }
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, ADMIN_CALLS);
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
    closeQuietly(client);
  }
}
