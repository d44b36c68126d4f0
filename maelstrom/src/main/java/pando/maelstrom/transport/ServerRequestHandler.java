package pando.maelstrom.transport;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;

/**
 * Serves the requests that reach a node's endpoint by calling its Raft server.
 *
 * <p>Calls Ratis offers asynchronously (appendEntries, readIndex, client requests) are started on
 * the endpoint's inbound thread, so they reach Ratis in arrival order, as over a gRPC stream.
 * Calls Ratis only offers blocking (requestVote, installSnapshot, startLeaderElection) run on a
 * small pool with a bounded queue; when it is full the request fails at once and the caller retries.
 */
final class ServerRequestHandler implements BusEndpoint.RequestHandler, Closeable {
  private static final int BLOCKING_THREADS = 4;
  private static final int BLOCKING_QUEUE = 256;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  @FunctionalInterface
  private interface BlockingCall {
    MessageLite call() throws IOException;
  }

  private final RaftServer server;
  private final ClientRequestDispatcher clientRequests;
  private final ThreadPoolExecutor blocking;

  ServerRequestHandler(RaftServer server, String nodeId) {
    this.server = server;
    this.clientRequests = new ClientRequestDispatcher(server);
    AtomicInteger threads = new AtomicInteger();
    this.blocking = new ThreadPoolExecutor(BLOCKING_THREADS, BLOCKING_THREADS, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(BLOCKING_QUEUE), runnable -> {
          Thread t = new Thread(runnable, BusEndpoint.THREAD_PREFIX + nodeId + "-server-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    blocking.allowCoreThreadTimeOut(true);
  }

  @Override
  public CompletableFuture<byte[]> handle(String src, FrameType type, byte[] body) {
    try {
      return switch (type) {
        case REQUEST_VOTE -> blocking(() -> server.requestVote(RequestVoteRequestProto.parseFrom(body)));
        case INSTALL_SNAPSHOT -> blocking(() -> server.installSnapshot(InstallSnapshotRequestProto.parseFrom(body)));
        case START_LEADER_ELECTION ->
            blocking(() -> server.startLeaderElection(StartLeaderElectionRequestProto.parseFrom(body)));
        case APPEND_ENTRIES ->
            server.appendEntriesAsync(AppendEntriesRequestProto.parseFrom(body)).thenApply(MessageLite::toByteArray);
        case READ_INDEX ->
            server.readIndexAsync(ReadIndexRequestProto.parseFrom(body)).thenApply(MessageLite::toByteArray);
        default -> clientRequests.handle(type, body);
      };
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<byte[]> blocking(BlockingCall call) {
    try {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return call.call().toByteArray();
        } catch (IOException e) {
          throw new CompletionException(e);
        }
      }, blocking);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new IOException("server busy: too many blocking requests queued", e));
    }
  }

  @Override
  public void close() {
    // Ratis closes its divisions before their RPC, so whatever still runs here fails fast.
    blocking.shutdownNow();
    try {
      blocking.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
