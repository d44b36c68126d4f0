package pando.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FloorTest {
  @TempDir Path dir;

  @Test
  void theFloorIsOneFsyncAndTwoRoundTripsAndAWriteIsExpressedInFloors() {
    Floor floor = new Floor(Duration.ofMillis(2), Duration.ofNanos(500_000));
    assertThat(floor.writeFloor()).isEqualTo(Duration.ofMillis(3));
    assertThat(floor.multipleOf(9.0)).isCloseTo(3.0, within(1e-9));
    assertThat(floor.json()).isEqualTo(
        "{\"fsync_4k_p50_ms\":2.0000,\"loopback_rtt_p50_ms\":0.5000,\"write_floor_ms\":3.0000}");
  }

  @Test
  void measuresRealDurableWritesAndRoundTripsAndLeavesNoFileBehind() throws Exception {
    Floor floor = Floor.measure(dir, 20);
    assertThat(floor.fsync()).isPositive();
    assertThat(floor.roundTrip()).isPositive();
    assertThat(dir).isEmptyDirectory();
  }
}
