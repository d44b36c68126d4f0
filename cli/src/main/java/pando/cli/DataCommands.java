package pando.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import pando.client.CasResult;
import pando.api.pd.PdConnection;
import pando.client.KvClient;
import pando.client.PandoClient;
import pando.client.RoutingClient;
import pando.v1.ReadConsistency;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** put, get, del, cas and incr against any node of a cluster. */
final class DataCommands {
  private DataCommands() {}

  static final String DEFAULT_ENDPOINT = "127.0.0.1:7001";
  static final String DEFAULT_PD = "127.0.0.1:7200";

  /** Where to send the request and how long to wait. */
  static final class Connection {
    @Option(names = "--pd", split = ",", paramLabel = "HOST:PORT",
        defaultValue = "${env:PANDO_PD:-" + DEFAULT_PD + "}",
        description = "The placement driver's replicas; the request goes straight to the leader of the key's"
            + " range (default: $PANDO_PD or " + DEFAULT_PD + ", the one 'pando local' starts).")
    List<String> pd;

    @Option(names = {"-e", "--endpoint"}, paramLabel = "HOST:PORT", defaultValue = "${env:PANDO_ENDPOINT}",
        description = "Send the request to this node instead, which forwards it (default: $PANDO_ENDPOINT if set)."
            + " Needed for nodes started without a placement driver.")
    String endpoint;

    @Option(names = "--timeout", defaultValue = "10s", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    KvClient open() {
      if (endpoint != null && !endpoint.isBlank()) {
        return PandoClient.connect(endpoint, timeout);
      }
      return RoutingClient.connect(pd.stream().flatMap(a -> PdConnection.parseAddresses(a).stream()).toList(), timeout);
    }
  }

  /** Shared shape: a key, a connection, and a body that talks to the client. */
  abstract static class KeyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key, as UTF-8 text (1..4096 bytes).")
    String key;

    @Override
    public Integer call() {
      try (KvClient client = connection.open()) {
        return run(client, Values.utf8(key), spec.commandLine().getOut());
      }
    }

    abstract int run(KvClient client, byte[] key, PrintWriter out);
  }

  @Command(name = "put", mixinStandardHelpOptions = true, description = "Stores a value under a key.")
  static final class Put extends KeyCommand {
    @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "The value as UTF-8 text.")
    String text;

    @Mixin Values.Input value;

    @Override
    int run(KvClient client, byte[] key, PrintWriter out) {
      client.put(key, value.bytes(text));
      out.println("OK");
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = {"Prints a key's value. Exits 1 with 'not found' on stderr if the key is absent."})
  static final class Get extends KeyCommand {
    @Option(names = "--stale", description = "Read the receiving node's replica without asking the leader (may be behind).")
    boolean stale;

    @Option(names = "--hex", description = "Print the value as hex.")
    boolean hex;

    @Override
    int run(KvClient client, byte[] key, PrintWriter out) {
      Optional<byte[]> value = client.get(key, stale ? ReadConsistency.STALE : ReadConsistency.LINEARIZABLE);
      if (value.isEmpty()) {
        spec.commandLine().getErr().println("not found");
        return 1;
      }
      out.println(Values.render(value.get(), hex));
      return 0;
    }
  }

  @Command(name = "del", mixinStandardHelpOptions = true, description = "Removes a key. Prints whether it existed.")
  static final class Del extends KeyCommand {
    @Override
    int run(KvClient client, byte[] key, PrintWriter out) {
      out.println(client.delete(key) ? "deleted" : "absent");
      return 0;
    }
  }

  @Command(name = "cas", mixinStandardHelpOptions = true,
      description = {"Compare-and-set: writes the new value only if the key holds the expected one",
          "(or, with --expect-absent, only if the key is absent). Exits 1 if it did not swap."})
  static final class Cas extends KeyCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Expectation expectation;

    static final class Expectation {
      @Option(names = "--expected", paramLabel = "TEXT", description = "The value the key must hold.")
      String expected;

      @Option(names = "--expected-hex", paramLabel = "HEX", description = "The value the key must hold, as hex.")
      String expectedHex;

      @Option(names = "--expect-absent", description = "The key must not exist.")
      boolean absent;
    }

    @Parameters(index = "1", arity = "0..1", paramLabel = "NEW", description = "The new value as UTF-8 text.")
    String text;

    @Mixin Values.Input value;

    @Override
    int run(KvClient client, byte[] key, PrintWriter out) {
      Optional<byte[]> expected = expectation.absent ? Optional.empty()
          : Optional.of(expectation.expected != null ? Values.utf8(expectation.expected) : Values.hex(expectation.expectedHex));
      CasResult result = client.cas(key, expected, value.bytes(text));
      if (result.succeeded()) {
        out.println("OK");
        return 0;
      }
      spec.commandLine().getErr().println("not swapped: key " + result.current()
          .map(v -> "holds " + Values.render(v, false)).orElse("is absent"));
      return 1;
    }
  }

  @Command(name = "incr", mixinStandardHelpOptions = true,
      description = "Adds DELTA (default 1) to an 8-byte counter, absent counting as 0, and prints the new value.")
  static final class Incr extends KeyCommand {
    @Parameters(index = "1", arity = "0..1", defaultValue = "1", paramLabel = "DELTA", description = "Signed amount (default: 1).")
    long delta;

    @Override
    int run(KvClient client, byte[] key, PrintWriter out) {
      out.println(client.incr(key, delta));
      return 0;
    }
  }
}
