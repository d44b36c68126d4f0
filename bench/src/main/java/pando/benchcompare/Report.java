package pando.benchcompare;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Locale;
import java.util.OptionalDouble;
import pando.bench.Floor;

/** The comparison as text (one table, then the floor) and as JSON. */
final class Report {
  private final Experiment.Outcome outcome;
  private final Comparison comparison;

  Report(Experiment.Outcome outcome) {
    this.outcome = outcome;
    this.comparison = Comparison.of(outcome.samples());
  }

  Comparison comparison() {
    return comparison;
  }

  /** Single-client write p50 of a store: the median over runs. */
  private OptionalDouble singleClientWriteP50(Store store) {
    return comparison.row(Plan.SINGLE_CLIENT_WRITES, store).map(r -> r.medians().get(Figure.UPDATE_P50))
        .orElse(OptionalDouble.empty());
  }

  String text() {
    Plan plan = outcome.plan();
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "Pando and etcd side by side: %d records x %d B, %s keys%s, %d client threads, %ds per run,"
            + " median of %d run(s); latencies in ms%n",
        plan.records(), plan.valueBytes(), plan.distribution(),
        plan.distribution().equals("uniform") ? "" : " (theta " + plan.theta() + ")", plan.threads(),
        plan.duration().toSeconds(), plan.runs()));
    out.append(comparison.table());
    Floor floor = outcome.floor();
    out.append("floor: ").append(floor.describe()).append('\n');
    for (Store store : Store.values()) {
      OptionalDouble p50 = singleClientWriteP50(store);
      if (p50.isPresent()) {
        out.append(String.format(Locale.ROOT, "%s single-client write p50 %.2f ms = %.1f x floor%n",
            store.label(), p50.getAsDouble(), floor.multipleOf(p50.getAsDouble())));
      }
    }
    return out.toString();
  }

  String json() {
    Plan plan = outcome.plan();
    JsonObject root = new JsonObject();
    JsonObject settings = new JsonObject();
    settings.addProperty("records", plan.records());
    settings.addProperty("value_bytes", plan.valueBytes());
    settings.addProperty("threads", plan.threads());
    settings.addProperty("duration_s", plan.duration().toMillis() / 1000.0);
    settings.addProperty("warm_up_s", plan.warmUp().toMillis() / 1000.0);
    settings.addProperty("runs", plan.runs());
    settings.addProperty("distribution", plan.distribution());
    settings.addProperty("theta", plan.theta());
    settings.addProperty("seed", plan.seed());
    root.add("settings", settings);

    JsonArray medians = new JsonArray();
    for (Comparison.Row row : comparison.rows()) {
      JsonObject o = figures(row.medians());
      o.addProperty("workload", row.workload());
      o.addProperty("store", row.store().label());
      o.addProperty("runs", row.runs());
      o.addProperty("errors", row.errors());
      medians.add(o);
    }
    root.add("medians", medians);
    JsonArray ratios = new JsonArray();
    for (Comparison.Ratio ratio : comparison.ratios()) {
      JsonObject o = figures(ratio.ratios());
      o.addProperty("workload", ratio.workload());
      ratios.add(o);
    }
    root.add("ratios_pando_over_etcd", ratios);

    JsonObject floor = JsonParser.parseString(outcome.floor().json()).getAsJsonObject();
    for (Store store : Store.values()) {
      OptionalDouble p50 = singleClientWriteP50(store);
      if (p50.isPresent()) {
        floor.addProperty(store.label() + "_single_client_write_p50_ms", p50.getAsDouble());
        floor.addProperty(store.label() + "_single_client_write_p50_in_floors",
            outcome.floor().multipleOf(p50.getAsDouble()));
      }
    }
    root.add("floor", floor);

    JsonArray sweep = new JsonArray();
    for (SweepPoint point : outcome.sweep()) {
      JsonObject o = new JsonObject();
      o.addProperty("store", point.store().label());
      o.addProperty("workload", "B");
      o.addProperty("target_ops_per_second", point.targetOpsPerSecond());
      o.addProperty("achieved_ops_per_second", point.achievedOpsPerSecond());
      o.addProperty("read_p50_ms", point.readP50Ms());
      o.addProperty("read_p99_ms", point.readP99Ms());
      o.addProperty("errors", point.errors());
      sweep.add(o);
    }
    root.add("sweep", sweep);

    JsonArray runs = new JsonArray();
    for (Experiment.RunResult run : outcome.runs()) {
      JsonObject o = new JsonObject();
      o.addProperty("run", run.run());
      o.addProperty("store", run.store().label());
      o.addProperty("workload", run.workload());
      o.add("result", JsonParser.parseString(run.result().json()));
      runs.add(o);
    }
    root.add("runs", runs);
    return new GsonBuilder().setPrettyPrinting().create().toJson(root);
  }

  private static JsonObject figures(Figures figures) {
    JsonObject o = new JsonObject();
    for (Figure figure : Figure.values()) {
      OptionalDouble value = figures.get(figure);
      if (value.isPresent()) {
        o.addProperty(figure.jsonName(), value.getAsDouble());
      }
    }
    return o;
  }
}
