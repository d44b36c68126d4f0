package pando.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CpuMeterTest {
  @Test
  void reportsEachServerGroupsCpuPerAcknowledgedOpAndTheRunnersCores() {
    CpuCost cost = new CpuCost(1000, Duration.ofSeconds(10), Duration.ofSeconds(4),
        List.of(new CpuCost.ServerCpu("nodes", List.of(11L, 12L, 13L), Duration.ofSeconds(15)),
            new CpuCost.ServerCpu("pd", List.of(14L), Duration.ofMillis(20))),
        Optional.empty());
    assertThat(cost.describe()).isEqualTo(
        "CPU per acknowledged op: nodes 15.000 ms (3 processes, 1.50 cores), pd 0.020 ms (1 process, 0.00 cores)\n"
            + "runner CPU: 0.40 cores\n");
    assertThat(cost.jsonFields()).isEqualTo(",\"cpu_ms_per_op\":{\"nodes\":15.0000,\"pd\":0.0200},"
        + "\"server_cores\":{\"nodes\":1.500,\"pd\":0.002},\"runner_cores\":0.400");
  }

  @Test
  void withoutServerProcessesOnlyTheRunnerIsReported() {
    CpuCost cost = new CpuCost(10, Duration.ofSeconds(2), Duration.ofSeconds(1), List.of(), Optional.empty());
    assertThat(cost.describe()).isEqualTo("runner CPU: 0.50 cores\n");
    assertThat(cost.jsonFields()).isEqualTo(",\"runner_cores\":0.500");
  }

  @Test
  void withNothingAcknowledgedThereIsNoCostPerOp() {
    CpuCost cost = new CpuCost(0, Duration.ofSeconds(1), Duration.ZERO,
        List.of(new CpuCost.ServerCpu("nodes", List.of(1L), Duration.ofSeconds(1))), Optional.empty());
    assertThat(cost.describe()).startsWith("CPU per acknowledged op: nodes n/a ms");
    assertThat(cost.jsonFields()).contains("\"cpu_ms_per_op\":{\"nodes\":null}");
  }

  @Test
  void measuresRunningProcessesOverTheWindow() throws Exception {
    long self = ProcessHandle.current().pid();
    CpuMeter meter = CpuMeter.start(Map.of("nodes", List.of(self)));
    CpuCost cost = meter.stop(1);
    assertThat(cost.serversUnmeasured()).isEmpty();
    assertThat(cost.servers()).singleElement().satisfies(group -> {
      assertThat(group.pids()).containsExactly(self);
      assertThat(group.cpu()).isGreaterThanOrEqualTo(Duration.ZERO);
    });
    assertThat(cost.runnerCpu()).isGreaterThanOrEqualTo(Duration.ZERO);
  }

  @Test
  void aServerThatExitsDuringTheWindowLeavesTheServersUnmeasuredAndSaysWhy() throws Exception {
    Process server = new ProcessBuilder("cat").start(); // runs until its stdin closes
    try {
      CpuMeter meter = CpuMeter.start(Map.of("nodes", List.of(server.pid())));
      server.getOutputStream().close();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
      CpuCost cost = meter.stop(100);
      assertThat(cost.servers()).isEmpty();
      assertThat(cost.serversUnmeasured()).hasValueSatisfying(why -> assertThat(why).contains("no process " + server.pid()));
      assertThat(cost.describe()).startsWith("server CPU: not measured, ");
      assertThat(cost.jsonFields()).isEqualTo(String.format(java.util.Locale.ROOT, ",\"runner_cores\":%.3f", cost.runnerCores()));
    } finally {
      server.destroyForcibly();
    }
  }
}
