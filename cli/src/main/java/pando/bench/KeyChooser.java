package pando.bench;

import java.util.SplittableRandom;

/**
 * Picks which record an operation touches, as YCSB does: uniformly, by a Zipfian law over record
 * popularity, or by a Zipfian law over recency ("latest": the newest records are the hottest).
 *
 * <p>Pure and seeded: a chooser holds only precomputed constants; randomness comes from the caller's
 * generator, so each client thread can own one.
 */
public sealed interface KeyChooser {
  /** A record index in {@code [0, records)}. */
  long next(SplittableRandom random);

  static KeyChooser of(String name, long records, double theta) {
    return switch (name) {
      case "uniform" -> new Uniform(records);
      case "zipfian" -> new Zipfian(records, theta);
      case "latest" -> new Latest(new Zipfian(records, theta));
      default -> {
        if (name.equals("hotspot") || name.startsWith("hotspot:")) {
          yield new Hotspot(records, name.equals("hotspot") ? 0.5 : parseShare(name.substring("hotspot:".length())));
        }
        throw new IllegalArgumentException(
            "unknown key distribution '" + name + "'; use uniform, zipfian, latest or hotspot[:share]");
      }
    };
  }

  private static double parseShare(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("hotspot share must be a number in (0, 1), got '" + text + "'");
    }
  }

  /**
   * One record (index 0) takes {@code share} of the operations, the others the rest uniformly: a
   * single hot key hammered while the rest of the data is used evenly.
   */
  record Hotspot(long records, double share) implements KeyChooser {
    public Hotspot {
      checkRecords(records);
      if (records < 2) {
        throw new IllegalArgumentException("a hotspot needs at least 2 records, got " + records);
      }
      if (!(share > 0 && share < 1)) {
        throw new IllegalArgumentException("hotspot share must be in (0, 1), got " + share);
      }
    }

    @Override
    public long next(SplittableRandom random) {
      return random.nextDouble() < share ? 0 : 1 + random.nextLong(records - 1);
    }
  }

  record Uniform(long records) implements KeyChooser {
    public Uniform {
      checkRecords(records);
    }

    @Override
    public long next(SplittableRandom random) {
      return random.nextLong(records);
    }
  }

  /**
   * Gray et al.'s Zipfian generator ("Quickly generating billion-record synthetic databases", 1994),
   * the one YCSB uses: rank 0 is the most popular record. Setup is O(records) to sum the zeta
   * series; each draw is O(1).
   */
  final class Zipfian implements KeyChooser {
    private final long records;
    private final double theta;
    private final double alpha;
    private final double zetaN;
    private final double eta;

    public Zipfian(long records, double theta) {
      checkRecords(records);
      if (!(theta > 0 && theta < 1)) {
        throw new IllegalArgumentException("zipfian theta must be in (0, 1), got " + theta);
      }
      this.records = records;
      this.theta = theta;
      this.alpha = 1.0 / (1.0 - theta);
      this.zetaN = zeta(records, theta);
      double zeta2 = zeta(2, theta);
      this.eta = (1 - Math.pow(2.0 / records, 1 - theta)) / (1 - zeta2 / zetaN);
    }

    private static double zeta(long n, double theta) {
      double sum = 0;
      for (long i = 1; i <= n; i++) {
        sum += 1 / Math.pow(i, theta);
      }
      return sum;
    }

    @Override
    public long next(SplittableRandom random) {
      double u = random.nextDouble();
      double uz = u * zetaN;
      if (uz < 1.0) {
        return 0;
      }
      if (uz < 1.0 + Math.pow(0.5, theta)) {
        return Math.min(1, records - 1);
      }
      long rank = (long) (records * Math.pow(eta * u - eta + 1, alpha));
      return Math.min(rank, records - 1);
    }
  }

  /** Zipfian over recency: rank 0 is the last record loaded. */
  record Latest(Zipfian byRank) implements KeyChooser {
    @Override
    public long next(SplittableRandom random) {
      return byRank.records - 1 - byRank.next(random);
    }
  }

  private static void checkRecords(long records) {
    if (records < 1) {
      throw new IllegalArgumentException("record count must be positive, got " + records);
    }
  }
}
