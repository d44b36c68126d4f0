package pando.pd;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdMetadata;
import pando.internal.v1.PdResult;
import pando.pd.meta.PdState;

/**
 * The placement driver's replicated metadata: a {@link PdState} in memory, changed only by
 * {@link PdCommand}s from the Raft log. It is small, so a snapshot is the whole of it as one
 * protobuf file, written under Ratis's snapshot naming so that Ratis can install it on a replica
 * that fell behind.
 */
public final class PdStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(PdStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private volatile PdState state = PdState.empty();

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    getLifeCycle().startAndTransition(() -> {
      super.initialize(server, groupId, raftStorage);
      storage.init(raftStorage);
      load(storage.getLatestSnapshot());
    });
  }

  @Override
  public void reinitialize() throws IOException {
    // After Ratis installed a snapshot from the leader.
    load(storage.loadLatestSnapshot());
  }

  private void load(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot == null) {
      return;
    }
    File file = snapshot.getFile().getPath().toFile();
    if (snapshot.getFile().getFileDigest() != null) {
      MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
    }
    state = PdState.fromProto(PdMetadata.parseFrom(Files.readAllBytes(file.toPath())));
    setLastAppliedTermIndex(snapshot.getTermIndex());
    LOG.info("event=pd-snapshot-loaded index={} nodes={} hot_keys={} hot_key_table_version={}", snapshot.getIndex(),
        state.nodes().nodes().size(), state.hotKeyTable().size(), state.hotKeyTable().version());
  }

  /** The metadata as of the last applied entry. */
  public PdState state() {
    return state;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    PdResult result;
    synchronized (this) {
      PdCommand command;
      try {
        command = PdCommand.parseFrom(entry.getStateMachineLogEntry().getLogData().toByteArray());
      } catch (InvalidProtocolBufferException e) {
        // Every replica reads the same bytes and refuses them alike.
        command = PdCommand.getDefaultInstance();
      }
      PdState.Applied applied = state.apply(command);
      state = applied.state();
      result = applied.result();
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(result.toByteArray())));
  }

  @Override
  public long takeSnapshot() throws IOException {
    PdState current;
    TermIndex last;
    synchronized (this) {
      current = state;
      last = getLastAppliedTermIndex();
    }
    if (last == null || last.getIndex() <= 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    File temp = new File(file.getPath() + ".tmp");
    Files.write(temp.toPath(), current.toProto().toByteArray());
    Files.move(temp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, last));
    return last.getIndex();
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }
}
