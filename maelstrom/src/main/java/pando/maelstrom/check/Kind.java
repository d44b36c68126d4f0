package pando.maelstrom.check;

import java.util.Locale;

/** The operation a client performs on one key. */
public enum Kind {
  READ,
  WRITE,
  /** Compare-and-set: replaces the value only if it currently equals the expected one. */
  CAS;

  /** The lower-case name used in JSON histories ({@code "read"}, {@code "write"}, {@code "cas"}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a {@link #wireName()}; throws {@link IllegalArgumentException} for anything else. */
  public static Kind fromWireName(String name) {
    for (Kind k : values()) {
      if (k.wireName().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown f \"" + name + "\" (expected read, write or cas)");
  }
}
