/**
 * The placement driver's scheduler as pure logic: a {@link pando.pd.schedule.ClusterState} goes
 * in, a list of {@link pando.pd.schedule.Operator}s comes out. Nothing here does I/O, starts a
 * thread or reads a clock; the caller passes the time, so every decision can be replayed in a test.
 * Carrying the operators out (Raft membership changes, leader transfers) is the executor's job.
 */
package pando.pd.schedule;
