package pando.node;

import java.util.List;
import pando.api.HashRange;

/**
 * One range of the static layout: its id, its slice of the hash space and the nodes that hold its
 * replicas.
 */
public record RangeSpec(long id, HashRange bounds, List<String> replicas) {
  public RangeSpec {
    if (id < 1) {
      throw new IllegalArgumentException("range id must be positive, got " + id);
    }
    replicas = List.copyOf(replicas);
    if (replicas.isEmpty() || replicas.size() != replicas.stream().distinct().count()) {
      throw new IllegalArgumentException("range " + id + " needs distinct replicas, got " + replicas);
    }
  }
}
