package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Process-level test clusters from the packaged jar: a placement driver and node processes. */
final class JarCluster {
  private JarCluster() {}

  /**
   * Starts a placement driver with {@code pdArgs} and the first {@code started} of {@code members}
   * node processes (each serving its metrics on a free port), and waits until those are ready and the cluster has settled; the others can be
   * started later.
   */
  static LocalCluster start(Path dir, int members, int started, String nodeHeap, List<String> pdArgs)
      throws IOException, InterruptedException {
    String jar = System.getProperty("pando.jar");
    assertThat(Path.of(jar)).as("the packaged jar").exists();
    List<pando.node.ClusterMember> planned = LocalCluster.onFreePorts(members);
    java.util.Map<String, Integer> metricsPorts = new java.util.HashMap<>();
    for (pando.node.ClusterMember m : planned) {
      metricsPorts.put(m.id(), pando.api.LoopbackPorts.next());
    }
    metricsPorts.put("pd1", pando.api.LoopbackPorts.next());
    LocalCluster cluster = new LocalCluster(dir, planned, List.of(), nodeHeap, jar)
        .withPlacementDriver(LocalCluster.pdOnFreePorts(pdArgs))
        .withMetricsPorts(metricsPorts);
    try {
      cluster.startPd();
      for (int i = 0; i < started; i++) {
        cluster.start(i);
      }
      for (int i = 0; i < started; i++) {
        cluster.awaitReady(i, LocalCluster.READY_TIMEOUT);
      }
      // As pando local does: tests start on a cluster whose ranges have leaders and do not move.
      cluster.awaitSettled(started, LocalCluster.READY_TIMEOUT);
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The placement driver's API address. */
  static String pd(LocalCluster cluster) {
    return cluster.placementDriver().orElseThrow().apiAddress();
  }
}
