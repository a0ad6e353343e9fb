"""``filmkg build``: load, derive, validate, and write every artefact to ``dist/``.

The build derives the binary shortcuts (``ontology/rules``) and the collaboration
relations (``filmkg:Collaboration`` / ``filmkg:DerivedReunion`` in ``graph:network``,
each linked to the credits it comes from), validates everything with the shapes, then
writes every export format, the collaboration network (HTML, SVG, GraphML) and the
validation report.

Same input, byte-identical output. Nothing is written unless the graph conforms: the
old ``dist/`` stays as it was, and the report says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from filmkg.build.project import load_project
from filmkg.build.stats import StatementCount, count_statements
from filmkg.engines.store import KnowledgeGraph
from filmkg.export.formats import write_all
from filmkg.io.fileio import atomic_dir, atomic_write_text
from filmkg.network import analytics
from filmkg.network.drawing import write_network_artefacts
from filmkg.network.projection import add_derived_relations
from filmkg.validation.report import ValidationReport, validate

__all__ = ["BuildResult", "build", "build_store", "write_artefacts"]


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    report: ValidationReport
    files: tuple[Path, ...]
    triples: int
    #: what the reader should know (collaborations left out, shapes run by pySHACL)
    notes: tuple[str, ...] = ()
    #: the statements of the graph built, graph by graph
    counts: StatementCount = field(default_factory=StatementCount)


def write_artefacts(kg: KnowledgeGraph, report: ValidationReport, out: Path) -> list[Path]:
    """Write every export (see :data:`filmkg.export.formats.DIST_FILES`), the network views and the
    validation report into the folder ``out``."""
    files = write_all(kg, out)
    files += write_network_artefacts(kg, out)
    for name, text in (
        ("validation-report.ttl", report.to_turtle()),
        ("validation-report.json", report.to_json()),
        ("validation-report.txt", report.to_text()),
    ):
        atomic_write_text(out / name, text)
        files.append(out / name)
    return sorted(files)


def build(
    out: Path,
    extra: tuple[Path, ...] = (),
    *,
    collaborations: bool | None = None,
    views: tuple[str, ...] = (),
) -> BuildResult:
    """Build the project graph into ``out``; ``out`` is replaced only if it conforms.

    ``collaborations``: write the derived ``filmkg:Collaboration`` nodes (``None``: when
    they at most double the graph, see :data:`filmkg.network.projection.COLLABORATION_SHARE`).
    ``views``: opt-in derived views (:func:`filmkg.build.inference.rule_files`).
    """
    kg = load_project(extra, views=views)
    derived = add_derived_relations(kg, collaborations=collaborations)
    report = validate(kg)
    notes = report.notes
    if not derived.with_collaborations:
        notes += (
            f"{derived.collaborations:,} derived collaborations left out of the exports "
            "(more triples than the graph itself); `filmkg network derive` writes them, "
            "`build --collaborations` keeps them",
        )
    if not report.ok:
        return BuildResult(report, (), len(kg), notes, count_statements(kg))
    with atomic_dir(out) as staging:
        written = write_artefacts(kg, report, staging)
    files = tuple(out / p.relative_to(staging) for p in written)
    return BuildResult(report, files, len(kg), notes, count_statements(kg))


class _NotConformingError(Exception):
    """Internal: abort the atomic store folder when the graph does not conform."""


def build_store(
    store: Path,
    extra: tuple[Path, ...] = (),
    *,
    include_data: bool = True,
    views: tuple[str, ...] = (),
) -> BuildResult:
    """Build an on-disk Oxigraph store at ``store`` for big graphs (``build --store``).

    Files are bulk-loaded (streamed: ten million triples within ~2 GB), the shortcuts
    derived, and the graph validated (:func:`filmkg.validation.report.validate`: the shapes
    compiled to SPARQL, the same findings as pySHACL). ``store`` is replaced only if the
    graph conforms; then ``query``, ``validate``, ``network`` and ``export`` can open it read-only
    (:meth:`KnowledgeGraph.open`).
    """
    result: BuildResult | None = None
    try:
        with atomic_dir(store) as staging:
            kg = load_project(
                extra, include_data=include_data, store_path=staging / "db", views=views
            )
            report = validate(kg)
            result = BuildResult(report, (), len(kg), report.notes, count_statements(kg))
            kg.compact()
            del kg
            if not report.ok:
                raise _NotConformingError
            for item in (staging / "db").iterdir():
                item.rename(staging / item.name)
            (staging / "db").rmdir()
            # the columns of the whole-graph analytics, kept in the store's folder: the
            # first `query coworkers|reunions|connected_within` does not pay the pass
            analytics.prepare(KnowledgeGraph.open(staging))
    except _NotConformingError:
        pass
    assert result is not None
    files = (store,) if result.report.ok else ()
    return BuildResult(result.report, files, result.triples, result.notes, result.counts)
