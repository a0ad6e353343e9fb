"""Atomic file output: a reader never sees a half-written file or folder.

Output is written to a staging file or folder beside the target (``.NAME.XXXXXXXX``),
which is renamed over it at the end. The writer holds an advisory lock on the staging
(``flock``) while it works, so a run that was killed (SIGKILL, power cut) leaves staging
that nobody holds: the next write to the same target removes it
(:func:`clean_stale_staging`), and restores the target from ``.NAME.old`` when the kill
came between moving the old target away and moving the new one in.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_text(d / "a.txt", "hello\\n")
>>> (d / "a.txt").read_text()
'hello\\n'
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from filmkg.errors import OutputError

try:  # POSIX only; elsewhere staging is not locked and stale staging is left alone
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "atomic_dir",
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_text",
    "clean_stale_staging",
    "locked_staging",
]

#: errno values that mean the output does not fit: disk full, quota, file size limit.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _cannot_write(target: Path, exc: OSError) -> OutputError:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = "a part of the path is a file, not a folder"
    else:
        reason = (exc.strerror or type(exc).__name__).lower()
    if exc.errno in _FULL:
        hint = "free some space (or raise the limit), or write somewhere else"
    else:
        hint = "choose a path in a folder you can write to"
    return OutputError(f"{target}: cannot write here ({reason})", hint=hint)


def _lock(path: str | Path) -> int | None:
    """Hold an exclusive advisory lock on ``path`` (a file or a folder); ``None`` if it is
    held by a live process (or locks are not available here)."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def clean_stale_staging(target: Path) -> list[Path]:
    """Remove the staging that killed runs left beside ``target``; return what was removed.

    Staging is ``.NAME.`` plus eight characters (``.tmp`` for a file), made by this module
    and locked by its writer while it runs: what can be locked now has no writer left.
    When ``target`` itself is missing and no writer is at work, ``.NAME.old`` (the previous
    target, moved aside just before the kill) is put back.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / ".dist.k1ll3d00").mkdir()
    >>> [p.name for p in clean_stale_staging(d / "dist")], list(d.iterdir())
    (['.dist.k1ll3d00'], [])
    """
    parent = target.parent
    pattern = re.compile(re.escape(f".{target.name}.") + r"[A-Za-z0-9_]{8}(\.tmp)?")
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return []
    removed: list[Path] = []
    busy = False
    for name in names:
        if not pattern.fullmatch(name):
            continue
        fd = _lock(parent / name)
        if fd is None:
            busy = True
            continue
        try:
            _remove(parent / name)
        finally:
            os.close(fd)
        removed.append(parent / name)
    old = parent / f".{target.name}.old"
    if not busy and old.exists():
        if target.exists() or os.path.lexists(target):
            _remove(old)
            removed.append(old)
        else:
            os.replace(old, target)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def locked_staging(target: Path, *, folder: bool) -> Iterator[Path]:
    """A fresh staging file (or folder) beside ``target``, locked while the block runs.

    Stale staging of killed runs is removed first (:func:`clean_stale_staging`). The
    block decides what happens to the staging (rename it into place, or remove it); the
    lock goes with the block. Callers that stage other kinds of output beside a target
    (an import into a store) use this, so the next run cleans up after them too.
    """
    clean_stale_staging(target)
    staging = _staging(target, folder=folder)
    fd = _lock(staging)
    try:
        yield Path(staging)
    finally:
        if fd is not None:
            os.close(fd)


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
    with locked_staging(target, folder=False) as tmp:
        try:
            with open(tmp, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            if isinstance(exc, OSError) and exc.errno in _FULL:
                raise _cannot_write(target, exc) from None
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

    On error the staging folder is removed and ``target`` is left as it was; a full disk
    is an :class:`OutputError` naming ``target``.
    """
    with locked_staging(target, folder=True) as staging:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; the result is an ordinary folder
        try:
            yield staging
        except BaseException as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError) and exc.errno in _FULL:
                raise _cannot_write(target, exc) from None
            if isinstance(exc, OutputError):  # a file inside: name it where it was going
                message = exc.message.replace(str(staging), str(target))
                raise OutputError(message, hint=exc.hint) from None
            raise
        _swap(staging, target)


def _swap(staging: Path, target: Path) -> None:
    """Put the folder ``staging`` at ``target`` and remove what was there.

    Where the system can (Linux: ``renameat2(RENAME_EXCHANGE)``), the two are exchanged
    in one step, so ``target`` is never missing, not even for an instant; elsewhere the
    old target is first moved aside to ``.NAME.old`` (put back if the second rename fails
    here, or by :func:`clean_stale_staging` after a kill in between).
    """
    try:
        if not os.path.lexists(target):
            os.rename(staging, target)
        elif _exchange(staging, target):
            _remove(staging)  # it holds the old target now
        else:
            old = target.with_name(f".{target.name}.old")
            _remove(old)
            os.replace(target, old)
            try:
                os.replace(staging, target)
            except BaseException:
                os.replace(old, target)
                raise
            _remove(old)
    except OSError as exc:
        _remove(staging)
        raise _cannot_write(target, exc) from None
    with contextlib.suppress(OSError):  # make the rename durable
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); ``False`` where not supported."""
    renameat2 = getattr(_LIBC, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # this file system (or kernel) cannot exchange: rename in two steps
    raise OSError(err, os.strerror(err), str(b))
