package pando.raft;

import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/** Names Ratis groups and peers after Pando ranges and nodes. */
public final class RangeGroups {
  // "pando" in ASCII, so a range's group directory is recognisable on disk.
  private static final long GROUP_ID_PREFIX = 0x70616e646f000000L;

  private RangeGroups() {}

  public static RaftGroupId groupId(long rangeId) {
    return RaftGroupId.valueOf(new UUID(GROUP_ID_PREFIX, rangeId));
  }

  /** A Raft peer: a node id and its Raft address ({@code host:port}). */
  public record Peer(String nodeId, String raftAddress) {
    RaftPeer toRatis() {
      return RaftPeer.newBuilder().setId(nodeId).setAddress(raftAddress).build();
    }
  }

  public static RaftGroup group(long rangeId, List<Peer> peers) {
    return RaftGroup.valueOf(groupId(rangeId), peers.stream().map(Peer::toRatis).toList());
  }

  public static RaftPeerId peerId(String nodeId) {
    return RaftPeerId.valueOf(nodeId);
  }
}
