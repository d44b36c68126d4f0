package pando.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.api.HashRange;
import pando.api.pd.PdConnection;
import pando.v1.GetRangeTableRequest;
import pando.v1.NodeAddress;
import pando.v1.PlacementDriverGrpc;
import pando.v1.Range;
import pando.v1.RangeTableResponse;

/**
 * A node's first start under a placement driver: register, then wait until the PD has bootstrapped
 * the cluster (created its first ranges once enough nodes registered), and take the range layout
 * from the PD's table instead of computing one. The node saves it as its layout file, so later
 * starts do not depend on the PD being up.
 */
final class PdBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(PdBootstrap.class);
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(2);
  private static final Duration POLL_EVERY = Duration.ofMillis(500);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private PdBootstrap() {}

  /**
   * Blocks until the PD's range table exists, and returns it as a layout.
   *
   * @throws java.io.IOException if the PD has not bootstrapped the cluster within {@code timeout}
   */
  static RangeLayout awaitLayout(ClusterMember self, List<String> pdAddresses, Duration timeout)
      throws java.io.IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextProgress = System.nanoTime();
    String lastProblem = "no answer yet";
    boolean registered = false;
    try (PdConnection pd = new PdConnection(pdAddresses)) {
      while (System.nanoTime() < deadline) {
        try {
          if (!registered) {
            pd.call(c -> PlacementDriverGrpc.newBlockingStub(c)
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .registerNode(PdHeartbeater.registration(self)));
            registered = true;
          }
          RangeTableResponse table = pd.call(c -> PlacementDriverGrpc.newBlockingStub(c)
              .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .getRangeTable(GetRangeTableRequest.getDefaultInstance()));
          if (table.getBootstrapped()) {
            RangeLayout layout = toLayout(table);
            LOG.info("node={} event=layout-from-pd ranges={} nodes={}", self.id(),
                layout.ranges().size(), layout.members().size());
            return layout;
          }
          lastProblem = table.getNodesCount() + " node(s) registered so far";
        } catch (io.grpc.StatusRuntimeException e) {
          if (e.getStatus().getCode() == io.grpc.Status.Code.ALREADY_EXISTS
              || e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT) {
            throw new java.io.IOException("the placement driver refused node " + self.id() + ": "
                + e.getStatus().getDescription());
          }
          lastProblem = e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
        if (System.nanoTime() >= nextProgress) {
          LOG.info("node={} event=waiting-for-pd-bootstrap pd={} status=\"{}\"", self.id(), pdAddresses, lastProblem);
          nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        }
        try {
          Thread.sleep(POLL_EVERY.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while waiting for the placement driver");
        }
      }
    }
    throw new java.io.IOException("the placement driver " + pdAddresses + " did not bootstrap the cluster within "
        + timeout.toSeconds() + " s (" + lastProblem + ")");
  }

  static RangeLayout toLayout(RangeTableResponse table) {
    List<ClusterMember> members = new ArrayList<>();
    for (NodeAddress n : table.getNodesList()) {
      HostPort api = HostPort.parse(n.getApiAddress());
      HostPort raft = HostPort.parse(n.getRaftAddress());
      members.add(new ClusterMember(n.getNodeId(), api.host(), raft.port(), api.port()));
    }
    List<RangeSpec> ranges = new ArrayList<>();
    for (Range r : table.getRangesList()) {
      ranges.add(new RangeSpec(r.getRangeId(), new HashRange(r.getStart(), r.getEnd()), r.getReplicasList(),
          pando.api.range.RangeProtos.fromProto(r.getEpoch())));
    }
    // A PD older than table versions sends 0; its table is still newer than a static layout.
    return new RangeLayout(Math.max(1, table.getTableVersion()), members, ranges);
  }

  private record HostPort(String host, int port) {
    static HostPort parse(String address) {
      int colon = address.lastIndexOf(':');
      return new HostPort(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }
  }
}
