package pando.maelstrom.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Searches for a linearization of one key's operations: Wing &amp; Gong's backtracking search with
 * Lowe's memoisation of explored configurations, written with an explicit stack so that long
 * histories cannot overflow the thread's stack.
 *
 * <p>The history is a doubly linked list of call and return entries in time order. Walking from
 * the front, the search tries to linearize each call it meets (the op takes effect now): if the
 * model allows it and the resulting configuration is new, the op's call and return are lifted out
 * of the list and the walk restarts from the front. Meeting a return means that op completed
 * before anything still in the list could be placed ahead of it, so the last choice is undone
 * (backtracking) and the walk continues after it. Once every op that completed ok is linearized,
 * the history is linearizable; if a return is met with nothing left to undo, it is not.
 *
 * <p>An op whose outcome is unknown gets no return entry: it is concurrent with everything after
 * its invocation, may be linearized anywhere after it, and need not be linearized at all (it may
 * never have happened).
 */
final class WglSearch {
  private static final int HEAD = 0;
  private static final int NIL = -1;
  /** How many steps pass between clock readings; reading the clock every step is measurable. */
  private static final int CLOCK_CHECK_MASK = 1023;

  private final List<Op> ops;
  private final int[] next;
  private final int[] prev;
  private final long[] linearized;
  private final ConfigCache cache = new ConfigCache();
  private final int maxCacheEntries;
  private final long startNanos;
  private final long budgetNanos;

  // The current path: ops linearized so far, and the state before each was applied.
  private final int[] pathOps;
  private final Long[] pathStates;
  private int depth;
  private Long state;

  // The deepest path seen, kept for the counterexample. Entries below lowWater are shared with the
  // current path, so only the rest is copied when a deeper path appears.
  private final int[] deepestOps;
  private int deepestDepth;
  private Long stateAfterDeepest;
  private int lowWater;
  private int stuckOp = NIL;

  /** What the search concluded. Prefix and stuck op are set only for {@link Verdict#INVALID}. */
  record SearchResult(Verdict verdict, String reason, List<Op> longestPrefix, Long stateAfterPrefix,
      Op stuckOn) {}

  private WglSearch(List<Op> ops, Duration budget, int maxCacheEntries) {
    this.ops = ops;
    int n = ops.size();
    this.next = new int[2 * n + 1];
    this.prev = new int[2 * n + 1];
    this.linearized = new long[(n + 63) / 64];
    this.pathOps = new int[n];
    this.pathStates = new Long[n];
    this.deepestOps = new int[n];
    this.maxCacheEntries = maxCacheEntries;
    this.budgetNanos = saturatedNanos(budget);
    this.startNanos = System.nanoTime();
    link();
  }

  /**
   * Checks the ops of one key. Ops that cannot affect the outcome (failed ops, reads that ended
   * info) must already be removed.
   */
  static SearchResult run(List<Op> ops, Duration budget, int maxCacheEntries) {
    return new WglSearch(ops, budget, maxCacheEntries).search();
  }

  private SearchResult search() {
    int unlinearizedOk = (int) ops.stream().filter(op -> op.outcome() == Outcome.OK).count();
    int entry = next[HEAD];
    long steps = 0;
    while (unlinearizedOk > 0) {
      if ((steps++ & CLOCK_CHECK_MASK) == 0 && System.nanoTime() - startNanos >= budgetNanos) {
        return unknown("time budget of " + Duration.ofNanos(budgetNanos) + " exhausted after "
            + steps + " steps and " + cache.size() + " configurations");
      }
      if (entry == NIL) {
        // Unreachable: some ok op is unlinearized, so its return is still ahead of the walk.
        throw new IllegalStateException("walked off the end of the history");
      }
      if (isCall(entry)) {
        int i = opIndex(entry);
        Op op = ops.get(i);
        if (RegisterModel.allows(state, op)) {
          Long after = RegisterModel.apply(state, op);
          setBit(i);
          if (cache.add(linearized, after)) {
            if (cache.size() > maxCacheEntries) {
              return unknown("configuration cache reached its limit of " + maxCacheEntries
                  + " entries after " + steps + " steps");
            }
            push(i, after);
            if (op.outcome() == Outcome.OK) {
              unlinearizedOk--;
            }
            entry = next[HEAD];
            continue;
          }
          clearBit(i);
        }
        entry = next[entry];
      } else {
        noteStuck(opIndex(entry));
        if (depth == 0) {
          return invalid();
        }
        int i = pop();
        if (ops.get(i).outcome() == Outcome.OK) {
          unlinearizedOk++;
        }
        entry = next[callNode(i)];
      }
    }
    return new SearchResult(Verdict.VALID, null, List.of(), null, null);
  }

  /** Linearizes op {@code i} next, leaving the register at {@code after}. */
  private void push(int i, Long after) {
    pathOps[depth] = i;
    pathStates[depth] = state;
    depth++;
    state = after;
    lift(i);
    if (depth > deepestDepth) {
      System.arraycopy(pathOps, lowWater, deepestOps, lowWater, depth - lowWater);
      deepestDepth = depth;
      stateAfterDeepest = state;
      lowWater = depth;
      stuckOp = NIL;
    }
  }

  /** Undoes the last linearization and returns its op. */
  private int pop() {
    depth--;
    int i = pathOps[depth];
    state = pathStates[depth];
    pathStates[depth] = null;
    clearBit(i);
    unlift(i);
    lowWater = Math.min(lowWater, depth);
    return i;
  }

  /** Remembers the first op that blocked the deepest path, while the path is still that one. */
  private void noteStuck(int i) {
    if (stuckOp == NIL && depth == deepestDepth && lowWater == deepestDepth) {
      stuckOp = i;
    }
  }

  private SearchResult invalid() {
    List<Op> prefix = new ArrayList<>(deepestDepth);
    for (int d = 0; d < deepestDepth; d++) {
      prefix.add(ops.get(deepestOps[d]));
    }
    Op stuck = ops.get(stuckOp);
    return new SearchResult(Verdict.INVALID, "no linearization exists", List.copyOf(prefix),
        stateAfterDeepest, stuck);
  }

  private SearchResult unknown(String reason) {
    return new SearchResult(Verdict.UNKNOWN, reason, List.of(), null, null);
  }

  // --- the entry list: node 0 is the head, op i has call node 2i+1 and return node 2i+2 ---

  private static int callNode(int i) {
    return 2 * i + 1;
  }

  private static int returnNode(int i) {
    return 2 * i + 2;
  }

  private static boolean isCall(int node) {
    return (node & 1) == 1;
  }

  private static int opIndex(int node) {
    return (node - 1) / 2;
  }

  private boolean hasReturn(int i) {
    return ops.get(i).outcome() != Outcome.INFO;
  }

  private long time(int node) {
    Op op = ops.get(opIndex(node));
    return isCall(node) ? op.invokeNanos() : op.completeNanos();
  }

  /**
   * Links all entries in time order. At equal times calls come first, so ops that touch only at
   * an instant count as concurrent: a check may accept too much then, never reject too much.
   */
  private void link() {
    List<Integer> nodes = new ArrayList<>(2 * ops.size());
    for (int i = 0; i < ops.size(); i++) {
      nodes.add(callNode(i));
      if (hasReturn(i)) {
        nodes.add(returnNode(i));
      }
    }
    nodes.sort(Comparator.comparingLong(this::time)
        .thenComparing(node -> isCall(node) ? 0 : 1)
        .thenComparingInt(node -> node));
    Arrays.fill(next, NIL);
    Arrays.fill(prev, NIL);
    int last = HEAD;
    for (int node : nodes) {
      next[last] = node;
      prev[node] = last;
      last = node;
    }
  }

  /** Takes op {@code i}'s entries out of the list; they keep their links for {@link #unlift}. */
  private void lift(int i) {
    unlink(callNode(i));
    if (hasReturn(i)) {
      unlink(returnNode(i));
    }
  }

  /** Puts back what {@link #lift} took out, in reverse order, as dancing links require. */
  private void unlift(int i) {
    if (hasReturn(i)) {
      relink(returnNode(i));
    }
    relink(callNode(i));
  }

  private void unlink(int node) {
    next[prev[node]] = next[node];
    if (next[node] != NIL) {
      prev[next[node]] = prev[node];
    }
  }

  private void relink(int node) {
    next[prev[node]] = node;
    if (next[node] != NIL) {
      prev[next[node]] = node;
    }
  }

  private void setBit(int i) {
    linearized[i >>> 6] |= 1L << i;
  }

  private void clearBit(int i) {
    linearized[i >>> 6] &= ~(1L << i);
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
