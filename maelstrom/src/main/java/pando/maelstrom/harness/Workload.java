package pando.maelstrom.harness;

import java.util.Objects;
import java.util.Random;
import pando.maelstrom.check.Kind;

/**
 * Generates Maelstrom {@code lin-kv} operations from a seed: reads, writes and compare-and-sets
 * over keys {@code 0 .. keys-1}.
 *
 * <p>Every value written to a key (by a write, or as a cas's new value) is unique for that key, so
 * the checker can tell which write a read saw, which keeps its search small. A cas expects, most
 * of the time, the latest value generated for its key, so that some succeed; otherwise an older
 * one, so that some fail. A cas on a key that has no value yet becomes a write.
 *
 * <p>Thread-safe. The sequence of operations depends only on the seed; which client ends up with
 * which operation depends on timing.
 */
public final class Workload {

  /** One operation to perform. */
  public sealed interface Request permits Read, Write, Cas {
    /** The key, a small integer as Maelstrom's lin-kv uses. */
    int key();

    /** What kind of operation this is. */
    Kind f();
  }

  /** Read the key. */
  public record Read(int key) implements Request {
    @Override
    public Kind f() {
      return Kind.READ;
    }
  }

  /** Write {@code value} to the key. */
  public record Write(int key, long value) implements Request {
    @Override
    public Kind f() {
      return Kind.WRITE;
    }
  }

  /** Replace {@code from} by {@code to} if the key holds {@code from}. */
  public record Cas(int key, long from, long to) implements Request {
    @Override
    public Kind f() {
      return Kind.CAS;
    }
  }

  /** Relative weights of reads, writes and compare-and-sets. */
  public record Mix(int reads, int writes, int cas) {
    public Mix {
      if (reads < 0 || writes < 0 || cas < 0 || reads + writes + cas == 0) {
        throw new IllegalArgumentException("weights must be non-negative, not all zero");
      }
    }

    /** 2 reads : 1 write : 1 cas. */
    public static Mix defaults() {
      return new Mix(2, 1, 1);
    }
  }

  private final Random random;
  private final int keys;
  private final Mix mix;
  /** Per key, the last value generated; 0 means none yet (values start at 1). */
  private final long[] lastValue;
  private long generated;

  public Workload(long seed, int keys, Mix mix) {
    if (keys < 1) {
      throw new IllegalArgumentException("keys must be positive: " + keys);
    }
    this.random = new Random(seed);
    this.keys = keys;
    this.mix = Objects.requireNonNull(mix, "mix");
    this.lastValue = new long[keys];
  }

  /** The next operation. */
  public synchronized Request next() {
    generated++;
    int key = random.nextInt(keys);
    int pick = random.nextInt(mix.reads() + mix.writes() + mix.cas());
    if (pick < mix.reads()) {
      return new Read(key);
    }
    if (pick < mix.reads() + mix.writes() || lastValue[key] == 0) {
      return new Write(key, ++lastValue[key]);
    }
    long latest = lastValue[key];
    long from = random.nextInt(4) == 0 ? 1 + random.nextLong(latest) : latest;
    return new Cas(key, from, ++lastValue[key]);
  }

  /** How many operations have been generated. */
  public synchronized long generated() {
    return generated;
  }
}
