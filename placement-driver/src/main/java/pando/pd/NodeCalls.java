package pando.pd;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import pando.internal.v1.NodeRecord;
import pando.pd.meta.PdState;
import pando.v1.RangeAdminGrpc;

/** The PD's calls to nodes' RangeAdmin service: one channel per node address, bounded threads. */
final class NodeCalls implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  // Node calls block while a range changes: bounded, so a slow cluster cannot pile up threads.
  private final ExecutorService calls = new ThreadPoolExecutor(
      0, 8, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
        Thread t = new Thread(r, "pd-node-call");
        t.setDaemon(true);
        return t;
      });

  /** Runs {@code body} against node {@code nodeId}'s RangeAdmin service, off the caller's thread. */
  <T> CompletableFuture<T> ask(PdState state, String nodeId, Function<RangeAdminGrpc.RangeAdminBlockingStub, T> body) {
    NodeRecord node = state.nodes().node(nodeId)
        .orElseThrow(() -> new IllegalStateException("unknown node " + nodeId));
    ManagedChannel channel = channels.computeIfAbsent(node.getApiAddress(),
        address -> pando.api.KeepAlive.on(NettyChannelBuilder.forTarget(address).usePlaintext()).build());
    return CompletableFuture.supplyAsync(() -> {
      try {
        return body.apply(RangeAdminGrpc.newBlockingStub(channel));
      } catch (io.grpc.StatusRuntimeException e) {
        pando.api.KeepAlive.reconnectSoonAfter(channel, e);
        throw e;
      }
    }, calls);
  }

  @Override
  public void close() {
    calls.shutdownNow();
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
