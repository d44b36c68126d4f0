/**
 * Linearizability checking for histories of the Maelstrom {@code lin-kv} workload: per-key
 * read/write/compare-and-set registers.
 *
 * <p>{@link pando.maelstrom.check.HistoryJson} reads and writes histories as JSON lines, {@link
 * pando.maelstrom.check.History} pairs invocations with completions, and {@link
 * pando.maelstrom.check.LinearizabilityChecker} searches each key's sub-history for a legal
 * linearization (Wing &amp; Gong's search with Lowe's memoisation, as in Knossos and Porcupine).
 */
package pando.maelstrom.check;
