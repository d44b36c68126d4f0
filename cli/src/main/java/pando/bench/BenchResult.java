package pando.bench;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What a run measured, per operation type, with renderings as a table and as JSON. */
public record BenchResult(BenchConfig config, double seconds, List<OpSummary> ops) {

  /** Latencies in milliseconds, measured from each operation's intended start. */
  public record OpSummary(String op, long count, double opsPerSecond, double p50Ms, double p95Ms,
      double p99Ms, double p999Ms, double maxMs, long errors, Optional<String> firstError) {}

  public long totalOps() {
    return ops.stream().mapToLong(OpSummary::count).sum();
  }

  public long totalErrors() {
    return ops.stream().mapToLong(OpSummary::errors).sum();
  }

  public String table() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "workload %s (%s), %s keys%s, %d records x %d B, %d threads, %s, %.1f s%n",
        config.workload(), config.workload().description(), config.distribution(),
        config.distribution().equals("uniform") ? "" : " theta " + config.theta(),
        config.records(), config.valueBytes(), config.threads(),
        config.targetOpsPerSecond() == 0 ? "closed loop" : "target " + config.targetOpsPerSecond() + " ops/s",
        seconds));
    out.append(String.format(Locale.ROOT, "%-7s %9s %9s %8s %8s %8s %8s %8s %7s%n",
        "op", "count", "ops/s", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "errors"));
    for (OpSummary op : ops) {
      if (op.count() == 0 && op.errors() == 0) {
        continue;
      }
      out.append(String.format(Locale.ROOT, "%-7s %9d %9.0f %8.2f %8.2f %8.2f %8.2f %8.2f %7d%n",
          op.op(), op.count(), op.opsPerSecond(), op.p50Ms(), op.p95Ms(), op.p99Ms(), op.p999Ms(),
          op.maxMs(), op.errors()));
    }
    out.append(String.format(Locale.ROOT, "total   %9d %9.0f%n", totalOps(), totalOps() / seconds));
    ops.forEach(op -> op.firstError().ifPresent(e -> out.append("first ").append(op.op())
        .append(" error: ").append(e).append('\n')));
    return out.toString();
  }

  public String json() {
    StringBuilder out = new StringBuilder("{");
    out.append(String.format(Locale.ROOT,
        "\"workload\":\"%s\",\"distribution\":\"%s\",\"theta\":%s,\"records\":%d,\"value_bytes\":%d,"
            + "\"threads\":%d,\"target_ops_per_second\":%d,\"seed\":%d,\"seconds\":%.3f,"
            + "\"total_ops\":%d,\"total_ops_per_second\":%.1f,\"ops\":{",
        config.workload(), config.distribution(), config.theta(), config.records(), config.valueBytes(),
        config.threads(), config.targetOpsPerSecond(), config.seed(), seconds, totalOps(), totalOps() / seconds));
    for (int i = 0; i < ops.size(); i++) {
      OpSummary op = ops.get(i);
      out.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
          "\"%s\":{\"count\":%d,\"ops_per_second\":%.1f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,"
              + "\"p999_ms\":%.3f,\"max_ms\":%.3f,\"errors\":%d}",
          op.op(), op.count(), op.opsPerSecond(), op.p50Ms(), op.p95Ms(), op.p99Ms(), op.p999Ms(), op.maxMs(),
          op.errors()));
    }
    return out.append("}}").toString();
  }
}
