package pando.maelstrom.check;

import java.util.List;
import java.util.Objects;

/**
 * Why one key's history is not linearizable.
 *
 * @param longestPrefix the longest sequence of ops the search could linearize
 * @param stateAfterPrefix the register after that sequence ({@code null}: key absent)
 * @param stuckOn an op that had completed by then yet could not be linearized next, nor could any
 *     op concurrent with it lead to a valid order
 * @param keyEvents all events of the key, in history order
 */
public record Counterexample(
    List<Op> longestPrefix, Long stateAfterPrefix, Op stuckOn, List<Event> keyEvents) {
  /** Events shown by {@link #describe}; a long history is cut around the stuck op. */
  static final int MAX_EVENTS_SHOWN = 80;
  /** Prefix ops shown by {@link #describe}: the last ones, which lead up to the stuck op. */
  static final int MAX_PREFIX_SHOWN = 30;

  public Counterexample {
    longestPrefix = List.copyOf(longestPrefix);
    Objects.requireNonNull(stuckOn, "stuckOn");
    keyEvents = List.copyOf(keyEvents);
  }

  /** A multi-line, human-readable account, each line indented by {@code indent}. */
  public String describe(String indent) {
    StringBuilder b = new StringBuilder();
    b.append(indent).append("Longest linearizable prefix (").append(longestPrefix.size())
        .append(" ops), leaving the key ").append(stateAfterPrefix == null ? "absent"
            : "at " + stateAfterPrefix).append(":\n");
    int shownFrom = Math.max(0, longestPrefix.size() - MAX_PREFIX_SHOWN);
    if (shownFrom > 0) {
      b.append(indent).append("  ... ").append(shownFrom).append(" earlier ops\n");
    }
    for (Op op : longestPrefix.subList(shownFrom, longestPrefix.size())) {
      b.append(indent).append("  ").append(op).append('\n');
    }
    b.append(indent).append("Cannot be extended past: ").append(stuckOn).append('\n');
    appendEvents(b, indent);
    return b.toString();
  }

  private void appendEvents(StringBuilder b, String indent) {
    int from = 0;
    int to = keyEvents.size();
    if (to > MAX_EVENTS_SHOWN) {
      // Centre the window a little after the stuck op's completion: the events before it explain
      // the state, the few after it show what was concurrent.
      int anchor = Math.max(0, completionIndex());
      to = Math.min(keyEvents.size(), anchor + MAX_EVENTS_SHOWN / 4);
      from = Math.max(0, to - MAX_EVENTS_SHOWN);
      to = Math.min(keyEvents.size(), from + MAX_EVENTS_SHOWN);
    }
    b.append(indent).append("Events of key ").append(stuckOn.key()).append(" (")
        .append(keyEvents.size()).append(from > 0 || to < keyEvents.size()
            ? ", showing " + (from + 1) + ".." + to : "").append("):\n");
    for (int i = from; i < to; i++) {
      b.append(indent).append("  ").append(keyEvents.get(i)).append('\n');
    }
  }

  /** Position of the stuck op's completion among the key's events, or -1. */
  private int completionIndex() {
    for (int i = 0; i < keyEvents.size(); i++) {
      Event e = keyEvents.get(i);
      if (e.type() != Event.Type.INVOKE && e.process() == stuckOn.process()
          && e.timeNanos() == stuckOn.completeNanos()) {
        return i;
      }
    }
    return -1;
  }
}
