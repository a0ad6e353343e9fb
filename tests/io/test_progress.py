"""Progress: shown on a terminal (a pseudo-terminal here), absent from piped output."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from filmkg.io import progress
from filmkg.synth import generator as synth

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


def _filmkg(*args: str) -> list[str]:
    return [sys.executable, "-m", "filmkg", *args]


def _under_pty(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``args`` with stdout and stderr on a pseudo-terminal; return (exit code, output)."""
    main, side = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    proc = subprocess.Popen(
        args, stdout=side, stderr=side, stdin=subprocess.DEVNULL, cwd=cwd, env=env
    )
    os.close(side)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1.0)
        if ready:
            try:
                data = os.read(main, 65536)
            except OSError:  # the other side closed (Linux: EIO)
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(main)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "films.nt"
    synth.write_file(path, films=40, seed=3)
    return path


def test_a_terminal_sees_progress_of_load_inference_and_validation(films: Path) -> None:
    code, out = _under_pty(_filmkg("build", "--store", "s.db", str(films)), films.parent)
    assert code == 0, out
    for step in ("loading films.nt", "deriving", "validating", "checks"):
        assert step in out, (step, out[-2000:])
    assert "MB" in out  # the bytes read by the bulk loader, with a rate
    assert "built " in out


def test_piped_output_has_no_progress(films: Path) -> None:
    done = subprocess.run(
        _filmkg("build", "--store", "p.db", str(films)),
        cwd=films.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "validating" not in done.stderr
    assert "\x1b[" not in done.stderr + done.stdout  # no terminal control codes
    assert done.stderr.startswith("built ")


def test_quiet_silences_progress_on_a_terminal(films: Path) -> None:
    code, out = _under_pty(_filmkg("--quiet", "validate", str(films)), films.parent)
    assert code == 0, out
    assert "validating" not in out
    assert "conforms" in out


def test_tasks_count_and_summarise() -> None:
    progress.configure(enabled=False)
    try:
        with progress.task("reading", total=10, unit="rows") as step:
            step.advance(4)
            step.advance(6)
        assert step.done == 10
        assert step.summary().startswith("reading: 10 rows in ")
        assert list(progress.track(iter("abc"), "letters")) == ["a", "b", "c"]
    finally:
        progress.configure(enabled=None)
