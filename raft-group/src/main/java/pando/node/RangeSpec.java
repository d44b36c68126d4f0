package pando.node;

import java.util.List;
import java.util.Objects;
import pando.api.HashRange;
import pando.api.range.Epoch;

/**
 * One range of a node's layout: its id, its slice of the hash space, the nodes that hold its
 * replicas and its epoch as the placement driver last published it.
 */
public record RangeSpec(long id, HashRange bounds, List<String> replicas, Epoch epoch) {
  public RangeSpec {
    if (id < 1) {
      throw new IllegalArgumentException("range id must be positive, got " + id);
    }
    Objects.requireNonNull(epoch, "epoch");
    replicas = List.copyOf(replicas);
    if (replicas.isEmpty() || replicas.size() != replicas.stream().distinct().count()) {
      throw new IllegalArgumentException("range " + id + " needs distinct replicas, got " + replicas);
    }
  }

  /** A range of a new cluster, at the first epoch. */
  public RangeSpec(long id, HashRange bounds, List<String> replicas) {
    this(id, bounds, replicas, Epoch.initial());
  }

  /**
   * True for a range as the cluster was first laid out: all its replicas were created together,
   * each knowing the others. A replica added later instead joins an existing group and learns its
   * members from the leader.
   */
  public boolean original() {
    return epoch.equals(Epoch.initial());
  }
}
