package pando.maelstrom.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexReplyProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.protocol.RaftServerAsynchronousProtocol;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;

/**
 * A Raft server's RPC over its node's {@link BusEndpoint}: sends this server's requests to its
 * peers as frames and, once started, serves the requests of peers and clients.
 *
 * <p>Every outbound call returns or fails with an IOException by its deadline ({@link
 * ServerCallTimeouts}); Ratis retries on IOException, so a partition shows up as slow retries, never
 * as a hang. There are no connections: {@link #handleException} has nothing to reset.
 */
final class BusServerRpc implements RaftServerRpc {
  private final BusEndpoint endpoint;
  private final BusCaller caller;
  private final PeerAddresses peers = new PeerAddresses();
  private final ServerCallTimeouts timeouts;
  private final ServerRequestHandler handler;
  private final RaftServerAsynchronousProtocol async = new AsyncCalls();

  BusServerRpc(RaftServer server, BusEndpoint endpoint) {
    this.endpoint = endpoint;
    // The server's id is not known yet: Ratis builds its RPC before assigning it.
    this.caller = new BusCaller(endpoint, endpoint.nodeId() + "-server-rpc");
    this.timeouts = ServerCallTimeouts.from(server.getProperties());
    this.handler = new ServerRequestHandler(server, endpoint.nodeId());
  }

  @Override
  public RpcType getRpcType() {
    return BusRpcType.INSTANCE;
  }

  @Override
  public void start() {
    endpoint.serve(handler);
  }

  /** No socket: peers are reached by bus node id. Ratis accepts a null address (its simulated RPC does the same). */
  @Override
  public InetSocketAddress getInetSocketAddress() {
    return null;
  }

  @Override
  public void addRaftPeers(Collection<RaftPeer> newPeers) {
    peers.add(newPeers);
  }

  @Override
  public void handleException(RaftPeerId serverId, Exception e, boolean reconnect) {
    // Nothing to reconnect: every call stands alone.
  }

  @Override
  public RequestVoteReplyProto requestVote(RequestVoteRequestProto request) throws IOException {
    return RequestVoteReplyProto.parseFrom(
        call(request.getServerRequest(), FrameType.REQUEST_VOTE, request.toByteArray(), timeouts.election()));
  }

  @Override
  public AppendEntriesReplyProto appendEntries(AppendEntriesRequestProto request) throws IOException {
    return AppendEntriesReplyProto.parseFrom(call(request.getServerRequest(), FrameType.APPEND_ENTRIES,
        request.toByteArray(), timeouts.forAppendEntries(request)));
  }

  @Override
  public InstallSnapshotReplyProto installSnapshot(InstallSnapshotRequestProto request) throws IOException {
    return InstallSnapshotReplyProto.parseFrom(
        call(request.getServerRequest(), FrameType.INSTALL_SNAPSHOT, request.toByteArray(), timeouts.request()));
  }

  @Override
  public StartLeaderElectionReplyProto startLeaderElection(StartLeaderElectionRequestProto request)
      throws IOException {
    return StartLeaderElectionReplyProto.parseFrom(call(request.getServerRequest(),
        FrameType.START_LEADER_ELECTION, request.toByteArray(), timeouts.election()));
  }

  @Override
  public RaftServerAsynchronousProtocol async() {
    return async;
  }

  private byte[] call(RaftRpcRequestProto header, FrameType type, byte[] body, Duration timeout)
      throws IOException {
    return caller.callAndWait(destination(header), type, body, timeout);
  }

  private String destination(RaftRpcRequestProto header) {
    return peers.of(RaftPeerId.valueOf(header.getReplyId()));
  }

  @Override
  public void close() {
    endpoint.stopServing(handler);
    caller.close();
    handler.close();
  }

  /** Used by followers for linearizable reads (readIndex); appendEntriesAsync for completeness. */
  private final class AsyncCalls implements RaftServerAsynchronousProtocol {
    @Override
    public CompletableFuture<AppendEntriesReplyProto> appendEntriesAsync(AppendEntriesRequestProto request) {
      return caller.call(destination(request.getServerRequest()), FrameType.APPEND_ENTRIES,
              request.toByteArray(), timeouts.forAppendEntries(request))
          .thenApply(body -> parse(() -> AppendEntriesReplyProto.parseFrom(body)));
    }

    @Override
    public CompletableFuture<ReadIndexReplyProto> readIndexAsync(ReadIndexRequestProto request) {
      return caller.call(destination(request.getServerRequest()), FrameType.READ_INDEX,
              request.toByteArray(), timeouts.request())
          .thenApply(body -> parse(() -> ReadIndexReplyProto.parseFrom(body)));
    }
  }

  @FunctionalInterface
  interface ProtoParser<T> {
    T parse() throws InvalidProtocolBufferException;
  }

  static <T> T parse(ProtoParser<T> parser) {
    try {
      return parser.parse();
    } catch (InvalidProtocolBufferException e) {
      throw new CompletionException(e);
    }
  }
}
