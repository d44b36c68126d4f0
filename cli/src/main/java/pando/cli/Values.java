package pando.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import picocli.CommandLine.Option;

/** How a value is given on the command line: as text, as hex, or from a file. */
final class Values {
  private Values() {}

  /** The non-positional ways to give a value; the command holds the positional text itself. */
  static final class Input {
    @Option(names = "--hex", paramLabel = "HEX", description = "The value as hex digits.")
    String hex;

    @Option(names = "--file", paramLabel = "PATH", description = "The value is the contents of this file.")
    Path file;

    /** Exactly one of {@code text}, --hex or --file. */
    byte[] bytes(String text) {
      int given = (text != null ? 1 : 0) + (hex != null ? 1 : 0) + (file != null ? 1 : 0);
      if (given != 1) {
        throw new IllegalArgumentException("give the value exactly once: as text, --hex HEX or --file PATH");
      }
      if (text != null) {
        return utf8(text);
      }
      if (hex != null) {
        return hex(hex);
      }
      try {
        return Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static byte[] hex(String digits) {
    try {
      return HexFormat.of().parseHex(digits);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + digits + "' is not an even number of hex digits");
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Prints a value as text when it is valid UTF-8 without control characters, else as hex. */
  static String render(byte[] value, boolean forceHex) {
    if (!forceHex) {
      String text = new String(value, StandardCharsets.UTF_8);
      boolean printable = java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), value)
          && text.chars().noneMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t');
      if (printable) {
        return text;
      }
    }
    return HexFormat.of().formatHex(value);
  }
}
