package pando.api;

import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How Pando's gRPC connections notice a dead peer: a channel pings its connection every {@link
 * #PING_EVERY} and drops it when a ping goes unanswered for {@link #PING_TIMEOUT}, idle or not. A
 * connection cut off in a partition is then replaced within seconds, not when the kernel gives up
 * on it (minutes), so a healed link carries traffic again almost at once. Servers permit pings this
 * often ({@link #PERMIT_EVERY}); gRPC's default would close such a connection as abusive.
 */
public final class KeepAlive {
  public static final Duration PING_EVERY = Duration.ofSeconds(2);
  public static final Duration PING_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration PERMIT_EVERY = Duration.ofSeconds(1);

  private KeepAlive() {}

  /**
   * After a call failed UNAVAILABLE, lets the channel reconnect at once on the next call instead
   * of after its reconnect backoff, which grows to minutes over a long outage: a caller that
   * retries on its own schedule then finds a healed link as soon as it tries.
   */
  public static void reconnectSoonAfter(io.grpc.ManagedChannel channel, Throwable failure) {
    if (io.grpc.Status.fromThrowable(failure).getCode() == io.grpc.Status.Code.UNAVAILABLE) {
      channel.resetConnectBackoff();
    }
  }

  /** Sets the pings on a channel builder; returns it. */
  public static <B extends ManagedChannelBuilder<?>> B on(B builder) {
    builder.keepAliveTime(PING_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    builder.keepAliveTimeout(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    builder.keepAliveWithoutCalls(true);
    return builder;
  }
}
