package pando.maelstrom.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A minimal node for process tests: answers each stdin line {@code x} with {@code echo x}. */
public final class EchoNode {
  private EchoNode() {}

  public static void main(String[] args) throws IOException {
    System.err.println("echo node up, pid " + ProcessHandle.current().pid());
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) { // ends at EOF
      out.println("echo " + line);
    }
  }
}
