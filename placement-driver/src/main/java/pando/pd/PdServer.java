package pando.pd;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdResult;
import pando.pd.meta.HeartbeatBook;
import pando.internal.v1.BootstrapRangesCommand;
import pando.pd.meta.NodeRegistry;
import pando.pd.meta.PdState;

/**
 * One replica of the placement driver: a Raft server for the PD group (its metadata in a {@link
 * PdStateMachine}), a Raft client to change that metadata, and the gRPC services PlacementDriver
 * and Admin.
 *
 * <p>Durable metadata (registered nodes) goes through the Raft log. Heartbeats do not: they are
 * soft state kept in memory by the leader ({@link HeartbeatBook}), so the log does not grow with
 * every node every second. A new leader starts an empty book and judges every node from the moment
 * it took over, which gives each node a full grace period after a PD failover. Calls that need the
 * book (heartbeats, Admin) are answered by the leader only; other replicas refuse with
 * FAILED_PRECONDITION and callers try the next PD address.
 */
public final class PdServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PdServer.class);
  /** Fixed, so restarted replicas find their group again. */
  public static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("pando-placement-driver".getBytes(StandardCharsets.UTF_8)));
  private static final int CLIENT_ATTEMPTS = 10;
  private static final long CLIENT_RETRY_SLEEP_MILLIS = 200;
  private static final int MAX_INBOUND_MESSAGE_BYTES = 16 << 20;

  private final PdConfig config;
  private final RaftServer raft;
  private final RaftClient client;
  private final PdStateMachine stateMachine;
  private final Leadership leadership;
  private final java.util.concurrent.atomic.AtomicBoolean bootstrapping = new java.util.concurrent.atomic.AtomicBoolean();
  private final NodeCalls nodeCalls = new NodeCalls();
  private final OperatorCounts operatorCounts = new OperatorCounts();
  private final MoveExecutor moves = new MoveExecutor(this, nodeCalls);
  private final Splitter splitter;
  private final AutoScheduler scheduler;
  private final HotSpots hotSpots;
  private final HotKeyOperator hotKeyOperator;
  private PdMetrics metrics;
  private long rounds;
  private final java.util.concurrent.ScheduledExecutorService operatorTimer =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pd-operators");
        t.setDaemon(true);
        return t;
      });
  private Server api;

  private PdServer(PdConfig config, RaftServer raft, RaftClient client, PdStateMachine stateMachine) {
    this.config = config;
    this.raft = raft;
    this.client = client;
    this.stateMachine = stateMachine;
    this.leadership = new Leadership();
    this.splitter = new Splitter(this, nodeCalls, config.splitSizeBytes());
    this.hotSpots = new HotSpots(this, config.hotRanges(), config.hotKeys());
    this.hotKeyOperator = new HotKeyOperator(this, nodeCalls);
    this.scheduler = config.scheduler()
        .map(c -> new AutoScheduler(this, new pando.pd.schedule.Scheduler(c), moves,
            hotSpots::hotRanges))
        .orElse(null);
  }

  /** Starts the replica: its Raft server (formatting its storage on first start) and its gRPC port. */
  public static PdServer start(PdConfig config) throws IOException {
    return start(config, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  /** Starts a PD replica whose meters go to {@code registry} (see {@link #metrics}). */
  public static PdServer start(PdConfig config, io.micrometer.core.instrument.MeterRegistry registry) throws IOException {
    RaftGroup group = RaftGroup.valueOf(GROUP_ID, config.peers().stream()
        .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.raftAddress()).build())
        .toList());
    RaftProperties properties = properties(config);
    boolean fresh = !Files.isDirectory(config.dataDir().resolve(GROUP_ID.getUuid().toString()));
    PdStateMachine stateMachine = new PdStateMachine();
    RaftServer raft = RaftServer.newBuilder()
        .setServerId(RaftPeerId.valueOf(config.selfId()))
        .setGroup(group)
        .setProperties(properties)
        .setStateMachine(stateMachine)
        .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER)
        .build();
    raft.start();
    RaftClient client = RaftClient.newBuilder()
        .setProperties(properties)
        .setRaftGroup(group)
        .setClientRpc(new GrpcFactory(new Parameters()).newRaftClientRpc(ClientId.randomId(), properties))
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            CLIENT_ATTEMPTS, TimeDuration.valueOf(CLIENT_RETRY_SLEEP_MILLIS, TimeUnit.MILLISECONDS)))
        .build();
    PdServer pd = new PdServer(config, raft, client, stateMachine);
    pando.metrics.RequestMetrics requests = new pando.metrics.RequestMetrics(registry);
    pd.metrics = new PdMetrics(pd, registry);
    pd.operatorCounts.bindTo(registry);
    try {
      pd.api = NettyServerBuilder.forAddress(new InetSocketAddress(config.apiHost(), config.apiPort()))
          .intercept(requests.interceptor())
          .addStreamTracerFactory(requests.bytes())
          .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
          // Nodes and clients ping their connections (pando.api.KeepAlive): allow it.
          .permitKeepAliveTime(pando.api.KeepAlive.PERMIT_EVERY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .permitKeepAliveWithoutCalls(true)
          .addService(pando.node.MalformedRequests.refusedIn(new PlacementDriverService(pd)))
          .addService(pando.node.MalformedRequests.refusedIn(new AdminService(pd, pd.hotSpots::keyRates)))
          .build()
          .start();
    } catch (IOException | RuntimeException e) {
      pd.close();
      throw e;
    }
    LOG.info("pd={} event=started api={}:{} raft={} peers={}", config.selfId(), config.apiHost(),
        pd.apiPort(), config.self().raftAddress(), config.peers());
    pd.operatorTimer.scheduleWithFixedDelay(pd::operatorRound, OPERATOR_ROUND.toMillis(),
        OPERATOR_ROUND.toMillis(), TimeUnit.MILLISECONDS);
    return pd;
  }

  private static final java.time.Duration OPERATOR_ROUND = java.time.Duration.ofMillis(500);
  private static final int SCHEDULE_EVERY_ROUNDS = 4;

  /** On the leader: advances the recorded operators. */
  private void operatorRound() {
    try {
      HeartbeatBook book = leadership.book();
      // A range's membership and its bounds change one at a time: no move advances or starts
      // while a split runs (a split copies the membership of the range it splits), and no split
      // starts while a move is recorded or was just proposed.
      if (book != null && !splitter.busy()) {
        moves.round(book);
        // The scheduler decides less often than moves advance: its input (heartbeats) changes
        // once a second, and every decision it makes waits a cooldown anyway.
        if (rounds++ % SCHEDULE_EVERY_ROUNDS == 0) {
          hotSpots.observe(book, nowMillis());
          hotKeyOperator.round(book, nowMillis());
          int proposed = scheduler == null ? 0 : scheduler.round(book);
          if (proposed == 0 && state().operators().isEmpty()) {
            splitter.round(book);
            hotSpots.splitOne(splitter, book);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("pd={} event=operator-round-failed error={}", config.selfId(), e.toString());
    }
  }

  Splitter splitter() {
    return splitter;
  }

  MoveExecutor moves() {
    return moves;
  }

  private static RaftProperties properties(PdConfig config) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(config.dataDir().toFile()));
    // Listen where the peers were told to connect, not on every interface.
    GrpcConfigKeys.Server.setHost(p, config.self().host());
    GrpcConfigKeys.Server.setPort(p, config.self().raftPort());
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(config.electionTimeoutMin().toMillis()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(config.electionTimeoutMax().toMillis()));
    // The metadata is small: snapshot often, so a restart replays little.
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, 1000);
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(2000));
    return p;
  }

  private static TimeDuration ms(long millis) {
    return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
  }

  /** The port the PD's gRPC services listen on (useful when configured as 0). */
  public int apiPort() {
    return api.getPort();
  }

  public String id() {
    return config.selfId();
  }

  PdConfig config() {
    return config;
  }

  /** The durable metadata as this replica has applied it. */
  public PdState state() {
    return stateMachine.state();
  }

  /** The load of the hash space over time, as this replica sampled it while leading. */
  pando.pd.hot.KeyHeatmap heatmap() {
    return hotSpots.heatmap();
  }

  /** How this replica's operators ended, for its metrics. */
  OperatorCounts operatorCounts() {
    return operatorCounts;
  }

  /** The registered nodes as this replica has applied them. */
  public NodeRegistry registry() {
    return stateMachine.state().nodes();
  }

  /**
   * Proposes the cluster's first ranges once enough nodes have registered. Called by the leader
   * after registrations and heartbeats; cheap when there is nothing to do, and harmless when two
   * calls race (the second bootstrap is a no-op in the log).
   */
  void maybeBootstrap() {
    PdState current = state();
    if (current.bootstrapped() || current.nodes().nodes().size() < config.bootstrap().initialNodes()
        || !isLeader() || !bootstrapping.compareAndSet(false, true)) {
      return;
    }
    submit(PdCommand.newBuilder().setBootstrapRanges(BootstrapRangesCommand.newBuilder()
        .setRangeCount(config.bootstrap().initialRanges())
        .setReplication(config.bootstrap().replication()))
        .build())
        .whenComplete((result, error) -> {
          bootstrapping.set(false);
          if (error != null) {
            LOG.warn("pd={} event=bootstrap-failed error={}", config.selfId(), error.toString());
          } else {
            LOG.info("pd={} event=bootstrap status={} message=\"{}\"", config.selfId(), result.getStatus(),
                result.getMessage());
          }
        });
  }

  /** True if this replica leads the PD group and has applied everything committed before. */
  public boolean isLeader() {
    return leadership.isReadyLeader();
  }

  /** Commits a metadata change through the PD's Raft group and returns what applying it answered. */
  CompletableFuture<PdResult> submit(PdCommand command) {
    return client.async().send(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
        .thenApply(reply -> {
          if (!reply.isSuccess()) {
            throw new StatusRuntimeException(Status.UNAVAILABLE.withDescription(
                "the placement driver could not commit the change: " + reply.getException()));
          }
          try {
            return PdResult.parseFrom(reply.getMessage().getContent().toByteArray());
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable PD result", e);
          }
        })
        .orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** What a scrape of this replica's meters calls first, so that its cluster meters are current. */
  public pando.metrics.Refreshable metrics() {
    return metrics;
  }

  /** The heartbeat book while this replica leads the PD; null otherwise. */
  HeartbeatBook book() {
    return leadership.book();
  }

  /**
   * The leader's heartbeat book, or a FAILED_PRECONDITION error naming the leader if this replica
   * does not lead (callers then try another PD address).
   */
  HeartbeatBook bookOrRefuse() {
    HeartbeatBook book = leadership.book();
    if (book == null) {
      String leader = leadership.leaderId();
      throw Status.FAILED_PRECONDITION
          .withDescription("PD replica " + config.selfId() + " " + pando.api.pd.PdConnection.NOT_LEADER
              + (leader == null ? " and no leader is known yet; retry shortly" : " (the leader is " + leader + "); ask another PD address"))
          .asRuntimeException();
    }
    return book;
  }

  String leaderId() {
    return leadership.leaderId();
  }

  /**
   * Answers a call that only the leader can answer with what {@code body} computes from its
   * heartbeat book, or with the error that says why not (see {@link #bookOrRefuse}).
   */
  <T> void answerAsLeader(io.grpc.stub.StreamObserver<T> response, java.util.function.Function<HeartbeatBook, T> body) {
    T answer;
    try {
      answer = body.apply(bookOrRefuse());
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    response.onNext(answer);
    response.onCompleted();
  }

  /** Monotonic milliseconds, the clock of heartbeat ages. */
  static long nowMillis() {
    return System.nanoTime() / 1_000_000;
  }

  @Override
  public void close() {
    operatorTimer.shutdownNow();
    nodeCalls.close();
    if (api != null) {
      api.shutdownNow();
      try {
        api.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      client.close();
    } catch (IOException e) {
      LOG.warn("pd={} event=raft-client-close-failed error={}", config.selfId(), e.toString());
    }
    try {
      raft.close();
    } catch (IOException e) {
      LOG.warn("pd={} event=raft-server-close-failed error={}", config.selfId(), e.toString());
    }
  }

  /** Which term this replica leads, and the heartbeat book of that term. */
  private final class Leadership {
    private long bookTerm = -1;
    private HeartbeatBook book;

    private RaftServer.Division division() {
      try {
        return raft.getDivision(GROUP_ID);
      } catch (IOException e) {
        return null;
      }
    }

    boolean isReadyLeader() {
      RaftServer.Division d = division();
      return d != null && d.getInfo().isLeader() && d.getInfo().isLeaderReady();
    }

    String leaderId() {
      RaftServer.Division d = division();
      RaftPeerId leader = d == null ? null : d.getInfo().getLeaderId();
      return leader == null ? null : leader.toString();
    }

    /** The book of the current term if this replica leads it, else null. */
    synchronized HeartbeatBook book() {
      RaftServer.Division d = division();
      if (d == null || !d.getInfo().isLeader() || !d.getInfo().isLeaderReady()) {
        return null;
      }
      long term = d.getInfo().getCurrentTerm();
      if (term != bookTerm) {
        book = new HeartbeatBook(config.liveness(), nowMillis());
        bookTerm = term;
        LOG.info("pd={} event=leading term={}", config.selfId(), term);
      }
      return book;
    }
  }
}
