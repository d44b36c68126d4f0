package pando.node;

import java.util.regex.Pattern;

/**
 * A node of the cluster as every other node knows it: its id and where its Raft and API ports are.
 *
 * @param id short stable name, e.g. {@code n1}; also its Raft peer id
 */
public record ClusterMember(String id, String host, int raftPort, int apiPort) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  public ClusterMember {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "node id must be 1..32 letters, digits, '-' or '_', got '" + id + "'");
    }
    checkPort(raftPort, "raft");
    checkPort(apiPort, "api");
    if (raftPort == apiPort) {
      throw new IllegalArgumentException("node " + id + ": raft and api ports must differ");
    }
  }

  private static void checkPort(int port, String what) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(what + " port must be in 1..65535, got " + port);
    }
  }

  public String raftAddress() {
    return host + ":" + raftPort;
  }

  public String apiAddress() {
    return host + ":" + apiPort;
  }

  /** The {@code id=host:raftPort:apiPort} form used on the command line and in layout files. */
  @Override
  public String toString() {
    return id + "=" + host + ":" + raftPort + ":" + apiPort;
  }

  /** Parses {@code id=host:raftPort:apiPort}. */
  public static ClusterMember parse(String text) {
    String[] idAndRest = text.split("=", 2);
    String[] parts = idAndRest.length == 2 ? idAndRest[1].split(":") : new String[0];
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "member must look like id=host:raftPort:apiPort, got '" + text + "'");
    }
    try {
      return new ClusterMember(
          idAndRest[0], parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ports must be numbers in '" + text + "'");
    }
  }
}
