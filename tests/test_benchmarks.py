"""The benchmark script runs end to end at the smallest size (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``benchmarks/NAME`` with its work and results folders under ``tmp_path``."""
    work = ["--work", str(tmp_path / "work"), "--results", str(tmp_path / "results")]
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / name), *args, *work],
        capture_output=True,
        text=True,
        timeout=280,
    )


@pytest.mark.slow
def test_benchmark_script_runs_at_the_smallest_size(tmp_path: Path) -> None:
    done = _script(
        tmp_path, "run.py", "--sizes", "2k", "--quick", "--plot", str(tmp_path / "plot.png")
    )
    assert done.returncode == 0, done.stderr
    (result_file,) = (tmp_path / "results").glob("*.json")
    results = json.loads(result_file.read_text())
    assert results["machine"]["nproc"] >= 1
    rows = results["rows"]
    ops = {r["op"] for r in rows}
    assert {"load", "build", "projection", "export:ttl"} <= ops
    assert {r["impl"] for r in rows} == {"filmkg", "oxigraph", "rdflib"}
    assert not [r for r in rows if r["status"] == "error"], [
        (r["op"], r["impl"], r["note"]) for r in rows if r["status"] == "error"
    ]
    loads = [r for r in rows if r["op"] == "load"]
    assert all(r["status"] == "ok" and r["peak_mb"] > 0 for r in loads)
    assert len({r["detail"] for r in loads}) == 1  # the same triples, whatever the engine
    assert (tmp_path / "plot.png").stat().st_size > 0
    table = next((tmp_path / "results").glob("*.md")).read_text()
    assert "| size | operation |" in table


@pytest.mark.slow
def test_end_to_end_script_runs_every_step(tmp_path: Path) -> None:
    done = _script(tmp_path, "end_to_end.py", "--films", "12")
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "results" / "end-to-end-12.json").read_text())
    steps = [r["step"] for r in result["rows"]]
    from filmkg.sparql import catalogue as queries

    named = {s.split()[1] for s in steps if s.startswith("query ")}
    assert named == set(queries.catalogue())
    assert "query coworkers (all pairs)" in steps
    assert steps[1].startswith("build --store")
    assert steps[-1].startswith("export --store")
    assert all(r["rc"] == 0 and r["peak_mb"] > 0 for r in result["rows"])
    assert result["failed"] == []
    assert result["triples"] > 1000
    assert not (tmp_path / "work" / "e2e-12").exists()  # cleaned up


@pytest.mark.slow
def test_extract_benchmark_runs_on_a_few_leads(tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    done = _script(tmp_path, "extract.py", "--leads", "40")
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "results" / "extract.json").read_text())
    main = results["seed"]["cold"]["credits + adaptation + releases + distribution (stated)"]
    assert main["precision"] >= 0.9
    assert main["recall"] >= 0.8
    if results["wikipedia"] is not None:
        assert results["wikipedia"]["leads"] == 40
        assert results["wikipedia"]["leads_per_second"] > 0
        assert results["wikipedia"]["sample sizes"] == {"dev": 60, "held-out": 63}
