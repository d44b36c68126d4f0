/**
 * Hot keys and hot ranges as pure logic: per-range load reports and the current hot-key table go
 * in, decisions (salt or unsalt a key, split a range at its load median, spread the leaders of hot
 * ranges) come out. Nothing here does I/O, starts a thread or reads a clock; the caller passes the
 * time and carries the decisions out. Building blocks: the wiring into heartbeats and operators
 * comes next.
 */
package pando.pd.hot;
