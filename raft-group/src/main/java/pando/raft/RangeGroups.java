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

  /** The range a group of this node serves, or empty for a group that is not a range's. */
  public static java.util.Optional<Long> rangeId(RaftGroupId groupId) {
    UUID uuid = groupId.getUuid();
    return uuid.getMostSignificantBits() == GROUP_ID_PREFIX
        ? java.util.Optional.of(uuid.getLeastSignificantBits()) : java.util.Optional.empty();
  }

  /** A Raft peer: a node id and its Raft address ({@code host:port}). */
  public record Peer(String nodeId, String raftAddress) {
    public RaftPeer toRatis() {
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
