package pando.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus text-format pages parsed by the Prometheus project's own parser (the Python client's
 * {@code text_string_to_metric_families}, Debian's {@code python3-prometheus-client}), so that a
 * page a real Prometheus could not read fails the test.
 */
final class PrometheusText {
  private static final String PYTHON = "/usr/bin/python3";
  private static final String PARSE = String.join("\n",
      "import json, sys",
      "from prometheus_client.parser import text_string_to_metric_families",
      "out = []",
      "for family in text_string_to_metric_families(sys.stdin.read()):",
      "    for s in family.samples:",
      "        out.append({'family': family.name, 'type': family.type, 'name': s.name, 'labels': s.labels,"
          + " 'value': s.value})",
      "print(json.dumps(out))");

  /** One sample: its family's type, its full name, labels and value. */
  record Sample(String type, String name, Map<String, String> labels, double value) {}

  private PrometheusText() {}

  /** Installs the parser from Debian if it is missing. */
  static void installParserIfMissing() throws IOException, InterruptedException {
    if (run(List.of(PYTHON, "-c", "import prometheus_client.parser")) == 0) {
      return;
    }
    int code = run(List.of("sh", "-c", "DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive"
        + " apt-get install -y -qq python3-prometheus-client"));
    if (code != 0) {
      throw new IOException("could not install python3-prometheus-client (exit " + code + ")");
    }
  }

  /** Every sample of {@code page}; throws if the parser refuses the page. */
  static List<Sample> parse(String page) throws IOException, InterruptedException {
    Path out = Files.createTempFile("prometheus", ".json");
    try {
      Process p = new ProcessBuilder(PYTHON, "-c", PARSE).redirectOutput(out.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      p.getOutputStream().write(page.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("the Prometheus parser refused the page (exit " + (p.isAlive() ? "-" : p.exitValue()) + ")");
      }
      List<Sample> samples = new ArrayList<>();
      for (JsonElement e : JsonParser.parseString(Files.readString(out)).getAsJsonArray()) {
        JsonObject o = e.getAsJsonObject();
        Map<String, String> labels = new TreeMap<>();
        o.getAsJsonObject("labels").entrySet().forEach(l -> labels.put(l.getKey(), l.getValue().getAsString()));
        samples.add(new Sample(o.get("type").getAsString(), o.get("name").getAsString(), labels,
            o.get("value").getAsDouble()));
      }
      return samples;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static int run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    p.getOutputStream().close();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
