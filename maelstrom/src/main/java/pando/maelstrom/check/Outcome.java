package pando.maelstrom.check;

/** How an operation ended, as far as the client knows. */
public enum Outcome {
  /** It took effect, exactly once, somewhere between its invocation and completion. */
  OK,
  /** It certainly took no effect. */
  FAIL,
  /**
   * Unknown (timeout, crash): it may have taken effect at any time after its invocation, or
   * never.
   */
  INFO
}
