package pando.maelstrom.transport;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;

/**
 * The Ratis RPC type that carries every server-to-server and client-to-server call of a node over
 * its {@link BusEndpoint}. The Ratis server, its log appenders and the state machine run unchanged.
 *
 * <p>Wiring a node {@code n1} of a group whose peers' addresses are their bus node ids:
 *
 * <pre>{@code
 * BusEndpoint endpoint = BusEndpoint.open(bus, "n1");
 * RaftProperties properties = new RaftProperties();
 * BusRpcType.configure(properties);                 // rpc type: this class
 * Parameters parameters = BusRpcType.parameters(endpoint);
 * RaftServer server = RaftServer.newBuilder()
 *     .setServerId(RaftPeerId.valueOf("n1")).setGroup(group)
 *     .setProperties(properties).setParameters(parameters)
 *     .setStateMachine(new KvStateMachine()).build();
 * server.start();
 * RaftClient client = RaftClient.newBuilder()
 *     .setRaftGroup(group).setProperties(properties).setParameters(parameters).build();
 * ...
 * client.close(); server.close(); endpoint.close();
 * }</pre>
 *
 * <p>Ratis stores the type in the properties by class name and instantiates it by reflection
 * ({@link RpcType#valueOf}), hence the public no-argument constructor; objects reach the factory
 * only through {@link Parameters}, hence {@link #parameters}.
 */
public final class BusRpcType implements RpcType {
  public static final BusRpcType INSTANCE = new BusRpcType();
  static final String ENDPOINT_KEY = BusRpcType.class.getName() + ".endpoint";

  /** For Ratis's reflection; use {@link #INSTANCE}. */
  public BusRpcType() {}

  /** Makes the servers and clients built with {@code properties} use this transport. */
  public static RaftProperties configure(RaftProperties properties) {
    RaftConfigKeys.Rpc.setType(properties, INSTANCE);
    return properties;
  }

  /** The parameters that hand {@code endpoint} to the servers and clients of its node. */
  public static Parameters parameters(BusEndpoint endpoint) {
    Parameters parameters = new Parameters();
    parameters.put(ENDPOINT_KEY, endpoint, BusEndpoint.class);
    return parameters;
  }

  @Override
  public String name() {
    return BusRpcType.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    if (parameters == null || parameters.get(ENDPOINT_KEY, BusEndpoint.class) == null) {
      throw new IllegalArgumentException(
          "the bus RPC needs the node's BusEndpoint: build with setParameters(BusRpcType.parameters(endpoint))");
    }
    return new BusRpcFactory(parameters.get(ENDPOINT_KEY, BusEndpoint.class));
  }

  @Override
  public String toString() {
    return name();
  }
}
