package pando.maelstrom.harness;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import pando.maelstrom.protocol.LineReader;

/**
 * One node binary run as a child process: lines go to its stdin, lines from its stdout go to a
 * callback, its stderr is appended to a log file. It can be paused (SIGSTOP), resumed (SIGCONT),
 * killed (SIGKILL) and restarted with the same command, which are the process faults a Jepsen
 * nemesis injects.
 *
 * <p>Signals go to the process and all its descendants, so a node started through a wrapper
 * script is paused or killed as a whole even if the script does not {@code exec}.
 *
 * <p>Each start is an <em>incarnation</em> with its own stdin writer thread (fed from a bounded
 * queue, so a paused or wedged node never blocks the caller) and stdout reader thread. Lines from
 * an incarnation reach the callback only while it is the current one and has not been killed, so
 * a restarted node never appears to send what its predecessor had buffered.
 *
 * <p>State changes are serialised by this object's monitor; {@link #send} and the callback are
 * not, and may run concurrently with them.
 */
public final class NodeProcess implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NodeProcess.class.getName());

  /** Where the process is in its life. */
  public enum State {
    /** Not started yet. */
    NEW,
    RUNNING,
    /** Stopped by SIGSTOP; still alive. */
    PAUSED,
    /** Killed (or found dead); may be restarted. */
    KILLED,
    /** Closed for good. */
    CLOSED
  }

  /**
   * Resource limits.
   *
   * @param maxLineChars longer stdout lines are skipped
   * @param stdinCapacity lines waiting to be written to stdin; more are refused
   * @param commandTimeout how long a {@code kill -STOP/-CONT} command may take
   * @param exitTimeout how long to wait for a killed process to exit and its threads to end
   */
  public record Config(int maxLineChars, int stdinCapacity, Duration commandTimeout,
      Duration exitTimeout) {
    public Config {
      if (maxLineChars < 1 || stdinCapacity < 1) {
        throw new IllegalArgumentException("limits must be positive");
      }
      Objects.requireNonNull(commandTimeout, "commandTimeout");
      Objects.requireNonNull(exitTimeout, "exitTimeout");
    }

    /** 1 MiB lines, 10,000 queued stdin lines, 5 s for signals and for exits. */
    public static Config defaults() {
      return new Config(1 << 20, 10_000, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }
  }

  private final String id;
  private final List<String> command;
  private final Path stderrLog;
  private final Consumer<String> stdoutLines;
  private final Config config;

  private State state = State.NEW;
  private int starts;
  /** The running incarnation, or the last one; volatile for send() and the reader threads. */
  private volatile Incarnation current;

  /**
   * @param id a name for logs and thread names, typically the node id
   * @param command the program and its arguments
   * @param stderrLog file the process's stderr is appended to (across restarts)
   * @param stdoutLines receives each stdout line, on the incarnation's reader thread; it should
   *     be quick (for example, hand the line to a {@link Network})
   */
  public NodeProcess(String id, List<String> command, Path stderrLog, Consumer<String> stdoutLines,
      Config config) {
    this.id = Objects.requireNonNull(id, "id");
    this.command = List.copyOf(command);
    if (this.command.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    this.stderrLog = Objects.requireNonNull(stderrLog, "stderrLog");
    this.stdoutLines = Objects.requireNonNull(stdoutLines, "stdoutLines");
    this.config = Objects.requireNonNull(config, "config");
  }

  public NodeProcess(String id, List<String> command, Path stderrLog,
      Consumer<String> stdoutLines) {
    this(id, command, stderrLog, stdoutLines, Config.defaults());
  }

  /** The id given at construction. */
  public String id() {
    return id;
  }

  /** The current state; {@link State#RUNNING} even if the process has since died on its own. */
  public synchronized State state() {
    return state;
  }

  /** Whether the current incarnation is running (not paused) and its process is alive. */
  public boolean isRunning() {
    Incarnation inc = current;
    return inc != null && inc.usable() && !inc.paused && inc.process.isAlive();
  }

  /** The pid of the current (or last) incarnation; throws if never started. */
  public long pid() {
    Incarnation inc = current;
    if (inc == null) {
      throw new IllegalStateException(id + " was never started");
    }
    return inc.process.pid();
  }

  /** How many times the process has been started. */
  public synchronized int starts() {
    return starts;
  }

  /** Starts the process; allowed when new or killed. */
  public synchronized void start() throws IOException {
    if (state != State.NEW && state != State.KILLED) {
      throw new IllegalStateException(id + " cannot start when " + state);
    }
    Files.createDirectories(stderrLog.toAbsolutePath().getParent());
    // A marker in the log makes restarts easy to find; the child appends after it (O_APPEND).
    Files.writeString(stderrLog, "=== " + Instant.now() + " start #" + (starts + 1) + " of " + id
            + ": " + String.join(" ", command) + "\n",
        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process p = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .redirectOutput(ProcessBuilder.Redirect.PIPE)
        .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()))
        .start();
    starts++;
    Incarnation inc = new Incarnation(p, starts);
    current = inc;
    state = State.RUNNING;
    inc.startThreads();
  }

  /**
   * Queues a line (without terminator) for the process's stdin.
   *
   * @return false if there is no live incarnation or its stdin queue is full; the line is lost
   */
  public boolean send(String line) {
    Incarnation inc = current;
    return inc != null && inc.usable() && inc.stdin.offer(line);
  }

  /** Stops the process and its descendants with SIGSTOP. */
  public synchronized void pause() throws IOException, InterruptedException {
    requireState(State.RUNNING, "pause");
    // Marked first, so that the network stops delivering before the process stops reading.
    current.paused = true;
    try {
      signal("STOP", current.process);
    } catch (IOException | InterruptedException | RuntimeException e) {
      current.paused = false;
      throw e;
    }
    state = State.PAUSED;
  }

  /** Continues a paused process and its descendants with SIGCONT. */
  public synchronized void resume() throws IOException, InterruptedException {
    requireState(State.PAUSED, "resume");
    signal("CONT", current.process);
    current.paused = false;
    state = State.RUNNING;
  }

  /**
   * Kills the process and its descendants with SIGKILL (which also ends a paused process) and
   * waits, bounded, for it to exit. A no-op unless running or paused.
   */
  public synchronized void kill() throws InterruptedException {
    if (state != State.RUNNING && state != State.PAUSED) {
      return;
    }
    current.kill(config.exitTimeout());
    state = State.KILLED;
  }

  /** Kills the process if it is alive, then starts it again with the same command. */
  public synchronized void restart() throws IOException, InterruptedException {
    kill();
    start();
  }

  /** Waits for the current incarnation's process to exit; true if it has. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    Incarnation inc = current;
    return inc == null || inc.process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Kills the process if alive and waits, bounded, for it and its threads; the object cannot be
   * started again. If interrupted, the process has still been sent SIGKILL; the interrupt status
   * is kept.
   */
  @Override
  public synchronized void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      state = State.CLOSED;
    }
  }

  private void requireState(State expected, String action) {
    if (state != expected) {
      throw new IllegalStateException("cannot " + action + " " + id + " when " + state);
    }
  }

  /** Runs {@code kill -SIG pid...} for the process and its descendants. */
  private void signal(String signal, Process p) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(p.pid())));
    // The parent first, so that for STOP it cannot start more children while we collect them.
    p.descendants().forEach(d -> cmd.add(Long.toString(d.pid())));
    Process k = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    k.getOutputStream().close(); // kill reads nothing
    if (!k.waitFor(config.commandTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
      k.destroyForcibly();
      throw new IOException("kill -" + signal + " for " + id + " did not finish in "
          + config.commandTimeout().toMillis() + " ms");
    }
    if (k.exitValue() != 0 && p.isAlive()) {
      // The node itself was signalled (it is listed first), so a descendant that exited meanwhile
      // explains the failure; only a dead node is an error.
      LOG.log(Level.DEBUG, "kill -{0} for {1} exited with {2}", signal, id, k.exitValue());
    } else if (k.exitValue() != 0) {
      throw new IOException("kill -" + signal + " for " + id + " (pid " + p.pid()
          + ") failed with exit code " + k.exitValue() + "; has the process died?");
    }
  }

  /** One start of the process, with the threads that serve its pipes. */
  private final class Incarnation {
    final Process process;
    final BlockingQueue<String> stdin;
    final Thread writer;
    final Thread reader;
    volatile boolean killed;
    volatile boolean paused;

    Incarnation(Process process, int number) {
      this.process = process;
      this.stdin = new ArrayBlockingQueue<>(config.stdinCapacity());
      this.writer = new Thread(this::writeLoop, "node-" + id + "-" + number + "-stdin");
      this.reader = new Thread(this::readLoop, "node-" + id + "-" + number + "-stdout");
      writer.setDaemon(true);
      reader.setDaemon(true);
    }

    void startThreads() {
      writer.start();
      reader.start();
    }

    boolean usable() {
      return !killed && current == this;
    }

    void kill(Duration timeout) throws InterruptedException {
      killed = true;
      // The parent first, so that it cannot start children we would miss; then the rest.
      List<ProcessHandle> descendants = process.descendants().toList();
      process.destroyForcibly();
      descendants.forEach(ProcessHandle::destroyForcibly);
      long deadline = System.nanoTime() + timeout.toNanos();
      if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        LOG.log(Level.WARNING, "{0} (pid {1}) did not exit within {2} ms of SIGKILL", id,
            process.pid(), timeout.toMillis());
      }
      writer.interrupt();
      // The reader ends at EOF, which comes once the process (and any child holding the pipe)
      // has died.
      writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (reader.isAlive()) {
        LOG.log(Level.WARNING, "{0}: stdout reader still running after kill", id);
      }
    }

    private void writeLoop() {
      try (Writer w = new BufferedWriter(
          new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8))) {
        while (!killed) { // each pass writes at least one line; ends on kill or a broken pipe
          String line = stdin.take();
          w.write(line);
          w.write('\n');
          for (String more = stdin.poll(); more != null; more = stdin.poll()) {
            w.write(more);
            w.write('\n');
          }
          w.flush();
        }
      } catch (InterruptedException e) {
        // killed: the process is gone or going, nothing more to write
      } catch (IOException e) {
        if (!killed) {
          LOG.log(Level.WARNING, "{0}: writing to stdin failed: {1}", id, e.toString());
        }
      }
    }

    private void readLoop() {
      try (LineReader lines = new LineReader(process.getInputStream(), config.maxLineChars())) {
        while (true) { // each pass consumes a line; ends at EOF when the process dies
          String line;
          try {
            line = lines.readLine();
          } catch (LineReader.LineTooLongException e) {
            LOG.log(Level.WARNING, "{0}: {1}", id, e.getMessage());
            continue;
          }
          if (line == null) {
            return;
          }
          if (usable()) {
            try {
              stdoutLines.accept(line);
            } catch (RuntimeException e) {
              LOG.log(Level.ERROR, id + ": stdout callback failed", e);
            }
          }
        }
      } catch (IOException e) {
        if (!killed) {
          LOG.log(Level.WARNING, "{0}: reading stdout failed: {1}", id, e.toString());
        }
      }
    }
  }
}
