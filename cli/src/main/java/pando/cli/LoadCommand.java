package pando.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import pando.api.pd.PdConnection;
import pando.client.BulkLoad;
import pando.client.RoutingClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pando load FILE}: a bulk load of key-value records, resumable. */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Loads key-value records from a file: JSON lines ({\"key\": \"...\", \"value\": \"...\"}) or CSV"
        + " (key,value, split at the first comma). Records go in batches grouped by range, several in flight.",
        "Records the API refuses (an empty key, a value over the limit, ...) are listed with their line and"
            + " skipped. Progress is saved to a checkpoint file every second: after a failure or Ctrl-C, run the"
            + " same command again and it goes on from where it stopped.",
        "Exit status: 0 if every record was written, 1 if some were rejected or the load stopped."})
final class LoadCommand implements Callable<Integer> {
  private static final int REJECTIONS_SHOWN = 20;

  @Spec CommandSpec spec;
  @Mixin DataCommands.Connection connection;

  @Parameters(index = "0", paramLabel = "FILE", description = "The records, one per line.")
  Path file;

  @Option(names = "--format", paramLabel = "jsonl|csv",
      description = "The file's format (default: from its name: .jsonl, .ndjson or .json, or .csv).")
  LoadLines.Format format;

  @Option(names = "--hex", description = "Values are hex (keys are text either way).")
  boolean hex;

  @Option(names = "--batch-keys", defaultValue = "1000", description = "Records per batch, 1..1000 (default: ${DEFAULT-VALUE}).")
  int batchKeys;

  @Option(names = "--in-flight", defaultValue = "8", description = "Batches sent at once, 1..256 (default: ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(names = "--checkpoint", paramLabel = "PATH", description = "Where progress is saved (default: FILE.pando-load).")
  Path checkpoint;

  @Option(names = "--restart", description = "Ignore the checkpoint and load from the first line.")
  boolean restart;

  @Override
  public Integer call() throws IOException {
    if (connection.endpoint != null && !connection.endpoint.isBlank()) {
      throw new ParameterException(spec.commandLine(),
          "pando load sends batches straight to range leaders: give the placement driver with --pd, not --endpoint");
    }
    if (!Files.isRegularFile(file)) {
      throw new ParameterException(spec.commandLine(), "no such file: " + file);
    }
    LoadLines.Format chosen = Optional.ofNullable(format).or(() -> LoadLines.Format.ofFileName(file.getFileName().toString()))
        .orElseThrow(() -> new ParameterException(spec.commandLine(),
            "cannot tell the format of " + file.getFileName() + " from its name; give --format jsonl or --format csv"));
    BulkLoad.Options options;
    try {
      BulkLoad.Options defaults = BulkLoad.Options.defaults();
      options = new BulkLoad.Options(batchKeys, defaults.batchBytes(), inFlight, defaults.rejectionsKept(),
          defaults.progressEvery(), defaults.batchTimeout());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    Path progressFile = checkpoint != null ? checkpoint : file.resolveSibling(file.getFileName() + ".pando-load");
    Checkpoint input = Checkpoint.of(file);
    long resumeAfter = 0;
    Optional<Checkpoint> saved = restart ? Optional.empty() : Checkpoint.read(progressFile);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (saved.isPresent()) {
      if (!saved.get().sameInput(input)) {
        throw new ParameterException(spec.commandLine(), file + " changed since the checkpoint " + progressFile
            + " was saved; to load it from the first line, add --restart");
      }
      if (saved.get().complete()) {
        out.printf("nothing to do: an earlier run loaded all of %s (checkpoint %s; --restart loads it again)%n",
            file, progressFile);
        out.flush();
        return 0;
      }
      resumeAfter = saved.get().confirmedLine();
      err.printf("resuming after line %,d (checkpoint %s)%n", resumeAfter, progressFile);
    }

    Lines lines = new Lines(Files.newBufferedReader(file, StandardCharsets.UTF_8), new LoadLines(chosen, hex), resumeAfter);
    long started = System.nanoTime();
    long skipped = resumeAfter;
    LoadProgressBar bar = new LoadProgressBar(err, Files.size(file));
    try (lines; RoutingClient client = RoutingClient.connect(
        connection.pd.stream().flatMap(a -> PdConnection.parseAddresses(a).stream()).toList(), connection.timeout)) {
      BulkLoad.Result result;
      try {
        result = client.load(lines, options, p -> {
          bar.show(lines.bytesRead(), p.written(), p.rejected() + lines.badCount(), started);
          input.withConfirmed(p.confirmedPosition(), false).write(progressFile);
        });
      } catch (BulkLoad.LoadFailed failed) {
        input.withConfirmed(failed.progress().confirmedPosition(), false).write(progressFile);
        bar.end();
        err.println("pando: " + failed.getMessage() + " (line " + failed.progress().confirmedPosition()
            + "); run the same command again to go on");
        err.flush();
        return 1;
      }
      input.withConfirmed(lines.lastLine, true).write(progressFile);
      bar.end();
      List<BulkLoad.Rejection> rejections = new ArrayList<>(lines.bad);
      rejections.addAll(result.rejections());
      rejections.sort(java.util.Comparator.comparingLong(BulkLoad.Rejection::position));
      long rejected = result.rejected() + lines.badCount();
      double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
      out.printf("loaded %,d records from %s in %.1f s (%,.0f records/s); %,d rejected%s%n", result.written(), file,
          seconds, result.written() / seconds, rejected,
          skipped > 0 ? String.format("; lines 1..%,d skipped (loaded by an earlier run)", skipped) : "");
      rejections.stream().limit(REJECTIONS_SHOWN).forEach(r -> out.printf("  line %,d: %s%n", r.position(), r.reason()));
      if (rejected > REJECTIONS_SHOWN) {
        out.printf("  ... and %,d more%n", rejected - REJECTIONS_SHOWN);
      }
      out.flush();
      if (rejected > 0) {
        err.printf("pando: %,d record(s) were rejected (listed above); the others are written%n", rejected);
        err.flush();
        return 1;
      }
      return 0;
    }
  }

  /**
   * The file's lines as records, numbered from 1; lines up to {@code resumeAfter} are skipped.
   * Lines that are not records are counted, and the first ones kept with the reason.
   */
  static final class Lines implements Iterator<BulkLoad.Record>, AutoCloseable {
    private final BufferedReader reader;
    private final LoadLines parser;
    private final long resumeAfter;
    final List<BulkLoad.Rejection> bad = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile long badCount;
    private BulkLoad.Record next;
    private long lastLine;
    private volatile long bytesRead;

    Lines(BufferedReader reader, LoadLines parser, long resumeAfter) {
      this.reader = reader;
      this.parser = parser;
      this.resumeAfter = resumeAfter;
    }

    long bytesRead() {
      return bytesRead;
    }

    /** Lines that were not records; {@link #bad} keeps only the first of them. */
    long badCount() {
      return badCount;
    }

    @Override
    public boolean hasNext() {
      try {
        while (next == null) {
          String line = reader.readLine();
          if (line == null) {
            return false;
          }
          lastLine++;
          bytesRead += line.length() + 1; // characters, as an estimate of bytes for the progress bar
          if (lastLine <= resumeAfter) {
            continue;
          }
          LoadLines.Parsed parsed = parser.parse(lastLine, line);
          if (parsed instanceof LoadLines.Parsed.Ok ok) {
            next = ok.record();
          } else if (parsed instanceof LoadLines.Parsed.Bad badLine) {
            badCount++;
            if (bad.size() < BulkLoad.Options.defaults().rejectionsKept()) {
              bad.add(new BulkLoad.Rejection(lastLine, badLine.reason()));
            }
          }
        }
        return true;
      } catch (IOException e) {
        throw new UncheckedIOException("could not read the input: " + e.getMessage(), e);
      }
    }

    @Override
    public BulkLoad.Record next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      BulkLoad.Record record = next;
      next = null;
      return record;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  /** The checkpoint file: which input it is about, and the line up to which it is loaded. */
  record Checkpoint(long inputBytes, long inputModifiedMs, long confirmedLine, boolean complete) {
    static Checkpoint of(Path input) throws IOException {
      return new Checkpoint(Files.size(input), Files.getLastModifiedTime(input).toMillis(), 0, false);
    }

    boolean sameInput(Checkpoint other) {
      return inputBytes == other.inputBytes && inputModifiedMs == other.inputModifiedMs;
    }

    Checkpoint withConfirmed(long line, boolean done) {
      return new Checkpoint(inputBytes, inputModifiedMs, line, done);
    }

    static Optional<Checkpoint> read(Path path) throws IOException {
      if (!Files.exists(path)) {
        return Optional.empty();
      }
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
        p.load(in);
      }
      try {
        return Optional.of(new Checkpoint(Long.parseLong(p.getProperty("input-bytes")),
            Long.parseLong(p.getProperty("input-modified-ms")), Long.parseLong(p.getProperty("confirmed-line")),
            Boolean.parseBoolean(p.getProperty("complete"))));
      } catch (RuntimeException e) {
        throw new IOException("the checkpoint " + path + " is not one pando load wrote; delete it or add --restart");
      }
    }

    /** Writes the file whole or not at all (a new file moved over the old one). */
    void write(Path path) {
      String text = "# pando load: every line up to confirmed-line is written or rejected\n"
          + "input-bytes=" + inputBytes + "\ninput-modified-ms=" + inputModifiedMs + "\nconfirmed-line=" + confirmedLine
          + "\ncomplete=" + complete + "\n";
      try {
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("could not save the checkpoint " + path + ": " + e.getMessage(), e);
      }
    }
  }
}
