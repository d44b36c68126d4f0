package pando.maelstrom.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeOptionsTest {
  @Test
  void defaultsFlagsAndEnvironment() {
    assertThat(NodeOptions.parse(new String[0], Map.of()))
        .isEqualTo(new NodeOptions(null, Duration.ofSeconds(2), false));
    assertThat(NodeOptions.parse(new String[0], Map.of(NodeOptions.ENV_DATA, "/d")).dataBase())
        .isEqualTo(Path.of("/d"));
    assertThat(NodeOptions.parse(
        new String[] {"--data-dir", "/x", "--deadline-ms", "500", "--unsafe-local-reads"},
        Map.of(NodeOptions.ENV_DATA, "/d")))
        .isEqualTo(new NodeOptions(Path.of("/x"), Duration.ofMillis(500), true));
  }

  @Test
  void rejectsUnknownAndIncompleteArguments() {
    assertThatThrownBy(() -> NodeOptions.parse(new String[] {"--bogus"}, Map.of()))
        .hasMessageContaining("usage");
    assertThatThrownBy(() -> NodeOptions.parse(new String[] {"--data-dir"}, Map.of()))
        .hasMessageContaining("needs a value");
    assertThat(NodeOptions.USAGE).contains("UNSAFE");
  }
}
