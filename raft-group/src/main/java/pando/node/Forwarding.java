package pando.node;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import pando.v1.ForwardedRead;
import pando.v1.ForwardedReply;
import pando.v1.ForwardedWrite;
import pando.v1.RangeDataGrpc;

/**
 * This node's connections to the other nodes' API ports, for the writes and reads it hands to a
 * range's leader: one gRPC channel per node, shared by every range and request.
 *
 * <p>Channels ping their connection ({@link pando.api.KeepAlive}), so one that died in a partition
 * is noticed within seconds; a failed call resets the channel's reconnect backoff, so the next
 * call after a link heals connects at once.
 */
final class Forwarding implements AutoCloseable {
  private final int maxMessageBytes;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  Forwarding(int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Sends a write to the node at {@code address}, waiting at most until {@code deadlineNanos}. */
  CompletableFuture<ForwardedReply> write(String address, ForwardedWrite write, long deadlineNanos) {
    return call(address, deadlineNanos, stub -> stub.write(write));
  }

  CompletableFuture<ForwardedReply> read(String address, ForwardedRead read, long deadlineNanos) {
    return call(address, deadlineNanos, stub -> stub.read(read));
  }

  private CompletableFuture<ForwardedReply> call(String address, long deadlineNanos,
      Function<RangeDataGrpc.RangeDataFutureStub, ListenableFuture<ForwardedReply>> send) {
    ManagedChannel channel = channels.computeIfAbsent(address, this::open);
    long remaining = Math.max(1, deadlineNanos - System.nanoTime());
    CompletableFuture<ForwardedReply> reply = new CompletableFuture<>();
    Futures.addCallback(send.apply(RangeDataGrpc.newFutureStub(channel).withDeadlineAfter(remaining, TimeUnit.NANOSECONDS)),
        new FutureCallback<>() {
          @Override
          public void onSuccess(ForwardedReply result) {
            reply.complete(result);
          }

          @Override
          public void onFailure(Throwable error) {
            pando.api.KeepAlive.reconnectSoonAfter(channel, error);
            reply.completeExceptionally(error);
          }
        }, MoreExecutors.directExecutor());
    return reply;
  }

  private ManagedChannel open(String address) {
    return pando.api.KeepAlive.on(NettyChannelBuilder.forTarget(address).usePlaintext())
        .maxInboundMessageSize(maxMessageBytes)
        .build();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
