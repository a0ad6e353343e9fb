"""A watchdog that stops a child server when the process that started it dies.

On Linux the child also gets ``PR_SET_PDEATHSIG`` (:func:`die_with_parent`), which the
kernel honours at once. The watchdog covers what that does not: other systems, and the
files the dead parent leaves behind (``filmkg serve``'s temporary store). It is a small
Python process reading a pipe whose other end only the parent holds: the parent writes
``stop`` before it exits normally; end of file without ``stop`` means it was killed, so
the watchdog kills the server (by its PID) and removes the given folders.

Run as ``python -m filmkg.engines.watchdog PID [FOLDER…]`` with the pipe on stdin (see
:func:`start_watchdog`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

__all__ = ["STOP", "die_with_parent", "start_watchdog", "watch"]

#: What the parent writes to the pipe when it stops the server itself.
STOP = b"stop\n"

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """``preexec_fn`` of a child server: SIGKILL it when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the prctl: follow it now
        os._exit(1)


def start_watchdog(pid: int, folders: Sequence[Path] = ()) -> IO[bytes]:
    """Start a watchdog for the process ``pid``; return the pipe to write :data:`STOP` to."""
    watcher = subprocess.Popen(
        [sys.executable, "-m", "filmkg.engines.watchdog", str(pid), *map(str, folders)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C and the parent's process group leave it alone
    )
    assert watcher.stdin is not None
    return watcher.stdin


def watch(pid: int, folders: Sequence[str], pipe: IO[bytes]) -> int:
    """Wait for the end of ``pipe``; unless the parent said :data:`STOP`, kill ``pid``
    and remove ``folders``. Returns 0 when the parent stopped the server itself."""
    said = pipe.read()
    if said == STOP:
        return 0
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return 1


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for its reaper does not)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


if __name__ == "__main__":  # pragma: no cover - the watchdog process itself
    sys.exit(watch(int(sys.argv[1]), sys.argv[2:], sys.stdin.buffer))
