package pando.node;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.raft.RangeGroups.Peer;
import pando.raft.RangeReplicas;
import pando.raft.ReplicaStatus;

/**
 * A running Pando node: its range replicas (one Ratis server, many groups) and its public gRPC API.
 *
 * <p>On the first start in an empty data directory it takes the cluster's range layout from the
 * placement driver, if it has one, or else computes it from the member list, and saves it; later
 * starts use the saved layout, so a node always serves the ranges its data belongs to.
 */
public final class PandoNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PandoNode.class);
  private static final String LAYOUT_FILE = "layout.txt";
  private static final int MAX_CONCURRENT_CALLS_PER_CONNECTION = 1000;
  // A first start under a placement driver waits this long for the cluster's first ranges.
  private static final java.time.Duration PD_BOOTSTRAP_TIMEOUT = java.time.Duration.ofMinutes(5);

  private final NodeConfig config;
  // Replaced, under layoutLock, when the placement driver publishes a newer range table.
  private final AtomicReference<RangeLayout> layout;
  private final Object layoutLock = new Object();
  private final LayoutChanges layoutChanges = new LayoutChanges();
  private final HotKeyView hotKeys = new HotKeyView();
  private final RangeReplicas replicas;
  private Server api;
  private PdHeartbeater heartbeater;
  private Forwarding forwarding;
  private NodeMetrics metrics;

  private PandoNode(NodeConfig config, RangeLayout layout, RangeReplicas replicas) {
    this.config = config;
    this.layout = new AtomicReference<>(layout);
    this.replicas = replicas;
  }

  public static PandoNode start(NodeConfig config) throws IOException {
    return start(config, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  /** Starts a node whose meters go to {@code registry} (see {@link #metrics}). */
  public static PandoNode start(NodeConfig config, io.micrometer.core.instrument.MeterRegistry registry)
      throws IOException {
    Files.createDirectories(config.dataDir());
    RangeLayout layout = loadOrCreateLayout(config);
    ClusterMember self = layout.member(config.nodeId());
    RangeReplicas replicas = RangeReplicas.start(
        self.id(), self.host(), self.raftPort(), config.dataDir().resolve("raft"), config.raft(),
        config.limits().maxMessageBytes(), specs(layout));
    PandoNode node = new PandoNode(config, layout, replicas);
    replicas.knownRanges(id -> {
      RangeLayout current = node.layout.get();
      return current.range(id).map(range -> range.replicas().stream()
          .map(r -> new Peer(r, current.member(r).raftAddress())).toList());
    });
    node.forwarding = new Forwarding(config.limits().maxMessageBytes());
    RangeAccess access = new RangeAccess(self.id(), node.layout::get, replicas, node.forwarding);
    NodeWriter writer = new NodeWriter(access);
    SaltedCopies copies = SaltedCopies.over(node.layout::get, writer, access, config.requestTimeoutMax());
    pando.metrics.RequestMetrics requests = new pando.metrics.RequestMetrics(registry);
    node.metrics = new NodeMetrics(registry, replicas::localRangeIds, replicas::status, replicas::internals);
    try {
      node.api = NettyServerBuilder.forAddress(new InetSocketAddress(self.host(), self.apiPort()))
          .intercept(requests.interceptor())
          .addStreamTracerFactory(requests.bytes())
          .addService(MalformedRequests.refusedIn(new KvService(node.layout::get, replicas, access, writer,
              config.limits(), config.requestTimeoutMax(), node.hotKeys, copies, node.layoutChanges)))
          .addService(MalformedRequests.refusedIn(new RangeAdminService(replicas, writer, copies)))
          .addService(MalformedRequests.refusedIn(new RangeDataService(access, config.requestTimeoutMax())))
          // Other nodes and clients ping their connections to this one (pando.api.KeepAlive): allow it.
          .permitKeepAliveTime(pando.api.KeepAlive.PERMIT_EVERY.toMillis(), TimeUnit.MILLISECONDS)
          .permitKeepAliveWithoutCalls(true)
          .maxInboundMessageSize(config.limits().maxMessageBytes())
          .maxConcurrentCallsPerConnection(MAX_CONCURRENT_CALLS_PER_CONNECTION)
          // Handlers check a request and hand it to Ratis, which answers with a future; none of them
          // waits (local replicas are looked up without Ratis's blocking getDivision, and a range
          // with too many writes in flight refuses more instead of waiting for a slot). Running them
          // on the event loop saves a thread handoff per call, a large share of a request's cost on a
          // machine whose cores the nodes share.
          .directExecutor()
          .build()
          .start();
    } catch (IOException | RuntimeException e) {
      node.forwarding.close();
      replicas.close();
      throw new IOException("could not serve the API on port " + self.apiPort() + ": " + e.getMessage(), e);
    }
    LOG.info("node={} event=started api={} raft={} ranges={} layout-version={} data={}",
        self.id(), self.apiAddress(), self.raftAddress(),
        layout.rangesOn(self.id()).stream().map(RangeSpec::id).toList(), layout.version(), config.dataDir());
    if (!config.pdAddresses().isEmpty()) {
      node.heartbeater = new PdHeartbeater(self, replicas::localRangeIds, replicas::status, replicas::drainLoad,
          config.pdAddresses(), config.heartbeatInterval(), () -> node.layout.get().version(), node::adoptTable,
          node.hotKeys, () -> {
            pando.metrics.RequestMetrics.DataLoad load = requests.drainDataLoad();
            return pando.v1.NodeLoad.newBuilder().setRequestsPerSecond(load.requestsPerSecond())
                .setP99LatencyMs(load.p99LatencyMillis()).build();
          });
      node.heartbeater.start();
    }
    return node;
  }

  /** What a scrape of this node's meters calls first, so that its per-range meters are current. */
  public pando.metrics.Refreshable metrics() {
    return metrics;
  }

  private static List<RangeReplicas.RangeSpecForNode> specs(RangeLayout layout) {
    return layout.ranges().stream()
        .map(range -> new RangeReplicas.RangeSpecForNode(range.id(), range.replicas().stream()
            .map(id -> new Peer(id, layout.member(id).raftAddress()))
            .toList(), range.original(), Optional.of(range.bounds()), range.epoch().version()))
        .toList();
  }

  /**
   * Takes a range table the placement driver published: creates the replicas this node now holds,
   * removes those it no longer holds, saves the table as the node's layout and serves by it. A
   * table not newer than the current layout is ignored.
   */
  private void adoptTable(pando.v1.RangeTableResponse table) throws IOException {
    RangeLayout next = PdBootstrap.toLayout(table);
    synchronized (layoutLock) {
      RangeLayout current = layout.get();
      if (next.version() <= current.version()) {
        return;
      }
      replicas.reconcile(specs(next));
      next.save(config.dataDir().resolve(LAYOUT_FILE));
      layout.set(next);
      layoutChanges.adopted();
      LOG.info("node={} event=layout-updated version={} ranges-here={}", config.nodeId(), next.version(),
          next.rangesOn(config.nodeId()).stream().map(RangeSpec::id).toList());
    }
  }

  private static RangeLayout loadOrCreateLayout(NodeConfig config) throws IOException {
    Path file = config.dataDir().resolve(LAYOUT_FILE);
    if (Files.exists(file)) {
      return RangeLayout.load(file);
    }
    RangeLayout layout = config.pdAddresses().isEmpty()
        ? RangeLayout.initial(config.members(), config.initialRanges(), config.replication())
        : PdBootstrap.awaitLayout(config.self(), config.pdAddresses(), PD_BOOTSTRAP_TIMEOUT);
    layout.save(file);
    return layout;
  }

  public RangeLayout layout() {
    return layout.get();
  }

  public String id() {
    return config.nodeId();
  }

  public boolean isLeader(long rangeId) {
    return replicas.isLeader(rangeId);
  }

  /** This node's replica of a range, if it holds one. */
  public Optional<ReplicaStatus> replicaStatus(long rangeId) {
    return replicas.status(rangeId);
  }

  /** The port the API listens on (useful when configured as 0). */
  public int apiPort() {
    return api.getPort();
  }

  /** Stops serving: the API first, so no request starts against a closing replica. */
  @Override
  public void close() {
    if (heartbeater != null) {
      heartbeater.close(); // first, so the PD sees this node go quiet
    }
    api.shutdown();
    try {
      if (!api.awaitTermination(5, TimeUnit.SECONDS)) {
        api.shutdownNow();
      }
    } catch (InterruptedException e) {
      api.shutdownNow();
      Thread.currentThread().interrupt();
    }
    forwarding.close();
    replicas.close();
    LOG.info("node={} event=stopped", config.nodeId());
  }
}
