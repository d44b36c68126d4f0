package pando.bench;

import java.time.Duration;

/**
 * One benchmark run.
 *
 * @param workload operation mix
 * @param distribution {@code uniform}, {@code zipfian} or {@code latest}
 * @param theta Zipfian skew, in (0, 1)
 * @param records records loaded before the run; operations touch only these
 * @param valueBytes size of every value written
 * @param threads client threads, each with one request in flight
 * @param duration how long the measured run lasts
 * @param targetOpsPerSecond 0 for closed loop (as fast as replies come); otherwise each thread
 *     follows a fixed schedule and latency counts from the scheduled start, so a stall is charged
 *     to every request it delayed (no coordinated omission)
 * @param seed makes key choice and operation mix replayable
 */
public record BenchConfig(
    Workload workload,
    String distribution,
    double theta,
    long records,
    int valueBytes,
    int threads,
    Duration duration,
    long targetOpsPerSecond,
    long seed) {

  public BenchConfig {
    if (records < 1 || records > 100_000_000) {
      throw new IllegalArgumentException("records must be in 1..100000000, got " + records);
    }
    if (valueBytes < 0 || valueBytes > 1024 * 1024) {
      throw new IllegalArgumentException("value size must be in 0..1048576 bytes, got " + valueBytes);
    }
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads must be in 1..1024, got " + threads);
    }
    if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException("duration must be in (0, 24h], got " + duration);
    }
    if (targetOpsPerSecond < 0) {
      throw new IllegalArgumentException("target rate must not be negative");
    }
    // Validates the name, theta and share; at most 2 records, so a Zipfian does not sum its series twice.
    KeyChooser.of(distribution, Math.min(records, 2), theta);
  }

  /** The same run, for {@code length} instead (a warm-up before the measured run). */
  public BenchConfig withDuration(Duration length) {
    return new BenchConfig(workload, distribution, theta, records, valueBytes, threads, length, targetOpsPerSecond, seed);
  }

  public static byte[] key(long record) {
    return ("user" + record).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
