package pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.raft.ReplicaStatus;
import pando.testing.Await;
import pando.v1.GetRequest;
import pando.v1.PutRequest;
import pando.v1.ReadConsistency;

/** Nodes stopping and coming back while clients write: nothing acknowledged may be lost. */
class FailoverTest {
  @TempDir Path dir;

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void leaderStoppedDuringConcurrentWritesLosesNoAcknowledgedWrite() throws Exception {
    long seed = System.nanoTime();
    System.out.println("FailoverTest seed=" + seed);
    try (TestCluster cluster = new TestCluster(dir, 3, 4, TestCluster.fastTuning())) {
      cluster.awaitAllLeaders();
      int victim = cluster.awaitLeader(1);
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      AtomicInteger attempted = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService writers = Executors.newFixedThreadPool(4);
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        Random random = new Random(seed + w);
        int writer = w;
        running.add(writers.submit(() -> {
          for (int i = 0; i < 5_000 && !stop.get(); i++) {
            String key = "w" + writer + "-" + i;
            int node = random.nextInt(3);
            if (!cluster.isUp(node)) {
              continue;
            }
            attempted.incrementAndGet();
            try {
              cluster.kv(node).withDeadlineAfter(3, TimeUnit.SECONDS)
                  .put(PutRequest.newBuilder().setKey(b(key)).setValue(b("v" + i)).build());
              acknowledged.put(key, "v" + i);
            } catch (StatusRuntimeException e) {
              // Unacknowledged: it may or may not have been applied; the audit only checks acknowledged writes.
            }
          }
        }));
      }
      Await.until(Duration.ofSeconds(30), "200 acknowledged writes", () -> acknowledged.size() >= 200);
      cluster.stop(victim);
      int ackedAtKill = acknowledged.size();
      // The cluster must keep acknowledging writes, including to range 1 whose leader died.
      Await.until(Duration.ofSeconds(30), "writes acknowledged after the leader stopped",
          () -> acknowledged.size() >= ackedAtKill + 200);
      int survivor = (victim + 1) % 3;
      Await.until(Duration.ofSeconds(30), "range 1 elects a new leader", () -> {
        try {
          cluster.kv(survivor).withDeadlineAfter(2, TimeUnit.SECONDS)
              .put(PutRequest.newBuilder().setKey(b(keyInRange(cluster, 1))).setValue(b("after")).build());
          return true;
        } catch (StatusRuntimeException e) {
          return false;
        }
      });
      stop.set(true);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      writers.shutdown();

      int lost = 0;
      for (Map.Entry<String, String> write : acknowledged.entrySet()) {
        String read = cluster.kv(survivor).get(GetRequest.newBuilder().setKey(b(write.getKey())).build())
            .getValue().toStringUtf8();
        if (!read.equals(write.getValue())) {
          lost++;
        }
      }
      System.out.printf("FailoverTest audit: seed=%d attempted=%d acknowledged=%d verified=%d lost=%d%n",
          seed, attempted.get(), acknowledged.size(), acknowledged.size() - lost, lost);
      assertThat(lost).as("acknowledged writes lost (seed %d)", seed).isZero();
    }
  }

  private static String keyInRange(TestCluster cluster, long rangeId) {
    for (int i = 0; ; i++) {
      String key = "probe-" + i;
      if (cluster.layout().rangeFor(key.getBytes()).id() == rangeId) {
        return key;
      }
    }
  }

  @Test
  void stoppedNodeCatchesUpAfterRestartAndServesTheSameValues() {
    try (TestCluster cluster = new TestCluster(dir, 3, 4, TestCluster.fastTuning())) {
      cluster.awaitAllLeaders();
      cluster.stop(2);
      for (int i = 0; i < 300; i++) {
        cluster.kv(i % 2).put(PutRequest.newBuilder().setKey(b("late-" + i)).setValue(b("v" + i)).build());
      }
      cluster.start(2);
      assertStaleReadsOnNodeMatch(cluster, 2, 300, "");
    }
  }

  @Test
  void laggingReplicaCatchesUpByInstallingASnapshot() {
    var tuning = TestCluster.fastTuning().withSnapshotEveryEntries(50).withLogPurgeGapEntries(16);
    try (TestCluster cluster = new TestCluster(dir, 3, 1, tuning)) {
      cluster.awaitAllLeaders();
      cluster.stop(2);
      // Large enough values that the log rolls over to new segments: only closed segments are purged.
      String padding = "x".repeat(100 * 1024);
      for (int i = 0; i < 300; i++) {
        cluster.kv(i % 2).put(PutRequest.newBuilder().setKey(b("late-" + i)).setValue(b("v" + i + padding)).build());
      }
      int leader = cluster.awaitLeader(1);
      ReplicaStatus leaderStatus = cluster.node(leader).replicaStatus(1).orElseThrow();
      System.out.println("leader status before restart: " + leaderStatus);
      // The leader's log no longer holds what the stopped replica is missing, so only a snapshot can help it.
      assertThat(leaderStatus.logStartIndex()).isGreaterThan(50);
      cluster.start(2);
      assertStaleReadsOnNodeMatch(cluster, 2, 300, padding);
      assertThat(cluster.node(2).replicaStatus(1).orElseThrow().snapshotIndex()).isGreaterThan(50);
    }
  }

  private static void assertStaleReadsOnNodeMatch(TestCluster cluster, int node, int keys, String padding) {
    Await.until(Duration.ofSeconds(30), "node " + node + " serves every key written while it was down", () -> {
      for (int i = keys - 1; i >= 0; i--) {
        var read = cluster.kv(node).get(GetRequest.newBuilder().setKey(b("late-" + i))
            .setConsistency(ReadConsistency.STALE).build());
        if (!read.getValue().toStringUtf8().equals("v" + i + padding)) {
          return false;
        }
      }
      return true;
    });
  }
}
