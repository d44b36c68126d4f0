package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import pando.client.RoutingClient;

/**
 * The PD's web console in a real browser (Debian's headless Chromium) and {@code pando admin top}
 * on a pseudo-terminal, against a real cluster under a small workload: the page shows every node
 * and range and a heatmap with load in it; top draws screens and exits on q.
 *
 * <p>{@code -Dpando.console.screenshots=DIR} also writes the screenshots docs/operations.md shows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleIT {
  private static final Duration LOAD_SEEN_WITHIN = Duration.ofSeconds(90);
  private static final Duration WORKLOAD_MAX = Duration.ofMinutes(5);

  @TempDir static Path dir;
  private LocalCluster cluster;
  private RoutingClient client;
  private final AtomicBoolean stop = new AtomicBoolean();
  private Thread workload;

  @BeforeAll
  void startClusterUnderLoad() throws Exception {
    installChromium();
    cluster = JarCluster.start(dir, 3, 3, "256m", List.of());
    client = RoutingClient.connect(List.of(JarCluster.pd(cluster)), Duration.ofSeconds(10));
    long until = System.nanoTime() + WORKLOAD_MAX.toNanos();
    workload = new Thread(() -> {
      for (int i = 0; !stop.get() && System.nanoTime() < until; i++) {
        byte[] key = ("console-" + (i % 500)).getBytes(StandardCharsets.UTF_8);
        client.put(key, key);
        client.get(key);
      }
    }, "console-workload");
    workload.start();
  }

  @AfterAll
  void stopAll() throws Exception {
    stop.set(true);
    if (workload != null) {
      workload.join(TimeUnit.SECONDS.toMillis(30));
    }
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private String consoleUrl() {
    return "http://" + cluster.metricsAddress("pd1").orElseThrow() + "/";
  }

  @Test
  void theConsoleShowsEveryNodeAndRangeAndTheLoadOnTheHeatmap() throws Exception {
    awaitLoadOnHeatmap();
    JsonObject clusterJson = getJson("api/cluster").getAsJsonObject();
    List<String> nodes = new ArrayList<>();
    clusterJson.getAsJsonObject("nodes").getAsJsonArray("nodes")
        .forEach(n -> nodes.add(n.getAsJsonObject().get("node_id").getAsString()));
    List<String> ranges = new ArrayList<>();
    clusterJson.getAsJsonObject("ranges").getAsJsonArray("ranges")
        .forEach(r -> ranges.add(r.getAsJsonObject().getAsJsonObject("range").get("range_id").getAsString()));
    assertThat(nodes).containsExactlyInAnyOrder("n1", "n2", "n3");
    assertThat(ranges).hasSize(8);

    String dom = chromium("--dump-dom", consoleUrl());
    for (String node : nodes) {
      assertThat(dom).as("row of node %s", node).contains("data-node=\"" + node + "\"");
    }
    for (String range : ranges) {
      assertThat(dom).as("row of range %s", range).contains("data-range=\"" + range + "\"");
    }
    assertThat(dom).contains("nodes 3 up, 0 suspect, 0 down");
    Matcher cells = Pattern.compile("id=\"heatmap\"[^>]*data-nonzero-cells=\"(\\d+)\"").matcher(dom);
    assertThat(cells.find()).as("the heatmap was drawn").isTrue();
    assertThat(Integer.parseInt(cells.group(1))).as("heatmap cells with load").isPositive();

    String shots = System.getProperty("pando.console.screenshots", "");
    if (!shots.isEmpty()) {
      Files.createDirectories(Path.of(shots));
      chromium("--window-size=1280,1900", "--screenshot=" + Path.of(shots, "console.png").toAbsolutePath(), consoleUrl());
      chromium("--window-size=1040,560", "--screenshot=" + Path.of(shots, "console-heatmap.png").toAbsolutePath(),
          consoleUrl() + "#heatmap");
    }
  }

  @Test
  void topDrawsScreensOnATerminalAndQuitsOnQ() throws Exception {
    Path driver = Path.of(getClass().getResource("/pty-drive.py").toURI());
    List<String> command = List.of("python3", driver.toString(), "2", "pando top", "60", "--",
        "java", "-jar", System.getProperty("pando.jar"), "admin", "top", "--pd", JarCluster.pd(cluster),
        "--interval", "1s");
    Process top = new ProcessBuilder(command).redirectErrorStream(true).start();
    String transcript = new String(top.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(top.waitFor(90, TimeUnit.SECONDS)).as("the driver stops by itself").isTrue();
    assertThat(top.exitValue()).as("top quits on q with status 0; it printed:%n%s", transcript).isZero();
    assertThat(countOf(transcript, "pando top")).as("screens drawn").isGreaterThanOrEqualTo(2);
    assertThat(transcript).contains("\033[H\033[2J", "busiest ranges", "hottest keys", "operators");
    for (String node : List.of("n1", "n2", "n3")) {
      assertThat(transcript).contains(node + " ");
    }
  }

  private static int countOf(String text, String part) {
    int count = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      count++;
    }
    return count;
  }

  /** Waits, within a bound, until a heatmap sample shows load: heartbeats report rates every second. */
  private void awaitLoadOnHeatmap() throws Exception {
    long deadline = System.nanoTime() + LOAD_SEEN_WITHIN.toNanos();
    while (!heatmapHasLoad(getJson("api/heatmap").getAsJsonObject())) {
      assertThat(System.nanoTime()).as("load on the heatmap within %s", LOAD_SEEN_WITHIN).isLessThan(deadline);
      assertThat(workload.isAlive()).as("the workload runs").isTrue();
      Thread.sleep(500); // polling period of a bounded wait, not a synchronisation
    }
  }

  private static boolean heatmapHasLoad(JsonObject heatmap) {
    if (!heatmap.has("samples")) {
      return false;
    }
    for (JsonElement sample : heatmap.getAsJsonArray("samples")) {
      for (JsonElement v : sample.getAsJsonObject().getAsJsonArray("reads_per_second")) {
        if (v.getAsDouble() > 0) {
          return true;
        }
      }
    }
    return false;
  }

  private JsonElement getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(consoleUrl() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(answer.statusCode()).as("GET %s: %s", path, answer.body()).isEqualTo(200);
    assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return JsonParser.parseString(answer.body());
  }

  /** Runs headless Chromium on the page (its scripts run for up to 10 s of virtual time) and returns its stdout. */
  private String chromium(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--hide-scrollbars", "--user-data-dir=" + dir.resolve("chromium-profile"), "--virtual-time-budget=10000"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "chromium", ".out");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(dir.resolve("chromium.err").toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IOException("chromium did not finish within 90 s");
    }
    assertThat(p.exitValue()).as("chromium's exit status; its errors: %s", Files.readString(dir.resolve("chromium.err")))
        .isZero();
    return Files.readString(out);
  }

  /** Runs .ci/install-chromium (from the repository root), which does nothing if chromium is there. */
  private static void installChromium() throws IOException, InterruptedException {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isDirectory(root.resolve(".ci"))) {
      root = root.getParent();
    }
    assertThat(root).as("the repository root (with .ci/) above %s", Path.of("").toAbsolutePath()).isNotNull();
    Process p = new ProcessBuilder(root.resolve(".ci/install-chromium").toString()).inheritIO().start();
    assertThat(p.waitFor(15, TimeUnit.MINUTES)).as("chromium installed within 15 minutes").isTrue();
    assertThat(p.exitValue()).as(".ci/install-chromium's exit status").isZero();
  }
}
