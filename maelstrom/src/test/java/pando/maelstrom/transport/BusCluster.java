package pando.maelstrom.transport;

import pando.testing.Await;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.raft.KvStateMachine;
import pando.v1.GetResponse;
import pando.v1.PutRequest;

/**
 * Three Raft servers with {@link KvStateMachine}s in one JVM, one group, over a {@link LocalBus}.
 * Node ids are the bus names and the peers' addresses. Clients live on a node's endpoint, as they
 * do in a Maelstrom node. Closing closes clients, servers, endpoints and the bus, in that order.
 */
final class BusCluster implements AutoCloseable {
  static final List<String> NODES = List.of("n1", "n2", "n3");
  // Slow enough for a loaded 2-core machine: a late heartbeat must not depose the leader.
  static final Duration ELECTION_TIMEOUT_MIN = Duration.ofSeconds(1);
  static final Duration ELECTION_TIMEOUT_MAX = Duration.ofSeconds(2);
  static final Duration CLIENT_REQUEST_TIMEOUT = Duration.ofSeconds(3);

  final LocalBus bus = new LocalBus();
  final RaftGroup group;
  private final Map<String, BusEndpoint> endpoints = new LinkedHashMap<>();
  private final Map<String, RaftServer> servers = new LinkedHashMap<>();
  private final Map<String, RaftProperties> properties = new LinkedHashMap<>();
  private final List<RaftClient> clients = new ArrayList<>();

  /** Starts the cluster; {@code tuning} adjusts each node's properties after the defaults below. */
  BusCluster(Path dir, Consumer<RaftProperties> tuning) throws IOException {
    RaftGroupId groupId = RaftGroupId.valueOf(UUID.nameUUIDFromBytes("bus-cluster".getBytes()));
    group = RaftGroup.valueOf(groupId,
        NODES.stream().map(id -> RaftPeer.newBuilder().setId(id).setAddress(id).build()).toList());
    try {
      for (String id : NODES) {
        RaftProperties p = defaults(dir.resolve(id));
        tuning.accept(p);
        properties.put(id, p);
        BusEndpoint endpoint = BusEndpoint.open(bus, id);
        endpoints.put(id, endpoint);
        RaftServer server = RaftServer.newBuilder()
            .setServerId(RaftPeerId.valueOf(id))
            .setGroup(group)
            .setProperties(p)
            .setParameters(BusRpcType.parameters(endpoint))
            .setStateMachine(new KvStateMachine())
            .setOption(RaftStorage.StartupOption.FORMAT)
            .build();
        servers.put(id, server);
        server.start();
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private static RaftProperties defaults(Path storage) {
    RaftProperties p = BusRpcType.configure(new RaftProperties());
    RaftServerConfigKeys.setStorageDir(p, List.of(storage.toFile()));
    // As in the lin-kv node: reads on the leader's lease, checked by the state machine.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.DEFAULT);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(ELECTION_TIMEOUT_MIN));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(ELECTION_TIMEOUT_MAX));
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(CLIENT_REQUEST_TIMEOUT));
    // Otherwise a snapshot in 16 MB chunks: small chunks make installation take several calls.
    RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, org.apache.ratis.util.SizeInBytes.valueOf("16KB"));
    return p;
  }

  static TimeDuration ms(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  RaftServer.Division division(String id) {
    try {
      return servers.get(id).getDivision(group.getGroupId());
    } catch (IOException e) {
      throw new IllegalStateException(id + " has no division", e);
    }
  }

  KvStateMachine stateMachine(String id) {
    return (KvStateMachine) division(id).getStateMachine();
  }

  BusEndpoint endpoint(String id) {
    return endpoints.get(id);
  }

  boolean isLeader(String id) {
    RaftServer.Division d = division(id);
    return d.getInfo().isLeader() && d.getInfo().isLeaderReady();
  }

  /** Waits until one of {@code candidates} is a ready leader, and returns it. */
  String awaitLeader(Duration timeout, List<String> candidates) {
    AtomicReference<String> leader = new AtomicReference<>();
    Await.until(timeout, "a leader among " + candidates, () -> {
      candidates.stream().filter(this::isLeader).findFirst().ifPresent(leader::set);
      return leader.get() != null;
    });
    return leader.get();
  }

  /** Waits until every replica has committed every entry of its log, and all logs end alike. */
  void awaitEveryLogCommitted(Duration timeout) {
    Await.until(timeout, "every log entry committed on every replica", () -> {
      Set<Long> ends = new HashSet<>();
      for (String id : NODES) {
        RaftLog log = division(id).getRaftLog();
        if (log.getLastCommittedIndex() != log.getLastEntryTermIndex().getIndex()) {
          return false;
        }
        ends.add(log.getLastCommittedIndex());
      }
      return ends.size() == 1;
    });
  }

  /** A client on node {@code nodeId}'s endpoint that retries at most {@code attempts} times. */
  RaftClient client(String nodeId, int attempts) {
    return client(nodeId, null, RetryPolicies.retryUpToMaximumCountWithFixedSleep(
        attempts, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
  }

  RaftClient client(String nodeId, String leaderHint, RetryPolicy retryPolicy) {
    RaftClient.Builder builder = RaftClient.newBuilder()
        .setRaftGroup(group)
        .setProperties(properties.get(nodeId))
        .setParameters(BusRpcType.parameters(endpoints.get(nodeId)))
        .setRetryPolicy(retryPolicy);
    if (leaderHint != null) {
      builder.setLeaderId(RaftPeerId.valueOf(leaderHint));
    }
    RaftClient client = builder.build();
    clients.add(client);
    return client;
  }

  static Message put(String key, String value) {
    return message(RangeCommand.newBuilder()
        .setPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)))
        .build()
        .toByteArray());
  }

  static Message get(String key) {
    return message(RangeQuery.newBuilder().addKeys(ByteString.copyFromUtf8(key)).build().toByteArray());
  }

  private static Message message(byte[] bytes) {
    return Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(bytes));
  }

  /** The value a read reply carries, or null if the key was not found. */
  static String value(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      throw new IllegalStateException("read failed: " + reply.getException());
    }
    return value(reply.getMessage());
  }

  static String value(Message message) {
    try {
      GetResponse get = RangeResult.parseFrom(message.getContent().toByteArray()).getGet().getResults(0);
      return get.getFound() ? get.getValue().toStringUtf8() : null;
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a key straight from a replica's state machine, bypassing Raft. */
  String localValue(String nodeId, String key) {
    return value(stateMachine(nodeId).readLocal(get(key)).join());
  }

  @Override
  public void close() {
    List<Exception> failures = new ArrayList<>();
    for (RaftClient c : clients) {
      closeQuietly(c, failures);
    }
    for (RaftServer s : servers.values()) {
      closeQuietly(s, failures);
    }
    for (BusEndpoint e : endpoints.values()) {
      closeQuietly(e, failures);
    }
    closeQuietly(bus, failures);
    if (!failures.isEmpty()) {
      IllegalStateException e = new IllegalStateException("closing the cluster failed");
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable closeable, List<Exception> failures) {
    try {
      closeable.close();
    } catch (Exception e) {
      failures.add(e);
    }
  }
}
