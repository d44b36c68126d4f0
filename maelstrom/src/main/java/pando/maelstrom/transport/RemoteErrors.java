package pando.maelstrom.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Carries a failure from the side that served a call to the side that made it.
 *
 * <p>Ratis clients choose how to retry by exception type (a {@code GroupMismatchException} is
 * final, a {@code ServerNotReadyException} is retried, ...), so the type travels with the message.
 * Only the class name and message are sent, never a serialized object: the receiver rebuilds an
 * {@link IOException} subclass from {@code java.*} or {@code org.apache.ratis.*} through its
 * {@code (String)} constructor, and falls back to a plain {@link IOException} naming the remote type.
 */
final class RemoteErrors {
  // writeUTF allows 65535 bytes; a char takes at most 3.
  private static final int MESSAGE_CHARS_MAX = 16_000;

  private RemoteErrors() {}

  static byte[] encode(Throwable error) {
    Throwable cause = unwrap(error);
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    if (message.length() > MESSAGE_CHARS_MAX) {
      message = message.substring(0, MESSAGE_CHARS_MAX);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(cause.getClass().getName());
      out.writeUTF(message);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return bytes.toByteArray();
  }

  /** The failure a remote node reported; {@code src} names it in the fallback message. */
  static IOException decode(byte[] body, String src) {
    String className;
    String message;
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
      className = in.readUTF();
      message = in.readUTF();
    } catch (IOException e) {
      return new IOException(src + " replied with an unreadable error", e);
    }
    IOException rebuilt = rebuild(className, message);
    return rebuilt != null ? rebuilt : new IOException(src + " failed: " + className + ": " + message);
  }

  private static IOException rebuild(String className, String message) {
    if (!className.startsWith("java.") && !className.startsWith("org.apache.ratis.")) {
      return null;
    }
    try {
      Class<?> type = Class.forName(className, false, RemoteErrors.class.getClassLoader());
      if (!IOException.class.isAssignableFrom(type)) {
        return null;
      }
      Constructor<?> constructor = type.getConstructor(String.class);
      return (IOException) constructor.newInstance(message);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
