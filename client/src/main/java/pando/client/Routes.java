package pando.client;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import pando.api.pd.PdConnection;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.api.range.RangeTable;
import pando.api.range.RouteCache;
import pando.v1.GetRangeTableRequest;
import pando.v1.NodeAddress;
import pando.v1.PlacementDriverGrpc;
import pando.v1.RangeTableResponse;

/**
 * The client's routing knowledge: the {@link RouteCache} of range descriptors, the API address of
 * every node it has heard of, and the placement-driver fetch that refills both.
 *
 * <p>Thread-safe. The cache is an immutable value swapped atomically, so a reader always sees one
 * consistent version. Fetches are serialized: when many calls find the cache wanting at once,
 * one asks the PD and the others reuse its answer instead of each asking again.
 */
final class Routes {
  private final PdConnection pd;
  private final AtomicReference<RouteCache> cache = new AtomicReference<>(RouteCache.empty());
  private final ConcurrentHashMap<String, String> apiAddresses = new ConcurrentHashMap<>();
  private final ReentrantLock fetchLock = new ReentrantLock();
  /**
   * How many fetches have been applied to the cache. Raised only after the cache is updated, so a
   * reader that sees a count has also seen that fetch's ranges.
   */
  private volatile long fetchesApplied;

  Routes(PdConnection pd) {
    this.pd = pd;
  }

  /**
   * A mark to pass to {@link #refresh}: read it before reading the cache, so that a refresh asked
   * for on the strength of what was read can tell whether a newer fetch has been applied since.
   */
  long fetchMark() {
    return fetchesApplied;
  }

  /** The cache as it is now; one consistent version to route a whole batch with. */
  RouteCache view() {
    return cache.get();
  }

  Optional<String> apiAddress(String nodeId) {
    return Optional.ofNullable(apiAddresses.get(nodeId));
  }

  /** True if the cache still holds exactly this range at this epoch (leader hint aside). */
  boolean stillHolds(RangeDescriptor range) {
    return cache.get().byId(range.rangeId())
        .filter(d -> d.bounds().equals(range.bounds()) && d.epoch().equals(range.epoch()))
        .isPresent();
  }

  /** Installs a descriptor a node sent back; ignored if the cache already knows better. */
  void install(RangeDescriptor current) {
    cache.updateAndGet(c -> c.install(current));
  }

  /** Forgets a range, so that the next call for its keys asks the placement driver. */
  void invalidate(long rangeId) {
    cache.updateAndGet(c -> c.invalidate(rangeId));
  }

  /**
   * Records what a node said about a range's leader and returns where to send the retry: the
   * given address, else the leader's known address, else empty (no usable hint).
   */
  Optional<String> recordLeader(long rangeId, String leaderId, String leaderAddress) {
    if (!leaderId.isEmpty()) {
      if (!leaderAddress.isEmpty()) {
        apiAddresses.put(leaderId, leaderAddress);
      }
      // A leader that is not among the cached replicas means the cached replica list is out of
      // date; the hint still routes this retry, but it cannot be stored on that descriptor.
      cache.updateAndGet(c -> c.byId(rangeId)
          .filter(d -> d.replicas().contains(leaderId))
          .map(d -> c.install(d.withLeader(Optional.of(leaderId))))
          .orElse(c));
    }
    if (!leaderAddress.isEmpty()) {
      return Optional.of(leaderAddress);
    }
    return leaderId.isEmpty() ? Optional.empty() : apiAddress(leaderId);
  }

  /**
   * Fetches the range table from the placement driver unless a fetch has been applied since
   * {@code mark} (from {@link #fetchMark}) was read. A caller that finds a fetch in flight waits
   * for it and then usually finds its answer good enough, so a burst of callers that all miss the
   * cache costs one fetch. Returns without fetching if the deadline passes while waiting.
   *
   * @throws StatusRuntimeException if no PD replica answered or the PD refused
   * @throws PandoException if the cluster is not bootstrapped or the table is unusable
   */
  void refresh(long mark, Deadline deadline) {
    try {
      if (!fetchLock.tryLock(deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PandoException(Status.Code.CANCELLED, "cancelled: interrupted while waiting for the range table", e);
    }
    try {
      if (fetchesApplied > mark) {
        return;
      }
      apply(fetch(deadline));
      fetchesApplied++;
    } finally {
      fetchLock.unlock();
    }
  }

  private RangeTableResponse fetch(Deadline deadline) {
    return pd.call(channel -> PlacementDriverGrpc.newBlockingStub(channel)
        .withDeadline(deadline)
        .getRangeTable(GetRangeTableRequest.getDefaultInstance()));
  }

  private void apply(RangeTableResponse response) {
    if (!response.getBootstrapped()) {
      throw new PandoException(Status.Code.UNAVAILABLE,
          "unavailable: the cluster has no ranges yet; the placement driver creates them once enough"
              + " nodes have registered, so retry later", null);
    }
    RangeTable table;
    try {
      table = RangeProtos.fromProto(response.getRangesList());
    } catch (IllegalArgumentException e) {
      throw new PandoException(Status.Code.INTERNAL,
          "internal: the placement driver sent an unusable range table: " + e.getMessage(), e);
    }
    // Addresses first: a caller that sees the new ranges must be able to reach their replicas.
    for (NodeAddress node : response.getNodesList()) {
      if (!node.getApiAddress().isEmpty()) {
        apiAddresses.put(node.getNodeId(), node.getApiAddress());
      }
    }
    // Installed range by range, not swapped wholesale: a PD snapshot may lag behind what a node
    // has already told this client, and must not roll the cache back (see RouteCache).
    cache.updateAndGet(c -> c.installAll(table.ranges()));
  }
}
