package pando.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopbackPortsTest {
  @Test
  void portsAreBelowTheEphemeralRangeDistinctAndBindableAllAtOnce() throws Exception {
    int ephemeralStart = LoopbackPorts.ephemeralRangeStart(LoopbackPorts.EPHEMERAL_RANGE);
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      ports.add(LoopbackPorts.next());
    }

    assertThat(ports).hasSize(50)
        .allSatisfy(port -> assertThat(port).isBetween(LoopbackPorts.LOWEST, ephemeralStart - 1));
    List<ServerSocket> bound = new ArrayList<>();
    try {
      for (int port : ports) {
        ServerSocket socket = new ServerSocket();
        bound.add(socket);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      }
    } finally {
      for (ServerSocket socket : bound) {
        socket.close();
      }
    }
  }

  @Test
  void theEphemeralRangeStartsWhereTheFileSaysOrAtLinuxsDefault(@TempDir Path dir) throws Exception {
    Path range = Files.writeString(dir.resolve("ip_local_port_range"), "20000\t60999\n");
    Path garbled = Files.writeString(dir.resolve("garbled"), "low high\n");

    assertThat(LoopbackPorts.ephemeralRangeStart(range)).isEqualTo(20_000);
    assertThat(LoopbackPorts.ephemeralRangeStart(garbled)).isEqualTo(LoopbackPorts.EPHEMERAL_START_DEFAULT);
    assertThat(LoopbackPorts.ephemeralRangeStart(dir.resolve("missing"))).isEqualTo(LoopbackPorts.EPHEMERAL_START_DEFAULT);
  }
}
