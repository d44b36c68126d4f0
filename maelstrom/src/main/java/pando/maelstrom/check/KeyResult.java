package pando.maelstrom.check;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict for one key.
 *
 * @param opsChecked the ops the search considered: failed ops and reads that ended info cannot
 *     affect the verdict and are left out
 * @param reason why the verdict is {@link Verdict#UNKNOWN} or {@link Verdict#INVALID}; empty when
 *     valid
 * @param counterexample present exactly when the verdict is {@link Verdict#INVALID}
 */
public record KeyResult(
    String key,
    Verdict verdict,
    int opsChecked,
    Duration elapsed,
    String reason,
    Optional<Counterexample> counterexample) {

  public KeyResult {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(reason, "reason");
    if (counterexample.isPresent() != (verdict == Verdict.INVALID)) {
      throw new IllegalArgumentException("a counterexample comes with, and only with, INVALID");
    }
  }

  /** One line, e.g. {@code k1: VALID (1200 ops, 35 ms)}. */
  public String summary() {
    return key + ": " + verdict + " (" + opsChecked + " ops, " + elapsed.toMillis() + " ms"
        + (reason.isEmpty() ? "" : "; " + reason) + ")";
  }
}
