package pando.maelstrom.check;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of checking a whole history.
 *
 * <p>The verdict is {@link Verdict#INVALID} if any key is invalid, else {@link Verdict#UNKNOWN} if
 * any key is unknown, else {@link Verdict#VALID}.
 *
 * @param opsChecked ops considered over all keys (see {@link KeyResult#opsChecked()})
 * @param keys per-key results, in key order
 */
public record Result(Verdict verdict, int opsChecked, List<KeyResult> keys, Duration elapsed) {

  public Result {
    keys = List.copyOf(keys);
  }

  /** Combines per-key results. */
  static Result of(List<KeyResult> keys, Duration elapsed) {
    Verdict verdict = Verdict.VALID;
    int ops = 0;
    for (KeyResult k : keys) {
      ops += k.opsChecked();
      if (k.verdict() == Verdict.INVALID) {
        verdict = Verdict.INVALID;
      } else if (k.verdict() == Verdict.UNKNOWN && verdict == Verdict.VALID) {
        verdict = Verdict.UNKNOWN;
      }
    }
    return new Result(verdict, ops, keys, elapsed);
  }

  /** The verdict of each key, in key order. */
  public Map<String, Verdict> verdictsByKey() {
    Map<String, Verdict> verdicts = new LinkedHashMap<>();
    keys.forEach(k -> verdicts.put(k.key(), k.verdict()));
    return verdicts;
  }

  /** The first key (in key order) found not linearizable. */
  public Optional<KeyResult> firstInvalid() {
    return keys.stream().filter(k -> k.verdict() == Verdict.INVALID).findFirst();
  }

  /**
   * A multi-line report: the verdict, every key that is not valid, and for the first invalid key
   * its longest linearizable prefix and its events.
   */
  public String describe() {
    StringBuilder b = new StringBuilder();
    long valid = keys.stream().filter(k -> k.verdict() == Verdict.VALID).count();
    b.append(verdict).append(": ").append(opsChecked).append(" ops on ").append(keys.size())
        .append(keys.size() == 1 ? " key" : " keys").append(" (").append(valid)
        .append(" linearizable), checked in ").append(elapsed.toMillis()).append(" ms\n");
    for (KeyResult k : keys) {
      if (k.verdict() != Verdict.VALID) {
        b.append("  ").append(k.summary()).append('\n');
      }
    }
    firstInvalid().ifPresent(k -> {
      b.append("Key ").append(k.key()).append(" is not linearizable.\n");
      b.append(k.counterexample().orElseThrow().describe("  "));
    });
    return b.toString();
  }
}
