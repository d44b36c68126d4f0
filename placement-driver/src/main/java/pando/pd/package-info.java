/**
 * The placement driver: cluster metadata in its own Raft group (registered nodes, the range table),
 * node heartbeats and health, and the Admin service. Pure logic lives in {@code pando.pd.meta};
 * this package holds the Ratis state machine and the gRPC services around it.
 */
package pando.pd;
