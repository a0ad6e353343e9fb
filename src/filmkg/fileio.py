"""Atomic file output: a reader never sees a half-written file or folder.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_text(d / "a.txt", "hello\\n")
>>> (d / "a.txt").read_text()
'hello\\n'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from filmkg.errors import OutputError

__all__ = ["atomic_dir", "atomic_open", "atomic_write_bytes", "atomic_write_text"]


def _cannot_write(target: Path, exc: OSError) -> OutputError:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = "a part of the path is a file, not a folder"
    else:
        reason = (exc.strerror or type(exc).__name__).lower()
    return OutputError(
        f"{target}: cannot write here ({reason})",
        hint="choose a path in a folder you can write to",
    )


def _staging(target: Path, *, folder: bool) -> str:
    """A temporary file (or folder) beside ``target``; missing folders are created.

    >>> import tempfile, pathlib
    >>> blocker = pathlib.Path(tempfile.mkdtemp()) / "a-file"
    >>> _ = blocker.write_text("x")
    >>> _staging(blocker / "out.ttl", folder=False)
    Traceback (most recent call last):
    filmkg.errors.OutputError: .../a-file/out.ttl: cannot write here (a part of the path ...
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if folder:
            return tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    os.close(fd)
    return tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` only when the ``with`` block succeeds.

    The bytes go to a temporary file in the same folder, which is flushed, synced and
    renamed over ``path`` (:func:`os.replace`); on any error it is removed and ``path``
    is left as it was. Missing folders are created (:class:`OutputError` when that cannot
    be done); the file gets the usual permissions (``0o666`` minus the umask), not the
    private ones of a temporary file.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_open(target) as f:
    ...     _ = f.write(b"whole")
    >>> try:
    ...     with atomic_open(target) as f:
    ...         _ = f.write(b"half")
    ...         raise RuntimeError("boom")
    ... except RuntimeError:
    ...     pass
    >>> target.read_bytes(), [p.name for p in target.parent.iterdir()]
    (b'whole', ['out.txt'])
    """
    target = Path(path)
    tmp = _staging(target, folder=False)
    try:
        with open(tmp, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place."""
    with atomic_open(path) as handle:
        handle.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text (LF line ends) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a fresh staging folder; on success it replaces ``target`` whole.

    On error the staging folder is removed and ``target`` is left as it was.
    """
    staging = Path(_staging(target, folder=True))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes 0700; the result is an ordinary folder
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
