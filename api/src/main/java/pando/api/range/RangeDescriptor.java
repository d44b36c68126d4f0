package pando.api.range;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import pando.api.HashRange;

/**
 * Everything a router needs to know about one range: its id, its slice of the hash space, its
 * epoch, the nodes holding its replicas and, if known, which of them leads.
 *
 * <p>Guarantees: the id is positive, the replica list is non-empty, immutable and free of
 * duplicates, and the leader, when present, is one of the replicas. The leader is a hint, not part
 * of the epoch: it may be out of date without the descriptor being stale.
 */
public record RangeDescriptor(
    long rangeId, HashRange bounds, Epoch epoch, List<String> replicas, Optional<String> leader) {
  public RangeDescriptor {
    if (rangeId < 1) {
      throw new IllegalArgumentException("range id must be positive, got " + rangeId);
    }
    Objects.requireNonNull(bounds, "bounds");
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(leader, "leader (use Optional.empty() for none)");
    replicas = List.copyOf(replicas);
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("range " + rangeId + " needs at least one replica");
    }
    if (replicas.stream().distinct().count() != replicas.size()) {
      throw new IllegalArgumentException("range " + rangeId + " lists a replica twice: " + replicas);
    }
    if (leader.isPresent() && !replicas.contains(leader.get())) {
      throw new IllegalArgumentException(
          "range " + rangeId + ": leader " + leader.get() + " is not one of its replicas " + replicas);
    }
  }

  /** True if the hash lies in this range's bounds. */
  public boolean contains(long hash) {
    return bounds.contains(hash);
  }

  /** The same range with another leader hint; the epoch does not change. */
  public RangeDescriptor withLeader(Optional<String> newLeader) {
    return new RangeDescriptor(rangeId, bounds, epoch, replicas, newLeader);
  }

  /** "range 3 [start, end)", for messages. */
  String name() {
    return "range " + rangeId + " " + bounds;
  }
}
