package pando.client;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import pando.v1.KVGrpc;

/**
 * One gRPC channel per node API address, opened on first use and kept: a channel multiplexes every
 * call to its node, and opening one per request would pay a TCP (and HTTP/2) handshake each time.
 */
final class NodeChannels implements AutoCloseable {
  /** Room for the largest answer any node configuration can send (values up to 64 MiB). */
  static final int MAX_RESPONSE_BYTES = 80 * 1024 * 1024;

  private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** A stub for the node at {@code address} ({@code host:port}); the caller sets the deadline. */
  KVGrpc.KVBlockingStub stub(String address) {
    if (closed) {
      throw closedError();
    }
    ManagedChannel channel = channels.computeIfAbsent(address, NodeChannels::open);
    if (closed) {
      // close() may have missed a channel opened while it ran; do not leave it behind.
      channel.shutdownNow();
      throw closedError();
    }
    return KVGrpc.newBlockingStub(channel);
  }

  private static ManagedChannel open(String address) {
    return pando.api.KeepAlive.on(ManagedChannelBuilder.forTarget(address).usePlaintext())
        .maxInboundMessageSize(MAX_RESPONSE_BYTES)
        .build();
  }

  /** After a call to {@code address} failed, lets its channel reconnect at once (see KeepAlive). */
  void reconnectSoonAfter(String address, Throwable failure) {
    ManagedChannel channel = channels.get(address);
    if (channel != null) {
      pando.api.KeepAlive.reconnectSoonAfter(channel, failure);
    }
  }

  private static PandoException closedError() {
    return new PandoException(Status.Code.CANCELLED, "cancelled: the client is closed", null);
  }

  @Override
  public void close() {
    closed = true;
    List<ManagedChannel> open = new ArrayList<>(channels.values());
    open.forEach(ManagedChannel::shutdown);
    try {
      for (ManagedChannel channel : open) {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      open.forEach(ManagedChannel::shutdownNow);
      Thread.currentThread().interrupt();
    }
  }
}
