/**
 * The placement driver: cluster metadata (nodes, ranges, epochs) and the scheduler that splits and
 * moves ranges. Until it exists, nodes share a static range layout computed at first start.
 */
package pando.pd;
