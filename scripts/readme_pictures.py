"""Draw the pictures of the README and docs/network.md from the real graph.

    PYTHONPATH=src python scripts/readme_pictures.py

Writes ``docs/images/here-people.svg`` (who worked with whom: communities, the *Forrest
Gump* reunion in red), ``here-overview.svg`` (people, works and companies) and
``here-releases.svg`` (the release history of *Here*), each with ``filmkg``'s own
renderer. ``tests/test_readme_pictures.py`` checks that the committed files are what this
script draws (the same elements and texts), so the pictures stay true to the graph.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from filmkg.build.project import load_project  # noqa: E402
from filmkg.engines.store import KnowledgeGraph  # noqa: E402
from filmkg.network.drawing import ViewOptions, picture  # noqa: E402
from filmkg.network.timeline import release_timeline  # noqa: E402

OUT = ROOT / "docs" / "images"


def pictures() -> dict[str, Callable[[KnowledgeGraph], bytes]]:
    """File name → how to draw it from the project graph."""
    return {
        "here-people.svg": lambda kg: picture(
            kg, ViewOptions(view="people"), title="Who worked with whom on Here (2024)"
        ).svg(),
        "here-overview.svg": lambda kg: picture(
            kg, title="People, works and companies of Here (2024) and Forrest Gump (1994)"
        ).svg(),
        "here-releases.svg": lambda kg: release_timeline(kg, "Here").svg(),
    }


def draw_all(out: Path = OUT) -> list[Path]:
    """Draw every picture into ``out``; the paths written."""
    kg = load_project()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in pictures().items():
        path = out / name
        path.write_bytes(draw(kg))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in draw_all():
        print(f"wrote {path.relative_to(ROOT)}")
