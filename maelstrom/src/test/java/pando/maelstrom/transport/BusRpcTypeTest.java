package pando.maelstrom.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.ServerFactory;
import org.junit.jupiter.api.Test;

class BusRpcTypeTest {
  @Test
  void ratisFindsTheTypeByNameInTheProperties() {
    RaftProperties properties = BusRpcType.configure(new RaftProperties());
    // Ratis stores the name and instantiates the type by reflection when it builds a server or client.
    assertThat(RaftConfigKeys.Rpc.type(properties, s -> {})).isInstanceOf(BusRpcType.class);
  }

  @Test
  void theFactoryServesServersAndClientsOfTheEndpointsNode() {
    try (LocalBus bus = new LocalBus(); BusEndpoint endpoint = BusEndpoint.open(bus, "n1")) {
      var factory = BusRpcType.INSTANCE.newFactory(BusRpcType.parameters(endpoint));
      assertThat(factory).isInstanceOf(ServerFactory.class).isInstanceOf(ClientFactory.class);
      assertThat(factory.getRpcType()).isSameAs(BusRpcType.INSTANCE);
    }
  }

  @Test
  void withoutAnEndpointTheFactorySaysWhatIsMissing() {
    assertThatThrownBy(() -> BusRpcType.INSTANCE.newFactory(new Parameters()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BusRpcType.parameters");
  }
}
