package pando.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.api.pd.PdConnection;
import pando.internal.v1.NodeRecord;
import pando.testing.Await;
import pando.api.LoopbackPorts;
import pando.v1.AdminGrpc;
import pando.v1.GetRangeTableRequest;
import pando.v1.NodeAddress;
import pando.v1.RangeTableResponse;
import pando.v1.HeartbeatRequest;
import pando.v1.ListNodesRequest;
import pando.v1.NodeInfo;
import pando.v1.NodeState;
import pando.v1.PlacementDriverGrpc;
import pando.v1.RegisterNodeRequest;
import pando.v1.RegisterNodeResponse;

/** Three placement-driver replicas in one JVM, over real Ratis gRPC and real PD gRPC ports. */
class PdServerTest {
  private static final Duration ELECTION = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final List<PdServer> running = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stopAll() {
    channels.forEach(ManagedChannel::shutdownNow);
    running.forEach(PdServer::close);
  }

  private List<PdConfig> configs(int replicas) {
    List<PdPeer> peers = new ArrayList<>();
    for (int i = 1; i <= replicas; i++) {
      peers.add(new PdPeer("pd" + i, "127.0.0.1", LoopbackPorts.next()));
    }
    List<PdConfig> configs = new ArrayList<>();
    for (PdPeer p : peers) {
      configs.add(PdConfig.of(p.id(), "127.0.0.1", LoopbackPorts.next(), peers, dir.resolve(p.id())));
    }
    return configs;
  }

  private PdServer start(PdConfig config) throws Exception {
    PdServer pd = PdServer.start(config);
    running.add(pd);
    return pd;
  }

  private PdServer awaitLeader(List<PdServer> candidates) {
    PdServer[] leader = {null};
    Await.until(ELECTION, "a PD leader among " + candidates.size() + " replicas", () -> {
      Optional<PdServer> l = candidates.stream().filter(PdServer::isLeader).findFirst();
      l.ifPresent(p -> leader[0] = p);
      return l.isPresent();
    });
    return leader[0];
  }

  private PdConnection connection(List<PdServer> replicas) {
    return new PdConnection(replicas.stream().map(p -> "127.0.0.1:" + p.apiPort()).toList());
  }

  private static RegisterNodeResponse register(PdConnection pd, String id, int port) {
    return pd.call(c -> PlacementDriverGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
        .registerNode(RegisterNodeRequest.newBuilder().setRequestedId(id)
            .setApiAddress("127.0.0.1:" + port).setRaftAddress("127.0.0.1:" + (port + 100)).build()));
  }

  private static List<NodeInfo> nodes(PdConnection pd) {
    return pd.call(c -> AdminGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
        .listNodes(ListNodesRequest.getDefaultInstance())).getNodesList();
  }

  @Test
  void aRefusalByTheLeaderReachesTheCallerThroughEveryReplicaAddress() throws Exception {
    List<PdServer> pds = new ArrayList<>();
    for (PdConfig c : configs(3)) {
      pds.add(start(c));
    }
    PdServer leader = awaitLeader(pds);
    // Followers first: the call starts at a replica that refuses as not the leader, and goes on.
    List<PdServer> followersFirst = new ArrayList<>(pds.stream().filter(p -> p != leader).toList());
    followersFirst.add(leader);
    try (PdConnection pd = connection(followersFirst)) {
      pando.v1.AddHotKeyRequest pin = pando.v1.AddHotKeyRequest.newBuilder()
          .setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).setSalts(2)
          .setMode(pando.v1.HotKey.Mode.READ_HOT).build();
      pd.call(c -> AdminGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS).addHotKey(pin));

      // The leader refuses other settings for the key; that is its answer, not a reason to try elsewhere.
      assertThatThrownBy(() -> pd.call(c -> AdminGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
              .addHotKey(pin.toBuilder().setSalts(3).build())))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).doesNotContain(PdConnection.NOT_LEADER);
          });
    }
  }

  @Test
  void theLeaderKilledThePdReElectsAndKeepsEveryRegistration() throws Exception {
    List<PdServer> pds = new ArrayList<>();
    for (PdConfig c : configs(3)) {
      pds.add(start(c));
    }
    PdServer leader = awaitLeader(pds);
    try (PdConnection pd = connection(pds)) {
      for (int i = 1; i <= 5; i++) {
        assertThat(register(pd, "n" + i, 9000 + i).getNodeId()).isEqualTo("n" + i);
      }
      assertThat(nodes(pd)).extracting(NodeInfo::getNodeId).containsExactly("n1", "n2", "n3", "n4", "n5");

      leader.close(); // the PD leader dies (its Raft and gRPC ports close)
      List<PdServer> survivors = pds.stream().filter(p -> p != leader).toList();
      awaitLeader(survivors);

      // Everything registered before is still there, and the PD takes new registrations.
      Await.until(ELECTION, "the new PD leader answers", () -> {
        try {
          return nodes(pd).size() == 5;
        } catch (StatusRuntimeException e) {
          return false;
        }
      });
      assertThat(register(pd, "n6", 9006).getNodeId()).isEqualTo("n6");
      assertThat(register(pd, "n3", 9003).getNodeId()).as("re-registration is idempotent").isEqualTo("n3");
      assertThat(nodes(pd)).extracting(NodeInfo::getNodeId).containsExactly("n1", "n2", "n3", "n4", "n5", "n6");
      for (PdServer s : survivors) {
        Await.until(ELECTION, s.id() + " applied every registration",
            () -> s.registry().nodes().size() == 6);
        assertThat(s.registry().node("n2").map(NodeRecord::getApiAddress)).contains("127.0.0.1:9002");
      }
    }
  }

  @Test
  void theFirstRangesAreCreatedOnceEnoughNodesRegisteredAndSurviveTheLeader() throws Exception {
    List<PdServer> pds = new ArrayList<>();
    for (PdConfig c : configs(3)) {
      pds.add(start(c.withBootstrap(new PdConfig.Bootstrap(3, 6, 3))));
    }
    PdServer leader = awaitLeader(pds);
    try (PdConnection pd = connection(pds)) {
      register(pd, "n1", 9401);
      register(pd, "n2", 9402);
      assertThat(rangeTable(pd).getBootstrapped()).as("bootstrapped with 2 of 3 nodes").isFalse();
      register(pd, "n3", 9403);
      Await.until(ELECTION, "the PD bootstraps the cluster", () -> rangeTable(pd).getBootstrapped());
      RangeTableResponse table = rangeTable(pd);
      assertThat(table.getRangesList()).hasSize(6);
      assertThat(table.getRangesList()).allSatisfy(r -> assertThat(r.getReplicasList())
          .hasSize(3).containsExactlyInAnyOrder("n1", "n2", "n3"));
      assertThat(table.getNodesList()).extracting(NodeAddress::getApiAddress)
          .containsExactly("127.0.0.1:9401", "127.0.0.1:9402", "127.0.0.1:9403");

      register(pd, "n4", 9404); // a later node does not change the first ranges
      leader.close();
      awaitLeader(pds.stream().filter(p -> p != leader).toList());
      Await.until(ELECTION, "the new PD leader answers with the same table", () -> {
        try {
          return rangeTable(pd).getRangesList().equals(table.getRangesList());
        } catch (StatusRuntimeException e) {
          return false;
        }
      });
    }
  }

  private static RangeTableResponse rangeTable(PdConnection pd) {
    return pd.call(c -> PlacementDriverGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getRangeTable(GetRangeTableRequest.getDefaultInstance()));
  }

  @Test
  void aRestartedSingleReplicaPdRemembersItsNodes() throws Exception {
    PdConfig config = configs(1).get(0);
    PdServer first = start(config);
    awaitLeader(List.of(first));
    try (PdConnection pd = connection(List.of(first))) {
      register(pd, "n1", 9101);
      register(pd, "", 9102); // assigned an id
    }
    first.close();
    running.remove(first);
    Await.until(ELECTION, "the old ports are free",
        () -> pando.api.LoopbackPorts.isFree(config.apiPort()) && pando.api.LoopbackPorts.isFree(config.peers().get(0).raftPort()));
    PdServer again = start(config);
    awaitLeader(List.of(again));
    assertThat(again.registry().nodes()).extracting(NodeRecord::getApiAddress)
        .containsExactly("127.0.0.1:9101", "127.0.0.1:9102");
  }

  @Test
  void aFollowerRefusesAdminCallsAndRegistrationsOfATakenIdAreRefused() throws Exception {
    List<PdServer> pds = new ArrayList<>();
    for (PdConfig c : configs(3)) {
      // A grace period no slow machine can outlast before the check below.
      pds.add(start(c.withLiveness(new pando.pd.meta.LivenessPolicy(
          java.time.Duration.ofSeconds(1), java.time.Duration.ofMinutes(5), java.time.Duration.ofMinutes(10)))));
    }
    PdServer leader = awaitLeader(pds);
    PdServer follower = pds.stream().filter(p -> p != leader).findFirst().orElseThrow();
    ManagedChannel toFollower = ManagedChannelBuilder.forTarget("127.0.0.1:" + follower.apiPort()).usePlaintext().build();
    channels.add(toFollower);
    assertThatThrownBy(() -> AdminGrpc.newBlockingStub(toFollower).withDeadlineAfter(10, TimeUnit.SECONDS)
        .listNodes(ListNodesRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("not the PD leader");
        });
    try (PdConnection pd = connection(pds)) {
      register(pd, "n1", 9201);
      assertThatThrownBy(() -> register(pd, "n1", 9301))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
      assertThatThrownBy(() -> pd.call(c -> PlacementDriverGrpc.newBlockingStub(c)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .heartbeat(HeartbeatRequest.newBuilder().setNodeId("never-registered").build())))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
      assertThat(nodes(pd)).singleElement().satisfies(n -> {
        assertThat(n.getApiAddress()).isEqualTo("127.0.0.1:9201");
        // Registered but never heard from since this leader took over: within its grace period.
        assertThat(n.getState()).isEqualTo(NodeState.UP);
        assertThat(n.getLastHeartbeatAgeMs()).isEqualTo(-1);
      });
    }
  }

  @Test
  void theHotKeyTableSurvivesTheLeaderAndOnlyTheLeaderAnswersForIt() throws Exception {
    List<PdServer> pds = new ArrayList<>();
    for (PdConfig c : configs(3)) {
      pds.add(start(c));
    }
    PdServer leader = awaitLeader(pds);
    try (PdConnection pd = connection(pds)) {
      pando.v1.AddHotKeyRequest pin = pando.v1.AddHotKeyRequest.newBuilder()
          .setKey(com.google.protobuf.ByteString.copyFromUtf8("sku:1")).setSalts(4)
          .setMode(pando.v1.HotKey.Mode.READ_HOT).build();
      pd.call(c -> AdminGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS).addHotKey(pin));
      pando.v1.HotKeysResponse table = hotKeys(pd);
      assertThat(table.getVersion()).isEqualTo(1);
      assertThat(table.getEntriesList()).extracting(e -> e.getKey().toStringUtf8()).containsExactly("sku:1");

      PdServer follower = pds.stream().filter(p -> p != leader).findFirst().orElseThrow();
      ManagedChannel toFollower = ManagedChannelBuilder.forTarget("127.0.0.1:" + follower.apiPort()).usePlaintext().build();
      channels.add(toFollower);
      List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls = List.of(
          () -> PlacementDriverGrpc.newBlockingStub(toFollower).withDeadlineAfter(10, TimeUnit.SECONDS)
              .getHotKeys(pando.v1.GetHotKeysRequest.getDefaultInstance()),
          () -> AdminGrpc.newBlockingStub(toFollower).withDeadlineAfter(10, TimeUnit.SECONDS)
              .listHotKeys(pando.v1.ListHotKeysRequest.getDefaultInstance()),
          () -> AdminGrpc.newBlockingStub(toFollower).withDeadlineAfter(10, TimeUnit.SECONDS).addHotKey(pin),
          () -> AdminGrpc.newBlockingStub(toFollower).withDeadlineAfter(10, TimeUnit.SECONDS)
              .removeHotKey(pando.v1.RemoveHotKeyRequest.newBuilder().setKey(pin.getKey()).build()));
      for (var call : calls) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("not the PD leader");
        });
      }

      leader.close();
      awaitLeader(pds.stream().filter(p -> p != leader).toList());
      Await.until(ELECTION, "the new PD leader answers with the same hot-key table", () -> {
        try {
          return hotKeys(pd).equals(table);
        } catch (StatusRuntimeException e) {
          return false;
        }
      });
    }
  }

  private static pando.v1.HotKeysResponse hotKeys(PdConnection pd) {
    return pd.call(c -> PlacementDriverGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getHotKeys(pando.v1.GetHotKeysRequest.getDefaultInstance()));
  }
}
