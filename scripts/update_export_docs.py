"""Regenerate the framed JSON-LD excerpt in docs/exports.md from the real export.

    PYTHONPATH=src python scripts/update_export_docs.py

tests/export/test_export.py checks that the excerpt in the documentation still matches.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "exports.md"
BLOCK = re.compile(
    r"(<!-- framed-excerpt:start -->\n```json\n)(.*?)(```\n<!-- framed-excerpt:end -->)", re.S
)


def framed_excerpt(framed: dict[str, Any]) -> str:
    """*Here* from the framed view: a few keys, the director's credit, a release, a right.

    Every object is shown whole, only lists are shortened, so the excerpt is valid JSON-LD
    (given the context) with the same meaning as that part of the real output.
    """
    here = next(node for node in framed["@graph"] if node["id"] == "kg:film/here-2024")
    keys = ("id", "type", "label", "basedOn", "director", "cast", "credits", "releases", "rights")
    excerpt = {key: here[key] for key in keys}
    excerpt["credits"] = [c for c in here["credits"] if c["role"] == "creditrole:director"]
    excerpt["releases"] = [r for r in here["releases"] if r["id"].endswith("/limited-2024-11-22")]
    excerpt["rights"] = [r for r in here["rights"] if r["rightsHolder"]["label"] == "Miramax"]
    return json.dumps(excerpt, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    from filmkg.build.project import load_project
    from filmkg.export.formats import write_export

    buffer = io.BytesIO()
    write_export(load_project(), "jsonld", buffer, frame="film")
    excerpt = framed_excerpt(json.loads(buffer.getvalue()))
    text = DOC.read_text(encoding="utf-8")
    new, count = BLOCK.subn(lambda m: m.group(1) + excerpt + m.group(3), text)
    if count != 1:
        raise SystemExit(f"{DOC}: expected one framed-excerpt block, found {count}")
    DOC.write_text(new, encoding="utf-8")
    print(f"updated {DOC}")


if __name__ == "__main__":
    main()
