package pando.maelstrom.check;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The search configurations already explored: which ops are linearized, and the register state
 * they leave. Any two orders of the same ops that leave the same state have the same futures, so
 * reaching a known configuration again cannot lead anywhere new (Lowe's improvement to Wing &amp;
 * Gong).
 */
final class ConfigCache {
  private final Set<Config> seen = new HashSet<>();

  /** Records a configuration; false if it was already there. Copies {@code linearized}. */
  boolean add(long[] linearized, Long state) {
    return seen.add(new Config(linearized.clone(), state));
  }

  int size() {
    return seen.size();
  }

  private static final class Config {
    private final long[] linearized;
    private final Long state;
    private final int hash;

    Config(long[] linearized, Long state) {
      this.linearized = linearized;
      this.state = state;
      this.hash = 31 * Arrays.hashCode(linearized) + Objects.hashCode(state);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Config c
          && hash == c.hash
          && Objects.equals(state, c.state)
          && Arrays.equals(linearized, c.linearized);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
