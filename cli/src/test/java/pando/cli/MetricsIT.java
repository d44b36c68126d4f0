package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.RoutingClient;

/**
 * The Prometheus metrics of a node and of the placement driver, scraped during a small workload on
 * a real cluster and read by the Prometheus project's parser: the series an operator alerts on
 * exist, and request counters grow with the requests.
 */
class MetricsIT {
  @TempDir Path dir;

  @BeforeAll
  static void parser() throws Exception {
    PrometheusText.installParserIfMissing();
  }

  private static List<PrometheusText.Sample> scrape(String address) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return PrometheusText.parse(page.body());
  }

  private static double value(List<PrometheusText.Sample> samples, String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(PrometheusText.Sample::value).sum();
  }

  private static boolean has(List<PrometheusText.Sample> samples, String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }

  private static void work(RoutingClient client, String prefix, int n) {
    for (int i = 0; i < n; i++) {
      byte[] key = (prefix + i).getBytes(StandardCharsets.UTF_8);
      client.put(key, key);
      client.get(key);
    }
  }

  @Test
  void aNodeAndThePlacementDriverServeTheirSeriesAndCountersGrow() throws Exception {
    LocalCluster cluster = JarCluster.start(dir, 3, 3, "256m", List.of());
    try (RoutingClient client = RoutingClient.connect(List.of(JarCluster.pd(cluster)), Duration.ofSeconds(10))) {
      work(client, "first-", 100);
      // Every node: its series, and the puts it led (routed puts go to leaders, spread over the nodes).
      double putsBefore = 0;
      for (var m : cluster.members()) {
        List<PrometheusText.Sample> node = scrape(cluster.metricsAddress(m.id()).orElseThrow());
        for (String name : List.of("pando_requests_seconds_bucket", "pando_requests_seconds_count",
            "pando_requests_seconds_sum", "pando_network_bytes_total", "pando_node_ranges", "pando_node_leaders",
            "pando_range_leader", "pando_range_applied_index", "pando_range_keys", "pando_range_data_bytes",
            "pando_range_disk_bytes", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_count", "jvm_threads_live_threads",
            "process_cpu_usage", "disk_free_bytes", "process_files_open_files")) {
          assertThat(has(node, name)).as("%s serves %s", m.id(), name).isTrue();
        }
        assertThat(value(node, "pando_node_ranges", Map.of())).as("replicas on %s", m.id()).isEqualTo(8);
        assertThat(value(node, "pando_network_bytes_total", Map.of("direction", "in"))).isPositive();
        assertThat(value(node, "pando_network_bytes_total", Map.of("direction", "out"))).isPositive();
        putsBefore += value(node, "pando_requests_seconds_count", Map.of("method", "Put", "code", "OK"));
      }
      assertThat(putsBefore).as("acknowledged puts counted by the nodes").isGreaterThanOrEqualTo(100);

      work(client, "second-", 50);
      double putsAfter = 0;
      double leaders = 0;
      for (var m : cluster.members()) {
        List<PrometheusText.Sample> node = scrape(cluster.metricsAddress(m.id()).orElseThrow());
        putsAfter += value(node, "pando_requests_seconds_count", Map.of("method", "Put", "code", "OK"));
        leaders += value(node, "pando_node_leaders", Map.of());
      }
      assertThat(putsAfter).as("the Put counters grew by the puts made").isGreaterThanOrEqualTo(putsBefore + 50);
      assertThat(leaders).as("every range led by one node").isEqualTo(8);

      List<PrometheusText.Sample> pd = scrape(cluster.metricsAddress("pd1").orElseThrow());
      assertThat(value(pd, "pando_pd_leader", Map.of())).isEqualTo(1);
      assertThat(value(pd, "pando_pd_nodes", Map.of("state", "UP"))).isEqualTo(3);
      assertThat(value(pd, "pando_pd_nodes", Map.of("state", "DOWN"))).isZero();
      assertThat(value(pd, "pando_pd_ranges", Map.of())).isEqualTo(8);
      assertThat(value(pd, "pando_pd_under_replicated_ranges", Map.of())).isZero();
      assertThat(has(pd, "pando_pd_operators")).isTrue();
      assertThat(value(pd, "pando_pd_hot_keys", Map.of("state", "ACTIVE"))).isZero();
      for (var m : cluster.members()) {
        assertThat(value(pd, "pando_pd_heartbeat_age_seconds", Map.of("node", m.id())))
            .as("%s heartbeats", m.id()).isBetween(0.0, 5.0);
      }
      assertThat(value(pd, "pando_requests_seconds_count", Map.of("method", "Heartbeat", "code", "OK"))).isPositive();
    } finally {
      cluster.close();
    }
  }
}
