package pando.pd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.range.Epoch;
import pando.pd.schedule.Operator.MoveReplica;
import pando.pd.schedule.Operator.Reason;
import pando.pd.schedule.Operator.TransferLeader;

class OperatorTest {
  private static final Epoch EPOCH = Epoch.initial();

  static Stream<Arguments> invalidOperators() {
    return Stream.of(
        Arguments.of(
            "move to itself",
            (Supplier<Operator>) () -> new MoveReplica(1, EPOCH, "a", "a", Reason.DRAIN),
            IllegalArgumentException.class,
            "range 1: an operator needs two different nodes, got a twice"),
        Arguments.of(
            "transfer to itself",
            (Supplier<Operator>) () -> new TransferLeader(2, EPOCH, "b", "b", Reason.DRAIN),
            IllegalArgumentException.class,
            "range 2: an operator needs two different nodes, got b twice"),
        Arguments.of(
            "range 0",
            (Supplier<Operator>) () -> new MoveReplica(0, EPOCH, "a", "b", Reason.DRAIN),
            IllegalArgumentException.class,
            "range id must be positive, got 0"),
        Arguments.of(
            "no epoch",
            (Supplier<Operator>) () -> new TransferLeader(1, null, "a", "b", Reason.DRAIN),
            NullPointerException.class,
            "epoch"),
        Arguments.of(
            "no target",
            (Supplier<Operator>) () -> new MoveReplica(1, EPOCH, "a", null, Reason.DRAIN),
            NullPointerException.class,
            "to"),
        Arguments.of(
            "no reason",
            (Supplier<Operator>) () -> new MoveReplica(1, EPOCH, "a", "b", null),
            NullPointerException.class,
            "reason"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidOperators")
  void rejectsOperatorsThatCannotBeCarriedOut(
      String name, Supplier<Operator> operator, Class<? extends Exception> type, String message) {
    Exception e = assertThrows(type, operator::get);
    assertEquals(message, e.getMessage());
  }
}
