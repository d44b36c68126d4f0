package pando.node;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import pando.api.RequestLimits;
import pando.raft.RaftTuning;
import pando.testing.Await;
import pando.api.LoopbackPorts;
import pando.v1.KVGrpc;

/** Real nodes in this JVM: real Ratis over gRPC on loopback, real MapDB files under a temp dir. */
final class TestCluster implements AutoCloseable {
  static final Duration RPC_DEADLINE = Duration.ofSeconds(10);

  private final List<ClusterMember> members = new ArrayList<>();
  private final List<NodeConfig> configs = new ArrayList<>();
  private final PandoNode[] nodes;
  private final ManagedChannel[] channels;

  TestCluster(Path dir, int size, int ranges, RaftTuning tuning) {
    for (int i = 1; i <= size; i++) {
      members.add(new ClusterMember("n" + i, "127.0.0.1", LoopbackPorts.next(), LoopbackPorts.next()));
    }
    for (ClusterMember m : members) {
      configs.add(new NodeConfig(m.id(), members, dir.resolve(m.id()), ranges, 3,
          RequestLimits.defaults(), Duration.ofSeconds(10), tuning));
    }
    nodes = new PandoNode[size];
    channels = new ManagedChannel[size];
    for (int i = 0; i < size; i++) {
      start(i);
    }
  }

  static RaftTuning fastTuning() {
    return RaftTuning.defaults().withElectionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000));
  }

  void start(int i) {
    // A node restarted on its old ports must wait until the stopped one has released them: Ratis
    // ends the JVM when its Raft port cannot be bound.
    ClusterMember member = members.get(i);
    Await.until(Duration.ofSeconds(30), "ports of " + member.id() + " to be free",
        () -> LoopbackPorts.isFree(member.raftPort()) && LoopbackPorts.isFree(member.apiPort()));
    try {
      nodes[i] = PandoNode.start(configs.get(i));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channels[i] = ManagedChannelBuilder.forTarget(members.get(i).apiAddress()).usePlaintext().build();
  }

  void stop(int i) {
    channels[i].shutdownNow();
    nodes[i].close();
    nodes[i] = null;
  }

  boolean isUp(int i) {
    return nodes[i] != null;
  }

  PandoNode node(int i) {
    return nodes[i];
  }

  int size() {
    return nodes.length;
  }

  RangeLayout layout() {
    return Optional.ofNullable(nodes[0]).orElseGet(() -> firstUp()).layout();
  }

  private PandoNode firstUp() {
    for (PandoNode n : nodes) {
      if (n != null) {
        return n;
      }
    }
    throw new IllegalStateException("no node is up");
  }

  /** Node {@code i}'s API connection, for calls the stubs cannot make. */
  io.grpc.Channel channel(int i) {
    return channels[i];
  }

  KVGrpc.KVBlockingStub kv(int i) {
    return KVGrpc.newBlockingStub(channels[i]).withDeadlineAfter(RPC_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Index of the node leading a range, once one does. */
  int awaitLeader(long rangeId) {
    int[] leader = {-1};
    Await.until(Duration.ofSeconds(30), "a leader for range " + rangeId, () -> {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] != null && nodes[i].isLeader(rangeId)) {
          leader[0] = i;
          return true;
        }
      }
      return false;
    });
    return leader[0];
  }

  void awaitAllLeaders() {
    layout().ranges().forEach(r -> awaitLeader(r.id()));
  }

  @Override
  public void close() {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null) {
        stop(i);
      }
    }
  }
}
