package pando.maelstrom.check;

/** The answer of a linearizability check. */
public enum Verdict {
  VALID,
  INVALID,
  /** The search ran out of time or memory before reaching an answer. */
  UNKNOWN
}
