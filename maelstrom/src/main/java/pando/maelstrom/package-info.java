/**
 * A Pando node speaking the Maelstrom protocol for the lin-kv workload, and the harness and
 * linearizability checker that test it.
 */
package pando.maelstrom;
