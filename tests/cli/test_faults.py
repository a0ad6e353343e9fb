"""Faults around processes (issue #18): what a killed run leaves is cleaned up by the next."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from filmkg.cli import main
from filmkg.io.fileio import atomic_dir, atomic_open, clean_stale_staging

REPO = Path(__file__).resolve().parents[2]
FILMKG = [sys.executable, "-m", "filmkg"]


def _wait_for(predicate: object, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_staging_of_a_killed_build_store_is_removed_by_the_next_run(tmp_path: Path) -> None:
    data = tmp_path / "big.nt"
    assert main(["synth", "--films", "3000", "-o", str(data)]) == 0
    store = tmp_path / "st"
    child = subprocess.Popen(
        [*FILMKG, "build", "--store", str(store), str(data)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def staging() -> list[Path]:
        return [p for p in tmp_path.iterdir() if p.name.startswith(".st.")]

    def loading() -> bool:
        return any(any(s.rglob("*")) for s in staging())

    try:
        _wait_for(loading, "the build to stage its store")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    left = staging()
    assert len(left) == 1
    assert left[0].is_dir()
    assert not store.exists()
    assert main(["build", "--store", str(store)]) == 0
    assert staging() == []
    assert (store / "CURRENT").is_file()


def test_a_live_writer_keeps_its_staging(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    with atomic_open(target) as handle:
        handle.write(b"half")
        (live,) = [p for p in tmp_path.iterdir() if p.name.startswith(".out.ttl.")]
        assert clean_stale_staging(target) == []
        assert live.exists()
    assert target.read_bytes() == b"half"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_a_killed_swap_gets_the_old_folder_back(tmp_path: Path) -> None:
    # killed between moving the old folder aside and moving the new one in
    old = tmp_path / ".dist.old"
    old.mkdir()
    (old / "filmkg.ttl").write_text("previous build\n")
    with atomic_dir(tmp_path / "dist") as staging:
        assert (tmp_path / "dist" / "filmkg.ttl").read_text() == "previous build\n"
        (staging / "filmkg.ttl").write_text("new build\n")
    assert (tmp_path / "dist" / "filmkg.ttl").read_text() == "new build\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_stale_staging_file_of_a_killed_export_is_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".graph.ttl.abcd1234.tmp"
    stale.write_bytes(b"half a graph")
    other = tmp_path / ".graph.ttl.notours"  # not our pattern: left alone
    other.write_text("x")
    assert main(["export", "-o", str(tmp_path / "graph.ttl")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".graph.ttl.notours", "graph.ttl"]
