package pando.client;

import java.util.Optional;

/**
 * The outcome of a compare-and-set.
 *
 * @param succeeded whether the new value was written
 * @param current when it was not: the value the key holds (empty if the key is absent)
 */
public record CasResult(boolean succeeded, Optional<byte[]> current) {}
