package pando.maelstrom.transport;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The links a network partition currently cuts. Thread-safe: cuts and heals are rare and
 * synchronised, the per-message check reads an immutable snapshot.
 */
final class Partitions {
  private record Link(String src, String dest) {}

  private volatile Set<Link> cut = Set.of();

  /** Cuts every link between a node of {@code a} and a node of {@code b}, both ways. */
  synchronized void cut(Collection<String> a, Collection<String> b) {
    Set<Link> next = new HashSet<>(cut);
    for (String x : a) {
      for (String y : b) {
        if (!x.equals(y)) {
          next.add(new Link(x, y));
          next.add(new Link(y, x));
        }
      }
    }
    cut = Set.copyOf(next);
  }

  synchronized void heal() {
    cut = Set.of();
  }

  boolean blocks(String src, String dest) {
    Set<Link> current = cut;
    return !current.isEmpty() && current.contains(new Link(src, dest));
  }
}
