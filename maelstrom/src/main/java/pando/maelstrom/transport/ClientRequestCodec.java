package pando.maelstrom.transport;

import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.GroupInfoReplyProto;
import org.apache.ratis.proto.RaftProtos.GroupListReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.protocol.GroupInfoRequest;
import org.apache.ratis.protocol.GroupListRequest;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.LeaderElectionManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;

/**
 * The client side of client calls: which frame a {@link RaftClientRequest} travels in, and how its
 * reply is read back. Admin requests are subclasses of {@link RaftClientRequest} with protos of
 * their own, so the most specific types are tested first.
 */
final class ClientRequestCodec {
  record Encoded(FrameType type, byte[] body) {}

  private ClientRequestCodec() {}

  static Encoded encode(RaftClientRequest request) {
    if (request instanceof GroupManagementRequest r) {
      return new Encoded(FrameType.GROUP_MANAGEMENT, ClientProtoUtils.toGroupManagementRequestProto(r).toByteArray());
    } else if (request instanceof SetConfigurationRequest r) {
      return new Encoded(FrameType.SET_CONFIGURATION, ClientProtoUtils.toSetConfigurationRequestProto(r).toByteArray());
    } else if (request instanceof GroupListRequest r) {
      return new Encoded(FrameType.GROUP_LIST, ClientProtoUtils.toGroupListRequestProto(r).toByteArray());
    } else if (request instanceof GroupInfoRequest r) {
      return new Encoded(FrameType.GROUP_INFO, ClientProtoUtils.toGroupInfoRequestProto(r).toByteArray());
    } else if (request instanceof TransferLeadershipRequest r) {
      return new Encoded(FrameType.TRANSFER_LEADERSHIP,
          ClientProtoUtils.toTransferLeadershipRequestProto(r).toByteArray());
    } else if (request instanceof SnapshotManagementRequest r) {
      return new Encoded(FrameType.SNAPSHOT_MANAGEMENT,
          ClientProtoUtils.toSnapshotManagementRequestProto(r).toByteArray());
    } else if (request instanceof LeaderElectionManagementRequest r) {
      return new Encoded(FrameType.LEADER_ELECTION_MANAGEMENT,
          ClientProtoUtils.toLeaderElectionManagementRequestProto(r).toByteArray());
    }
    return new Encoded(FrameType.CLIENT_REQUEST, ClientProtoUtils.toRaftClientRequestProto(request).toByteArray());
  }

  static RaftClientReply decodeReply(RaftClientRequest request, byte[] body) throws InvalidProtocolBufferException {
    if (request instanceof GroupListRequest) {
      return ClientProtoUtils.toGroupListReply(GroupListReplyProto.parseFrom(body));
    } else if (request instanceof GroupInfoRequest) {
      return ClientProtoUtils.toGroupInfoReply(GroupInfoReplyProto.parseFrom(body));
    }
    return ClientProtoUtils.toRaftClientReply(RaftClientReplyProto.parseFrom(body));
  }
}
