package pando.pd.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.pd.meta.NodeRegistryTest.register;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pando.api.HashRange;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.api.range.RangeTable;
import pando.internal.v1.BootstrapRangesCommand;
import pando.internal.v1.NodeRecord;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdMetadata;
import pando.internal.v1.PdResult;
import pando.internal.v1.PdResult.Status;
import pando.v1.Range;

class PdStateTest {

  static PdCommand bootstrap(int rangeCount, int replication) {
    return PdCommand.newBuilder()
        .setBootstrapRanges(
            BootstrapRangesCommand.newBuilder()
                .setRangeCount(rangeCount)
                .setReplication(replication))
        .build();
  }

  /** Registers a node with the given id (empty: assigned) at addresses derived from {@code i}. */
  static PdCommand node(String id, int i) {
    return register(id, "10.0.0." + i + ":7001", "10.0.0." + i + ":7101", 1_000, 100 + i);
  }

  /** Applies commands that must all succeed. */
  static PdState stateOf(PdCommand... commands) {
    PdState state = PdState.empty();
    for (PdCommand command : commands) {
      PdState.Applied applied = state.apply(command);
      assertThat(applied.result().getStatus())
          .as(applied.result().getMessage())
          .isEqualTo(Status.OK);
      state = applied.state();
    }
    return state;
  }

  /** Nodes registered as c, a, (assigned n1), b: by id they are a, b, c, n1. */
  private static PdState fourNodes() {
    return stateOf(node("c", 1), node("a", 2), node("", 3), node("b", 4));
  }

  private static PdState nodesNamed(String... ids) {
    return stateOf(
        IntStream.range(0, ids.length).mapToObj(i -> node(ids[i], i + 1)).toArray(PdCommand[]::new));
  }

  private static PdResult ok(String message) {
    return PdResult.newBuilder().setStatus(Status.OK).setMessage(message).build();
  }

  // ---- the empty state ----

  @Test
  void anEmptyStateHasNoNodesAndNoRanges() {
    PdState empty = PdState.empty();

    assertThat(empty.bootstrapped()).isFalse();
    assertThat(empty.ranges()).isEmpty();
    assertThat(empty.nodes()).isEqualTo(NodeRegistry.empty());
    assertThat(empty.toProto()).isEqualTo(NodeRegistry.empty().toProto());
  }

  // ---- bootstrap ----

  @Test
  void bootstrapPlacesRangesConsecutivelyOnTheNodesSortedById() {
    PdState state = fourNodes();

    PdState.Applied applied = state.apply(bootstrap(5, 3));

    assertThat(applied.result())
        .isEqualTo(ok("bootstrapped 5 ranges with 3 replicas each on 4 nodes"));
    assertThat(applied.state().bootstrapped()).isTrue();
    assertThat(applied.state().ranges())
        .hasValue(
            RangeTable.initial(
                List.of(
                    List.of("a", "b", "c"),
                    List.of("b", "c", "n1"),
                    List.of("c", "n1", "a"),
                    List.of("n1", "a", "b"),
                    List.of("a", "b", "c"))));
    assertThat(applied.state().nodes()).isEqualTo(state.nodes());
    // The state it was applied to is immutable.
    assertThat(state.bootstrapped()).isFalse();
  }

  @Test
  void theInitialTableTilesTheSpaceWithIdsFromOneAndNoLeaders() {
    RangeTable table = fourNodes().apply(bootstrap(8, 3)).state().ranges().orElseThrow();

    List<HashRange> bounds = HashRange.evenSplit(8);
    assertThat(table.ranges()).hasSize(8);
    for (int i = 0; i < 8; i++) {
      RangeDescriptor range = table.ranges().get(i);
      assertThat(range.rangeId()).isEqualTo(i + 1);
      assertThat(range.bounds()).isEqualTo(bounds.get(i));
      assertThat(range.epoch()).isEqualTo(Epoch.initial());
      assertThat(range.leader()).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0} nodes, {1} ranges x {2}")
  @CsvSource({
    "1, 1,    1",
    "1, 4096, 1",
    "3, 1,    3",
    "3, 4096, 3",
    "5, 16,   5",
    "7, 3,    5",
    "6, 10,   1",
  })
  void acceptsEveryReplicationAndRangeCountInBounds(int nodes, int ranges, int replication) {
    PdState state = nodesNamed(IntStream.rangeClosed(1, nodes).mapToObj(i -> "s" + i)
        .toArray(String[]::new));

    PdState.Applied applied = state.apply(bootstrap(ranges, replication));

    assertThat(applied.result().getStatus()).isEqualTo(Status.OK);
    RangeTable table = applied.state().ranges().orElseThrow();
    assertThat(table.size()).isEqualTo(ranges);
    assertThat(table.ranges()).allSatisfy(range -> assertThat(range.replicas()).hasSize(replication));
  }

  static Stream<Arguments> refusedBootstraps() {
    return Stream.of(
        refused("empty command", nodesNamed("a", "b", "c"), PdCommand.getDefaultInstance(),
            "empty PD command"),
        refused("unset bootstrap fields", nodesNamed("a", "b", "c"),
            PdCommand.newBuilder().setBootstrapRanges(BootstrapRangesCommand.getDefaultInstance())
                .build(),
            "replication must be 1, 3 or 5, got 0"),
        refused("replication 2", nodesNamed("a", "b", "c"), bootstrap(4, 2),
            "replication must be 1, 3 or 5, got 2"),
        refused("replication 4", nodesNamed("a", "b", "c", "d"), bootstrap(4, 4),
            "replication must be 1, 3 or 5, got 4"),
        refused("replication 7", nodesNamed("a", "b", "c"), bootstrap(4, 7),
            "replication must be 1, 3 or 5, got 7"),
        refused("replication -1", nodesNamed("a", "b", "c"), bootstrap(4, -1),
            "replication must be 1, 3 or 5, got -1"),
        refused("0 ranges", nodesNamed("a", "b", "c"), bootstrap(0, 3),
            "range count must be from 1 to 4096, got 0"),
        refused("negative ranges", nodesNamed("a", "b", "c"), bootstrap(-5, 3),
            "range count must be from 1 to 4096, got -5"),
        refused("4097 ranges", nodesNamed("a", "b", "c"), bootstrap(4097, 3),
            "range count must be from 1 to 4096, got 4097"),
        refused("2 of 3 nodes", stateOf(node("", 1), node("", 2)), bootstrap(4, 3),
            "bootstrapping 3 replicas per range needs at least 3 registered nodes, "
                + "2 are registered (n1, n2)"),
        refused("4 of 5 nodes", nodesNamed("d", "b", "c", "a"), bootstrap(4, 5),
            "bootstrapping 5 replicas per range needs at least 5 registered nodes, "
                + "4 are registered (a, b, c, d)"),
        refused("1 of 3 nodes", nodesNamed("a"), bootstrap(4, 3),
            "bootstrapping 3 replicas per range needs at least 3 registered nodes, "
                + "1 is registered (a)"),
        refused("no nodes", PdState.empty(), bootstrap(1, 1),
            "bootstrapping 1 replica per range needs at least 1 registered node, "
                + "none are registered"));
  }

  private static Arguments refused(String name, PdState state, PdCommand command, String message) {
    return Arguments.of(name, state, command, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedBootstraps")
  void refusalsSayWhyAndLeaveTheStateUnchanged(
      String name, PdState state, PdCommand command, String message) {
    PdMetadata before = state.toProto();

    PdState.Applied applied = state.apply(command);

    assertThat(applied.result())
        .isEqualTo(PdResult.newBuilder().setStatus(Status.INVALID).setMessage(message).build());
    assertThat(applied.state().toProto()).isEqualTo(before);
    assertThat(applied.state().bootstrapped()).isFalse();
    assertThat(state.toProto()).isEqualTo(before);
  }

  @ParameterizedTest(name = "then bootstrap({0}, {1})")
  @CsvSource({
    "4,    3",
    "16,   1",
    "2,    5",
    "0,    2",
    "9999, -1",
  })
  void aSecondBootstrapIsAnsweredOkAndChangesNothing(int ranges, int replication) {
    PdState bootstrapped = fourNodes().apply(bootstrap(6, 3)).state();
    PdMetadata before = bootstrapped.toProto();

    PdState.Applied again = bootstrapped.apply(bootstrap(ranges, replication));

    assertThat(again.result()).isEqualTo(ok("already bootstrapped with 6 ranges"));
    assertThat(again.state().toProto()).isEqualTo(before);
  }

  @Test
  void aRefusedBootstrapCanBeRetriedOnceEnoughNodesRegistered() {
    PdState twoNodes = nodesNamed("a", "b");
    PdState.Applied tooEarly = twoNodes.apply(bootstrap(3, 3));
    assertThat(tooEarly.result().getStatus()).isEqualTo(Status.INVALID);

    PdState.Applied retried = tooEarly.state().apply(node("c", 9)).state().apply(bootstrap(3, 3));

    assertThat(retried.result().getStatus()).isEqualTo(Status.OK);
    assertThat(retried.state().ranges().orElseThrow().size()).isEqualTo(3);
  }

  // ---- registration ----

  @Test
  void registrationsAreAnsweredExactlyAsTheRegistryAnswersThem() {
    List<PdCommand> commands =
        List.of(
            node("a", 1),
            node("", 2),
            node("a", 1), // again: idempotent
            node("a", 3), // taken id at other addresses
            register("b", "10.0.0.2:7001", "10.0.0.9:7101"), // address of n1
            register("bad id", "h:1", "h:2"),
            PdCommand.getDefaultInstance());
    PdState state = PdState.empty();
    NodeRegistry registry = NodeRegistry.empty();
    List<Status> statuses = new ArrayList<>();
    for (PdCommand command : commands) {
      PdState.Applied a = state.apply(command);
      NodeRegistry.Applied b = registry.apply(command);
      assertThat(a.result()).isEqualTo(b.result());
      statuses.add(a.result().getStatus());
      state = a.state();
      registry = b.registry();
      assertThat(state.nodes()).isEqualTo(registry);
    }
    assertThat(statuses).contains(Status.OK, Status.ALREADY_EXISTS, Status.INVALID);
  }

  @Test
  void registrationStillWorksAfterBootstrapAndLeavesTheTableAlone() {
    PdState bootstrapped = fourNodes().apply(bootstrap(4, 3)).state();
    RangeTable table = bootstrapped.ranges().orElseThrow();

    PdState.Applied fresh = bootstrapped.apply(node("", 20));
    PdState.Applied clash = fresh.state().apply(node("zed", 20));

    assertThat(fresh.result().getStatus()).isEqualTo(Status.OK);
    assertThat(fresh.result().getNodeId()).isEqualTo("n2");
    assertThat(fresh.state().nodes().node("n2")).isPresent();
    assertThat(fresh.state().ranges()).hasValue(table);
    assertThat(clash.result().getStatus()).isEqualTo(Status.ALREADY_EXISTS);
    assertThat(clash.state().toProto()).isEqualTo(fresh.state().toProto());
  }

  // ---- snapshots ----

  @Test
  void aSnapshotWithoutRangesRoundTrips() throws Exception {
    PdState state = fourNodes();

    PdMetadata snapshot = state.toProto();
    PdState restored = PdState.fromProto(PdMetadata.parseFrom(snapshot.toByteArray()));

    assertThat(snapshot.getRangesList()).isEmpty();
    assertThat(snapshot).isEqualTo(state.nodes().toProto());
    assertThat(restored).isEqualTo(state).hasSameHashCodeAs(state);
    assertThat(restored.bootstrapped()).isFalse();
    assertThat(restored.toProto()).isEqualTo(snapshot);
  }

  @Test
  void aSnapshotWithRangesRoundTripsExactly() throws Exception {
    // 7 ranges: bounds that are not powers of two, most of them above 2^63 as unsigned numbers.
    PdState state = fourNodes().apply(bootstrap(7, 3)).state();

    PdMetadata snapshot = state.toProto();
    PdState restored = PdState.fromProto(PdMetadata.parseFrom(snapshot.toByteArray()));

    assertThat(snapshot.getRangesList())
        .isEqualTo(RangeProtos.toProto(state.ranges().orElseThrow()));
    assertThat(snapshot.getRanges(6).getEnd()).isZero();
    assertThat(snapshot.getRanges(6).getStart()).isNegative();
    assertThat(snapshot.toBuilder().clearRanges().clearTableVersion().clearNextOperatorId().build())
        .isEqualTo(state.nodes().toProto());
    assertThat(restored).isEqualTo(state).hasSameHashCodeAs(state);
    assertThat(restored.toProto()).isEqualTo(snapshot);
    assertThat(restored.nodes().nextNodeNumber()).isEqualTo(2);
  }

  @Test
  void aRestoredStateAppliesLikeTheOriginal() {
    PdState state = fourNodes().apply(bootstrap(3, 3)).state();
    PdState restored = PdState.fromProto(state.toProto());

    for (PdCommand command : List.of(bootstrap(5, 1), node("", 30), node("a", 31))) {
      PdState.Applied a = state.apply(command);
      PdState.Applied b = restored.apply(command);
      assertThat(b.result()).isEqualTo(a.result());
      assertThat(b.state().toProto()).isEqualTo(a.state().toProto());
      state = a.state();
      restored = b.state();
    }
  }

  static Stream<Arguments> corruptSnapshots() {
    PdMetadata good = stateOf(node("a", 1), node("b", 2), node("c", 3))
        .apply(bootstrap(3, 3)).state().toProto();
    List<Range> ranges = good.getRangesList();
    NodeRecord a = good.getNodes(0);
    return Stream.of(
        Arguments.of("a gap", good.toBuilder().removeRanges(1).build(),
            "corrupt PD snapshot: invalid range table: gap"),
        Arguments.of("a range without epoch",
            good.toBuilder().setRanges(1, ranges.get(1).toBuilder().clearEpoch()).build(),
            "corrupt PD snapshot: invalid range 2: it has no epoch"),
        Arguments.of("a repeated range id",
            good.toBuilder().setRanges(2, ranges.get(2).toBuilder().setRangeId(1)).build(),
            "range id 1 is used twice"),
        Arguments.of("a repeated node", good.toBuilder().addNodes(a).build(),
            "node id 'a' appears twice"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptSnapshots")
  void aCorruptSnapshotIsRejected(String name, PdMetadata snapshot, String message) {
    assertThatThrownBy(() -> PdState.fromProto(snapshot))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void theSnapshotsCorruptionCasesStartFromAValidSnapshot() {
    PdMetadata good = stateOf(node("a", 1), node("b", 2), node("c", 3))
        .apply(bootstrap(3, 3)).state().toProto();
    assertThat(PdState.fromProto(good).ranges().map(RangeTable::size)).isEqualTo(Optional.of(3));
  }

  // ---- determinism ----

  /** A random mix of registrations (some conflicting or invalid), bootstraps and empty commands. */
  private static List<PdCommand> randomCommands(long seed, int count) {
    Random random = new Random(seed);
    List<String> ids = List.of("", "", "", "n1", "n3", "db", "web", "bad id");
    List<Integer> replications = List.of(1, 3, 3, 5, 5, 2);
    List<PdCommand> commands = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int kind = random.nextInt(20);
      if (kind == 0) {
        commands.add(PdCommand.getDefaultInstance());
      } else if (kind <= 3) {
        int ranges = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(64);
        commands.add(bootstrap(ranges, replications.get(random.nextInt(replications.size()))));
      } else {
        String host = "h" + random.nextInt(8);
        String raft = host + ":" + (random.nextBoolean() ? 7100 : 7200);
        commands.add(
            register(ids.get(random.nextInt(ids.size())), host + ":7000", raft,
                random.nextInt(3), i));
      }
    }
    return commands;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42})
  void replicasApplyingTheSameCommandsReachTheSameStateAndAnswers(long seed) throws Exception {
    List<PdCommand> log = randomCommands(seed, 300);
    PdState first = PdState.empty();
    PdState second = PdState.empty();
    // A third replica restarts from a snapshot taken halfway through the log.
    PdState restarted = PdState.empty();
    List<PdResult> results = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      PdState.Applied a = first.apply(log.get(i));
      PdState.Applied b = second.apply(log.get(i));
      PdState.Applied c = restarted.apply(log.get(i));
      assertThat(b.result()).isEqualTo(a.result());
      assertThat(c.result()).isEqualTo(a.result());
      results.add(a.result());
      first = a.state();
      second = b.state();
      restarted = i == log.size() / 2
          ? PdState.fromProto(PdMetadata.parseFrom(c.state().toProto().toByteArray()))
          : c.state();
    }

    assertThat(second.toProto()).isEqualTo(first.toProto());
    assertThat(restarted.toProto()).isEqualTo(first.toProto());
    // The random log must exercise every outcome, or this test proves little.
    assertThat(results).extracting(PdResult::getStatus)
        .contains(Status.OK, Status.ALREADY_EXISTS, Status.INVALID);
    assertThat(results).extracting(PdResult::getMessage)
        .anyMatch(m -> m.startsWith("bootstrapped "))
        .anyMatch(m -> m.startsWith("already bootstrapped with "));
    assertThat(first.bootstrapped()).isTrue();
    List<String> registered =
        first.nodes().nodes().stream().map(NodeRecord::getNodeId).toList();
    assertThat(first.ranges().orElseThrow().ranges())
        .allSatisfy(range -> assertThat(registered).containsAll(range.replicas()));
  }
}
