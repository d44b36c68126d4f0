package pando.maelstrom.harness;

import pando.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(10); // a cold JVM on a busy machine

  @TempDir Path dir;

  private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  private final List<NodeProcess> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    for (NodeProcess p : started) {
      p.close();
    }
  }

  private NodeProcess node(List<String> command) {
    NodeProcess p = new NodeProcess("n1", command, dir.resolve("n1.log"), stdout::add);
    started.add(p);
    return p;
  }

  private String nextLine() throws InterruptedException {
    String line = stdout.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(line).as("a stdout line within " + WAIT).isNotNull();
    return line;
  }

  /** The state letter in /proc/<pid>/stat: R, S, T (stopped), Z, ...; '?' if it cannot tell. */
  private static char procState(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
    } catch (IOException | RuntimeException e) {
      return '?';
    }
  }

  @Test
  void echoesLinesAndAppendsStderrToTheLog() throws Exception {
    NodeProcess p = node(JavaCommand.forMain(EchoNode.class));
    p.start();

    assertThat(p.send("hello")).isTrue();

    assertThat(nextLine()).isEqualTo("echo hello");
    assertThat(p.isRunning()).isTrue();
    Await.until(WAIT, "stderr in the log", () -> log().contains("echo node up"));
    assertThat(log()).contains("start #1 of n1");
  }

  @Test
  void pauseStopsTheProcessAndResumeContinuesIt() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc to observe SIGSTOP");
    NodeProcess p = node(JavaCommand.forMain(EchoNode.class));
    p.start();
    p.send("ready?");
    assertThat(nextLine()).isEqualTo("echo ready?");

    p.pause();
    Await.until(WAIT, "the process to be stopped", () -> procState(p.pid()) == 'T');
    assertThat(p.state()).isEqualTo(NodeProcess.State.PAUSED);
    assertThat(p.isRunning()).isFalse();
    p.send("while paused"); // waits in the pipe, as bytes to a stopped process do
    assertThat(stdout.poll(200, TimeUnit.MILLISECONDS)).isNull();

    p.resume();

    assertThat(nextLine()).isEqualTo("echo while paused");
    assertThat(p.isRunning()).isTrue();
    assertThat(procState(p.pid())).isNotEqualTo('T');
  }

  @Test
  void killEndsTheProcessAndRestartRunsTheSameCommandAgain() throws Exception {
    NodeProcess p = node(JavaCommand.forMain(EchoNode.class));
    p.start();
    long firstPid = p.pid();
    p.pause(); // SIGKILL must also end a stopped process

    p.kill();

    assertThat(p.awaitExit(WAIT)).isTrue();
    assertThat(ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(p.state()).isEqualTo(NodeProcess.State.KILLED);
    assertThat(p.isRunning()).isFalse();
    assertThat(p.send("lost")).isFalse();
    assertThatThrownBy(p::pause).isInstanceOf(IllegalStateException.class);

    p.restart();

    assertThat(p.pid()).isNotEqualTo(firstPid);
    assertThat(p.starts()).isEqualTo(2);
    p.send("again");
    assertThat(nextLine()).isEqualTo("echo again");
    Await.until(WAIT, "the second start in the log", () -> log().contains("start #2 of n1"));
  }

  @Test
  void aWrapperScriptIsPausedAndKilledWithItsChildren() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc to observe SIGSTOP");
    // "; true" keeps sh from exec-ing java, so the JVM is a child of the shell.
    String java = String.join(" ", JavaCommand.forMain(EchoNode.class).stream()
        .map(a -> "'" + a + "'").toList());
    NodeProcess p = node(List.of("sh", "-c", java + "; true"));
    p.start();
    p.send("up?");
    assertThat(nextLine()).isEqualTo("echo up?");
    ProcessHandle child = ProcessHandle.of(p.pid()).orElseThrow().children().findFirst()
        .orElseThrow();

    p.pause();
    Await.until(WAIT, "the child to be stopped", () -> procState(child.pid()) == 'T');
    p.resume();
    Await.until(WAIT, "the child to run again", () -> procState(child.pid()) != 'T');
    p.close();

    assertThat(child.onExit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).isAlive()).isFalse();
    assertThat(p.state()).isEqualTo(NodeProcess.State.CLOSED);
    assertThatThrownBy(p::start).isInstanceOf(IllegalStateException.class);
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("n1.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
