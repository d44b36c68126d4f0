package pando.ycsb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PandoDBSettingsTest {
  private static Properties props(String... pairs) {
    Properties p = new Properties();
    for (int i = 0; i < pairs.length; i += 2) {
      p.setProperty(pairs[i], pairs[i + 1]);
    }
    return p;
  }

  @Test
  void defaultsAreTheLocalPlacementDriverAndTenSeconds() {
    SharedClients.Settings settings = PandoDB.settings(props());
    assertThat(settings.pd()).containsExactly("127.0.0.1:7200");
    assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void severalPlacementDriversAndATimeoutAreRead() {
    SharedClients.Settings settings = PandoDB.settings(props("pando.pd", "10.0.0.1:7200, 10.0.0.2:7200",
        "pando.timeout.ms", "2500"));
    assertThat(settings.pd()).isEqualTo(List.of("10.0.0.1:7200", "10.0.0.2:7200"));
    assertThat(settings.timeout()).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void badSettingsSayWhichPropertyIsWrong() {
    assertThatThrownBy(() -> PandoDB.settings(props("pando.timeout.ms", "ten")))
        .hasMessage("pando.timeout.ms must be a number of milliseconds, got 'ten'");
    assertThatThrownBy(() -> PandoDB.settings(props("pando.timeout.ms", "0")))
        .hasMessage("pando.timeout.ms must be positive, got 0");
    assertThatThrownBy(() -> PandoDB.settings(props("pando.pd", " , ")))
        .hasMessage("pando.pd names no placement driver address");
  }

  @Test
  void keysArePrefixedWithTheirTable() {
    assertThat(new String(PandoDB.key("usertable", "user42"), StandardCharsets.UTF_8)).isEqualTo("usertable/user42");
  }
}
