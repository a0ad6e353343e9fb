"""``filmkg build``: load, derive, validate, and write every artefact to ``dist/``.

Same input, byte-identical output. Nothing is written unless the graph conforms: the
old ``dist/`` stays as it was, and the report says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from filmkg.fileio import atomic_dir, atomic_write_text
from filmkg.store import KnowledgeGraph
from filmkg.validation import ValidationReport, validate

__all__ = ["BuildResult", "build", "write_artefacts"]


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    report: ValidationReport
    files: tuple[Path, ...]
    triples: int


def write_artefacts(kg: KnowledgeGraph, report: ValidationReport, out: Path) -> list[Path]:
    """Write every export (see :data:`filmkg.export.DIST_FILES`) and the validation report
    into the folder ``out``."""
    from filmkg.export import write_all

    files = write_all(kg, out)
    for name, text in (
        ("validation-report.ttl", report.to_turtle()),
        ("validation-report.json", report.to_json()),
        ("validation-report.txt", report.to_text()),
    ):
        atomic_write_text(out / name, text)
        files.append(out / name)
    return sorted(files)


def build(out: Path, extra: tuple[Path, ...] = ()) -> BuildResult:
    """Build the project graph into ``out``; ``out`` is replaced only if it conforms."""
    from filmkg.project import load_project

    kg = load_project(extra)
    report = validate(kg)
    if not report.conforms:
        return BuildResult(report, (), len(kg))
    with atomic_dir(out) as staging:
        written = write_artefacts(kg, report, staging)
    return BuildResult(report, tuple(out / p.relative_to(staging) for p in written), len(kg))
