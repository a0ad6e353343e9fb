"""Progress of long operations: counts and rate on stderr, on a terminal only.

Every long operation of the library (loading, inference, validation, import, export,
projection, analytics) reports through this module, in two calls::

    with progress.task("loading films.nt", total=size, unit="bytes") as step:
        ...
        step.advance(len(chunk))

or ``for row in progress.track(rows, "projecting credits", unit="rows")``. The CLI decides
once whether anything is shown (:func:`configure`): by default only when stderr is a
terminal, so piped output, logs and the Python API stay silent; ``filmkg --quiet`` turns
it off. The display is `rich <https://rich.readthedocs.io>`_'s (bars with counts, rate and
elapsed time, gone when the task ends; a task of more than a second leaves one summary
line). rich is imported only when something is shown.

>>> with task("counting", total=3, unit="films") as step:
...     step.advance(3)
>>> step.done
3
>>> list(track(range(3), "looping"))
[0, 1, 2]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["CountingReader", "CountingWriter", "Task", "configure", "enabled", "task", "track"]

T = TypeVar("T")

#: A finished task that took at least this long leaves a summary line.
SUMMARY_AFTER = 1.0

_state: dict[str, Any] = {"enabled": None, "display": None, "depth": 0}


def configure(*, enabled: bool | None) -> None:
    """Show progress (``True``), never (``False``), or when stderr is a terminal (``None``,
    the default)."""
    _state["enabled"] = enabled


def enabled() -> bool:
    """Whether progress is shown now."""
    setting = _state["enabled"]
    if setting is not None:
        return bool(setting)
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


class Task:
    """One running operation: :meth:`advance` it as work gets done."""

    def __init__(self, description: str, total: int | None, unit: str) -> None:
        self.description = description
        self.total = total
        self.unit = unit
        self.done = 0
        self.started = time.perf_counter()
        self._display: Any = None
        self._id: Any = None

    def advance(self, n: int = 1) -> None:
        """``n`` more units done."""
        self.done += n
        if self._display is not None:
            self._display.update(self._id, completed=self.done)

    def describe(self, description: str) -> None:
        """Change what the task says it is doing (the current rule, file, shape…)."""
        self.description = description
        if self._display is not None:
            self._display.update(self._id, description=description)

    def summary(self) -> str:
        """``loading films.nt: 1,000,000 triples in 8.1 s (123,456 triples/s)``."""
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        count = _amount(self.done, self.unit)
        rate = _amount(int(self.done / elapsed), self.unit)
        return f"{self.description}: {count} in {elapsed:.1f} s ({rate}/s)"


def _amount(n: int, unit: str) -> str:
    if unit == "bytes":
        return f"{n / 2**20:,.1f} MB"
    return f"{n:,} {unit}".rstrip()


@contextmanager
def task(description: str, *, total: int | None = None, unit: str = "") -> Iterator[Task]:
    """A long operation of ``total`` units (``None``: unknown), shown while it runs."""
    current = Task(description, total, unit)
    if not enabled():
        yield current
        return
    display = _display()
    current._display = display
    current._id = display.add_task(description, total=total, unit=unit)
    _state["depth"] += 1
    try:
        yield current
    finally:
        _state["depth"] -= 1
        display.remove_task(current._id)
        if time.perf_counter() - current.started >= SUMMARY_AFTER:
            display.console.print(current.summary(), highlight=False, markup=False)
        if _state["depth"] == 0:
            display.stop()
            _state["display"] = None


def track(
    items: Iterable[T], description: str, *, total: int | None = None, unit: str = ""
) -> Iterator[T]:
    """``items``, advancing a task by one for each."""
    with task(description, total=total, unit=unit) as current:
        for item in items:
            yield item
            current.advance()


class CountingReader:
    """A binary file for reading that advances ``step`` by the bytes read (for loaders
    that read a file object in native code, such as pyoxigraph's bulk loader)."""

    def __init__(self, handle: Any, step: Task) -> None:
        self.handle = handle
        self.step = step

    def read(self, size: int = -1) -> bytes:
        """Read like the file, counting."""
        data: bytes = self.handle.read(size)
        self.step.advance(len(data))
        return data


class CountingWriter:
    """A binary stream for writing that advances ``step`` by the bytes written."""

    def __init__(self, handle: Any, step: Task) -> None:
        self.handle = handle
        self.step = step

    def write(self, data: bytes) -> int:
        """Write like the stream, counting."""
        self.step.advance(len(data))
        return int(self.handle.write(data))

    def flush(self) -> None:
        """Flush the stream."""
        self.handle.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def _display() -> Any:
    """The one rich progress display (started on first use)."""
    if _state["display"] is None:
        # rich only when progress is shown: piped runs and the API never import it
        from rich.console import Console

        # heavy: rich only when progress is shown on a terminal
        from rich.progress import (
            BarColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        # heavy: rich only when progress is shown on a terminal
        from rich.text import Text

        class Rate(ProgressColumn):
            """``12,345/123,456 triples 10,234 triples/s``."""

            def render(self, task: Any) -> Text:
                unit = task.fields.get("unit", "")
                done = _amount(int(task.completed), unit)
                if task.total is not None and unit != "bytes":
                    done = f"{int(task.completed):,}/{_amount(int(task.total), unit)}"
                elif task.total is not None:
                    done = f"{done} of {_amount(int(task.total), unit)}"
                speed = f" {_amount(int(task.speed), unit)}/s" if task.speed else ""
                return Text(done + speed)

        display = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            Rate(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
            refresh_per_second=8,
        )
        display.start()
        _state["display"] = display
    return _state["display"]
