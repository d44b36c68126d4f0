package pando.maelstrom.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * Reads UTF-8 lines with a bound on their length, so that a peer writing garbage without line
 * breaks cannot exhaust memory. Accepts {@code \n} and {@code \r\n}; a last line without a
 * terminator is still returned.
 *
 * <p>Not thread-safe: one thread reads.
 */
public final class LineReader implements Closeable {
  /** Thrown for a line longer than the limit; the line has been consumed, reading may go on. */
  public static final class LineTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    LineTooLongException(String message) {
      super(message);
    }
  }

  private final Reader in;
  private final int maxChars;
  private final char[] buffer = new char[8192];
  private int pos;
  private int limit;

  public LineReader(InputStream in, int maxChars) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be positive: " + maxChars);
    }
    this.in = new InputStreamReader(in, StandardCharsets.UTF_8);
    this.maxChars = maxChars;
  }

  /**
   * The next line without its terminator, or {@code null} at the end of input.
   *
   * @throws LineTooLongException if the line exceeds the limit (it is skipped)
   */
  public String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    long skipped = 0; // chars of an over-long line thrown away, to report its size
    while (true) { // ends at a newline or the end of input; every pass consumes input
      if (pos == limit) {
        limit = in.read(buffer, 0, buffer.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          if (skipped > 0) {
            throw tooLong(skipped);
          }
          return line.length() == 0 ? null : stripCr(line);
        }
      }
      int start = pos;
      while (pos < limit && buffer[pos] != '\n') {
        pos++;
      }
      int n = pos - start;
      if (skipped > 0 || line.length() + n > maxChars + 1) { // +1: a trailing \r is not content
        skipped += line.length() + n;
        line.setLength(0);
      } else {
        line.append(buffer, start, n);
      }
      if (pos < limit) { // at a newline
        pos++;
        if (skipped > 0) {
          throw tooLong(skipped);
        }
        String s = stripCr(line);
        if (s.length() > maxChars) {
          throw tooLong(s.length());
        }
        return s;
      }
    }
  }

  private LineTooLongException tooLong(long chars) {
    return new LineTooLongException(
        "skipped a line of at least " + chars + " chars (limit " + maxChars + ")");
  }

  private static String stripCr(StringBuilder line) {
    int n = line.length();
    return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
