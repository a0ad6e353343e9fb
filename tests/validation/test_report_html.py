"""The validation report renders as an escaped HTML table (Jupyter's ``_repr_html_``)."""

from __future__ import annotations

from filmkg.validation.report import Finding, ValidationReport

XSS = "<img src=x onerror=alert(1)>"


def test_report_html_lists_findings_escaped() -> None:
    finding = Finding(
        focus="f/1",
        path="filmkg:director",
        constraint="sh:minCount",
        value=XSS,
        severity="violation",
        message="a film needs a director",
        focus_label=XSS,
        focus_kind="Film",
        shape="s",
    )
    page = ValidationReport(False, (finding,))._repr_html_()
    assert page.startswith("<div><p><b>does not conform</b>: 1 violation(s), 0 warning(s)</p>")
    assert XSS not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 2
    assert "<td>a film needs a director</td>" in page


def test_conforming_project_report_html(project_kg) -> None:
    from filmkg.validation.report import validate

    page = validate(project_kg)._repr_html_()
    assert page.startswith("<div><p><b>conforms</b>")
