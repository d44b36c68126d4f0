package pando.cli;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A process started by 'pando local' must not outlive it, even if 'pando local' was killed with -9. */
final class ParentWatch {
  private ParentWatch() {}

  static void exitWhenGone(long pid, String who) {
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "parent-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.scheduleWithFixedDelay(() -> {
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return;
      }
      System.err.println(who + ": parent process " + pid + " is gone; stopping");
      System.exit(0);
    }, 1, 1, TimeUnit.SECONDS);
  }
}
