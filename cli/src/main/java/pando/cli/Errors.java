package pando.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import pando.client.PandoException;

/** Turns any failure into the one line the CLI prints, never a stack trace. */
final class Errors {
  private Errors() {}

  static String oneLine(Throwable error) {
    Throwable e = error instanceof UncheckedIOException u ? u.getCause() : error;
    if (e instanceof PandoException p) {
      return p.getMessage();
    }
    if (e instanceof NoSuchFileException f) {
      return "no such file: " + f.getFile();
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getClass().getSimpleName();
    } else if (e instanceof IOException && !(e.getClass() == IOException.class)) {
      message = e.getClass().getSimpleName() + ": " + message;
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
