package pando.pd.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pando.internal.v1.NodeRecord;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdMetadata;
import pando.internal.v1.PdResult;
import pando.internal.v1.PdResult.Status;
import pando.internal.v1.RegisterNodeCommand;

class NodeRegistryTest {
  private static final String API_A = "10.0.0.1:7001";
  private static final String RAFT_A = "10.0.0.1:7101";
  private static final String API_B = "10.0.0.2:7001";
  private static final String RAFT_B = "10.0.0.2:7101";
  private static final String API_C = "10.0.0.3:7001";
  private static final String RAFT_C = "10.0.0.3:7101";

  static PdCommand register(String id, String api, String raft, long capacity, long nowMs) {
    return PdCommand.newBuilder()
        .setRegisterNode(
            RegisterNodeCommand.newBuilder()
                .setRequestedId(id)
                .setApiAddress(api)
                .setRaftAddress(raft)
                .setCapacityBytes(capacity)
                .setNowMs(nowMs))
        .build();
  }

  static PdCommand register(String id, String api, String raft) {
    return register(id, api, raft, 1_000, 500);
  }

  /** Applies commands that must all succeed. */
  static NodeRegistry registryOf(PdCommand... commands) {
    NodeRegistry registry = NodeRegistry.empty();
    for (PdCommand command : commands) {
      NodeRegistry.Applied applied = registry.apply(command);
      assertThat(applied.result().getStatus())
          .as(applied.result().getMessage())
          .isEqualTo(Status.OK);
      registry = applied.registry();
    }
    return registry;
  }

  private static NodeRecord record(String id, String api, String raft, long capacity, long at) {
    return NodeRecord.newBuilder()
        .setNodeId(id)
        .setApiAddress(api)
        .setRaftAddress(raft)
        .setCapacityBytes(capacity)
        .setRegisteredAtMs(at)
        .build();
  }

  private static PdResult ok(String nodeId) {
    return PdResult.newBuilder().setStatus(Status.OK).setNodeId(nodeId).build();
  }

  // ---- registration and id assignment ----

  @Test
  void anEmptyRegistryHasNoNodesAndStartsNumberingAtOne() {
    NodeRegistry empty = NodeRegistry.empty();
    assertThat(empty.nodes()).isEmpty();
    assertThat(empty.node("n1")).isEmpty();
    assertThat(empty.toProto())
        .isEqualTo(PdMetadata.newBuilder().setNextNodeNumber(1).build());
  }

  @Test
  void assignsIdsInOrderAndRecordsEverythingTheNodeSaid() {
    NodeRegistry registry = NodeRegistry.empty();
    NodeRegistry.Applied first = registry.apply(register("", API_A, RAFT_A, 111, 10));
    NodeRegistry.Applied second = first.registry().apply(register("", API_B, RAFT_B, 222, 20));

    assertThat(first.result()).isEqualTo(ok("n1"));
    assertThat(second.result()).isEqualTo(ok("n2"));
    assertThat(second.registry().nodes())
        .containsExactly(
            record("n1", API_A, RAFT_A, 111, 10), record("n2", API_B, RAFT_B, 222, 20));
    assertThat(second.registry().nextNodeNumber()).isEqualTo(3);
    assertThat(registry).as("the registry applied to").isEqualTo(NodeRegistry.empty());
  }

  @ParameterizedTest(name = "ids {0} taken: assigns {1}, next numbers {2}")
  @CsvSource({
    "'',            n1 n2 n3, 2 3 4",
    "n1,            n2 n3 n4, 3 4 5",
    "n2,            n1 n3 n4, 2 4 5",
    "n1 n2 n4,      n3 n5 n6, 4 6 7",
    "n3 n4 n5,      n1 n2 n6, 2 3 7",
    "n10,           n1 n2 n3, 2 3 4",
    "n01 N2 n2x m3, n1 n2 n3, 2 3 4",
  })
  void assignmentSkipsNumbersWhoseIdIsAlreadyTaken(
      String taken, String expectedIds, String expectedNextNumbers) {
    List<PdCommand> commands = new ArrayList<>();
    int port = 8000;
    for (String id : words(taken)) {
      commands.add(register(id, "h:" + port++, "h:" + port++));
    }
    NodeRegistry registry = registryOf(commands.toArray(PdCommand[]::new));

    List<String> assigned = new ArrayList<>();
    List<String> nextNumbers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      NodeRegistry.Applied applied = registry.apply(register("", "h:" + port++, "h:" + port++));
      assigned.add(applied.result().getNodeId());
      registry = applied.registry();
      nextNumbers.add(String.valueOf(registry.nextNodeNumber()));
    }

    assertThat(assigned).isEqualTo(words(expectedIds));
    // The next number passes the assigned one, so skipped numbers are not searched again.
    assertThat(nextNumbers).isEqualTo(words(expectedNextNumbers));
  }

  private static List<String> words(String spaced) {
    return spaced.isBlank() ? List.of() : Arrays.asList(spaced.trim().split(" +"));
  }

  @Test
  void aConfiguredIdDoesNotMoveTheNextNodeNumber() {
    NodeRegistry registry =
        registryOf(register("n5", API_A, RAFT_A), register("db", API_B, RAFT_B));
    assertThat(registry.nextNodeNumber()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "7",
        "node-1.zone_b",
        "N.-_",
        "a234567890123456789012345678901234567890123456789012345678901234"
      })
  void acceptsConfiguredIdsOfLettersDigitsAndSeparatorsUpTo64Long(String id) {
    NodeRegistry.Applied applied = NodeRegistry.empty().apply(register(id, API_A, RAFT_A));
    assertThat(applied.result()).isEqualTo(ok(id));
    assertThat(applied.registry().node(id)).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:1", "host:65535", "a.b-c_d:80", "[::1]:7000", "1.2.3.4:9"})
  void acceptsHostPortAddresses(String api) {
    NodeRegistry.Applied applied = NodeRegistry.empty().apply(register("", api, RAFT_A));
    assertThat(applied.result()).isEqualTo(ok("n1"));
  }

  // ---- re-registration ----

  @Test
  void theSameAddressesWithoutAnIdGetTheirIdBackAndKeepTheRegistrationTime() {
    NodeRegistry registry =
        registryOf(register("", API_A, RAFT_A, 100, 10), register("", API_B, RAFT_B, 100, 20));

    NodeRegistry.Applied again = registry.apply(register("", API_A, RAFT_A, 100, 99));

    assertThat(again.result()).isEqualTo(ok("n1"));
    assertThat(again.registry().toProto()).isEqualTo(registry.toProto());
  }

  @Test
  void aRequestedIdAtItsOwnAddressesIsIdempotent() {
    NodeRegistry registry = registryOf(register("db1", API_A, RAFT_A, 100, 10));

    NodeRegistry.Applied again = registry.apply(register("db1", API_A, RAFT_A, 100, 99));

    assertThat(again.result()).isEqualTo(ok("db1"));
    assertThat(again.registry().toProto()).isEqualTo(registry.toProto());
  }

  @Test
  void aNodeRestartingWithTheIdItWasAssignedIsIdempotent() {
    NodeRegistry registry = registryOf(register("", API_A, RAFT_A, 100, 10));

    NodeRegistry.Applied again = registry.apply(register("n1", API_A, RAFT_A, 100, 99));

    assertThat(again.result()).isEqualTo(ok("n1"));
    assertThat(again.registry().toProto()).isEqualTo(registry.toProto());
  }

  @ParameterizedTest(name = "requested id ''{0}''")
  @ValueSource(strings = {"", "db1"})
  void reRegistrationUpdatesOnlyTheCapacity(String requestedId) {
    NodeRegistry registry = registryOf(register(requestedId, API_A, RAFT_A, 100, 10));
    String id = registry.nodes().get(0).getNodeId();

    NodeRegistry.Applied again = registry.apply(register(requestedId, API_A, RAFT_A, 900, 99));

    assertThat(again.result()).isEqualTo(ok(id));
    assertThat(again.registry().nodes()).containsExactly(record(id, API_A, RAFT_A, 900, 10));
    assertThat(again.registry().nextNodeNumber()).isEqualTo(registry.nextNodeNumber());
  }

  // ---- refusals ----

  /** Nodes n1 at A (assigned) and db at B (configured). */
  private static NodeRegistry twoNodes() {
    return registryOf(register("", API_A, RAFT_A), register("db", API_B, RAFT_B));
  }

  static Stream<Arguments> refusedCommands() {
    String longId = "a".repeat(65);
    return Stream.of(
        refused("empty command", PdCommand.getDefaultInstance(), Status.INVALID,
            "empty PD command"),
        refused("id starting with -", register("-x", API_C, RAFT_C), Status.INVALID,
            "invalid node id '-x'"),
        refused("id starting with .", register(".x", API_C, RAFT_C), Status.INVALID,
            "invalid node id"),
        refused("id with a space", register("a b", API_C, RAFT_C), Status.INVALID,
            "invalid node id"),
        refused("id with a slash", register("a/b", API_C, RAFT_C), Status.INVALID,
            "invalid node id"),
        refused("non-ASCII id", register("nœud", API_C, RAFT_C), Status.INVALID,
            "invalid node id"),
        refused("65-character id", register(longId, API_C, RAFT_C), Status.INVALID,
            "1 to 64 letters"),
        refused("empty api address", register("", "", RAFT_C), Status.INVALID,
            "api address is empty"),
        refused("api without port", register("", "host", RAFT_C), Status.INVALID,
            "api address 'host' has no port"),
        refused("api without host", register("", ":7000", RAFT_C), Status.INVALID,
            "has no valid host"),
        refused("api host with a space", register("", "my host:7000", RAFT_C), Status.INVALID,
            "has no valid host"),
        refused("api with empty port", register("", "host:", RAFT_C), Status.INVALID,
            "has no valid port"),
        refused("api port 0", register("", "host:0", RAFT_C), Status.INVALID,
            "from 1 to 65535"),
        refused("api port 65536", register("", "host:65536", RAFT_C), Status.INVALID,
            "has no valid port"),
        refused("api port 99999", register("", "host:99999", RAFT_C), Status.INVALID,
            "has no valid port"),
        refused("api port with a sign", register("", "host:-1", RAFT_C), Status.INVALID,
            "has no valid port"),
        refused("api port with a leading 0", register("", "host:080", RAFT_C), Status.INVALID,
            "has no valid port"),
        refused("api port not a number", register("", "host:http", RAFT_C), Status.INVALID,
            "has no valid port"),
        refused("bare IPv6 api", register("", "::1:7000", RAFT_C), Status.INVALID,
            "write an IPv6 host in brackets"),
        refused("empty raft address", register("", API_C, ""), Status.INVALID,
            "raft address is empty"),
        refused("raft port 0", register("", API_C, "host:0"), Status.INVALID,
            "raft address 'host:0' has no valid port"),
        refused("api equal to raft", register("", API_C, API_C), Status.INVALID,
            "api and raft address are both " + API_C),
        refused("negative capacity", register("", API_C, RAFT_C, -1, 0), Status.INVALID,
            "capacity must be 0 (unknown) or more bytes, got -1"),
        refused("taken id at other addresses", register("db", API_C, RAFT_C),
            Status.ALREADY_EXISTS,
            "node id db is already registered at api " + API_B + ", raft " + RAFT_B
                + "; this node is at api " + API_C + ", raft " + RAFT_C),
        refused("taken id with another raft address", register("db", API_B, RAFT_C),
            Status.ALREADY_EXISTS, "node id db is already registered"),
        refused("assigned id at other addresses", register("n1", API_C, RAFT_C),
            Status.ALREADY_EXISTS, "node id n1 is already registered at api " + API_A),
        refused("new id at a used api address", register("web", API_A, RAFT_C),
            Status.ALREADY_EXISTS, "address " + API_A + " is already used by node n1"),
        refused("new id at a used raft address", register("web", API_C, RAFT_B),
            Status.ALREADY_EXISTS, "address " + RAFT_B + " is already used by node db"),
        refused("api at another node's raft address", register("web", RAFT_A, RAFT_C),
            Status.ALREADY_EXISTS, "address " + RAFT_A + " is already used by node n1"),
        refused("no id, one address used", register("", API_A, RAFT_C),
            Status.ALREADY_EXISTS, "already used by node n1"),
        refused("no id, addresses of two nodes", register("", API_A, RAFT_B),
            Status.ALREADY_EXISTS, "already used by node"),
        refused("a known node with invalid capacity", register("db", API_B, RAFT_B, -5, 0),
            Status.INVALID, "capacity"));
  }

  private static Arguments refused(String name, PdCommand command, Status status, String message) {
    return Arguments.of(name, command, status, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedCommands")
  void refusalsSayWhyAndLeaveTheRegistryUnchanged(
      String name, PdCommand command, Status status, String message) {
    NodeRegistry registry = twoNodes();
    PdMetadata before = registry.toProto();

    NodeRegistry.Applied applied = registry.apply(command);

    assertThat(applied.result().getStatus()).isEqualTo(status);
    assertThat(applied.result().getMessage()).contains(message);
    assertThat(applied.result().getNodeId()).isEmpty();
    assertThat(applied.registry().toProto()).isEqualTo(before);
    assertThat(registry.toProto()).isEqualTo(before);
  }

  // ---- snapshots ----

  @Test
  void aSnapshotRoundTripsExactlyWithNodesSortedById() throws Exception {
    NodeRegistry registry =
        registryOf(
            register("zeta", API_A, RAFT_A, 5, 1),
            register("", API_B, RAFT_B, 6, 2),
            register("alpha", API_C, RAFT_C, 7, 3));

    PdMetadata snapshot = registry.toProto();
    NodeRegistry restored = NodeRegistry.fromProto(snapshot);

    assertThat(snapshot.getNodesList())
        .extracting(NodeRecord::getNodeId)
        .containsExactly("alpha", "n1", "zeta");
    assertThat(snapshot.getNextNodeNumber()).isEqualTo(2);
    assertThat(restored).isEqualTo(registry).hasSameHashCodeAs(registry);
    assertThat(restored.toProto()).isEqualTo(snapshot);
    assertThat(NodeRegistry.fromProto(PdMetadata.parseFrom(snapshot.toByteArray())))
        .isEqualTo(registry);
  }

  @Test
  void aSnapshotsNodesMayComeInAnyOrder() {
    NodeRecord b = record("b", API_B, RAFT_B, 0, 0);
    NodeRecord a = record("a", API_A, RAFT_A, 0, 0);
    PdMetadata unordered =
        PdMetadata.newBuilder().addNodes(b).addNodes(a).setNextNodeNumber(4).build();

    NodeRegistry registry = NodeRegistry.fromProto(unordered);

    assertThat(registry.nodes()).containsExactly(a, b);
    assertThat(registry.node("b")).hasValue(b);
    assertThat(registry.nextNodeNumber()).isEqualTo(4);
  }

  @Test
  void anUnsetNextNodeNumberReadsAsOne() {
    assertThat(NodeRegistry.fromProto(PdMetadata.getDefaultInstance()))
        .isEqualTo(NodeRegistry.empty());
  }

  @Test
  void aCorruptSnapshotIsRejected() {
    NodeRecord a = record("a", API_A, RAFT_A, 0, 0);
    assertThatThrownBy(
            () -> NodeRegistry.fromProto(PdMetadata.newBuilder().addNodes(a).addNodes(a).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node id 'a' appears twice");
    assertThatThrownBy(
            () -> NodeRegistry.fromProto(PdMetadata.newBuilder().setNextNodeNumber(-1).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("next_node_number is -1");
  }

  @Test
  void theNodeListCannotBeChangedByTheCaller() {
    assertThatThrownBy(() -> twoNodes().nodes().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  // ---- determinism ----

  /** A random mix of fresh, repeated, conflicting and invalid registrations. */
  private static List<PdCommand> randomCommands(long seed, int count) {
    Random random = new Random(seed);
    List<String> ids = List.of("", "", "", "n1", "n2", "n4", "db", "web", "bad id");
    List<PdCommand> commands = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String host = "h" + random.nextInt(6);
      String api = random.nextInt(20) == 0 ? "nonsense" : host + ":7000";
      String raft = host + ":" + (random.nextBoolean() ? 7100 : 7200);
      commands.add(
          random.nextInt(40) == 0
              ? PdCommand.getDefaultInstance()
              : register(ids.get(random.nextInt(ids.size())), api, raft, random.nextInt(3), i));
    }
    return commands;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42})
  void replicasApplyingTheSameCommandsReachTheSameStateAndAnswers(long seed)
      throws Exception {
    List<PdCommand> log = randomCommands(seed, 300);
    NodeRegistry first = NodeRegistry.empty();
    NodeRegistry second = NodeRegistry.empty();
    // A third replica restarts from a snapshot taken halfway through the log.
    NodeRegistry restarted = NodeRegistry.empty();
    List<Status> statuses = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      NodeRegistry.Applied a = first.apply(log.get(i));
      NodeRegistry.Applied b = second.apply(log.get(i));
      NodeRegistry.Applied c = restarted.apply(log.get(i));
      assertThat(b.result()).isEqualTo(a.result());
      assertThat(c.result()).isEqualTo(a.result());
      statuses.add(a.result().getStatus());
      first = a.registry();
      second = b.registry();
      restarted = i == log.size() / 2
          ? NodeRegistry.fromProto(PdMetadata.parseFrom(c.registry().toProto().toByteArray()))
          : c.registry();
    }

    assertThat(second.toProto()).isEqualTo(first.toProto());
    assertThat(restarted.toProto()).isEqualTo(first.toProto());
    // The random log must exercise every outcome, or this test proves little.
    assertThat(statuses).contains(Status.OK, Status.ALREADY_EXISTS, Status.INVALID);
    assertInvariants(first);
  }

  private static void assertInvariants(NodeRegistry registry) {
    List<String> ids = registry.nodes().stream().map(NodeRecord::getNodeId).toList();
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    List<String> addresses = new ArrayList<>();
    for (NodeRecord node : registry.nodes()) {
      addresses.add(node.getApiAddress());
      addresses.add(node.getRaftAddress());
    }
    assertThat(addresses).doesNotHaveDuplicates();
  }
}
