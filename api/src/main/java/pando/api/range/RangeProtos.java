package pando.api.range;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import pando.api.HashRange;
import pando.v1.Range;
import pando.v1.RangeEpoch;

/**
 * Conversions between the range classes and their wire form, {@link pando.v1.Range}.
 *
 * <p>Hash bounds are carried as unsigned {@code fixed64}, so a Java long goes over the wire bit for
 * bit: hashes at or above 2^63 (negative longs) and the end 0 that stands for 2^64 come back as
 * they went. The leader hint's absence is the empty string on the wire.
 *
 * <p>Reading is strict: a message goes through the same constructors as any other descriptor, and
 * whatever they reject — and what they cannot see, such as a missing epoch or an empty replica id
 * — is an {@link IllegalArgumentException} whose message names the range. Whatever {@link
 * #toProto(RangeDescriptor)} writes, {@link #fromProto(Range)} reads back equal.
 */
public final class RangeProtos {
  private RangeProtos() {}

  /**
   * The wire form of a descriptor.
   *
   * @throws IllegalArgumentException if a replica id is empty: on the wire an empty leader means
   *     "none", so such a descriptor could not be read back as it was
   */
  public static Range toProto(RangeDescriptor range) {
    if (range.replicas().contains("")) {
      throw new IllegalArgumentException(
          range.name() + " has an empty replica id, which the wire form cannot carry");
    }
    return Range.newBuilder()
        .setRangeId(range.rangeId())
        .setStart(range.bounds().start())
        .setEnd(range.bounds().end())
        .setEpoch(toProto(range.epoch()))
        .addAllReplicas(range.replicas())
        .setLeader(range.leader().orElse(""))
        .build();
  }

  /**
   * The descriptor a message describes.
   *
   * @throws IllegalArgumentException naming the range if the message has no epoch or an invalid
   *     one, bounds with the start not below the end, a non-positive id, no replicas, an empty or
   *     repeated replica id, or a leader that is not one of the replicas
   */
  public static RangeDescriptor fromProto(Range range) {
    long id = range.getRangeId();
    try {
      if (!range.hasEpoch()) {
        throw new IllegalArgumentException("it has no epoch");
      }
      if (range.getReplicasList().contains("")) {
        throw new IllegalArgumentException("it has an empty replica id " + range.getReplicasList());
      }
      String leader = range.getLeader();
      return new RangeDescriptor(
          id,
          new HashRange(range.getStart(), range.getEnd()),
          fromProto(range.getEpoch()),
          range.getReplicasList(),
          leader.isEmpty() ? Optional.empty() : Optional.of(leader));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid range " + id + ": " + e.getMessage(), e);
    }
  }

  /** The wire form of an epoch. */
  public static RangeEpoch toProto(Epoch epoch) {
    return RangeEpoch.newBuilder().setVersion(epoch.version()).setConfVersion(epoch.confVersion()).build();
  }

  /**
   * The epoch a message describes.
   *
   * @throws IllegalArgumentException if a component is below 1 (an unset field reads as 0)
   */
  public static Epoch fromProto(RangeEpoch epoch) {
    return new Epoch(epoch.getVersion(), epoch.getConfVersion());
  }

  /** The wire form of every range of the table, sorted by start. */
  public static List<Range> toProto(RangeTable table) {
    return table.ranges().stream().map(RangeProtos::toProto).toList();
  }

  /**
   * The table the messages describe, in any order.
   *
   * @throws IllegalArgumentException if a message is invalid (see {@link #fromProto(Range)}), the
   *     list is empty, or the ranges do not tile the hash space exactly once with distinct ids; the
   *     message names the ranges involved
   */
  public static RangeTable fromProto(List<Range> ranges) {
    List<RangeDescriptor> descriptors = new ArrayList<>(ranges.size());
    for (Range range : ranges) {
      descriptors.add(fromProto(range));
    }
    try {
      return new RangeTable(descriptors);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid range table: " + e.getMessage(), e);
    }
  }
}
