package pando.pd.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static pando.pd.meta.PdStateTest.bootstrap;
import static pando.pd.meta.PdStateTest.node;
import static pando.pd.meta.PdStateTest.stateOf;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.internal.v1.AddOperatorCommand;
import pando.internal.v1.ChangeReplicasCommand;
import pando.internal.v1.MoveOperator;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdMetadata;
import pando.internal.v1.PdResult.Status;
import pando.internal.v1.RemoveOperatorCommand;

/** Replica changes in the range table and the recorded replica moves, as pure state transitions. */
class PdOperatorsTest {
  /** Nodes a, b, c, d; three ranges of three replicas each. */
  private static PdState cluster() {
    return stateOf(node("a", 1), node("b", 2), node("c", 3), node("d", 4), bootstrap(3, 3));
  }

  private static RangeDescriptor range(PdState state, long id) {
    return state.ranges().orElseThrow().byId(id).orElseThrow();
  }

  private static PdCommand change(long rangeId, Epoch expected, List<String> replicas) {
    return PdCommand.newBuilder().setChangeReplicas(ChangeReplicasCommand.newBuilder()
        .setRangeId(rangeId).setExpectedEpoch(RangeProtos.toProto(expected)).addAllReplicas(replicas)).build();
  }

  private static PdCommand move(long rangeId, String from, String to) {
    return PdCommand.newBuilder().setAddOperator(AddOperatorCommand.newBuilder().setMove(MoveOperator.newBuilder()
        .setRangeId(rangeId).setFromNode(from).setToNode(to).setReason("manual"))).build();
  }

  private static PdCommand finish(long operatorId) {
    return PdCommand.newBuilder().setRemoveOperator(RemoveOperatorCommand.newBuilder().setOperatorId(operatorId)).build();
  }

  /** A node that range 1 does not have. */
  private static String outsider(PdState state) {
    return Stream.of("a", "b", "c", "d").filter(n -> !range(state, 1).replicas().contains(n)).findFirst().orElseThrow();
  }

  private static List<String> plus(List<String> list, String item) {
    List<String> out = new ArrayList<>(list);
    out.add(item);
    return out;
  }

  @Test
  void theBootstrapPublishesTableVersionOneAndAReplicaChangeRaisesItAndTheConfVersion() {
    PdState state = cluster();
    assertThat(state.tableVersion()).isEqualTo(1);
    RangeDescriptor before = range(state, 1);

    PdState.Applied applied = state.apply(change(1, before.epoch(), plus(before.replicas(), outsider(state))));

    assertThat(applied.result().getStatus()).isEqualTo(Status.OK);
    assertThat(applied.state().tableVersion()).isEqualTo(2);
    assertThat(range(applied.state(), 1).epoch()).isEqualTo(before.epoch().nextConfVersion());
    assertThat(range(applied.state(), 1).replicas()).hasSize(4);
    assertThat(range(applied.state(), 2)).isEqualTo(range(state, 2));
  }

  @Test
  void aReplicaChangeComputedFromAnOlderEpochIsRefusedAndChangesNothing() {
    PdState state = cluster();
    RangeDescriptor before = range(state, 1);
    PdState changed = state.apply(change(1, before.epoch(), plus(before.replicas(), outsider(state)))).state();

    // The same change again, computed from the table before the first one.
    PdState.Applied again = changed.apply(change(1, before.epoch(), before.replicas()));

    assertThat(again.result().getStatus()).isEqualTo(Status.INVALID);
    assertThat(again.result().getMessage()).contains("is at epoch").contains("not the expected");
    assertThat(again.state()).isSameAs(changed);
  }

  static Stream<Arguments> refusedChanges() {
    PdState state = cluster();
    RangeDescriptor r1 = range(state, 1);
    return Stream.of(
        Arguments.of("unknown range", change(99, Epoch.initial(), List.of("a")), "no range 99"),
        Arguments.of("unregistered node", change(1, r1.epoch(), List.of("a", "b", "zz")), "no registered node zz"),
        Arguments.of("no replicas", change(1, r1.epoch(), List.of()), "at least one replica"),
        Arguments.of("a replica twice", change(1, r1.epoch(), List.of("a", "a")), "twice"),
        Arguments.of("missing epoch", PdCommand.newBuilder().setChangeReplicas(ChangeReplicasCommand.newBuilder()
            .setRangeId(1).addReplicas("a")).build(), "invalid expected epoch"),
        Arguments.of("move from a node without the range", move(1, outsider(state), "a"), "has no replica on"),
        Arguments.of("move to a node with the range", move(1, r1.replicas().get(0), r1.replicas().get(1)),
            "already has a replica on"),
        Arguments.of("move of an unknown range", move(42, "a", "b"), "no range 42"),
        Arguments.of("move to an unregistered node", move(1, r1.replicas().get(0), "zz"), "no registered node 'zz'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedChanges")
  void badChangesAreRefusedWithAReasonAndChangeNothing(String name, PdCommand command, String message) {
    PdState state = cluster();
    PdState.Applied applied = state.apply(command);
    assertThat(applied.result().getStatus()).isEqualTo(Status.INVALID);
    assertThat(applied.result().getMessage()).contains(message);
    assertThat(applied.state()).isSameAs(state);
  }

  @Test
  void beforeTheBootstrapNothingCanChangeRanges() {
    PdState state = stateOf(node("a", 1));
    assertThat(state.apply(change(1, Epoch.initial(), List.of("a"))).result().getMessage())
        .contains("not bootstrapped");
    assertThat(state.apply(move(1, "a", "b")).result().getMessage()).contains("not bootstrapped");
  }

  @Test
  void aMoveIsRecordedWithAnIdAndARangeTakesOneMoveAtATime() {
    PdState state = cluster();
    String from = range(state, 1).replicas().get(0);
    String to = outsider(state);

    PdState.Applied first = state.apply(move(1, from, to));
    assertThat(first.result().getStatus()).isEqualTo(Status.OK);
    assertThat(first.result().getOperatorId()).isEqualTo(1);
    assertThat(first.state().operators()).singleElement()
        .satisfies(op -> assertThat(op.getFromNode()).isEqualTo(from))
        .satisfies(op -> assertThat(op.getToNode()).isEqualTo(to));
    // Recording a move does not change the table: the executor does, step by step.
    assertThat(first.state().tableVersion()).isEqualTo(1);

    PdState.Applied second = first.state().apply(move(1, range(state, 1).replicas().get(1), to));
    assertThat(second.result().getMessage()).contains("already has a move in progress");

    PdState.Applied finished = first.state().apply(finish(1));
    assertThat(finished.state().operators()).isEmpty();
    // Finishing twice (a step repeated after a PD failover) is harmless.
    assertThat(finished.state().apply(finish(1)).result().getStatus()).isEqualTo(Status.OK);
    // Ids are not reused.
    assertThat(finished.state().apply(move(1, from, to)).result().getOperatorId()).isEqualTo(2);
  }

  @Test
  void tableVersionAndOperatorsSurviveASnapshot() throws Exception {
    PdState state = cluster();
    RangeDescriptor r1 = range(state, 1);
    state = state.apply(change(1, r1.epoch(), plus(r1.replicas(), outsider(state)))).state();
    state = state.apply(move(2, range(state, 2).replicas().get(0),
        Stream.of("a", "b", "c", "d").filter(n -> !range(cluster(), 2).replicas().contains(n)).findFirst().orElseThrow()))
        .state();

    PdState restored = PdState.fromProto(PdMetadata.parseFrom(state.toProto().toByteArray()));

    assertThat(restored).isEqualTo(state);
    assertThat(restored.tableVersion()).isEqualTo(2);
    assertThat(restored.operators()).hasSize(1);
    assertThat(restored.apply(finish(1)).state().apply(move(3, range(state, 3).replicas().get(0), "zz"))
        .result().getStatus()).isEqualTo(Status.INVALID);
  }

  private static PdCommand draining(String node, boolean on) {
    return PdCommand.newBuilder().setSetDraining(pando.internal.v1.SetDrainingCommand.newBuilder()
        .setNodeId(node).setDraining(on)).build();
  }

  private static PdCommand remove(String node) {
    return PdCommand.newBuilder().setRemoveNode(pando.internal.v1.RemoveNodeCommand.newBuilder().setNodeId(node)).build();
  }

  @Test
  void aNodeIsRemovedOnlyOnceItHoldsNoReplicaAndThenCannotComeBackUnderItsId() {
    PdState state = cluster();
    String holder = range(state, 1).replicas().get(0);
    PdState.Applied refused = state.apply(remove(holder));
    assertThat(refused.result().getMessage()).contains("still holds").contains("drain it first");
    assertThat(refused.state()).isSameAs(state);

    // A node the table places nothing on (4 nodes, 3 ranges of 3: at least one holds 2 or fewer;
    // strip one node of all its ranges to get an empty one).
    String leaving = "d";
    for (RangeDescriptor r : state.rangesOn(leaving)) {
      String replacement = Stream.of("a", "b", "c").filter(n -> !r.replicas().contains(n)).findFirst().orElseThrow();
      List<String> replicas = r.replicas().stream().map(n -> n.equals(leaving) ? replacement : n).toList();
      state = state.apply(change(r.rangeId(), r.epoch(), replicas)).state();
    }
    assertThat(state.rangesOn(leaving)).isEmpty();
    PdState.Applied removed = state.apply(remove(leaving));
    assertThat(removed.result().getStatus()).isEqualTo(Status.OK);
    assertThat(removed.state().nodes().node(leaving)).isEmpty();
    assertThat(removed.state().nodes().nodes()).extracting(n -> n.getNodeId()).doesNotContain(leaving);
    // Its old id is refused; its addresses are free for a node with a new id.
    assertThat(removed.state().apply(node(leaving, 4)).result().getMessage()).contains("was removed");
    assertThat(removed.state().apply(node("e", 4)).result().getStatus()).isEqualTo(Status.OK);
  }

  @Test
  void drainingIsRecordedOnTheNodeAndCanBeUndone() {
    PdState state = cluster();
    PdState on = state.apply(draining("a", true)).state();
    assertThat(on.nodes().node("a").orElseThrow().getDraining()).isTrue();
    assertThat(on.apply(draining("a", false)).state()).isEqualTo(state);
    assertThat(state.apply(draining("zz", true)).result().getMessage()).contains("no registered node 'zz'");
  }

  @Test
  void aNodeInAMoveCannotBeRemoved() {
    PdState state = cluster();
    String to = outsider(state);
    for (RangeDescriptor r : state.rangesOn(to)) {
      String replacement = Stream.of("a", "b", "c", "d").filter(n -> !r.replicas().contains(n)).findFirst().orElseThrow();
      state = state.apply(change(r.rangeId(), r.epoch(),
          r.replicas().stream().map(n -> n.equals(to) ? replacement : n).toList())).state();
    }
    state = state.apply(move(1, range(state, 1).replicas().get(0), to)).state();
    assertThat(state.apply(remove(to)).result().getMessage()).contains("move in progress");
  }
}
