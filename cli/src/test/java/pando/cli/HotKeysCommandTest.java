package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pando.pd.PdConfig;
import pando.pd.PdPeer;
import pando.pd.PdServer;
import pando.testing.Await;
import pando.api.LoopbackPorts;
import picocli.CommandLine;

/**
 * {@code pando admin hotkeys} against a placement driver in this JVM: what an operator types and
 * sees. Each test uses keys of its own, so they share one placement driver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HotKeysCommandTest {
  private record Run(int exitCode, String out, String err) {}

  private PdServer pd;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    PdPeer self = new PdPeer("pd1", "127.0.0.1", LoopbackPorts.next());
    pd = PdServer.start(PdConfig.of("pd1", "127.0.0.1", 0, List.of(self), dir.resolve("pd1")));
    Await.until(Duration.ofSeconds(30), "the PD leads its group", pd::isLeader);
  }

  @AfterAll
  void stop() {
    if (pd != null) {
      pd.close();
    }
  }

  /** Runs {@code pando admin hotkeys <args> --pd=<this PD>}. */
  private Run hotkeys(String... args) {
    CommandLine cli = Pando.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("admin", "hotkeys"));
    all.addAll(List.of(args));
    all.add("--pd=127.0.0.1:" + pd.apiPort());
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  private Run succeeds(String... args) {
    Run r = hotkeys(args);
    assertThat(r.exitCode()).as(r.err()).isZero();
    return r;
  }

  /** The listed row of {@code key}, its cells split on runs of spaces. */
  private List<String> row(String key) {
    return succeeds().out().lines()
        .filter(line -> line.startsWith(key + " "))
        .map(line -> List.of(line.trim().split(" {2,}")))
        .findFirst().orElseThrow(() -> new AssertionError("no row for " + key));
  }

  private JsonObject listed(String keyHex) {
    JsonObject listing = JsonParser.parseString(succeeds("--json").out()).getAsJsonObject();
    for (var element : listing.getAsJsonArray("hot_keys")) {
      if (element.getAsJsonObject().get("key_hex").getAsString().equals(keyHex)) {
        return element.getAsJsonObject();
      }
    }
    throw new AssertionError("not listed: " + keyHex);
  }

  @Test
  void anOperatorAddsListsAndRemovesAKey() {
    Run added = succeeds("add", "cart:7", "--salts", "4");

    assertThat(added.out()).matches("hot key 'cart:7': read, 4 salts, SALTING, PINNED \\(table version \\d+\\)\\R");
    assertThat(row("cart:7")).startsWith("cart:7", "read", "4", "SALTING", "PINNED", "-", "-", "-");

    Run removed = succeeds("remove", "cart:7");

    assertThat(removed.out()).startsWith("hot key 'cart:7': read, 4 salts, UNSALTING, PINNED (table version ");
    assertThat(row("cart:7")).startsWith("cart:7", "read", "4", "UNSALTING");
  }

  @Test
  void aCounterGivenAsHexIsListedAsJson() {
    Run added = succeeds("add", "--hex", "00ff10", "--salts", "8", "--mode", "counter");

    assertThat(added.out()).startsWith("hot key 0x00ff10: counter, 8 salts, SALTING, PINNED");
    JsonObject entry = listed("00ff10");
    assertThat(entry.get("key").getAsString()).isEqualTo("00ff10");
    assertThat(entry.get("in_table").getAsBoolean()).isTrue();
    assertThat(entry.get("mode").getAsString()).isEqualTo("WRITE_HOT_COUNTER");
    assertThat(entry.get("salts").getAsInt()).isEqualTo(8);
    assertThat(entry.get("state").getAsString()).isEqualTo("SALTING");
    assertThat(entry.get("origin").getAsString()).isEqualTo("PINNED");
    assertThat(entry.has("reads_per_second")).as("no load reported").isFalse();
  }

  @Test
  void addingAKeyAgainWithTheSameSettingsSaysTheSame() {
    Run first = succeeds("add", "twice", "--salts", "2", "--json");
    Run again = succeeds("add", "twice", "--salts", "2", "--json");

    assertThat(again.out()).isEqualTo(first.out());
    assertThat(JsonParser.parseString(again.out()).getAsJsonObject().get("table_version").getAsLong()).isPositive();
  }

  @Test
  void theLeadersRefusalIsShownAsItIs() {
    succeeds("add", "fixed", "--salts", "4");

    Run r = hotkeys("add", "fixed", "--salts", "8");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().lines()).containsExactly("error: FAILED_PRECONDITION: hot key 'fixed' is already READ_HOT"
        + " with 4 salts, SALTING, PINNED; to change its mode or salts, remove it ('pando admin hotkeys remove'),"
        + " then add it again once it has left the table");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "add k                          | 2 | Missing required option: '--salts=S'",
      "add k --salts 4 --mode write   | 2 | --mode must be read or counter, got 'write'",
      "add --salts 4                  | 2 | give the key exactly once: as text or --hex HEX",
      "add k --hex 6b --salts 4       | 2 | give the key exactly once: as text or --hex HEX",
      "add --hex 6 --salts 4          | 2 | --hex: '6' is not an even number of hex digits",
      "add k --salts many             | 2 | 'many'",
      "add k --salts 1                | 1 | INVALID_ARGUMENT: salts must be in 2..64, got 1",
      "add k --salts 65 --mode counter| 1 | INVALID_ARGUMENT: salts must be in 2..64, got 65",
      "remove never-added             | 1 | NOT_FOUND: no hot key 'never-added' in the table",
      "remove                         | 2 | give the key exactly once",
      "--bogus                        | 2 | Unknown option: '--bogus'"})
  void badInputIsOneLineAndANonZeroExit(String args, int exitCode, String expected) {
    Run r = hotkeys(args.trim().split("\\s+"));

    assertThat(r.exitCode()).isEqualTo(exitCode);
    assertThat(r.err().lines()).singleElement().satisfies(line -> assertThat(line).startsWith("error: ").contains(expected));
    assertThat(r.out()).isEmpty();
  }

  @Test
  void everyHotKeysCommandHasHelp() {
    for (String command : new String[] {"", "add", "remove"}) {
      CommandLine cli = Pando.commandLine();
      StringWriter out = new StringWriter();
      cli.setOut(new PrintWriter(out));
      List<String> args = new ArrayList<>(List.of("admin", "hotkeys"));
      if (!command.isEmpty()) {
        args.add(command);
      }
      args.add("--help");

      assertThat(cli.execute(args.toArray(String[]::new))).as(command).isZero();
      assertThat(out.toString()).as(command).startsWith(("Usage: pando admin hotkeys " + command).trim());
    }
  }
}
