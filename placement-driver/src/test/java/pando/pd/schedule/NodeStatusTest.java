package pando.pd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pando.v1.NodeState;

class NodeStatusTest {

  @ParameterizedTest(name = "{0}, draining {1}: accepts work {2}")
  @CsvSource({
    "UP,      false, true",
    "UP,      true,  false",
    "SUSPECT, false, false",
    "DOWN,    false, false",
    "DOWN,    true,  false",
  })
  void onlyAnUpNodeThatIsNotDrainingAcceptsWork(
      NodeState state, boolean draining, boolean acceptsWork) {
    assertEquals(acceptsWork, new NodeStatus("a", state, draining).acceptsWork());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"NODE_STATE_UNSPECIFIED", "UNRECOGNIZED"})
  void rejectsAStateThatIsNotUpSuspectOrDown(NodeState state) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new NodeStatus("a", state, false));
    assertEquals("node a: state must be UP, SUSPECT or DOWN, got " + state, e.getMessage());
  }

  @Test
  void rejectsABlankId() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NodeStatus.up(" "));
    assertEquals("node id must not be blank", e.getMessage());
  }
}
