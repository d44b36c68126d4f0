package pando.bench;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options that say what a benchmark run loads and sends, shared by {@code pando bench} and the
 * comparison with etcd so both read the same flags the same way.
 */
public final class WorkloadOptions {
  @Option(names = "--records", defaultValue = "10000", description = "Records to load (default: ${DEFAULT-VALUE}).")
  public long records;

  @Option(names = "--value-size", defaultValue = "100", description = "Bytes per value (default: ${DEFAULT-VALUE}).")
  public int valueBytes;

  @Option(names = "--threads", defaultValue = "8",
      description = "Client threads, one request in flight each (default: ${DEFAULT-VALUE}).")
  public int threads;

  @Option(names = "--duration", defaultValue = "30s", description = "Length of each measured run (default: ${DEFAULT-VALUE}).")
  public Duration duration;

  @Option(names = "--distribution", defaultValue = "zipfian",
      description = "Key choice: uniform, zipfian, latest, or hotspot[:share] (record 0 takes share of the"
          + " operations, 0.5 by default, the rest uniform) (default: ${DEFAULT-VALUE}).")
  public String distribution;

  @Option(names = "--theta", defaultValue = "0.99", description = "Zipfian skew (default: ${DEFAULT-VALUE}).")
  public double theta;

  @Option(names = "--seed", description = "Seed of key choice and operation mix (default: random, printed).")
  public Long seed;

  /** The seed given, or a new one: a run is always replayable from the seed it prints. */
  public long runSeed() {
    return seed != null ? seed : System.nanoTime();
  }
}
