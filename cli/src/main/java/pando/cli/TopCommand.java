package pando.cli;

import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import pando.api.pd.PdConnection;
import pando.v1.ListHotKeysRequest;
import pando.v1.ListNodesRequest;
import pando.v1.ListOperatorsRequest;
import pando.v1.ListRangesRequest;
import pando.v1.StatusRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pando admin top}: the cluster's load in the terminal, redrawn every interval until q. */
@Command(name = "top", mixinStandardHelpOptions = true,
    description = {"The cluster's load, redrawn every --interval: each node's data requests per second and p99"
        + " latency, the busiest ranges, the hottest keys and the running operators.",
        "Press q to quit (or Ctrl-C). Loads are those of the nodes' last heartbeats (about 10 s windows for ranges)."})
final class TopCommand implements Callable<Integer> {
  private static final Duration INTERVAL_MIN = Duration.ofMillis(100);
  private static final String CLEAR_SCREEN = "\033[H\033[2J";

  @Spec CommandSpec spec;
  @Mixin AdminCommand.PdOptions options;

  @Option(names = "--interval", defaultValue = "1s", description = "Time between screens (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--iterations", defaultValue = "0", paramLabel = "N",
      description = "Stop after N screens (default: 0, until q).")
  int iterations;

  @Override
  public Integer call() throws Exception {
    if (interval.compareTo(INTERVAL_MIN) < 0) {
      throw new ParameterException(spec.commandLine(), "--interval must be at least 100ms, got " + interval);
    }
    if (iterations < 0) {
      throw new ParameterException(spec.commandLine(), "--iterations must be 0 (until q) or more, got " + iterations);
    }
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch quit = new CountDownLatch(1);
    boolean terminal = System.console() != null;
    try (Keyboard keyboard = terminal ? Keyboard.raw() : Keyboard.plain();
        PdConnection pd = options.connect()) {
      keyboard.onQuit(System.in, quit);
      for (int screen = 1; iterations == 0 || screen <= iterations; screen++) {
        String title = "pando top · " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " · every "
            + interval.toMillis() + " ms · q to quit";
        String body;
        try {
          body = TopView.render(fetch(pd), title);
        } catch (StatusRuntimeException e) {
          body = title + "\n\n" + Errors.oneLine(e) + "\n(retrying)\n";
        }
        out.print((terminal ? CLEAR_SCREEN : "") + body);
        out.flush();
        if (quit.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
          break;
        }
      }
    }
    return 0;
  }

  private TopView.Snapshot fetch(PdConnection pd) {
    return new TopView.Snapshot(
        pd.call(c -> options.admin(c).status(StatusRequest.getDefaultInstance())),
        pd.call(c -> options.admin(c).listNodes(ListNodesRequest.getDefaultInstance())),
        pd.call(c -> options.admin(c).listRanges(ListRangesRequest.getDefaultInstance())),
        pd.call(c -> options.admin(c).listOperators(ListOperatorsRequest.getDefaultInstance())),
        pd.call(c -> options.admin(c).listHotKeys(ListHotKeysRequest.getDefaultInstance())));
  }

  /**
   * Reads keys for q. On a terminal the line discipline is switched off for the command's life
   * ({@code stty -icanon -echo}, so q needs no Enter and is not echoed) and put back on close, on
   * Ctrl-C too.
   */
  static final class Keyboard implements AutoCloseable {
    private final String saved;
    private final Thread restoreOnExit;

    private Keyboard(String saved) {
      this.saved = saved;
      this.restoreOnExit = saved == null ? null : new Thread(this::restore, "pando-top-terminal");
      if (restoreOnExit != null) {
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
      }
    }

    static Keyboard plain() {
      return new Keyboard(null);
    }

    static Keyboard raw() throws IOException, InterruptedException {
      String saved = stty("-g").trim();
      stty("-icanon", "-echo", "min", "1");
      return new Keyboard(saved);
    }

    /** Counts {@code quit} down when q (or Q) is typed; the end of the input is not a request to quit. */
    void onQuit(InputStream in, CountDownLatch quit) {
      Thread reader = new Thread(() -> {
        try {
          for (int c = in.read(); c != -1; c = in.read()) {
            if (c == 'q' || c == 'Q') {
              quit.countDown();
              return;
            }
          }
        } catch (IOException e) {
          // No keyboard: the screens go on until --iterations or Ctrl-C.
        }
      }, "pando-top-keys");
      reader.setDaemon(true);
      reader.start();
    }

    private void restore() {
      try {
        stty(saved);
      } catch (IOException | InterruptedException e) {
        // The terminal stays as it is; 'stty sane' puts it back.
      }
    }

    @Override
    public void close() {
      if (saved != null) {
        restore();
        try {
          Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException shuttingDown) {
          // The hook runs anyway.
        }
      }
    }

    /** Runs stty on this process's terminal and returns what it printed. */
    private static String stty(String... args) throws IOException, InterruptedException {
      List<String> command = new java.util.ArrayList<>(List.of("stty"));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty")))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String printed = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("stty " + String.join(" ", args) + " failed");
      }
      return printed;
    }
  }
}
