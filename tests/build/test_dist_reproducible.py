"""``filmkg build`` is reproducible: two builds from fresh processes write byte-identical
dist/ files (same names, same sha256). This is the property a refactoring relies on:
``scripts/dist_checksums.py --against main`` then compares this checkout's dist/ with the
build of another revision, file by file."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "dist_checksums", ROOT / "scripts" / "dist_checksums.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_builds_write_byte_identical_dist(tmp_path: Path) -> None:
    script = _script()
    first = script.build_checksums(ROOT, tmp_path / "one")
    second = script.build_checksums(ROOT, tmp_path / "two")
    assert script.differences(first, second) == []
    # every kind of artefact is covered: exports, the report, the network views
    for name in ("filmkg.ttl", "filmkg.jsonld", "validation-report.json", "network.html"):
        assert name in first


def test_differences_name_each_changed_missing_and_new_file() -> None:
    script = _script()
    before = {"a.ttl": "1", "b.nt": "2", "c.nq": "3"}
    after = {"a.ttl": "1", "b.nt": "9", "d.trig": "4"}
    assert script.differences(before, after) == ["differs: b.nt", "missing: c.nq", "new: d.trig"]
