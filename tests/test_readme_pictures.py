"""The pictures in the README and docs are what ``scripts/readme_pictures.py`` draws from
the real graph: the same elements (ids) and the same texts (names, years, legend)."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "readme_pictures.py"
SVG = "{http://www.w3.org/2000/svg}"


def _script():
    spec = importlib.util.spec_from_file_location("readme_pictures", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _structure(svg: bytes) -> tuple[list[str], list[str]]:
    root = ET.fromstring(svg)
    ids = sorted(
        e.get("id", "") for e in root.iter() if e.get("id") and not e.tag.endswith("clipPath")
    )
    texts = sorted(" ".join((t.text or "").split()) for t in root.iter(SVG + "text"))
    return [i for i in ids if not i.startswith(("p", "m", "c"))], texts


@pytest.mark.parametrize("name", ["here-people.svg", "here-overview.svg", "here-releases.svg"])
def test_committed_picture_is_what_the_script_draws(project_kg, name: str) -> None:
    committed = ROOT / "docs" / "images" / name
    assert committed.is_file(), f"run: PYTHONPATH=src python {SCRIPT.relative_to(ROOT)}"
    drawn = _script().pictures()[name](project_kg)
    assert _structure(drawn) == _structure(committed.read_bytes()), (
        f"{committed.relative_to(ROOT)} is stale: run PYTHONPATH=src python scripts/readme_pictures.py"
    )


def test_readme_shows_the_pictures() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("here-people.svg", "here-releases.svg"):
        assert f"](docs/images/{name})" in readme
