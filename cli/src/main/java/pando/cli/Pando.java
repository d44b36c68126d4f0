package pando.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pando} command: one entry point for nodes, local clusters and data commands. */
@Command(
    name = "pando",
    mixinStandardHelpOptions = true,
    versionProvider = Pando.Version.class,
    description = "Pando: a distributed key-value store of hash ranges, each a Raft group over MapDB.",
    subcommands = {
      NodeCommand.class,
      PdCommand.class,
      LocalCommand.class,
      AdminCommand.class,
      DataCommands.Put.class,
      DataCommands.Get.class,
      DataCommands.Del.class,
      DataCommands.Cas.class,
      DataCommands.Incr.class,
      LoadCommand.class,
      BenchCommand.class,
      MaelstromCommand.class,
      CheckCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Pando implements Runnable {
  private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  static {
    // With fewer than 3 cores the JDK sizes the common pool at 1 thread, and CompletableFuture then
    // starts a new thread for every async stage without an executor. Ratis and gRPC run many such
    // stages per request, so on a 2-core machine a node created about a hundred threads a second.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Nodes and placement-driver replicas log their own events (registrations, moves, splits).
    Logging.configure(args.length > 0 && (args[0].equals("node") || args[0].equals("pd")));
    int exitCode;
    try {
      exitCode = commandLine().execute(args);
    } catch (RuntimeException | Error e) {
      // Picocli reports its own failures through the handlers; this is the last line of defence.
      System.err.println("error: " + Errors.oneLine(e));
      exitCode = 1;
    }
    System.exit(exitCode);
  }

  /** The configured command line, shared by {@link #main} and tests. */
  static CommandLine commandLine() {
    return configure(new CommandLine(new Pando()));
  }

  /**
   * Pando's command-line conventions on {@code cli}, for this command and other tools' mains:
   * durations as {@code 10s}, a mistyped command is one line and exit 2, a failure one line and exit 1.
   */
  public static CommandLine configure(CommandLine cli) {
    cli.registerConverter(java.time.Duration.class, Durations::parse);
    cli.setParameterExceptionHandler((e, args) -> {
      CommandLine failed = e.getCommandLine();
      failed.getErr().println("error: " + e.getMessage()
          + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, failed, parsed) -> {
      failed.getErr().println("error: " + Errors.oneLine(e));
      return 1;
    });
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Pando.class.getPackage().getImplementationVersion();
      return new String[] {"pando " + (version == null ? "dev" : version)};
    }
  }
}
