"""Record the golden answers of the named queries (tests/golden/<name>.json).

    PYTHONPATH=src python scripts/update_goldens.py [NAME ...]

Runs each query with each of its ``#+ example:`` parameter sets (or none) on the project
graph with the default engine and writes the rows as plain values (IRIs as prefixed
names). Review every change against the sources before committing: a golden answer is a
claim about the article, not a recording of whatever the query returns.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from filmkg.build.project import load_project
from filmkg.sparql import catalogue as queries
from filmkg.sparql.results import plain_rows

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def render(cases: list[dict[str, object]]) -> str:
    """JSON with one line per row, so a reviewer reads (and diffs) row by row."""
    parts = []
    for case in cases:
        rows = case["rows"]
        assert isinstance(rows, list)
        body = ",\n".join(f"    {_dump(row)}" for row in rows)
        rows_text = f"[\n{body}\n   ]" if rows else "[]"
        parts.append(
            "  {\n"
            f'   "params": {_dump(case["params"])},\n'
            f'   "variables": {_dump(case["variables"])},\n'
            f'   "rows": {rows_text}\n'
            "  }"
        )
    return "[\n" + ",\n".join(parts) + "\n]\n"


def main(names: list[str]) -> None:
    kg = load_project()
    for name, nq in queries.catalogue().items():
        if names and name not in names:
            continue
        cases = []
        for params in nq.examples or ({},):
            result = queries.run(kg, nq, params)
            cases.append(
                {"params": params, "variables": list(result.variables), "rows": plain_rows(result)}
            )
        path = GOLDEN / f"{name}.json"
        text = render(cases)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(GOLDEN.parent.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])
