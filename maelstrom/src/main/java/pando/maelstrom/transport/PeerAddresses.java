package pando.maelstrom.transport;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Where on the bus a Raft peer is: the peer's address, which for this transport is a bus node id.
 * A peer Ratis has not told us about, or one without an address, is reached by its peer id.
 */
final class PeerAddresses {
  private final Map<RaftPeerId, String> addresses = new ConcurrentHashMap<>();

  void add(Collection<RaftPeer> peers) {
    for (RaftPeer peer : peers) {
      String address = peer.getAddress();
      addresses.put(peer.getId(), address == null || address.isEmpty() ? peer.getId().toString() : address);
    }
  }

  String of(RaftPeerId peer) {
    String address = addresses.get(peer);
    return address != null ? address : peer.toString();
  }
}
