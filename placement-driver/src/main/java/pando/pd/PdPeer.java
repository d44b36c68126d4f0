package pando.pd;

/** One replica of the placement driver's Raft group: its id and where its Raft port listens. */
public record PdPeer(String id, String host, int raftPort) {
  public PdPeer {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new IllegalArgumentException("PD replica id must be 1-64 letters, digits, '_', '.' or '-', got " + id);
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("PD replica " + id + " needs a host");
    }
    if (raftPort < 1 || raftPort > 65535) {
      throw new IllegalArgumentException("PD replica " + id + ": raft port must be 1..65535, got " + raftPort);
    }
  }

  public String raftAddress() {
    return host + ":" + raftPort;
  }

  /**
   * Parses {@code id=host:raftPort}, the form {@code pando pd --peers} takes.
   *
   * @throws IllegalArgumentException with a message naming what is wrong
   */
  public static PdPeer parse(String text) {
    int eq = text.indexOf('=');
    int colon = text.lastIndexOf(':');
    if (eq < 1 || colon < eq + 2 || colon == text.length() - 1) {
      throw new IllegalArgumentException("PD peer must look like id=host:raftPort, got '" + text + "'");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("PD peer '" + text + "': port is not a number");
    }
    return new PdPeer(text.substring(0, eq), text.substring(eq + 1, colon), port);
  }
}
