package pando.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import pando.api.HashRange;
import pando.api.KeyHash;
import pando.api.range.Epoch;

/**
 * The static placement of a cluster: its members and which of them replicate each range.
 *
 * <p>It is computed once, on the first start of a cluster, from the member list, and then saved in
 * each node's data directory, so a restarted node keeps the layout its data was written under even
 * if its command line changes. Under a placement driver the layout is the PD's range table as the
 * node last fetched it, with the table's version; the node replaces it when the PD publishes a
 * newer one.
 */
public final class RangeLayout {
  private static final String HEADER = "# pando range layout v1";

  private final long version;
  private final List<ClusterMember> members;
  private final List<RangeSpec> ranges;
  private final Map<String, ClusterMember> membersById;

  /** A static layout (no placement driver): version 0, never changes. */
  public RangeLayout(List<ClusterMember> members, List<RangeSpec> ranges) {
    this(0, members, ranges);
  }

  /**
   * @param version the placement driver's table version this layout was taken from (0 for a
   *     static layout); a node replaces its layout only with a higher version
   */
  public RangeLayout(long version, List<ClusterMember> members, List<RangeSpec> ranges) {
    if (version < 0) {
      throw new IllegalArgumentException("layout version must not be negative, got " + version);
    }
    this.version = version;
    this.members = List.copyOf(members);
    this.ranges = List.copyOf(ranges);
    this.membersById =
        this.members.stream().collect(Collectors.toUnmodifiableMap(ClusterMember::id, Function.identity()));
    checkCoversSpace();
    for (RangeSpec range : this.ranges) {
      for (String replica : range.replicas()) {
        if (!membersById.containsKey(replica)) {
          throw new IllegalArgumentException("range " + range.id() + " names unknown node " + replica);
        }
      }
    }
  }

  /**
   * Cuts the hash space into {@code rangeCount} equal ranges and places range {@code i} on {@code
   * replication} consecutive members starting at member {@code i mod N}, so replicas and leaders
   * spread evenly.
   */
  public static RangeLayout initial(List<ClusterMember> members, int rangeCount, int replication) {
    if (replication != 1 && replication != 3 && replication != 5) {
      throw new IllegalArgumentException("replication must be 1, 3 or 5, got " + replication);
    }
    if (members.size() < replication) {
      throw new IllegalArgumentException(
          "replication " + replication + " needs at least " + replication + " nodes, got " + members.size());
    }
    if (members.stream().map(ClusterMember::id).distinct().count() != members.size()) {
      throw new IllegalArgumentException("node ids must be unique: " + members);
    }
    List<HashRange> bounds = HashRange.evenSplit(rangeCount);
    List<RangeSpec> ranges = new ArrayList<>();
    for (int i = 0; i < rangeCount; i++) {
      List<String> replicas = new ArrayList<>();
      for (int r = 0; r < replication; r++) {
        replicas.add(members.get((i + r) % members.size()).id());
      }
      ranges.add(new RangeSpec(i + 1, bounds.get(i), replicas));
    }
    return new RangeLayout(members, ranges);
  }

  private void checkCoversSpace() {
    if (ranges.isEmpty()) {
      throw new IllegalArgumentException("a layout needs at least one range");
    }
    long expectedStart = 0;
    for (int i = 0; i < ranges.size(); i++) {
      HashRange bounds = ranges.get(i).bounds();
      if (bounds.start() != expectedStart) {
        throw new IllegalArgumentException("ranges must tile the hash space in order; gap or overlap at range " + ranges.get(i).id());
      }
      boolean last = i == ranges.size() - 1;
      if (last != (bounds.end() == 0)) {
        throw new IllegalArgumentException("only the last range may (and must) reach the end of the hash space");
      }
      expectedStart = bounds.end();
    }
  }

  public long version() {
    return version;
  }

  public List<ClusterMember> members() {
    return members;
  }

  public List<RangeSpec> ranges() {
    return ranges;
  }

  public ClusterMember member(String id) {
    ClusterMember member = membersById.get(id);
    if (member == null) {
      throw new IllegalArgumentException("unknown node " + id);
    }
    return member;
  }

  /** The range that owns a key. */
  public RangeSpec rangeFor(byte[] key) {
    long hash = KeyHash.of(key);
    // Ranges are few and sorted; binary search on the start bound.
    int lo = 0;
    int hi = ranges.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (Long.compareUnsigned(ranges.get(mid).bounds().start(), hash) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    RangeSpec range = ranges.get(lo);
    if (!range.bounds().contains(hash)) {
      throw new IllegalStateException("layout does not cover hash " + Long.toUnsignedString(hash));
    }
    return range;
  }

  public List<RangeSpec> rangesOn(String nodeId) {
    return ranges.stream().filter(r -> r.replicas().contains(nodeId)).toList();
  }

  public java.util.Optional<RangeSpec> range(long rangeId) {
    return ranges.stream().filter(r -> r.id() == rangeId).findFirst();
  }

  /** Writes the layout as text, atomically. */
  public void save(Path file) throws IOException {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    out.append("version ").append(version).append('\n');
    for (ClusterMember member : members) {
      out.append("member ").append(member).append('\n');
    }
    for (RangeSpec range : ranges) {
      out.append("range ")
          .append(range.id()).append(' ')
          .append(Long.toUnsignedString(range.bounds().start())).append(' ')
          .append(Long.toUnsignedString(range.bounds().end())).append(' ')
          .append(String.join(",", range.replicas())).append(' ')
          .append(range.epoch().version()).append('.').append(range.epoch().confVersion()).append('\n');
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, out, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static RangeLayout load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new IOException(file + " is not a pando range layout");
    }
    long version = 0;
    List<ClusterMember> members = new ArrayList<>();
    List<RangeSpec> ranges = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(" ");
      try {
        switch (f[0]) {
          case "version" -> version = Long.parseLong(f[1]);
          case "member" -> members.add(ClusterMember.parse(f[1]));
          case "range" -> ranges.add(new RangeSpec(
              Long.parseLong(f[1]),
              new HashRange(Long.parseUnsignedLong(f[2]), Long.parseUnsignedLong(f[3])),
              Arrays.asList(f[4].split(",")),
              f.length > 5 ? parseEpoch(f[5]) : Epoch.initial()));
          default -> throw new IOException("unknown line in " + file + ": " + line);
        }
      } catch (RuntimeException e) {
        throw new IOException("bad line in " + file + ": '" + line + "': " + e.getMessage(), e);
      }
    }
    return new RangeLayout(version, members, ranges);
  }

  private static Epoch parseEpoch(String text) {
    int dot = text.indexOf('.');
    return new Epoch(Long.parseLong(text.substring(0, dot)), Long.parseLong(text.substring(dot + 1)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RangeLayout other && version == other.version && members.equals(other.members)
        && ranges.equals(other.ranges);
  }

  @Override
  public int hashCode() {
    return (Long.hashCode(version) * 31 + members.hashCode()) * 31 + ranges.hashCode();
  }
}
