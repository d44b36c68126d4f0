/**
 * The parts of a Maelstrom-compatible test harness, independent of what the nodes are: child
 * {@link pando.maelstrom.harness.NodeProcess}es, a faulty {@link pando.maelstrom.harness.Network}
 * between them and the clients, a replayable {@link pando.maelstrom.harness.FaultSchedule}, lin-kv
 * {@link pando.maelstrom.harness.Client}s that record a history into a {@link
 * pando.maelstrom.harness.HistoryRecorder}, and the {@link pando.maelstrom.harness.Workload} they
 * run.
 */
package pando.maelstrom.harness;
