package pando.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/** Runs `pando admin ...` in this JVM against one placement driver, as an operator would. */
final class AdminCli {
  private final String pd;

  AdminCli(String pd) {
    this.pd = pd;
  }

  /** Runs {@code pando admin <args> --pd=...}, printing stdout and stderr to {@code out}; returns the exit code. */
  int run(StringWriter out, String... args) {
    CommandLine cli = Pando.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    List<String> all = new ArrayList<>(List.of("admin"));
    all.addAll(List.of(args));
    all.add("--pd=" + pd);
    return cli.execute(all.toArray(String[]::new));
  }

  /** The JSON {@code pando admin <args> --json} prints, or null if the command failed. */
  JsonElement json(String... args) {
    StringWriter out = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--json");
    return run(out, all.toArray(String[]::new)) == 0 ? JsonParser.parseString(out.toString()) : null;
  }

  /** The key's entry in the hot-key table ({@code pando admin hotkeys --json}), or empty if it has none. */
  Optional<JsonObject> hotKey(String key) {
    JsonElement list = json("hotkeys");
    if (list == null) {
      return Optional.empty();
    }
    for (JsonElement e : list.getAsJsonObject().getAsJsonArray("hot_keys")) {
      JsonObject o = e.getAsJsonObject();
      if (o.get("key").getAsString().equals(key) && o.get("in_table").getAsBoolean()) {
        return Optional.of(o);
      }
    }
    return Optional.empty();
  }
}
