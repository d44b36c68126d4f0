package pando.maelstrom.transport;

import java.util.Objects;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;

/**
 * Builds the bus RPCs of one node. Ratis makes a factory per server and per client it builds; all
 * of a node's factories share the node's endpoint. Log appenders stay Ratis's default one, which
 * only needs the blocking {@code appendEntries} and {@code installSnapshot} of the server RPC.
 */
final class BusRpcFactory implements ServerFactory, ClientFactory {
  private final BusEndpoint endpoint;

  BusRpcFactory(BusEndpoint endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
  }

  @Override
  public RpcType getRpcType() {
    return BusRpcType.INSTANCE;
  }

  @Override
  public RaftServerRpc newRaftServerRpc(RaftServer server) {
    return new BusServerRpc(server, endpoint);
  }

  @Override
  public RaftClientRpc newRaftClientRpc(ClientId clientId, RaftProperties properties) {
    return new BusClientRpc(clientId, properties, endpoint);
  }
}
