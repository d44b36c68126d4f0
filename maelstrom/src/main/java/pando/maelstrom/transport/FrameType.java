package pando.maelstrom.transport;

/**
 * What a {@link Frame} carries. Requests name the Ratis call and the proto inside; a reply is either
 * the reply proto of the call it answers ({@link #REPLY}) or a remote failure ({@link #ERROR}).
 *
 * <p>The codes are the wire format: never renumber one.
 */
enum FrameType {
  REPLY(0),
  ERROR(1),
  // Server to server: RaftServerProtocol and RaftServerAsynchronousProtocol.
  REQUEST_VOTE(10),
  APPEND_ENTRIES(11),
  INSTALL_SNAPSHOT(12),
  START_LEADER_ELECTION(13),
  READ_INDEX(14),
  // Client to server: RaftClientRequest and the admin requests.
  CLIENT_REQUEST(20),
  GROUP_MANAGEMENT(21),
  GROUP_LIST(22),
  GROUP_INFO(23),
  SET_CONFIGURATION(24),
  TRANSFER_LEADERSHIP(25),
  SNAPSHOT_MANAGEMENT(26),
  LEADER_ELECTION_MANAGEMENT(27);

  private static final FrameType[] BY_CODE = new FrameType[128];

  static {
    for (FrameType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final byte code;

  FrameType(int code) {
    this.code = (byte) code;
  }

  byte code() {
    return code;
  }

  boolean isReply() {
    return this == REPLY || this == ERROR;
  }

  /** The type with this code, or null if there is none (a newer peer, or garbage). */
  static FrameType ofCode(byte code) {
    return code >= 0 ? BY_CODE[code] : null;
  }
}
