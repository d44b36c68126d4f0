package pando.benchcompare;

/** The figures compared for each workload and store: throughput and the latency of each operation. */
enum Figure {
  OPS_PER_SECOND("ops/s", "ops_per_second"),
  READ_P50("read p50", "read_p50_ms"),
  READ_P99("read p99", "read_p99_ms"),
  UPDATE_P50("update p50", "update_p50_ms"),
  UPDATE_P99("update p99", "update_p99_ms");

  private final String header;
  private final String jsonName;

  Figure(String header, String jsonName) {
    this.header = header;
    this.jsonName = jsonName;
  }

  String header() {
    return header;
  }

  String jsonName() {
    return jsonName;
  }

  /** For throughput more is better; for a latency less is. */
  boolean higherIsBetter() {
    return this == OPS_PER_SECOND;
  }
}
