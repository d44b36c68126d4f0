package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.Kind;
import pando.maelstrom.check.Verdict;

class CheckClientTest {
  @Test
  void aFailedReadChangedNothing() {
    for (Status.Code code : Status.Code.values()) {
      assertThat(CheckClient.outcomeOf(Kind.READ, code, "whatever")).isEqualTo(Event.Type.FAIL);
    }
  }

  @Test
  void aWriteIsRefusedOnlyWhenTheDocsSaySoAndMayHaveHappenedOtherwise() {
    assertThat(CheckClient.outcomeOf(Kind.WRITE, Status.Code.INVALID_ARGUMENT, "key must not be empty"))
        .isEqualTo(Event.Type.FAIL);
    assertThat(CheckClient.outcomeOf(Kind.CAS, Status.Code.FAILED_PRECONDITION, "salted")).isEqualTo(Event.Type.FAIL);
    assertThat(CheckClient.outcomeOf(Kind.WRITE, Status.Code.RESOURCE_EXHAUSTED, "queue full"))
        .isEqualTo(Event.Type.FAIL);
    assertThat(CheckClient.outcomeOf(Kind.WRITE, Status.Code.DEADLINE_EXCEEDED,
        "the request's deadline passed while it waited to be proposed to range 3; nothing was applied"))
        .isEqualTo(Event.Type.FAIL);
    assertThat(CheckClient.outcomeOf(Kind.WRITE, Status.Code.DEADLINE_EXCEEDED, "range 3 did not answer"))
        .isEqualTo(Event.Type.INFO);
    assertThat(CheckClient.outcomeOf(Kind.CAS, Status.Code.UNAVAILABLE, "no reachable leader")).isEqualTo(Event.Type.INFO);
    assertThat(CheckClient.outcomeOf(Kind.WRITE, Status.Code.UNKNOWN, null)).isEqualTo(Event.Type.INFO);
  }

  @Test
  void runsAreDecidedInvalidBeforeUndecidedBeforeValid() {
    assertThat(CheckCommand.exitCode(java.util.List.of(Verdict.VALID, Verdict.VALID))).isZero();
    assertThat(CheckCommand.exitCode(java.util.List.of(Verdict.VALID, Verdict.UNKNOWN))).isEqualTo(3);
    assertThat(CheckCommand.exitCode(java.util.List.of(Verdict.UNKNOWN, Verdict.INVALID))).isEqualTo(1);
  }

  @Test
  void errorsAreCountedByWhatTheySayNotByTheirNumbers() {
    assertThat(ClusterCheck.gist("range 12 has no reachable leader")).isEqualTo(ClusterCheck.gist("range 7 has no reachable leader"));
  }
}
