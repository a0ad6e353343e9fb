"""A reconciliation killed (SIGKILL) or interrupted (Ctrl-C) half-way resumes: the rerun
asks only what it has no answer for, writes no duplicate, and ends with the same result."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from reconcile_servers import DATA, FIXTURE, Proxy

from filmkg import reconcile as rc
from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.engines.server import OxigraphServer
from filmkg.engines.store import KnowledgeGraph
from filmkg.sparql.results import QueryResult
from test_reconcile import EXACT, expected_matches, matches_in, read_quads

REPO = Path(__file__).resolve().parents[2]


def _answers(checkpoint: Path) -> int:
    """Whole answer lines in the checkpoint (after its header line)."""
    try:
        lines = checkpoint.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    whole = 0
    for line in lines[1:]:
        with contextlib.suppress(ValueError):
            whole += "digest" in json.loads(line)
    return whole


def _as_from_a_terminal() -> None:
    """Ctrl-C as a user at a terminal sends it: a test run started in the background (where
    the shell hands its children SIGINT ignored, and Python keeps it so) must not change
    what the command does with it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _filmkg(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "filmkg", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        preexec_fn=_as_from_a_terminal,
    )


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_a_run_stopped_half_way_resumes_without_duplicates(
    oxigraph_wikidata: OxigraphServer, tmp_path: Path, sig: signal.Signals
) -> None:
    out = tmp_path / "matches.nq"
    checkpoint = tmp_path / "matches.nq.checkpoint.json"
    with Proxy(oxigraph_wikidata.query_url, hold_after=3) as proxy:
        args = ("reconcile", "--endpoint", proxy.url, "-o", str(out), "--batch-size", "4")
        process = _filmkg(*args)
        try:
            assert proxy.held.wait(120), process.communicate(timeout=5)
            deadline = time.monotonic() + 30
            while _answers(checkpoint) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _answers(checkpoint) == 3  # three batches answered, the fourth hangs
            process.send_signal(sig)
            _, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if sig == signal.SIGKILL:
            assert process.returncode == -signal.SIGKILL
        else:
            assert process.returncode == 130
            assert err.decode().strip() == "filmkg: interrupted"
        # nothing half-written: no output, no review list; the checkpoint is whole
        assert sorted(p.name for p in tmp_path.iterdir()) == [checkpoint.name]
        assert _answers(checkpoint) == 3

        proxy.hold_after = None
        before = proxy.seen  # the held request was seen already
        proxy.release.set()
        rerun = _filmkg(*args)
        _, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err.decode()
        summary = err.decode()
        assert "3 answers reused from the checkpoint" in summary, summary
        sent = proxy.seen - before
        assert f"; {sent} requests" in summary  # only the batches left were asked
    quads = read_quads(out)
    assert matches_in(quads) == expected_matches()
    links = [q for q in quads if q.predicate.value == EXACT]
    assert len(links) == len(set(links)) == len(expected_matches())  # no duplicates
    review = tmp_path / "matches.review.tsv"
    assert review.read_text(encoding="utf-8") == (DATA / "expected-review.tsv").read_text(
        encoding="utf-8"
    )
    assert not checkpoint.exists()
    # and the same as an uninterrupted run, request for request
    assert sent + 3 == _total_requests(oxigraph_wikidata, tmp_path)


def _total_requests(server: OxigraphServer, tmp_path: Path) -> int:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    with Proxy(server.query_url) as proxy:
        run = _filmkg(
            "reconcile", "--endpoint", proxy.url, "-o", str(fresh / "m.nq"), "--batch-size", "4"
        )
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
        assert matches_in(list(ox.parse(path=str(fresh / "m.nq")))) == expected_matches()
        return proxy.seen


class _Counting:
    """The fixture in memory as a SELECT executor that counts its queries."""

    def __init__(self) -> None:
        self.kg = KnowledgeGraph()
        self.kg.load(FIXTURE, graph="http://www.wikidata.org/fixture")
        self.asked = 0

    def select(self, sparql: str) -> QueryResult:
        self.asked += 1
        return self.kg.select(sparql)


def test_a_line_cut_short_by_a_kill_is_asked_again_and_another_runs_checkpoint_is_not_used(
    tmp_path: Path,
) -> None:
    inputs = rc.read_inputs(load_project())
    path = tmp_path / "m.nq.checkpoint.json"
    first = _Counting()
    rc.reconcile(inputs, first, endpoint_name="e", checkpoint=rc.Checkpoint.open(path, "e"))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == first.asked + 1  # a header, then one line per answer
    path.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")
    again = _Counting()
    checkpoint = rc.Checkpoint.open(path, "e")
    assert checkpoint.resumed == first.asked - 1
    run = rc.reconcile(inputs, again, endpoint_name="e", checkpoint=checkpoint)
    assert again.asked == 1  # only the answer cut short
    assert len(run.matches) == 15
    assert path.read_text(encoding="utf-8").splitlines(keepends=True) == lines  # whole again
    other = _Counting()
    rc.reconcile(inputs, other, endpoint_name="f", checkpoint=rc.Checkpoint.open(path, "f"))
    assert other.asked == first.asked  # another endpoint's answers are not reused


def test_a_damaged_checkpoint_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.ttl"
    checkpoint = tmp_path / "m.ttl.checkpoint.json"
    key = "http://127.0.0.1:1/sparql"
    checkpoint.write_text(
        json.dumps({"version": 2, "key": key}) + "\n{not json}\n" + '{"digest": "x"}\n',
        encoding="utf-8",
    )
    assert main(["reconcile", "--endpoint", key, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "damaged reconciliation checkpoint" in err
    assert "delete it" in err
