package pando.client;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import pando.api.HashRange;
import pando.api.KeyHash;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.v1.NodeAddress;
import pando.v1.RangeTableResponse;

/**
 * Real gRPC servers on 127.0.0.1 (port 0) for a fake placement driver and fake nodes, and helpers
 * to describe ranges and tables. Closing it shuts every server down.
 */
final class FakeCluster implements AutoCloseable {
  /** The middle of the hash space, where the tests split. */
  static final long MIDDLE = Long.MIN_VALUE;

  private final List<Server> servers = new ArrayList<>();
  final FakePd pd = new FakePd();
  final String pdAddress;

  FakeCluster() {
    pdAddress = serve(pd);
  }

  FakeNode node(String id) {
    FakeNode node = new FakeNode(id);
    node.setAddress(serve(node));
    return node;
  }

  private String serve(BindableService service) {
    try {
      Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(service)
          .build()
          .start();
      servers.add(server);
      return "127.0.0.1:" + server.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An address nobody listens on: the port was free a moment ago and is closed again. */
  static String deadAddress() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return "127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RangeDescriptor range(long id, HashRange bounds, Epoch epoch, String leader, String... replicas) {
    return new RangeDescriptor(id, bounds, epoch, List.of(replicas), Optional.ofNullable(leader));
  }

  /** A bootstrapped table of these ranges, naming the given node ids and addresses. */
  static RangeTableResponse table(List<RangeDescriptor> ranges, Map<String, String> nodes) {
    RangeTableResponse.Builder table = RangeTableResponse.newBuilder().setBootstrapped(true);
    ranges.forEach(r -> table.addRanges(RangeProtos.toProto(r)));
    nodes.forEach((id, address) -> table.addNodes(
        NodeAddress.newBuilder().setNodeId(id).setApiAddress(address).setRaftAddress("127.0.0.1:1")));
    return table.build();
  }

  static Map<String, String> addresses(FakeNode... nodes) {
    Map<String, String> map = new LinkedHashMap<>();
    for (FakeNode node : nodes) {
      map.put(node.id, node.address());
    }
    return map;
  }

  /** The {@code n}-th key (from 0) named {@code prefix-i} whose hash lies in {@code bounds}. */
  static byte[] keyIn(HashRange bounds, String prefix, int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      byte[] key = (prefix + "-" + i).getBytes(StandardCharsets.UTF_8);
      if (bounds.contains(KeyHash.of(key)) && found++ == n) {
        return key;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    servers.forEach(Server::shutdownNow);
    for (Server server : servers) {
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
