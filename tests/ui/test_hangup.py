"""An SSH drop, as the kernel delivers it: the app is the session leader of a terminal that goes
away, and it gets SIGHUP and then SIGCONT. It must end, cleanly and soon: Textual's SIGCONT
handler used to put the dead terminal back into application mode, its writer thread died on the
first write, and the exit then waited for that thread forever."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path


def read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_the_terminal_hanging_up_ends_the_app(tmp_path: Path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")},
        "TERM": "xterm-256color",
        "STREAMDASH_DATA_DIR": str(tmp_path / "data"),
        "STREAMDASH_STATE_DIR": str(tmp_path / "state"),
        "STREAMDASH_CONFIG_DIR": str(tmp_path / "config"),
    }
    pid, master = pty.fork()  # the child leads its own session, the pty its terminal
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "streamdash", "demo"], env)
    try:
        screen = read_until(master, b"Events", 20)
        assert b"Events" in screen
        read_until(master, b"never", 1.0)  # streams running, the screen redrawing
    finally:
        os.close(master)  # the terminal goes away: SIGHUP, then SIGCONT
    deadline = time.monotonic() + 15
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise AssertionError("streamdash kept running after its terminal hung up")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
