package pando.maelstrom.transport;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.GroupInfoRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.LeaderElectionManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.SetConfigurationRequestProto;
import org.apache.ratis.proto.RaftProtos.SnapshotManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.TransferLeadershipRequestProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.server.RaftServer;

/**
 * The server side of client calls: decodes a client or admin request frame, submits it to the
 * Raft server through its asynchronous API, and encodes the reply. {@link ClientRequestCodec} is
 * the client side of the same format.
 */
final class ClientRequestDispatcher {
  private final RaftServer server;

  ClientRequestDispatcher(RaftServer server) {
    this.server = server;
  }

  CompletableFuture<byte[]> handle(FrameType type, byte[] body) throws IOException {
    return switch (type) {
      case CLIENT_REQUEST -> replyOf(server.submitClientRequestAsync(
          ClientProtoUtils.toRaftClientRequest(RaftClientRequestProto.parseFrom(body))));
      case GROUP_MANAGEMENT -> replyOf(server.groupManagementAsync(
          ClientProtoUtils.toGroupManagementRequest(GroupManagementRequestProto.parseFrom(body))));
      case SET_CONFIGURATION -> replyOf(server.setConfigurationAsync(
          ClientProtoUtils.toSetConfigurationRequest(SetConfigurationRequestProto.parseFrom(body))));
      case TRANSFER_LEADERSHIP -> replyOf(server.transferLeadershipAsync(
          ClientProtoUtils.toTransferLeadershipRequest(TransferLeadershipRequestProto.parseFrom(body))));
      case SNAPSHOT_MANAGEMENT -> replyOf(server.snapshotManagementAsync(
          ClientProtoUtils.toSnapshotManagementRequest(SnapshotManagementRequestProto.parseFrom(body))));
      case LEADER_ELECTION_MANAGEMENT -> replyOf(server.leaderElectionManagementAsync(
          ClientProtoUtils.toLeaderElectionManagementRequest(LeaderElectionManagementRequestProto.parseFrom(body))));
      case GROUP_LIST -> server.getGroupListAsync(
              ClientProtoUtils.toGroupListRequest(GroupListRequestProto.parseFrom(body)))
          .thenApply(reply -> ClientProtoUtils.toGroupListReplyProto(reply).toByteArray());
      case GROUP_INFO -> server.getGroupInfoAsync(
              ClientProtoUtils.toGroupInfoRequest(GroupInfoRequestProto.parseFrom(body)))
          .thenApply(reply -> ClientProtoUtils.toGroupInfoReplyProto(reply).toByteArray());
      default -> throw new IOException("not a request a Raft server serves: " + type);
    };
  }

  private static CompletableFuture<byte[]> replyOf(CompletableFuture<RaftClientReply> reply) {
    return reply.thenApply(r -> ClientProtoUtils.toRaftClientReplyProto(r).toByteArray());
  }
}
