package pando.maelstrom.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HistoryTest {

  @Test
  void pairsEachInvocationWithTheNextCompletionOfItsProcess() {
    Event w = Event.invokeWrite(1, "a", 5, 10);
    Event r = Event.invokeRead(2, "a", 12);
    Event c = Event.invokeCas(1, "b", 5, 6, 40);
    History h = History.fromEvents(List.of(
        w, r, r.complete(Event.Type.OK, 5L, 30), w.complete(Event.Type.OK, 35),
        c, c.complete(Event.Type.FAIL, 50)));

    assertThat(h.ops()).containsExactly(
        new Op(0, 1, Kind.WRITE, "a", 5L, null, 10, 35, Outcome.OK),
        new Op(1, 2, Kind.READ, "a", 5L, null, 12, 30, Outcome.OK),
        new Op(2, 1, Kind.CAS, "b", 6L, 5L, 40, 50, Outcome.FAIL));
    assertThat(h.keys()).containsExactly("a", "b");
    assertThat(h.opsFor("a")).hasSize(2);
    assertThat(h.eventsFor("b")).hasSize(2);
  }

  @Test
  void infoCompletionAndMissingCompletionBothMeanUnknownOutcome() {
    Event timedOut = Event.invokeWrite(1, "a", 5, 10);
    Event neverAnswered = Event.invokeCas(2, "a", 5, 6, 20);
    History h = History.fromEvents(List.of(
        timedOut, neverAnswered, timedOut.complete(Event.Type.INFO, 30)));

    assertThat(h.ops()).extracting(Op::outcome).containsExactly(Outcome.INFO, Outcome.INFO);
    assertThat(h.ops()).extracting(Op::completeNanos)
        .containsOnly(Long.MAX_VALUE);
  }

  @Test
  void aProcessMayInvokeAgainAfterAnInfo() {
    Event first = Event.invokeWrite(1, "a", 5, 10);
    Event second = Event.invokeRead(1, "a", 40);
    History h = History.fromEvents(List.of(
        first, first.complete(Event.Type.INFO, 30), second,
        second.complete(Event.Type.OK, 5L, 50)));

    assertThat(h.ops()).hasSize(2);
  }

  static Stream<Arguments> malformed() {
    Event write = Event.invokeWrite(3, "a", 1, 10);
    Event read = Event.invokeRead(3, "a", 10);
    return Stream.of(
        arguments("completion without invocation",
            List.of(read, read.complete(Event.Type.OK, null, 20), write.complete(Event.Type.OK, 30)),
            "event #3", "process 3", "no outstanding invocation"),
        arguments("two invocations in a row",
            List.of(write, Event.invokeRead(3, "a", 20)),
            "event #2", "process 3", "event #1 is still outstanding"),
        arguments("completion of a different f",
            List.of(write, new Event(3, Event.Type.OK, Kind.READ, "a", 1L, 20)),
            "event #2", "process 3", "is a write"),
        arguments("completion of a different key",
            List.of(write, new Event(3, Event.Type.OK, Kind.WRITE, "b", 1L, 20)),
            "event #2", "process 3", "of key a"),
        arguments("completion before invocation",
            List.of(write, write.complete(Event.Type.OK, 5)),
            "event #2", "process 3", "before its invocation"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void rejectsMalformedHistoryNamingEventAndProcess(
      String name, List<Event> events, String position, String process, String detail) {
    assertThatThrownBy(() -> History.fromEvents(events))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(position)
        .hasMessageContaining(process)
        .hasMessageContaining(detail);
  }

  @Test
  void eventsRejectValuesThatDoNotFitTheOperation() {
    assertThatThrownBy(() -> new Event(1, Event.Type.INVOKE, Kind.WRITE, "a", null, 0))
        .hasMessageContaining("value must be the number written");
    assertThatThrownBy(() -> new Event(1, Event.Type.INVOKE, Kind.CAS, "a", 1L, 0))
        .hasMessageContaining("[from, to]");
    assertThatThrownBy(() -> new Event(1, Event.Type.OK, Kind.READ, "a", "1", 0))
        .hasMessageContaining("Long, null or a Cas");
  }
}
