package pando.pd.meta;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import pando.internal.v1.NodeRecord;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdMetadata;
import pando.internal.v1.PdResult;
import pando.internal.v1.RegisterNodeCommand;

/**
 * The placement driver's durable metadata: the registered nodes, by id, and the number the next
 * assigned id {@code n<k>} starts from. This is the state of the PD's Raft group; a snapshot is
 * {@link #toProto()}.
 *
 * <p>The registry is immutable. {@link #apply(PdCommand)} returns the next registry and what to
 * answer; a refused command returns this registry unchanged. Applying is deterministic — it reads
 * nothing but the registry and the command (the time comes in the command) — so every PD replica
 * applying the same log reaches an equal registry.
 *
 * <p>Invariants: node ids are unique and sorted in {@link String#compareTo} order; no two nodes
 * share an address, counting api and raft addresses together.
 */
public final class NodeRegistry {
  /** What a configured node id may look like; assigned ids {@code n<k>} always match. */
  static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private static final String ASSIGNED_PREFIX = "n";

  private final SortedMap<String, NodeRecord> nodesById;
  private final long nextNodeNumber;

  /** The result of applying one command: the registry after it, and the answer to the caller. */
  public record Applied(NodeRegistry registry, PdResult result) {
    public Applied {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(result, "result");
    }
  }

  private NodeRegistry(SortedMap<String, NodeRecord> nodesById, long nextNodeNumber) {
    this.nodesById = Collections.unmodifiableSortedMap(nodesById);
    this.nextNodeNumber = nextNodeNumber;
  }

  /** A cluster with no nodes; the first assigned id will be {@code n1}. */
  public static NodeRegistry empty() {
    return new NodeRegistry(new TreeMap<>(), 1);
  }

  /**
   * The registry a snapshot describes, nodes in any order. A {@code next_node_number} of 0 reads as
   * 1, since proto3 cannot tell "unset" from 0.
   *
   * @throws IllegalArgumentException if the snapshot names a node id twice or has a negative next
   *     node number: it was not written by {@link #toProto()}, and guessing would let replicas
   *     disagree
   */
  public static NodeRegistry fromProto(PdMetadata metadata) {
    if (metadata.getNextNodeNumber() < 0) {
      throw new IllegalArgumentException(
          "corrupt PD snapshot: next_node_number is " + metadata.getNextNodeNumber());
    }
    SortedMap<String, NodeRecord> nodes = new TreeMap<>();
    for (NodeRecord node : metadata.getNodesList()) {
      if (nodes.putIfAbsent(node.getNodeId(), node) != null) {
        throw new IllegalArgumentException(
            "corrupt PD snapshot: node id '" + node.getNodeId() + "' appears twice");
      }
    }
    return new NodeRegistry(nodes, Math.max(1, metadata.getNextNodeNumber()));
  }

  /** The snapshot of this registry, nodes sorted by id; {@link #fromProto} reads it back equal. */
  public PdMetadata toProto() {
    return PdMetadata.newBuilder()
        .addAllNodes(nodesById.values())
        .setNextNodeNumber(nextNodeNumber)
        .build();
  }

  /** All registered nodes that were not removed, sorted by id. */
  public List<NodeRecord> nodes() {
    return nodesById.values().stream().filter(n -> !n.getRemoved()).toList();
  }

  /** A registered node that was not removed. */
  public Optional<NodeRecord> node(String id) {
    return Optional.ofNullable(nodesById.get(id)).filter(n -> !n.getRemoved());
  }

  /** This registry with a node's draining flag set; the node must exist. */
  NodeRegistry withDraining(String id, boolean draining) {
    NodeRecord node = nodesById.get(id);
    if (node.getDraining() == draining) {
      return this;
    }
    return with(node.toBuilder().setDraining(draining).build(), nextNodeNumber);
  }

  /** This registry with a node marked removed: its id and addresses stay taken for good. */
  NodeRegistry withRemoved(String id) {
    return with(nodesById.get(id).toBuilder().setRemoved(true).setDraining(false).build(), nextNodeNumber);
  }

  /** The number the next assigned id {@code n<k>} is tried with. */
  public long nextNodeNumber() {
    return nextNodeNumber;
  }

  /** Applies one log entry. Never throws for a bad command: it answers INVALID instead. */
  public Applied apply(PdCommand command) {
    return switch (command.getCommandCase()) {
      case REGISTER_NODE -> register(command.getRegisterNode());
      // Ranges, operators and hot keys are not the registry's: PdState applies those commands itself.
      case BOOTSTRAP_RANGES, CHANGE_REPLICAS, ADD_OPERATOR, REMOVE_OPERATOR, SET_DRAINING, REMOVE_NODE,
          SPLIT_RANGE, RESERVE_RANGE_ID, SET_HOT_KEY, DROP_HOT_KEY -> refuse(
          PdResult.Status.INVALID, command.getCommandCase() + " is applied by PdState, not NodeRegistry");
      case COMMAND_NOT_SET -> refuse(PdResult.Status.INVALID, "empty PD command");
    };
  }

  private Applied register(RegisterNodeCommand command) {
    Optional<String> invalid = validate(command);
    if (invalid.isPresent()) {
      return refuse(PdResult.Status.INVALID, invalid.get());
    }
    String requestedId = command.getRequestedId();
    Optional<NodeRecord> existing =
        requestedId.isEmpty() ? nodeAt(command) : Optional.ofNullable(nodesById.get(requestedId));
    if (existing.isPresent() && existing.get().getRemoved()) {
      return refuse(PdResult.Status.INVALID, "node " + existing.get().getNodeId()
          + " was removed from the cluster; start it with an empty data directory and a new id");
    }
    if (existing.isPresent()) {
      NodeRecord node = existing.get();
      if (!sameAddresses(node, command)) {
        // Only reachable with a requested id: nodeAt matched both addresses.
        return refuse(
            PdResult.Status.ALREADY_EXISTS,
            "node id " + node.getNodeId() + " is already registered at api "
                + node.getApiAddress() + ", raft " + node.getRaftAddress()
                + "; this node is at api " + command.getApiAddress() + ", raft "
                + command.getRaftAddress()
                + ". Give this node another id (or none, to have one assigned), or start it at "
                + "the registered addresses");
      }
      return reRegister(node, command);
    }
    Optional<String> clash = addressClash(command);
    if (clash.isPresent()) {
      return refuse(PdResult.Status.ALREADY_EXISTS, clash.get());
    }
    if (requestedId.isEmpty()) {
      long number = firstFreeNumber();
      return registerNew(ASSIGNED_PREFIX + number, command, number + 1);
    }
    return registerNew(requestedId, command, nextNodeNumber);
  }

  private static Optional<String> validate(RegisterNodeCommand command) {
    String id = command.getRequestedId();
    if (!id.isEmpty() && !NODE_ID.matcher(id).matches()) {
      return Optional.of(
          "invalid node id '" + id + "': use 1 to 64 letters, digits, '_', '.' or '-', starting "
              + "with a letter or digit");
    }
    Optional<String> badAddress = HostPort.problem("api", command.getApiAddress())
        .or(() -> HostPort.problem("raft", command.getRaftAddress()));
    if (badAddress.isPresent()) {
      return badAddress;
    }
    if (command.getApiAddress().equals(command.getRaftAddress())) {
      return Optional.of(
          "api and raft address are both " + command.getApiAddress()
              + ": a node serves them on different ports");
    }
    if (command.getCapacityBytes() < 0) {
      return Optional.of(
          "capacity must be 0 (unknown) or more bytes, got " + command.getCapacityBytes());
    }
    return Optional.empty();
  }

  private Optional<NodeRecord> nodeAt(RegisterNodeCommand command) {
    return nodesById.values().stream().filter(node -> !node.getRemoved() && sameAddresses(node, command)).findFirst();
  }

  private static boolean sameAddresses(NodeRecord node, RegisterNodeCommand command) {
    return node.getApiAddress().equals(command.getApiAddress())
        && node.getRaftAddress().equals(command.getRaftAddress());
  }

  /**
   * Why a new node may not take the command's addresses, if another node uses either of them as
   * any kind of address: two processes cannot listen on one host:port, so one of the registrations
   * is stale or misconfigured and the operator has to say which.
   */
  private Optional<String> addressClash(RegisterNodeCommand command) {
    for (NodeRecord node : nodesById.values()) {
      if (node.getRemoved()) {
        continue; // a removed node's addresses are free for a new node
      }
      for (String address : List.of(command.getApiAddress(), command.getRaftAddress())) {
        if (address.equals(node.getApiAddress()) || address.equals(node.getRaftAddress())) {
          return Optional.of(
              "address " + address + " is already used by node " + node.getNodeId() + " (api "
                  + node.getApiAddress() + ", raft " + node.getRaftAddress()
                  + "). Start this node with that node's id and addresses if it replaces it, or "
                  + "at other ports");
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The first {@code k >= nextNodeNumber} whose id {@code n<k>} no node holds; a node may have
   * configured such an id itself.
   */
  private long firstFreeNumber() {
    // Terminates: each skipped number is an id held by one of finitely many nodes.
    long k = nextNodeNumber;
    while (nodesById.containsKey(ASSIGNED_PREFIX + k)) {
      k++;
    }
    return k;
  }

  private Applied registerNew(String id, RegisterNodeCommand command, long newNextNodeNumber) {
    NodeRecord node = NodeRecord.newBuilder()
        .setNodeId(id)
        .setApiAddress(command.getApiAddress())
        .setRaftAddress(command.getRaftAddress())
        .setCapacityBytes(command.getCapacityBytes())
        .setRegisteredAtMs(command.getNowMs())
        .build();
    return accept(with(node, newNextNodeNumber), id);
  }

  /** A node registering again (e.g. after a restart) keeps its id and registration time. */
  private Applied reRegister(NodeRecord node, RegisterNodeCommand command) {
    if (node.getCapacityBytes() == command.getCapacityBytes()) {
      return accept(this, node.getNodeId());
    }
    NodeRecord updated = node.toBuilder().setCapacityBytes(command.getCapacityBytes()).build();
    return accept(with(updated, nextNodeNumber), node.getNodeId());
  }

  private NodeRegistry with(NodeRecord node, long newNextNodeNumber) {
    SortedMap<String, NodeRecord> nodes = new TreeMap<>(nodesById);
    nodes.put(node.getNodeId(), node);
    return new NodeRegistry(nodes, newNextNodeNumber);
  }

  private static Applied accept(NodeRegistry registry, String nodeId) {
    return new Applied(
        registry,
        PdResult.newBuilder().setStatus(PdResult.Status.OK).setNodeId(nodeId).build());
  }

  private Applied refuse(PdResult.Status status, String message) {
    return new Applied(this, PdResult.newBuilder().setStatus(status).setMessage(message).build());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeRegistry other
        && nextNodeNumber == other.nextNodeNumber
        && nodesById.equals(other.nodesById);
  }

  @Override
  public int hashCode() {
    return Objects.hash(nodesById, nextNodeNumber);
  }

  @Override
  public String toString() {
    return "NodeRegistry{next=n" + nextNodeNumber + ", nodes=" + nodesById.values() + "}";
  }

  /** Checks of a {@code host:port} address; no name resolution, so applying stays deterministic. */
  private static final class HostPort {
    // No leading zeros: "h:080" and "h:80" would be one port under two names, and the clash
    // check compares names.
    private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");

    private HostPort() {}

    /** What is wrong with {@code address} as a host:port, if anything. */
    static Optional<String> problem(String kind, String address) {
      String prefix = kind + " address '" + address + "' ";
      if (address.isEmpty()) {
        return Optional.of(kind + " address is empty: expected host:port");
      }
      int colon = address.lastIndexOf(':');
      if (colon < 0) {
        return Optional.of(prefix + "has no port: expected host:port");
      }
      String host = address.substring(0, colon);
      String port = address.substring(colon + 1);
      if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
        return Optional.of(prefix + "has no valid host: expected host:port");
      }
      // An IPv6 literal carries colons of its own; only the bracketed form is unambiguous.
      boolean bracketed = host.length() > 2 && host.startsWith("[") && host.endsWith("]");
      if (host.contains(":") && !bracketed) {
        return Optional.of(prefix + "is ambiguous: write an IPv6 host in brackets, [::1]:port");
      }
      if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65_535) {
        return Optional.of(prefix + "has no valid port: expected a number from 1 to 65535");
      }
      return Optional.empty();
    }
  }
}
