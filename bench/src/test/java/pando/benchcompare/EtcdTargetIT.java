package pando.benchcompare;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etcd target against a real one-member etcd. Needs {@code etcd} on the PATH, so it runs only
 * with {@code -Petcd} (CI does not enable it).
 */
class EtcdTargetIT {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  @TempDir Path dir;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putGetAndLoadReachEtcd() throws Exception {
    int clientPort;
    int peerPort;
    try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      clientPort = a.getLocalPort();
      peerPort = b.getLocalPort();
    }
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    Process etcd = new ProcessBuilder(List.of("etcd", "--name", "e1", "--data-dir", dir.resolve("e1").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "e1=" + peer))
        .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
    try {
      awaitHealthy(etcd, client);
      try (EtcdTarget target = EtcdTarget.connect(List.of("127.0.0.1:" + clientPort), Duration.ofSeconds(10))) {
        assertThat(target.get(utf8("absent"))).isEmpty();
        target.put(utf8("k"), utf8("v1"));
        assertThat(target.get(utf8("k"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("v1")));
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 250; i++) { // more than one transaction's worth
          keys.add(utf8("load" + i));
        }
        target.load(keys, utf8("loaded"));
        for (byte[] key : keys) {
          assertThat(target.get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("loaded")));
        }
      }
    } finally {
      etcd.destroy();
      if (!etcd.waitFor(15, TimeUnit.SECONDS)) {
        etcd.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
      }
    }
  }

  private static void awaitHealthy(Process etcd, String client) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create(client + "/health")).timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      assertThat(etcd.isAlive()).as("etcd is running").isTrue();
      try {
        if (http.send(health, HttpResponse.BodyHandlers.ofString()).body().contains("\"health\":\"true\"")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      assertThat(System.nanoTime() - deadline).as("etcd healthy within %s", READY_TIMEOUT).isNegative();
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }
}
