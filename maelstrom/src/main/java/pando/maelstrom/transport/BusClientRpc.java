package pando.maelstrom.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;

/**
 * A Raft client's RPC over its node's {@link BusEndpoint}. Replies find their way back because
 * they are addressed to the node and paired by request id; the client id is only Ratis's.
 *
 * <p>Each request fails with an IOException by its deadline: the request's own timeout if it has
 * one, else Ratis's client request timeout (watch timeout for watches), as Ratis's gRPC client
 * does. On the asynchronous paths a reply that says "not leader" or "leader not ready" fails the
 * request with that exception, which is how Ratis's async client learns to retry elsewhere; the
 * blocking path returns such replies as they are, for Ratis's blocking client handles them itself.
 */
final class BusClientRpc implements RaftClientRpc {
  private final BusCaller caller;
  private final PeerAddresses peers = new PeerAddresses();
  private final Duration requestTimeout;
  private final Duration watchTimeout;

  BusClientRpc(ClientId clientId, RaftProperties properties, BusEndpoint endpoint) {
    this.caller = new BusCaller(endpoint, endpoint.nodeId() + "-client-" + clientId);
    this.requestTimeout = ServerCallTimeouts.toDuration(RaftClientConfigKeys.Rpc.requestTimeout(properties));
    this.watchTimeout = ServerCallTimeouts.toDuration(RaftClientConfigKeys.Rpc.watchRequestTimeout(properties));
  }

  @Override
  public CompletableFuture<RaftClientReply> sendRequestAsync(RaftClientRequest request) {
    return send(request).thenApply(BusClientRpc::failOnLeaderException);
  }

  @Override
  public CompletableFuture<RaftClientReply> sendRequestAsyncUnordered(RaftClientRequest request) {
    // Requests are never held back for ordering here; the ordered client keeps its own window.
    return sendRequestAsync(request);
  }

  @Override
  public RaftClientReply sendRequest(RaftClientRequest request) throws IOException {
    return BusCaller.await(send(request), timeoutOf(request));
  }

  private CompletableFuture<RaftClientReply> send(RaftClientRequest request) {
    ClientRequestCodec.Encoded encoded;
    try {
      encoded = ClientRequestCodec.encode(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return caller.call(peers.of(request.getServerId()), encoded.type(), encoded.body(), timeoutOf(request))
        .thenApply(body -> BusServerRpc.parse(() -> ClientRequestCodec.decodeReply(request, body)));
  }

  private Duration timeoutOf(RaftClientRequest request) {
    if (request.getTimeoutMs() > 0) {
      return Duration.ofMillis(request.getTimeoutMs());
    }
    return request.is(RaftClientRequestProto.TypeCase.WATCH) ? watchTimeout : requestTimeout;
  }

  private static RaftClientReply failOnLeaderException(RaftClientReply reply) {
    NotLeaderException notLeader = reply.getNotLeaderException();
    if (notLeader != null) {
      throw new CompletionException(notLeader);
    }
    LeaderNotReadyException notReady = reply.getLeaderNotReadyException();
    if (notReady != null) {
      throw new CompletionException(notReady);
    }
    return reply;
  }

  @Override
  public void addRaftPeers(Collection<RaftPeer> servers) {
    peers.add(servers);
  }

  @Override
  public void close() {
    caller.close();
  }
}
