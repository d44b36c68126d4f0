package pando.maelstrom.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import pando.maelstrom.transport.BusEndpoint;
import pando.maelstrom.transport.BusRpcType;
import pando.maelstrom.transport.MessageBus;
import pando.raft.KvStateMachine;

/**
 * One node's Raft server (a {@link KvStateMachine} replica of the single lin-kv group) and the
 * Raft client its request handlers use, both on one {@link BusEndpoint}.
 */
final class RaftReplica implements AutoCloseable {
  // Fixed, so restarted processes rejoin the same group.
  static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("pando-maelstrom-lin-kv".getBytes()));
  // Slow enough for several JVMs on a loaded 2-core machine: a late heartbeat must not depose the leader.
  private static final Duration ELECTION_MIN = Duration.ofSeconds(1);
  private static final Duration ELECTION_MAX = Duration.ofSeconds(2);
  // One attempt's wait; attempts are few, so a blocked handler thread is freed within seconds.
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);
  private static final int ATTEMPTS = 3;

  private final BusEndpoint endpoint;
  private final RaftServer server;
  private final RaftClient client;

  private RaftReplica(BusEndpoint endpoint, RaftServer server, RaftClient client) {
    this.endpoint = endpoint;
    this.server = server;
    this.client = client;
  }

  /** Starts node {@code nodeId} of the group of {@code nodeIds}, storing under {@code storage}. */
  static RaftReplica start(MessageBus bus, String nodeId, List<String> nodeIds, Path storage)
      throws IOException {
    RaftGroup group = RaftGroup.valueOf(GROUP_ID,
        nodeIds.stream().map(id -> RaftPeer.newBuilder().setId(id).setAddress(id).build()).toList());
    // Storage that already holds a Raft directory is a restarted node: recover it, never format.
    boolean fresh = isEmpty(storage);
    RaftProperties p = properties(storage);
    BusEndpoint endpoint = BusEndpoint.open(bus, nodeId);
    RaftServer server = null;
    try {
      server = RaftServer.newBuilder()
          .setServerId(RaftPeerId.valueOf(nodeId))
          .setGroup(group)
          .setProperties(p)
          .setParameters(BusRpcType.parameters(endpoint))
          .setStateMachine(new KvStateMachine())
          .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER)
          .build();
      server.start();
      RaftClient client = RaftClient.newBuilder()
          .setRaftGroup(group)
          .setProperties(p)
          .setParameters(BusRpcType.parameters(endpoint))
          .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
              ATTEMPTS, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
          .build();
      return new RaftReplica(endpoint, server, client);
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        server.close();
      }
      endpoint.close();
      throw e;
    }
  }

  private static RaftProperties properties(Path storage) {
    RaftProperties p = BusRpcType.configure(new RaftProperties());
    RaftServerConfigKeys.setStorageDir(p, List.of(storage.toFile()));
    // Reads go to the leader only and skip Ratis's ReadIndex, which can answer from a deposed
    // leader; the state machine answers a read only while the leader's lease holds.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.DEFAULT);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(ELECTION_MIN));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(ELECTION_MAX));
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(ATTEMPT_TIMEOUT));
    // Every message is one JSON line; keep them far below the 1 MiB line limit of NodeIo.
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf("256KB"));
    RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf("16KB"));
    return p;
  }

  private static TimeDuration ms(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  RaftClient client() {
    return client;
  }

  /** Answers a query from this replica's state machine as it is now, without asking anyone. */
  Message queryLocally(Message query) throws IOException {
    return ((KvStateMachine) server.getDivision(GROUP_ID).getStateMachine()).readLocal(query).join();
  }

  @Override
  public void close() {
    closeQuietly(client);
    closeQuietly(server);
    closeQuietly(endpoint);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("pando-maelstrom: close failed: " + e);
    }
  }
}
