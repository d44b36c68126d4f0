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
      double appliesBefore = 0;
      double fsyncsBefore = 0;
      for (var m : cluster.members()) {
        List<PrometheusText.Sample> node = scrape(cluster.metricsAddress(m.id()).orElseThrow());
        for (String name : List.of("pando_requests_seconds_bucket", "pando_requests_seconds_count",
            "pando_requests_seconds_sum", "pando_network_bytes_total", "pando_node_ranges", "pando_node_leaders",
            "pando_range_leader", "pando_range_applied_index", "pando_range_keys", "pando_range_data_bytes",
            "pando_range_disk_bytes", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_count", "jvm_threads_live_threads",
            "process_cpu_usage", "disk_free_bytes", "process_files_open_files",
            "pando_range_log_append_seconds_count", "pando_range_log_append_seconds_sum",
            "pando_range_log_fsync_seconds_count", "pando_range_log_fsync_seconds_sum",
            "pando_range_apply_seconds_count", "pando_range_apply_seconds_sum", "pando_range_snapshot_installs_total")) {
          assertThat(has(node, name)).as("%s serves %s", m.id(), name).isTrue();
        }
        assertThat(value(node, "pando_node_ranges", Map.of())).as("replicas on %s", m.id()).isEqualTo(8);
        assertThat(value(node, "pando_network_bytes_total", Map.of("direction", "in"))).isPositive();
        assertThat(value(node, "pando_network_bytes_total", Map.of("direction", "out"))).isPositive();
        putsBefore += value(node, "pando_requests_seconds_count", Map.of("method", "Put", "code", "OK"));
        appliesBefore += value(node, "pando_range_apply_seconds_count", Map.of());
        fsyncsBefore += value(node, "pando_range_log_fsync_seconds_count", Map.of());
      }
      assertThat(putsBefore).as("acknowledged puts counted by the nodes").isGreaterThanOrEqualTo(100);

      work(client, "second-", 50);
      double putsAfter = 0;
      double leaders = 0;
      double appliesAfter = 0;
      double fsyncsAfter = 0;
      long followerLagSeries = 0;
      for (var m : cluster.members()) {
        List<PrometheusText.Sample> node = scrape(cluster.metricsAddress(m.id()).orElseThrow());
        putsAfter += value(node, "pando_requests_seconds_count", Map.of("method", "Put", "code", "OK"));
        leaders += value(node, "pando_node_leaders", Map.of());
        appliesAfter += value(node, "pando_range_apply_seconds_count", Map.of());
        fsyncsAfter += value(node, "pando_range_log_fsync_seconds_count", Map.of());
        followerLagSeries += node.stream().filter(s -> s.name().equals("pando_range_follower_lag_entries")).count();
      }
      assertThat(appliesAfter).as("entries applied grew with the puts").isGreaterThan(appliesBefore);
      assertThat(fsyncsAfter).as("log flushes grew with the puts").isGreaterThan(fsyncsBefore);
      // Each range's leader reports its 2 followers (a range between leaders reports none for a moment).
      assertThat(followerLagSeries).as("follower lag series").isBetween(2L, 8L * 2);
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
      for (String kind : List.of("move", "transfer_leader", "split", "salt", "unsalt")) {
        assertThat(pd.stream().anyMatch(s -> s.name().equals("pando_pd_operators_finished_total")
            && s.labels().get("kind").equals(kind))).as("operators of kind %s counted", kind).isTrue();
      }
      double adminSplits = value(pd, "pando_pd_splits_total", Map.of("reason", "admin"));
      double splitsDone = value(pd, "pando_pd_operators_finished_total", Map.of("kind", "split", "outcome", "done"));
      try (pando.api.pd.PdConnection admin = new pando.api.pd.PdConnection(List.of(JarCluster.pd(cluster)))) {
        admin.call(c -> pando.v1.AdminGrpc.newBlockingStub(c).withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS)
            .splitRange(pando.v1.SplitRangeAdminRequest.newBuilder().setRangeId(1).build()));
      }
      pd = scrape(cluster.metricsAddress("pd1").orElseThrow());
      assertThat(value(pd, "pando_pd_splits_total", Map.of("reason", "admin"))).as("the split asked for").isEqualTo(adminSplits + 1);
      assertThat(value(pd, "pando_pd_operators_finished_total", Map.of("kind", "split", "outcome", "done")))
          .isEqualTo(splitsDone + 1);
      assertThat(value(pd, "pando_pd_ranges", Map.of())).isEqualTo(9);
    } finally {
      cluster.close();
    }
  }
}
