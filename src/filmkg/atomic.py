"""Atomic file writes: a file is either written whole or not at all.

Every artefact filmkg writes (exports, ``dist/``, reports) goes through
:func:`atomic_write`: the bytes go to a temporary file in the target folder, which is
flushed, synced and then renamed over the target (:func:`os.replace`, atomic on POSIX and
Windows). If anything fails on the way, the temporary file is removed and the target is
left exactly as it was.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> with atomic_write(target) as f:
...     _ = f.write(b"whole")
>>> target.read_bytes()
b'whole'
>>> try:
...     with atomic_write(target) as f:
...         _ = f.write(b"half")
...         raise RuntimeError("boom")
... except RuntimeError:
...     pass
>>> target.read_bytes()
b'whole'
>>> sorted(p.name for p in target.parent.iterdir())
['out.txt']
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "atomic_write_bytes"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: str | Path) -> Iterator[BinaryIO]:
    """Open a binary file that replaces ``path`` only when the ``with`` block succeeds.

    Missing parent folders are created. The new file gets the usual permissions
    (``0o666`` minus the umask), not the private ones of a temporary file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path."""
    with atomic_write(path) as handle:
        handle.write(data)
    return Path(path)
