package pando.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static pando.pd.hot.HotKeys.command;
import static pando.pd.hot.HotKeys.insert;
import static pando.pd.hot.HotKeys.key;
import static pando.pd.hot.HotKeys.pinned;
import static pando.pd.hot.HotKeys.set;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.State;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdResult;

/**
 * The PD's state machine over real Ratis storage, without a Raft server: entries applied as the log
 * delivers them, a snapshot taken, and a new state machine on the same storage (a restart) loading it.
 */
class PdStateMachineTest {
  private static final HotKey SALTING = pinned("k", 4);

  @TempDir Path dir;
  private long index;

  private RaftStorage storage(RaftStorage.StartupOption option) throws Exception {
    RaftStorage storage = RaftStorage.newBuilder()
        .setDirectory(dir.toFile())
        .setOption(option)
        .setStorageFreeSpaceMin(SizeInBytes.ZERO)
        .setLogCorruptionPolicy(RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION)
        .build();
    storage.initialize();
    return storage;
  }

  private static PdStateMachine stateMachine(RaftStorage storage) throws Exception {
    PdStateMachine machine = new PdStateMachine();
    machine.initialize(serverNamed("pd1"), PdServer.GROUP_ID, storage);
    return machine;
  }

  /** All a state machine asks of its server while it starts and applies: the server's id, to name itself. */
  private static RaftServer serverNamed(String id) {
    return (RaftServer) Proxy.newProxyInstance(RaftServer.class.getClassLoader(), new Class<?>[] {RaftServer.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getId" -> RaftPeerId.valueOf(id);
          case "toString" -> "server " + id;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  /** Applies the next log entry, holding {@code data}, and returns what it answered. */
  private PdResult apply(PdStateMachine machine, byte[] data) throws Exception {
    index++;
    LogEntryProto entry = LogEntryProto.newBuilder()
        .setTerm(1)
        .setIndex(index)
        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder().setLogData(ByteString.copyFrom(data)))
        .build();
    TransactionContext trx = TransactionContext.newBuilder()
        .setServerRole(RaftPeerRole.FOLLOWER)
        .setStateMachine(machine)
        .setLogEntry(entry)
        .build();
    return PdResult.parseFrom(machine.applyTransaction(trx).get().getContent().toByteArray());
  }

  private PdResult apply(PdStateMachine machine, PdCommand command) throws Exception {
    return apply(machine, command.toByteArray());
  }

  @Test
  void hotKeysAppliedFromTheLogSurviveASnapshotAndARestart() throws Exception {
    RaftStorage first = storage(RaftStorage.StartupOption.FORMAT);
    PdStateMachine machine = stateMachine(first);
    assertThat(apply(machine, command(insert(SALTING, 1_000))).getStatus()).isEqualTo(PdResult.Status.OK);
    PdResult active = apply(machine, command(set(SALTING.withState(State.ACTIVE), Optional.of(SALTING), 2_000)));
    assertThat(active.getHotKeyTableVersion()).isEqualTo(2);

    assertThat(machine.takeSnapshot()).isEqualTo(index);
    machine.close();
    first.close();
    RaftStorage second = storage(RaftStorage.StartupOption.RECOVER);
    PdStateMachine restarted = stateMachine(second);

    assertThat(restarted.state()).isEqualTo(machine.state());
    assertThat(restarted.state().hotKeyTable().version()).isEqualTo(2);
    assertThat(restarted.state().hotKeyTable().lookup(key("k"))).contains(SALTING.withState(State.ACTIVE));
    assertThat(restarted.state().hotKeys().changedAtMs(key("k"))).hasValue(2_000);
    assertThat(restarted.getLastAppliedTermIndex().getIndex()).isEqualTo(index);
    restarted.close();
    second.close();
  }

  @Test
  void aRefusedOrUnreadableEntryIsAnsweredAndChangesNothing() throws Exception {
    RaftStorage storage = storage(RaftStorage.StartupOption.FORMAT);
    PdStateMachine machine = stateMachine(storage);
    apply(machine, command(insert(SALTING, 1)));
    var before = machine.state();

    PdResult conflict = apply(machine, command(insert(pinned("k", 8), 2)));
    PdResult unreadable = apply(machine, new byte[] {(byte) 0xff, 0x01});

    assertThat(conflict.getStatus()).isEqualTo(PdResult.Status.CONFLICT);
    assertThat(unreadable.getStatus()).isEqualTo(PdResult.Status.INVALID);
    assertThat(unreadable.getMessage()).isEqualTo("empty PD command");
    assertThat(machine.state()).isSameAs(before);
    assertThat(machine.getLastAppliedTermIndex().getIndex()).as("both entries are applied").isEqualTo(3);
    machine.close();
    storage.close();
  }
}
