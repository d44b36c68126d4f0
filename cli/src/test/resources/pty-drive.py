#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a person at a terminal would, for tests.

Usage: pty-drive.py SCREENS MARKER TIMEOUT_S -- COMMAND...
Waits until MARKER has been printed SCREENS times, then types "q" (no Enter), and waits for the
command to exit. Prints everything the command wrote, then exits with the command's exit code, or
124 if it did not print enough or did not exit in time (it is then killed).
"""
import os
import pty
import select
import signal
import sys
import time

screens, marker, timeout_s = int(sys.argv[1]), sys.argv[2].encode(), float(sys.argv[3])
command = sys.argv[sys.argv.index("--") + 1:]
deadline = time.monotonic() + timeout_s

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

out = bytearray()
typed = False
status = None
while time.monotonic() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            chunk = b""
        out += chunk
    if not typed and out.count(marker) >= screens:
        os.write(fd, b"q")
        typed = True
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    status = None

sys.stdout.write(out.decode("utf-8", "replace"))
if status is None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.exit(124)
sys.exit(os.waitstatus_to_exitcode(status))
