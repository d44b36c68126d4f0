package pando.benchcompare;

/**
 * One step of a latency-versus-throughput sweep: what was asked for, what was achieved, and the
 * read latencies at that load (reads are 95% of workload B's operations). Latency counts from each
 * operation's scheduled start, so queueing behind a slow request is included.
 */
record SweepPoint(Store store, long targetOpsPerSecond, double achievedOpsPerSecond, double readP50Ms,
    double readP99Ms, long errors) {}
