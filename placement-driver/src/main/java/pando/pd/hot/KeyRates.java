package pando.pd.hot;

import java.util.Objects;
import java.util.Optional;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.SaltedKeys;

/**
 * One key's operations per second, summed over its plain key and copies.
 *
 * @param readsPerSec Get
 * @param writesPerSec Put, Delete and Cas
 * @param incrementsPerSec Incr
 * @param wouldSalt how the detector would salt the key if it salted it now; empty if it would not
 *     (a key hot with Put, Delete or Cas gains nothing from salting). Only shown for keys not in the
 *     table.
 */
public record KeyRates(
    double readsPerSec, double writesPerSec, double incrementsPerSec, Optional<Salting> wouldSalt) {
  public KeyRates {
    Objects.requireNonNull(wouldSalt, "wouldSalt");
    // Written so that NaN fails too.
    if (!(readsPerSec >= 0 && writesPerSec >= 0 && incrementsPerSec >= 0)
        || Double.isInfinite(readsPerSec + writesPerSec + incrementsPerSec)) {
      throw new IllegalArgumentException("rates must be finite and not negative, got reads/s="
          + readsPerSec + " writes/s=" + writesPerSec + " increments/s=" + incrementsPerSec);
    }
  }

  /** Every operation per second. */
  public double opsPerSec() {
    return readsPerSec + writesPerSec + incrementsPerSec;
  }

  /** How a key would be salted: its mode and number of copies (2..64). */
  public record Salting(Mode mode, int salts) {
    public Salting {
      Objects.requireNonNull(mode, "mode");
      if (salts < SaltedKeys.MIN_SALTS || salts > SaltedKeys.MAX_SALTS) {
        throw new IllegalArgumentException("salt count must be in " + SaltedKeys.MIN_SALTS + ".."
            + SaltedKeys.MAX_SALTS + ", got " + salts);
      }
    }
  }
}
