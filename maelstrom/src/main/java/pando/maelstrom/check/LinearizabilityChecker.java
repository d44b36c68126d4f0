package pando.maelstrom.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a history of per-key read/write/cas registers is linearizable.
 *
 * <p>Linearizability is compositional: a history is linearizable exactly when each key's
 * sub-history is, so every key is searched on its own, which keeps the search space small. Each
 * search is bounded by a time budget and a cache size; a key that exceeds either is reported
 * {@link Verdict#UNKNOWN}, never valid.
 *
 * <p>Failed ops are dropped (they had no effect), as are reads whose outcome is unknown (reads have
 * no effect). Writes and cas ops whose outcome is unknown may take effect at any time after their
 * invocation, or never.
 */
public final class LinearizabilityChecker {
  /**
   * Default bound on explored configurations per key. An entry costs roughly 100 bytes plus one
   * bit per op of the key, so this keeps the cache to a few hundred megabytes for keys with
   * thousands of ops.
   */
  public static final int DEFAULT_MAX_CACHE_ENTRIES = 1_000_000;

  private final int maxCacheEntries;

  public LinearizabilityChecker() {
    this(DEFAULT_MAX_CACHE_ENTRIES);
  }

  /** A checker that gives up on a key after exploring {@code maxCacheEntries} configurations. */
  public LinearizabilityChecker(int maxCacheEntries) {
    if (maxCacheEntries < 1) {
      throw new IllegalArgumentException("maxCacheEntries must be positive: " + maxCacheEntries);
    }
    this.maxCacheEntries = maxCacheEntries;
  }

  /** Checks every key, spending at most about {@code budgetPerKey} on each. */
  public Result check(History history, Duration budgetPerKey) {
    Objects.requireNonNull(history, "history");
    if (budgetPerKey.isNegative()) {
      throw new IllegalArgumentException("negative budget: " + budgetPerKey);
    }
    long start = System.nanoTime();
    List<KeyResult> results = new ArrayList<>();
    for (String key : history.keys()) {
      results.add(checkKey(history, key, budgetPerKey));
    }
    return Result.of(results, Duration.ofNanos(System.nanoTime() - start));
  }

  private KeyResult checkKey(History history, String key, Duration budget) {
    long start = System.nanoTime();
    List<Op> relevant = history.opsFor(key).stream().filter(Op::matters).toList();
    WglSearch.SearchResult found = WglSearch.run(relevant, budget, maxCacheEntries);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    Optional<Counterexample> counterexample = Optional.empty();
    if (found.verdict() == Verdict.INVALID) {
      counterexample = Optional.of(new Counterexample(found.longestPrefix(),
          found.stateAfterPrefix(), found.stuckOn(), history.eventsFor(key)));
    }
    String reason = found.reason() == null ? "" : found.reason();
    return new KeyResult(key, found.verdict(), relevant.size(), elapsed, reason, counterexample);
  }
}
