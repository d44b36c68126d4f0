package pando.pd.meta;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import pando.api.hot.HotKeyTable;
import pando.api.range.RangeProtos;
import pando.api.range.RangeTable;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.internal.v1.BootstrapRangesCommand;
import pando.internal.v1.ChangeReplicasCommand;
import pando.internal.v1.MoveOperator;
import pando.internal.v1.NodeRecord;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdMetadata;
import pando.internal.v1.PdResult;
import pando.pd.hot.HotKeyRegistry;

/**
 * The placement driver's whole durable state: the registered nodes ({@link NodeRegistry}), once
 * the cluster is bootstrapped the range table, and the hot-key table ({@link HotKeyRegistry}). This
 * is the state of the PD's Raft group; a snapshot is {@link #toProto()}.
 *
 * <p>Immutable. {@link #apply(PdCommand)} returns the next state and what to answer; a refused
 * command returns this state unchanged. Applying is deterministic — it reads nothing but the state
 * and the command — so every PD replica applying the same log reaches an equal state.
 *
 * <p>Bootstrapping happens once: the first accepted {@code bootstrap_ranges} creates the table, and
 * every later one is answered OK without changing anything, so a leader that proposes it twice
 * (say, across a failover) cannot create a second set of ranges. The table's leader hints are
 * empty: leadership is soft state, reported by heartbeats, never logged.
 */
public final class PdState {
  /** The replication factors a cluster may be bootstrapped with. */
  public static final Set<Integer> REPLICATION_FACTORS = Set.of(1, 3, 5);

  /** The most ranges a bootstrap may create. */
  public static final int MAX_INITIAL_RANGES = 4096;

  /** The most replica moves the PD records at once. */
  public static final int MAX_OPERATORS = 1024;

  private final NodeRegistry nodes;
  private final Optional<RangeTable> ranges;
  private final long tableVersion;
  // Moves in progress, by operator id.
  private final java.util.SortedMap<Long, MoveOperator> operators;
  private final long nextOperatorId;
  // 0: one above the highest id in the table (a snapshot from before ids were reserved).
  private final long nextRangeId;
  // Independent of the ranges: keys may be pinned before the cluster is bootstrapped.
  private final HotKeyRegistry hotKeys;

  /** The result of applying one command: the state after it, and the answer to the caller. */
  public record Applied(PdState state, PdResult result) {
    public Applied {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(result, "result");
    }
  }

  private PdState(NodeRegistry nodes, Optional<RangeTable> ranges, HotKeyRegistry hotKeys) {
    this(nodes, ranges, ranges.isPresent() ? 1 : 0, new java.util.TreeMap<>(), 1, 0, hotKeys);
  }

  private PdState(NodeRegistry nodes, Optional<RangeTable> ranges, long tableVersion,
      java.util.SortedMap<Long, MoveOperator> operators, long nextOperatorId, long nextRangeId,
      HotKeyRegistry hotKeys) {
    this.nextRangeId = nextRangeId;
    this.hotKeys = Objects.requireNonNull(hotKeys, "hotKeys");
    this.nodes = Objects.requireNonNull(nodes, "nodes");
    this.ranges = Objects.requireNonNull(ranges, "ranges");
    this.tableVersion = tableVersion;
    this.operators = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(operators));
    this.nextOperatorId = nextOperatorId;
  }

  /** A cluster with no nodes and no ranges. */
  public static PdState empty() {
    return new PdState(NodeRegistry.empty(), Optional.empty(), HotKeyRegistry.empty());
  }

  /** Grows with every change to the range table: 0 before the bootstrap, 1 right after it. */
  public long tableVersion() {
    return tableVersion;
  }

  /** The hot-key table with when each entry last changed. */
  public HotKeyRegistry hotKeys() {
    return hotKeys;
  }

  /** The hot-key table as nodes and clients fetch it; its version grows with every change. */
  public HotKeyTable hotKeyTable() {
    return hotKeys.table();
  }

  /** The replica moves in progress, in the order they were recorded. */
  public List<MoveOperator> operators() {
    return List.copyOf(operators.values());
  }

  /**
   * The state a snapshot describes. No ranges means not bootstrapped.
   *
   * @throws IllegalArgumentException if the snapshot's nodes are corrupt (see {@link
   *     NodeRegistry#fromProto}), its ranges do not form a valid table or its hot keys a valid
   *     hot-key table; the message names the offending node, range or key
   */
  public static PdState fromProto(PdMetadata metadata) {
    NodeRegistry nodes = NodeRegistry.fromProto(metadata);
    HotKeyRegistry hotKeys;
    try {
      hotKeys = HotKeyRegistry.fromProto(metadata.getHotKeyTableVersion(), metadata.getHotKeysList());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("corrupt PD snapshot: " + e.getMessage(), e);
    }
    if (metadata.getRangesCount() == 0) {
      return new PdState(nodes, Optional.empty(), hotKeys);
    }
    RangeTable table;
    try {
      table = RangeProtos.fromProto(metadata.getRangesList());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("corrupt PD snapshot: " + e.getMessage(), e);
    }
    java.util.SortedMap<Long, MoveOperator> operators = new java.util.TreeMap<>();
    metadata.getOperatorsList().forEach(op -> operators.put(op.getOperatorId(), op));
    return new PdState(nodes, Optional.of(table), Math.max(1, metadata.getTableVersion()), operators,
        Math.max(1, metadata.getNextOperatorId()), metadata.getNextRangeId(), hotKeys);
  }

  /**
   * The snapshot of this state: nodes sorted by id, the next node number, the ranges sorted by
   * start and the hot keys sorted by key; {@link #fromProto} reads it back equal.
   */
  public PdMetadata toProto() {
    PdMetadata.Builder metadata = nodes.toProto().toBuilder()
        .addAllHotKeys(hotKeys.toProto())
        .setHotKeyTableVersion(hotKeys.table().version());
    ranges.ifPresent(table -> metadata.addAllRanges(RangeProtos.toProto(table))
        .setTableVersion(tableVersion)
        .addAllOperators(operators.values())
        .setNextOperatorId(nextOperatorId)
        .setNextRangeId(nextRangeId));
    return metadata.build();
  }

  public NodeRegistry nodes() {
    return nodes;
  }

  /** The range table; empty until the cluster is bootstrapped. */
  public Optional<RangeTable> ranges() {
    return ranges;
  }

  public boolean bootstrapped() {
    return ranges.isPresent();
  }

  /** Applies one log entry. Never throws for a bad command: it answers INVALID instead. */
  public Applied apply(PdCommand command) {
    return switch (command.getCommandCase()) {
      case REGISTER_NODE -> {
        NodeRegistry.Applied applied = nodes.apply(command);
        yield new Applied(with(applied.registry()), applied.result());
      }
      case BOOTSTRAP_RANGES -> bootstrap(command.getBootstrapRanges());
      case CHANGE_REPLICAS -> changeReplicas(command.getChangeReplicas());
      case ADD_OPERATOR -> addOperator(command.getAddOperator().getMove());
      case REMOVE_OPERATOR -> removeOperator(command.getRemoveOperator().getOperatorId());
      case SET_DRAINING -> setDraining(command.getSetDraining().getNodeId(), command.getSetDraining().getDraining());
      case REMOVE_NODE -> removeNode(command.getRemoveNode().getNodeId());
      case SPLIT_RANGE -> splitRange(command.getSplitRange());
      case RESERVE_RANGE_ID -> reserveRangeId();
      case SET_HOT_KEY -> withHotKeys(hotKeys.apply(command.getSetHotKey()));
      case DROP_HOT_KEY -> withHotKeys(hotKeys.apply(command.getDropHotKey()));
      case COMMAND_NOT_SET -> refuse("empty PD command");
    };
  }

  private Applied bootstrap(BootstrapRangesCommand command) {
    if (ranges.isPresent()) {
      return new Applied(
          this,
          PdResult.newBuilder()
              .setStatus(PdResult.Status.OK)
              .setMessage("already bootstrapped with " + ranges.get().size() + " ranges")
              .build());
    }
    int replication = command.getReplication();
    if (!REPLICATION_FACTORS.contains(replication)) {
      return refuse("replication must be 1, 3 or 5, got " + replication);
    }
    int rangeCount = command.getRangeCount();
    if (rangeCount < 1 || rangeCount > MAX_INITIAL_RANGES) {
      return refuse(
          "range count must be from 1 to " + MAX_INITIAL_RANGES + ", got " + rangeCount);
    }
    List<String> nodeIds = nodes.nodes().stream().map(NodeRecord::getNodeId).toList();
    if (nodeIds.size() < replication) {
      return refuse(
          "bootstrapping " + count(replication, "replica") + " per range needs at least "
              + count(replication, "registered node") + ", " + registered(nodeIds));
    }
    RangeTable table =
        RangeTable.initial(InitialPlacement.replicasPerRange(nodeIds, rangeCount, replication));
    return new Applied(
        new PdState(nodes, Optional.of(table), hotKeys),
        PdResult.newBuilder()
            .setStatus(PdResult.Status.OK)
            .setMessage(
                "bootstrapped " + rangeCount + " ranges with " + replication + " replicas each on "
                    + nodeIds.size() + " nodes")
            .build());
  }

  /**
   * Why a change to a range, computed from the table when the range was at {@code expected}, may
   * not apply now: no table, no such range, or the range has moved on. Empty if it may.
   */
  private Optional<String> epochRefusal(long rangeId, pando.v1.RangeEpoch expected) {
    if (ranges.isEmpty()) {
      return Optional.of("the cluster is not bootstrapped yet");
    }
    Optional<RangeDescriptor> range = ranges.get().byId(rangeId);
    if (range.isEmpty()) {
      return Optional.of("no range " + rangeId);
    }
    Epoch epoch;
    try {
      epoch = RangeProtos.fromProto(expected);
    } catch (IllegalArgumentException e) {
      return Optional.of("invalid expected epoch: " + e.getMessage());
    }
    if (!range.get().epoch().equals(epoch)) {
      return Optional.of("range " + rangeId + " is at epoch " + range.get().epoch() + ", not the expected "
          + epoch + "; recompute the change from the current table");
    }
    return Optional.empty();
  }

  private Applied changeReplicas(ChangeReplicasCommand command) {
    Optional<String> refusal = epochRefusal(command.getRangeId(), command.getExpectedEpoch());
    if (refusal.isPresent()) {
      return refuse(refusal.get());
    }
    for (String replica : command.getReplicasList()) {
      if (nodes.node(replica).isEmpty()) {
        return refuse("no registered node " + replica);
      }
    }
    RangeTable next;
    try {
      next = ranges.get().withReplicas(command.getRangeId(), command.getReplicasList());
    } catch (IllegalArgumentException e) {
      return refuse(e.getMessage());
    }
    if (next == ranges.get()) {
      return ok("range " + command.getRangeId() + " already has replicas " + command.getReplicasList());
    }
    return new Applied(new PdState(nodes, Optional.of(next), tableVersion + 1, operators, nextOperatorId, nextRangeId, hotKeys),
        PdResult.newBuilder().setStatus(PdResult.Status.OK)
            .setMessage("range " + command.getRangeId() + " now has replicas " + command.getReplicasList())
            .build());
  }

  private Applied addOperator(MoveOperator move) {
    if (ranges.isEmpty()) {
      return refuse("the cluster is not bootstrapped yet");
    }
    Optional<RangeDescriptor> range = ranges.get().byId(move.getRangeId());
    if (range.isEmpty()) {
      return refuse("no range " + move.getRangeId());
    }
    for (String node : List.of(move.getFromNode(), move.getToNode())) {
      if (nodes.node(node).isEmpty()) {
        return refuse("no registered node '" + node + "'");
      }
    }
    if (!range.get().replicas().contains(move.getFromNode())) {
      return refuse("range " + move.getRangeId() + " has no replica on " + move.getFromNode()
          + " (its replicas are " + range.get().replicas() + ")");
    }
    if (range.get().replicas().contains(move.getToNode())) {
      return refuse("range " + move.getRangeId() + " already has a replica on " + move.getToNode());
    }
    if (operators.values().stream().anyMatch(op -> op.getRangeId() == move.getRangeId())) {
      return refuse("range " + move.getRangeId() + " already has a move in progress");
    }
    if (operators.size() >= MAX_OPERATORS) {
      return refuse("too many moves in progress (" + MAX_OPERATORS + "); retry later");
    }
    long id = nextOperatorId;
    java.util.SortedMap<Long, MoveOperator> next = new java.util.TreeMap<>(operators);
    next.put(id, move.toBuilder().setOperatorId(id).build());
    return new Applied(new PdState(nodes, ranges, tableVersion, next, id + 1, nextRangeId, hotKeys),
        PdResult.newBuilder().setStatus(PdResult.Status.OK).setOperatorId(id)
            .setMessage("operator " + id + " moves range " + move.getRangeId() + " from "
                + move.getFromNode() + " to " + move.getToNode())
            .build());
  }

  private Applied removeOperator(long operatorId) {
    if (!operators.containsKey(operatorId)) {
      return ok("no operator " + operatorId + " (already finished)");
    }
    java.util.SortedMap<Long, MoveOperator> next = new java.util.TreeMap<>(operators);
    next.remove(operatorId);
    return new Applied(new PdState(nodes, ranges, tableVersion, next, nextOperatorId, nextRangeId, hotKeys),
        PdResult.newBuilder().setStatus(PdResult.Status.OK).setMessage("operator " + operatorId + " finished").build());
  }

  private Applied setDraining(String nodeId, boolean draining) {
    if (nodes.node(nodeId).isEmpty()) {
      return refuse("no registered node '" + nodeId + "'");
    }
    return new Applied(with(nodes.withDraining(nodeId, draining)), PdResult.newBuilder()
        .setStatus(PdResult.Status.OK)
        .setMessage(draining ? "draining " + nodeId : "no longer draining " + nodeId)
        .build());
  }

  /** The ranges the table places on a node. */
  public List<RangeDescriptor> rangesOn(String nodeId) {
    return ranges.map(t -> t.ranges().stream().filter(r -> r.replicas().contains(nodeId)).toList())
        .orElse(List.of());
  }

  private Applied removeNode(String nodeId) {
    if (nodes.node(nodeId).isEmpty()) {
      return refuse("no registered node '" + nodeId + "'");
    }
    List<RangeDescriptor> held = rangesOn(nodeId);
    if (!held.isEmpty()) {
      return refuse("node " + nodeId + " still holds " + held.size() + " replica(s) (ranges "
          + held.stream().map(r -> String.valueOf(r.rangeId())).collect(java.util.stream.Collectors.joining(", "))
          + "); drain it first: pando admin drain " + nodeId);
    }
    if (operators.values().stream().anyMatch(op -> op.getFromNode().equals(nodeId) || op.getToNode().equals(nodeId))) {
      return refuse("node " + nodeId + " takes part in a move in progress; wait for it to finish");
    }
    return new Applied(with(nodes.withRemoved(nodeId)), PdResult.newBuilder()
        .setStatus(PdResult.Status.OK).setMessage("removed " + nodeId).build());
  }

  /** The id the next split gets: never one a range has had. */
  private long effectiveNextRangeId() {
    long aboveTable = ranges.map(t -> t.ranges().stream().mapToLong(RangeDescriptor::rangeId).max().orElse(0)).orElse(0L) + 1;
    return Math.max(nextRangeId, aboveTable);
  }

  private Applied reserveRangeId() {
    if (ranges.isEmpty()) {
      return refuse("the cluster is not bootstrapped yet");
    }
    long id = effectiveNextRangeId();
    return new Applied(new PdState(nodes, ranges, tableVersion, operators, nextOperatorId, id + 1, hotKeys),
        PdResult.newBuilder().setStatus(PdResult.Status.OK).setRangeId(id).setMessage("reserved range id " + id).build());
  }

  private Applied splitRange(pando.internal.v1.SplitRangeCommand command) {
    if (ranges.isEmpty()) {
      return refuse("the cluster is not bootstrapped yet");
    }
    if (ranges.get().byId(command.getNewRangeId()).isPresent()) {
      return ok("range " + command.getNewRangeId() + " is already in the table");
    }
    Optional<String> refusal = epochRefusal(command.getRangeId(), command.getExpectedEpoch());
    if (refusal.isPresent()) {
      return refuse(refusal.get());
    }
    RangeTable next;
    try {
      next = ranges.get().split(command.getRangeId(), command.getSplitHash(), command.getNewRangeId());
    } catch (IllegalArgumentException e) {
      return refuse(e.getMessage());
    }
    return new Applied(new PdState(nodes, Optional.of(next), tableVersion + 1, operators, nextOperatorId,
        Math.max(effectiveNextRangeId(), command.getNewRangeId() + 1), hotKeys),
        PdResult.newBuilder().setStatus(PdResult.Status.OK)
            .setMessage("range " + command.getRangeId() + " split; range " + command.getNewRangeId() + " created")
            .build());
  }

  private Applied ok(String message) {
    return new Applied(this, PdResult.newBuilder().setStatus(PdResult.Status.OK).setMessage(message).build());
  }

  /** "1 replica", "3 replicas". */
  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** "2 are registered (n1, n2)", for messages. */
  private static String registered(List<String> nodeIds) {
    return switch (nodeIds.size()) {
      case 0 -> "none are registered";
      case 1 -> "1 is registered (" + nodeIds.get(0) + ")";
      default -> nodeIds.size() + " are registered (" + String.join(", ", nodeIds) + ")";
    };
  }

  private PdState with(NodeRegistry newNodes) {
    return newNodes == nodes ? this
        : new PdState(newNodes, ranges, tableVersion, operators, nextOperatorId, nextRangeId, hotKeys);
  }

  private Applied withHotKeys(HotKeyRegistry.Applied applied) {
    PdState next = applied.registry() == hotKeys ? this
        : new PdState(nodes, ranges, tableVersion, operators, nextOperatorId, nextRangeId, applied.registry());
    return new Applied(next, applied.result());
  }

  private Applied refuse(String message) {
    return new Applied(
        this,
        PdResult.newBuilder().setStatus(PdResult.Status.INVALID).setMessage(message).build());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PdState other && nodes.equals(other.nodes) && ranges.equals(other.ranges)
        && tableVersion == other.tableVersion && operators.equals(other.operators)
        && nextOperatorId == other.nextOperatorId && nextRangeId == other.nextRangeId
        && hotKeys.equals(other.hotKeys);
  }

  @Override
  public int hashCode() {
    return Objects.hash(nodes, ranges, tableVersion, operators, nextOperatorId, nextRangeId, hotKeys);
  }

  @Override
  public String toString() {
    return "PdState{" + nodes + ", ranges=" + ranges.map(Object::toString).orElse("none") + ", " + hotKeys + "}";
  }
}
