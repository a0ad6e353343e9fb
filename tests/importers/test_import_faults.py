"""`import --into` is all or nothing: after any failed or killed import, every named graph
of the store has the same quad count and content hash as before (issue #16, item 1).

Failures are injected at every stage of an import (reading, mapping, resolution, writing,
derivation, closing, the swap, a full disk), the dirty inputs of #16 are imported for
real, the store-level output faults (a path under a file, a read-only folder, a full
disk, a store in use) are made for real where this machine allows it (a small tmpfs when
run as root), and a real ``filmkg import --into`` is killed with SIGKILL at random
moments. Each is followed by a check of the per-graph counts and hashes
(:func:`digests`), of what is left beside the store, and of the next import.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from filmkg.build import inference
from filmkg.cli import main
from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import OutputError
from filmkg.importers import pipeline as importing
from filmkg.importers import resolution  # the pipeline calls resolution.resolve through it
from filmkg.importers.mapping import load_mapping
from filmkg.importers.pipeline import import_into
from filmkg.io.fileio import clean_stale_staging

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "data" / "import"
NEO4J = REPO.parent / "shared" / "data" / "neo4j-movies"
needs_neo4j = pytest.mark.skipif(
    not NEO4J.is_dir(), reason=f"{NEO4J} is not beside the repo (see its SOURCE.md)"
)

Digests = dict[str, tuple[int, str]]


def digests(store: Path) -> Digests:
    """Per named graph (and the default graph, as ""): the quad count and a content hash.

    The hash is the sha256 of the graph's sorted N-Quads after canonical blank node
    labelling (RDFC-style, pyoxigraph's ``Dataset.canonicalize``), so two stores holding
    the same graphs hash the same whatever their blank node ids.
    """
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in ox.Store.read_only(str(store)):
        name = quad.graph_name
        by_graph[name.value if isinstance(name, ox.NamedNode) else ""].append(quad)
    out: Digests = {}
    for name, quads in sorted(by_graph.items()):
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        text = "".join(sorted(f"{q} .\n" for q in dataset))
        out[name] = (len(quads), hashlib.sha256(text.encode("utf-8")).hexdigest())
    return out


def _more_films(folder: Path, rows: int = 40) -> Path:
    """A second source (``more-films``) that shares people with my-films."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = (FIXTURES / "my-films.toml").read_text(encoding="utf-8")
    (folder / "more-films.toml").write_text(
        mapping.replace('"my-films"', '"more-films"').replace("my-films.csv", "more-films.csv"),
        encoding="utf-8",
    )
    lines = ["id,title,year,director,cast,genres"]
    lines += [
        f'{i},Film Number {i},{1950 + i},Director {i % 7},"Tom Hanks, Actor {i}",Drama'
        for i in range(1, rows + 1)
    ]
    (folder / "more-films.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def before_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the project graph, my-films and the derived graph."""
    store = tmp_path_factory.mktemp("before") / "kg.db"
    import_into(store, FIXTURES, load_mapping(str(FIXTURES / "my-films.toml")))
    return store


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _more_films(tmp_path_factory.mktemp("more"))


@pytest.fixture(scope="module")
def after_digests(
    before_store: Path, second: Path, tmp_path_factory: pytest.TempPathFactory
) -> Digests:
    """The store after a clean import of the second source."""
    store = tmp_path_factory.mktemp("after") / "kg.db"
    shutil.copytree(before_store, store)
    import_into(store, second, load_mapping(str(second / "more-films.toml")))
    return digests(store)


@pytest.fixture
def store(before_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store" / "kg.db"
    shutil.copytree(before_store, copy)
    return copy


def _import_args(second: Path, store: Path) -> list[str]:
    return ["import", str(second), "-m", str(second / "more-films.toml"), "--into", str(store)]


def _says(err: str, text: str) -> None:
    """``err`` is one line, and it says ``text``."""
    assert len(err.strip().splitlines()) == 1, err
    assert text in err, err


def _left_beside(store: Path) -> list[str]:
    return sorted(p.name for p in store.parent.iterdir())


def test_digests_see_a_change_and_ignore_blank_node_ids(tmp_path: Path) -> None:
    a, b = ox.Store(str(tmp_path / "a")), ox.Store(str(tmp_path / "b"))
    g, p = ox.NamedNode("https://e.org/g"), ox.NamedNode("https://e.org/p")
    a.add(ox.Quad(ox.BlankNode("x1"), p, ox.Literal("1"), g))
    b.add(ox.Quad(ox.BlankNode("y2"), p, ox.Literal("1"), g))
    del a, b
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    c = ox.Store(str(tmp_path / "b"))
    c.add(ox.Quad(ox.BlankNode("y2"), p, ox.Literal("2"), g))
    del c
    assert digests(tmp_path / "a") != digests(tmp_path / "b")


def test_a_clean_import_adds_its_graph_and_changes_only_the_derived_one(
    before_store: Path, after_digests: Digests
) -> None:
    before = digests(before_store)
    more = "https://w3id.org/filmkg/graph/import/more-films"
    assert more not in before
    assert after_digests[more][0] > 0
    changed = {g for g in after_digests if before.get(g) != after_digests[g]}
    assert changed == {more, str(inference.INFERRED_GRAPH)}


# -- a failure at every stage ----------------------------------------------------------------
def _raise(exc: BaseException) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return fail


def _fail_on_call(original: Callable[..., Any], n: int, exc: BaseException) -> Callable[..., Any]:
    """``original``, except that its ``n``-th call raises ``exc`` (earlier calls run)."""
    calls = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == n:
            raise exc
        return original(*args, **kwargs)

    return wrapper


def _full_disk() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


def _after(original: Callable[..., Any], exc: BaseException) -> Callable[..., Any]:
    """``original`` runs to the end, then ``exc`` is raised (the stage after it fails)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise exc

    return wrapper


BUG = RuntimeError("injected fault")
STAGES: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "reading": lambda mp: mp.setattr(importing, "read_tables", _raise(BUG)),
    "mapping": lambda mp: mp.setattr(importing._Engine, "run", _raise(BUG)),
    "resolution": lambda mp: mp.setattr(resolution, "resolve", _raise(BUG)),
    "making quads": lambda mp: mp.setattr(importing, "_emit", _raise(BUG)),
    "clearing the old graphs": lambda mp: mp.setattr(
        KnowledgeGraph, "clear_graph", _fail_on_call(KnowledgeGraph.clear_graph, 2, BUG)
    ),
    # on disk, the import and the derived triples are written by the bulk loader
    "writing the import (disk full)": lambda mp: mp.setattr(
        KnowledgeGraph, "bulk_add", _fail_on_call(KnowledgeGraph.bulk_add, 1, _full_disk())
    ),
    "derivation, half-way (disk full)": lambda mp: mp.setattr(
        KnowledgeGraph,
        "bulk_load_file",
        _fail_on_call(KnowledgeGraph.bulk_load_file, 2, _full_disk()),
    ),
    "derivation": lambda mp: mp.setattr(inference, "infer", _after(inference.infer, BUG)),
    "interrupted (Ctrl-C) in resolution": lambda mp: mp.setattr(
        resolution, "resolve", _raise(KeyboardInterrupt())
    ),
    "moving the staged store into place": lambda mp: mp.setattr(
        Path, "rename", _fail_on_call(Path.rename, 1, _full_disk())
    ),
    "the swap": lambda mp: mp.setattr(
        "filmkg.io.fileio._exchange", _raise(OSError(errno.EIO, "Input/output error"))
    ),
    "the second rename of a two-step swap": lambda mp: (
        mp.setattr("filmkg.io.fileio._exchange", lambda a, b: False),
        mp.setattr(os, "replace", _fail_on_call(os.replace, 2, _full_disk())),
    ),
}
OUT = OutputError.exit_code
EXIT = {
    "interrupted (Ctrl-C) in resolution": 130,
    "writing the import (disk full)": OUT,
    "derivation, half-way (disk full)": OUT,
    "moving the staged store into place": OUT,
    "the swap": OUT,
    "the second rename of a two-step swap": OUT,
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_failure_at_any_stage_leaves_every_graph_as_it_was(
    stage: str,
    store: Path,
    second: Path,
    after_digests: Digests,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = digests(store)
    with monkeypatch.context() as mp:
        STAGES[stage](mp)
        code = main(_import_args(second, store))
    err = capsys.readouterr().err
    assert code == EXIT.get(stage, 5), err
    assert len(err.strip().splitlines()) == 1, err
    if code == OUT:
        assert ("input/output error" if stage == "the swap" else "no space left") in err, err
    assert digests(store) == before
    assert _left_beside(store) == ["kg.db"]  # no staging, no .old
    # and the store still takes the import
    assert main(_import_args(second, store)) == 0
    assert digests(store) == after_digests


def test_a_failure_in_a_new_store_leaves_no_store(
    tmp_path: Path, second: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inference, "infer", _after(inference.infer, BUG))
    new = tmp_path / "new.db"
    assert main(_import_args(second, new)) == 5
    assert _left_beside(new) == []


# -- dirty input (#16, first bullet) -----------------------------------------------------------
def _dirty(kind: str, folder: Path) -> list[str]:
    """Arguments of an import whose input is ``kind`` of dirty."""
    mapping = str(FIXTURES / "my-films.toml")
    good = (FIXTURES / "my-films.csv").read_bytes()
    folder.mkdir()
    if kind == "missing file":
        return [str(folder / "missing.csv"), "-m", mapping]
    if kind == "wrong path":
        return [str(folder), "-m", mapping]  # a folder without the mapping's my-films.csv
    if kind == "latin-1 file":
        (folder / "my-films.csv").write_bytes(good.replace(b"Cast Away", "Café".encode("latin-1")))
    elif kind == "ragged row":
        (folder / "my-films.csv").write_bytes(good + b"4,Big,1988,Penny Marshall\n")
    elif kind == "empty file":
        (folder / "my-films.csv").write_bytes(b"")
    return [str(folder), "-m", mapping]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing file", "missing.csv: no such file"),
        ("wrong path", "my-films.csv: no such file"),
        ("latin-1 file", "not UTF-8"),
        ("ragged row", "row 4 has 4 fields"),
        ("empty file", "empty"),
    ],
)
def test_dirty_input_leaves_the_store_intact(
    kind: str, message: str, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digests(store)
    # a re-import of my-films (the graph the store already holds) from a bad file
    assert main(["import", *_dirty(kind, tmp_path / "in"), "--into", str(store)]) == 2
    err = capsys.readouterr().err
    _says(err, message)
    assert digests(store) == before
    assert _left_beside(store) == ["kg.db"]


@needs_neo4j
def test_a_missing_cypher_file_keeps_the_neo4j_graphs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report of #16 word for word: the two graphs used to be deleted."""
    store = tmp_path / "kg.db"
    assert main(["import", str(NEO4J), "--mapping", "neo4j-movies", "--into", str(store)]) == 0
    before = digests(store)
    assert before["https://w3id.org/filmkg/graph/import/neo4j-movies"][0] == 3481
    assert before[str(inference.INFERRED_GRAPH)][0] > 0
    missing = str(tmp_path / "missing.cypher")
    assert main(["import", missing, "--mapping", "neo4j-movies", "--into", str(store)]) == 2
    assert "missing.cypher: no such file" in capsys.readouterr().err
    assert digests(store) == before


# -- store-level output faults -----------------------------------------------------------------
def test_a_store_path_under_a_file_is_one_line(
    tmp_path: Path, second: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "afile").write_text("not a folder\n")
    for target, message in (
        (tmp_path / "afile" / "S", "a part of the path is a file"),
        (tmp_path / "afile", "a file, not a store"),
    ):
        assert main(_import_args(second, target)) == OutputError.exit_code
        err = capsys.readouterr().err
        _says(err, message)
    assert (tmp_path / "afile").read_text() == "not a folder\n"
    assert _left_beside(tmp_path / "afile") == ["afile"]


def test_a_folder_that_is_not_a_store_is_not_replaced(
    tmp_path: Path, second: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("keep me\n")
    assert main(_import_args(second, folder)) == OutputError.exit_code
    assert "holds no filmkg store" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["todo.txt"]


def test_a_store_another_process_writes_is_one_line(
    store: Path, second: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digests(store)
    holder = ox.Store(str(store))  # this process holds the write lock
    try:
        assert main(_import_args(second, store)) == OutputError.exit_code
    finally:
        del holder
    assert "another process has it open" in capsys.readouterr().err
    assert digests(store) == before


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mount a small tmpfs (root only; skipped elsewhere); unmounted afterwards."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("a real small disk needs root (mount -t tmpfs)")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_full_disk_is_one_line_and_the_store_is_intact(
    before_store: Path,
    second: Path,
    small_disk: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    size = sum(p.stat().st_size for p in before_store.iterdir())
    disk = small_disk(f"size={size + 256 * 1024}")
    store = disk / "kg.db"
    shutil.copytree(before_store, store)
    before = digests(store)
    big = _more_films(disk.parent / "big", rows=3000)
    code = main(_import_args(big, store))
    err = capsys.readouterr().err
    assert code == OutputError.exit_code, err
    _says(err, "no space left on the disk")
    assert digests(store) == before
    assert _left_beside(store) == ["kg.db"]


def test_a_read_only_folder_is_one_line(
    before_store: Path,
    second: Path,
    tmp_path: Path,
    small_disk: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    if os.geteuid() == 0:  # root writes through permissions: a read-only mount then
        seed = small_disk("size=16m")
        shutil.copytree(before_store, seed / "kg.db")
        subprocess.run(["mount", "-o", "remount,ro", str(seed)], check=True)
        store = seed / "kg.db"
    else:
        store = tmp_path / "ro" / "kg.db"
        shutil.copytree(before_store, store)
        store.parent.chmod(0o555)
    before = digests(store)
    code = main(_import_args(second, store))
    err = capsys.readouterr().err
    assert code == OutputError.exit_code, err
    _says(err, "cannot write")
    assert digests(store) == before
    assert _left_beside(store) == ["kg.db"]


# -- what a killed run leaves ------------------------------------------------------------------
def test_staging_left_by_a_killed_run_is_removed_not_read(
    store: Path, second: Path, after_digests: Digests
) -> None:
    # a complete-looking store in a staging folder, as a run killed before its swap leaves it
    stale = store.parent / ".kg.db.k1ll3d00"
    shutil.copytree(store, stale)
    import_into(stale, second, load_mapping(str(second / "more-films.toml")))
    (store.parent / ".kg.db.old").mkdir()  # what a kill after a two-step swap leaves
    before = digests(store)
    assert len(KnowledgeGraph.open(store)) == sum(n for n, _ in before.values())
    assert main(_import_args(second, store)) == 0
    assert digests(store) == after_digests
    assert _left_beside(store) == ["kg.db"]


def test_a_live_runs_staging_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "kg.db"
    live = tmp_path / ".kg.db.l1ve0000"
    live.mkdir()
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert clean_stale_staging(target) == []
        assert live.is_dir()
    finally:
        os.close(fd)
    assert clean_stale_staging(target) == [live]


def test_a_kill_between_the_two_renames_is_undone(
    store: Path, second: Path, after_digests: Digests
) -> None:
    """Where folders cannot be exchanged, a kill may leave only ``.kg.db.old``."""
    before = digests(store)
    old = store.parent / ".kg.db.old"
    store.rename(old)
    kg = KnowledgeGraph.open(store)  # a reader finds the store back in its place
    assert len(kg) == sum(n for n, _ in before.values())
    del kg
    assert digests(store) == before
    assert not old.exists()
    store.rename(old)
    assert main(_import_args(second, store)) == 0  # and so does the next import
    assert digests(store) == after_digests
    assert _left_beside(store) == ["kg.db"]


def test_sigkill_at_random_moments_leaves_the_before_or_the_after_state(
    before_store: Path, second: Path, after_digests: Digests, tmp_path: Path
) -> None:
    """A real ``filmkg import --into`` killed at seeded random moments of its run."""
    before = digests(before_store)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    command = [sys.executable, "-m", "filmkg", *_import_args(second, tmp_path / "S" / "kg.db")]

    def run(store: Path, delay: float | None) -> float:
        argv = [*command[:-1], str(store)]
        started = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if delay is None:
            assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
        else:
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc.stderr:
            proc.stderr.close()
        return time.monotonic() - started

    clean = tmp_path / "clean" / "kg.db"
    shutil.copytree(before_store, clean)
    whole = run(clean, None)
    assert digests(clean) == after_digests
    rng = random.Random(16)
    outcomes = []
    tries = int(os.environ.get("FILMKG_KILLS", "14"))  # scripts/soak_import_kills.sh: more
    for i in range(tries):
        store = tmp_path / f"k{i}" / "kg.db"
        shutil.copytree(before_store, store)
        # one random moment in each of `tries` equal slices of the run: every phase is hit
        took = run(store, (i + rng.random()) / tries * 1.1 * whole)
        state = digests(store)
        assert state in (before, after_digests), f"kill {i}: a state that is neither"
        outcomes.append(("before" if state == before else "after", round(took / whole, 2)))
        # the next command works, and removes what the killed run left
        assert main(_import_args(second, store)) == 0
        assert digests(store) == after_digests
        assert _left_beside(store) == ["kg.db"]
    states = [o for o, _ in outcomes]
    print(  # seen with -s (the soak script)
        f"{tries} kills over a {whole:.2f} s run: {states.count('before')} left the store "
        f"as before, {states.count('after')} as after; (state, moment/run) {outcomes}"
    )
    assert "before" in {o for o, _ in outcomes}, outcomes
