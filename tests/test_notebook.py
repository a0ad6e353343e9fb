"""The tutorial notebook runs from top to bottom in a real kernel (nbclient + ipykernel)
and shows a table, a network and a timeline inline — so it cannot rot."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs the test extra (nbformat)")
nbclient = pytest.importorskip("nbclient", reason="needs the test extra (nbclient, ipykernel)")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "tutorial.ipynb"


@pytest.mark.slow
def test_tutorial_notebook_runs_and_shows_table_network_timeline(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code"), (
        "commit the notebook without outputs; the test runs it"
    )
    client = nbclient.NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    rich = [o.data for o in outputs if o.output_type == "execute_result"]
    html = [d["text/html"] for d in rich if "text/html" in d]
    svg = [d["image/svg+xml"] for d in rich if "image/svg+xml" in d]
    # the validation report and the query result are tables
    assert any(h.startswith("<div><p><b>conforms</b>") for h in html)
    assert any("<th>gap_years</th>" in h for h in html)
    # the people view: the reunion edges are in the inline SVG
    assert any('id="reunion-' in s and "Forrest Gump (1994) + Here (2024)" in s for s in svg)
    # the release timeline, inline as HTML with its SVG and sources
    assert any("Release history of Here" in h and "plan changed 2024-06-22" in h for h in html)
    assert any("Career of Robert Zemeckis" in h for h in html)
