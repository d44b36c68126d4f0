package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** What a person typing a wrong command sees: one line, a non-zero exit, no stack trace. */
class CommandLineTest {
  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cli = Pando.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "put                                  | Missing required parameter: 'KEY'",
      "get k --bogus                        | Unknown option: '--bogus'",
      "cas k v                              | Missing required argument",
      "incr k notanumber                    | 'notanumber'",
      "get k --timeout soon                 | 'soon' is not a duration",
      "node --data-dir /tmp/x               | Missing required option: '--id=<id>'",
      "pd --id pd1 --port 1 --data-dir /tmp/x | Missing required option: '--peers=id=host:raftPort'",
      "pd --id pd1 --peers pd1=127.0.0.1:1 --port 1 --data-dir /tmp/x --hot-range-ops -5 | --hot-range-ops must be 0 (off) or a positive number",
      "pd --id pd1 --peers pd1=127.0.0.1:1 --port 1 --data-dir /tmp/x --hot-key-ops NaN | --hot-key-ops must be 0 (off) or a positive number",
      "pd --id pd1 --peers pd1=127.0.0.1:1 --port 1 --data-dir /tmp/x --hot-key-copy-ops 0 | --hot-key-copy-ops must be a positive number",
      "local --pd-option=oops                | --pd-option takes a flag of 'pando pd'",
      "bench --warm-up 25h                   | --warm-up must be in [0s, 24h]",
      "bench --local --cpu-pids 1            | --cpu-pids is for a cluster started elsewhere",
      "bench --load-from 5                   | --load-from needs --bulk-load",
      "bench --bulk-load --load-from 20000   | --load-from must be in [0, --records], got 20000",
      "bench --bulk-load --local --forwarding | --bulk-load sends batches straight to range leaders",
      "bench --cpu-pids 9223372036854775807  | --cpu-pids: /proc/9223372036854775807/stat: no process 9223372036854775807",
      "admin                                | Missing required subcommand",
      "admin nodes --bogus                  | Unknown option: '--bogus'",
      "frobnicate                           | Unmatched argument"})
  void usageErrorsPrintOneLineAndExitTwo(String args, String expected) {
    Run r = run(args.trim().split("\\s+"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().lines().count()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: ").contains(expected).contains("--help");
  }

  @Test
  void aValueGivenTwiceIsRefusedBeforeAnyRequest() {
    Run r = run("put", "k", "text", "--hex", "00", "--endpoint", "127.0.0.1:1");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().trim()).isEqualTo("error: give the value exactly once: as text, --hex HEX or --file PATH");
  }

  @Test
  void anUnreachableNodeIsOneReadableLine() {
    Run r = run("get", "k", "--endpoint", "127.0.0.1:1", "--timeout", "2s");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().lines().count()).isEqualTo(1);
    assertThat(r.err()).contains("cannot reach the node at 127.0.0.1:1");
  }

  @Test
  void anUnreachablePlacementDriverIsOneReadableLine() {
    Run r = run("admin", "nodes", "--pd", "127.0.0.1:1", "--timeout", "2s");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().lines().count()).isEqualTo(1);
    assertThat(r.err()).contains("no placement driver replica answered (127.0.0.1:1)");
  }

  @Test
  void dataCommandsRouteThroughThePlacementDriverByDefault() {
    Run r = run("get", "k", "--pd", "127.0.0.1:1", "--timeout", "2s");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().lines().count()).isEqualTo(1);
    assertThat(r.err()).contains("no placement driver replica answered (127.0.0.1:1)");
  }

  @Test
  void aMalformedPlacementDriverAddressIsRefused() {
    Run r = run("admin", "status", "--pd", "localhost");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().trim()).isEqualTo("error: placement driver address must look like host:port, got 'localhost'");
  }

  @Test
  void anEmptyKeyIsRefusedWithTheLimit() {
    Run r = run("put", "", "v", "--endpoint", "127.0.0.1:1");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err().trim()).isEqualTo("error: invalid request: key must not be empty");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"node", "pd", "local", "admin", "put", "get", "del", "cas", "incr"}) {
      Run r = run(command, "--help");
      assertThat(r.exitCode()).as(command).isZero();
      assertThat(r.out()).as(command).startsWith("Usage: pando " + command);
    }
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("PT1H")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void valuesPrintAsTextUnlessBinary() {
    assertThat(Values.render(Values.utf8("héllo"), false)).isEqualTo("héllo");
    assertThat(Values.render(new byte[] {0, (byte) 0xff}, false)).isEqualTo("00ff");
    assertThat(Values.render(Values.utf8("abc"), true)).isEqualTo("616263");
  }
}
