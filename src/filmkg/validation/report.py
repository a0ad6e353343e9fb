"""SHACL validation with the project's shapes, reported in film terms.

Validation always uses our shapes (``ontology/shapes.ttl``) or shapes files the user
names explicitly — never the data graph as its own shapes graph, never ``owl:imports``
followed over the network. The data graph is the union of every named graph, the
ontology included (so ``sh:class`` sees the class hierarchy) and the derived shortcuts
included (so rules about them can be checked).

>>> from filmkg.build.project import load_project
>>> report = validate(load_project())
>>> report.conforms, len(report.violations)
(True, 0)
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyparsing import ParseException
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.term import Node

from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import ParameterError, QuerySyntaxError, UsageError
from filmkg.io import progress
from filmkg.io.loading import parse_file
from filmkg.rdf.convert import to_rdflib
from filmkg.rdf.namespaces import FILMKG, PREFIXES, SH, bind_prefixes
from filmkg.resources import shapes_file
from filmkg.sparql.builder import prologue
from filmkg.sparql.safety import check_shapes
from filmkg.validation import compiled as validation_scale
from filmkg.validation.compiled import TARGETS, node_shapes

__all__ = [
    "VALIDATION_ENGINES",
    "Finding",
    "ValidationReport",
    "load_shapes",
    "report_checks",
    "validate",
    "validate_sparql",
]

_SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True, order=True)
class Finding:
    """One validation result, with the words a person needs to fix it."""

    focus: str
    path: str
    constraint: str
    value: str
    severity: str
    message: str
    focus_label: str
    focus_kind: str
    shape: str

    @property
    def headline(self) -> str:
        """``Film Here: no director``."""
        return f"{self.focus_kind} {self.focus_label}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready dict with sorted keys."""
        return {k: getattr(self, k) for k in sorted(self.__dataclass_fields__)}


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: ``conforms`` and the findings, sorted.

    ``conforms`` is the SHACL verdict: true only when there is no result at all, of any
    severity (a warning makes it false, as the specification says). ``ok`` is what a
    build and the exit code go by: no violation (warnings and infos are reported, and
    pass unless the user asks otherwise, as ``filmkg validate --strict`` does).

    >>> warning = Finding("kg:film/c", "filmkg:director", "sh:MinCountConstraintComponent", "",
    ...                   "warning", "no director", "Film C", "Film", "fksh:FilmShape")
    >>> report = ValidationReport(False, (warning,))
    >>> report.conforms, report.ok
    (False, True)
    """

    conforms: bool
    results: tuple[Finding, ...] = ()
    graph: Graph = field(default_factory=Graph, compare=False, repr=False)
    #: what the reader should know about how it was checked (printed on stderr by the CLI)
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def ok(self) -> bool:
        """No violation: the graph may be written, whatever warnings it has."""
        return not self.violations

    @property
    def violations(self) -> tuple[Finding, ...]:
        """Findings of severity ``violation``."""
        return tuple(f for f in self.results if f.severity == "violation")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings of severity ``warning``."""
        return tuple(f for f in self.results if f.severity == "warning")

    def to_text(self) -> str:
        """A human report grouped by focus node, in film terms."""
        if not self.results:
            return "The graph conforms to the filmkg shapes: no findings.\n"
        lines: list[str] = []
        last = None
        for f in sorted(self.results, key=lambda f: (f.focus_kind, f.focus_label, f.focus, f)):
            if f.focus != last:
                lines.append(f"{f.focus_kind} {f.focus_label} <{f.focus}>")
                last = f.focus
            where = f" [{f.path}]" if f.path else ""
            value = f" (value: {f.value})" if f.value else ""
            lines.append(f"  {f.severity}: {f.message}{where}{value}")
        n_v, n_w = len(self.violations), len(self.warnings)
        verdict = "does not conform" if self.violations else "does not conform (warnings only)"
        lines.append(f"{verdict}: {n_v} violation(s), {n_w} warning(s)")
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        """The report as an HTML table in Jupyter: verdict, then one row per finding.

        >>> print(ValidationReport(True)._repr_html_())
        <div><p><b>conforms</b>: 0 violation(s), 0 warning(s)</p></div>
        """
        verdict = "conforms" if self.conforms else "does not conform"
        head = (
            f"<p><b>{verdict}</b>: {len(self.violations)} violation(s), "
            f"{len(self.warnings)} warning(s)</p>"
        )
        if not self.results:
            return f"<div>{head}</div>"
        cells = ("severity", "focus_kind", "focus_label", "message", "path", "value")
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(getattr(f, c))}</td>" for c in cells) + "</tr>"
            for f in sorted(self.results, key=lambda f: (f.focus_kind, f.focus_label, f.focus, f))
        )
        header = "".join(f"<th>{c.replace('_', ' ')}</th>" for c in cells)
        return (
            f"<div>{head}<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table></div>"
        )

    def to_json(self) -> str:
        """The report as JSON with sorted keys."""
        doc = {"conforms": self.conforms, "results": [f.as_dict() for f in self.results]}
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def to_turtle(self) -> str:
        """The W3C SHACL validation report graph, in Turtle."""
        return bind_prefixes(self.graph).serialize(format="turtle")


def load_shapes(paths: Sequence[Path] = ()) -> Graph:
    """The shapes graph: ours, or the user's files (parsed strictly, never fetched).

    Their SHACL-SPARQL may not use ``SERVICE`` or ``FROM`` (both validation engines run
    it: pyshacl on rdflib, the SPARQL engine on Oxigraph, and both execute them).
    """
    graph = Graph()
    for path in paths or (shapes_file(),):
        for quad in parse_file(path):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    check_shapes(graph)
    return bind_prefixes(graph)


#: Validation engines: ``auto`` (the default): the shapes compiled to SPARQL and run on
#: Oxigraph (:mod:`filmkg.validation.compiled`: the same findings as pySHACL, seconds where
#: pySHACL takes minutes), each shape the compiler cannot translate run by pySHACL on its
#: own (with a note); ``sparql``: compiled only (an untranslatable shape is an error);
#: ``pyshacl``: pySHACL for everything (the reference the differential tests compare with).
VALIDATION_ENGINES = ("auto", "sparql", "pyshacl")


def validate(
    kg: KnowledgeGraph, shapes: Sequence[Path] = (), *, engine: str = "auto"
) -> ValidationReport:
    """Validate the union of the graph's named graphs against the shapes.

    By default (``engine="auto"``) every shape the compiler translates runs as SPARQL on
    Oxigraph, and only the others (say, a user's ``sh:uniqueLang``) through pySHACL; the
    report's ``notes`` name them. A differential test proves every engine reports the same
    findings.
    """
    if engine not in VALIDATION_ENGINES:
        raise UsageError(
            f"unknown validation engine {engine!r}", hint=f"use {', '.join(VALIDATION_ENGINES)}"
        )
    shapes_graph = load_shapes(shapes)
    if engine == "pyshacl":
        return _validate_pyshacl(kg, shapes_graph)
    pristine = copy_graph(shapes_graph)  # the compiler adds helper nodes to its input
    compiled = validation_scale.compile_each(shapes_graph, validation_scale.subclasses_in(kg))
    if compiled.unsupported and engine == "sparql":
        shape, reason = next(iter(compiled.unsupported.items()))
        raise validation_scale.UnsupportedShapesError(f"{reason} (shape {shape})")
    fast = report_checks(kg, compiled.checks, pristine)
    if not compiled.unsupported:
        return fast
    rest = _validate_pyshacl(kg, _only_shapes(pristine, compiled.unsupported))
    notes = tuple(
        f"shape {_short(shape)} checked by pySHACL: the SPARQL compiler does not cover {reason}"
        for shape, reason in compiled.unsupported.items()
    )
    return _merged(fast, rest, notes)


def copy_graph(graph: Graph) -> Graph:
    """A copy of ``graph`` with the same prefixes."""
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        copy.add(triple)
    return copy


def _only_shapes(shapes: Graph, keep: Iterable[Node]) -> Graph:
    """``shapes`` with the targets of every node shape but ``keep`` removed (the others
    still serve as ``sh:node`` references; they just select no focus nodes)."""
    rest = copy_graph(shapes)
    kept = set(keep)
    for shape in node_shapes(shapes):
        if shape not in kept:
            for key in TARGETS:
                rest.remove((shape, key, None))
    return rest


def _merged(a: ValidationReport, b: ValidationReport, notes: tuple[str, ...]) -> ValidationReport:
    """One report of two runs over disjoint shapes: one sh:ValidationReport node."""
    graph = copy_graph(a.graph)
    root = next(graph.subjects(RDF.type, SH.ValidationReport))
    conforms = a.conforms and b.conforms
    graph.set((root, SH.conforms, Literal(conforms)))
    other = next(b.graph.subjects(RDF.type, SH.ValidationReport), None)
    for s, p, o in b.graph:
        if s == other and p in (RDF.type, SH.conforms):
            continue
        graph.add((root if s == other else s, p, o))
    results = tuple(sorted((*a.results, *b.results)))
    return ValidationReport(conforms, results, graph, notes)


def _validate_pyshacl(kg: KnowledgeGraph, shapes_graph: Graph) -> ValidationReport:
    """pySHACL over the union graph (the reference engine)."""
    # heavy: pySHACL takes about a second to import; only validation by pySHACL needs it
    from pyshacl import validate as shacl_validate

    with progress.task("validating with pySHACL", unit="statements") as step:
        data = kg.union_graph()
        step.advance(len(data))
        try:
            conforms, report_graph, _ = _pyshacl(shacl_validate, data, shapes_graph)
        except ParseException as exc:  # a SHACL-SPARQL query of the user's shapes
            raise _query_error(shapes_graph, exc) from None
    assert isinstance(report_graph, Graph)
    findings = sorted(_findings(report_graph, data, shapes_graph))
    return ValidationReport(bool(conforms), tuple(findings), report_graph)


def _query_error(shapes: Graph, exc: ParseException) -> QuerySyntaxError:
    """Bad input, not a bug: which shape's ``sh:select`` / ``sh:ask`` does not parse."""
    declared = {
        (str(shapes.value(d, SH.prefix)), str(shapes.value(d, SH.namespace)))
        for d in shapes.objects(None, SH.declare)
    }
    try:
        header = str(prologue(sorted(declared)))
    except ParameterError:
        header = ""
    for key in (SH.select, SH.ask):
        for node, text in sorted(shapes.subject_objects(key)):
            try:
                parseQuery(header + str(text))
            except ParseException as found:
                owner = next(iter(shapes.subjects(None, node)), node)
                return QuerySyntaxError(
                    f"not valid SPARQL: {found.msg}",
                    path=f"the {_prefixed(key)} of {owner.n3()} in the shapes",
                    line=found.lineno - header.count("\n"),
                    column=found.col,
                    hint="fix the query text in the shapes file",
                )
    return QuerySyntaxError(f"not valid SPARQL: {exc.msg}", path="a SHACL-SPARQL query")


def _prefixed(key: URIRef) -> str:
    return "sh:" + str(key).removeprefix(str(SH))


def _pyshacl(shacl_validate: Any, data: Graph, shapes_graph: Graph) -> Any:
    """pySHACL with the project's settings: no inference, no imports, no JS."""
    return shacl_validate(
        data,
        shacl_graph=shapes_graph,
        ont_graph=None,
        inference="none",
        abort_on_first=False,
        allow_infos=False,  # SHACL: any result, an info or a warning too, means
        allow_warnings=False,  # sh:conforms false (the exit code is ours: ValidationReport.ok)
        meta_shacl=False,
        advanced=False,
        js=False,
        do_owl_imports=False,
    )


def _findings(report: Graph, data: Graph, shapes: Graph) -> Iterable[Finding]:
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        message = report.value(result, SH.resultMessage)
        component = report.value(result, SH.sourceConstraintComponent)
        shape = report.value(result, SH.sourceShape)
        text = str(message) if message is not None else _short(component)
        if value is not None and "{?value}" in text:  # pragma: no cover - pyshacl fills it
            text = text.replace("{?value}", _short(value))
        yield Finding(
            focus=str(focus),
            path=_short(path),
            constraint=_short(component),
            value=_describe_value(value, data),
            severity=_SEVERITY.get(severity, str(severity)),  # type: ignore[call-overload]
            message=text,
            focus_label=_label(focus, data),
            focus_kind=_kind(focus, data),
            shape=_short(_owner(shape, shapes)),
        )


def _owner(shape: Node | None, shapes: Graph) -> Node | None:
    """The named node shape a (possibly blank) property shape belongs to."""
    if shape is None or isinstance(shape, URIRef):
        return shape
    owner = shapes.value(None, SH.property, shape)
    return owner if owner is not None else shape


def _short(node: Node | None) -> str:
    if node is None:
        return ""
    text = str(node)
    for prefix, iri in PREFIXES.items():
        if text.startswith(iri) and len(text) > len(iri):
            return f"{prefix}:{text[len(iri) :]}"
    return text if isinstance(node, Literal) else f"<{text}>" if isinstance(node, URIRef) else text


def _describe_value(value: Node | None, data: Graph) -> str:
    if value is None:
        return ""
    label = data.value(value, RDFS.label) if isinstance(value, URIRef) else None
    return f"{label} ({_short(value)})" if label is not None else _short(value)


def _label(node: Node | None, data: Graph) -> str:
    if node is None:
        return ""
    label = data.value(node, RDFS.label)
    if label is not None:
        return str(label)
    work = data.value(node, FILMKG.work)
    agent = data.value(node, FILMKG.agent)
    if work is not None and agent is not None:
        return f"{_label(agent, data)} on {_label(work, data)}"
    if work is not None:
        return f"of {_label(work, data)}"
    return _short(node)


def _kind(node: Node | None, data: Graph) -> str:
    """The label of the most specific filmkg class of ``node`` ("Film", "Credit")."""
    ours = [c for c in data.objects(node, RDF.type) if str(c).startswith(str(FILMKG))]
    specific = [
        c for c in ours if not any(o != c and (o, RDFS.subClassOf, c) in data for o in ours)
    ]
    for cls in sorted(specific, key=str):
        label = data.value(cls, RDFS.label)
        if label is not None:
            return str(label)[:1].upper() + str(label)[1:]
    return "Node"


def validate_sparql(
    kg: KnowledgeGraph,
    shapes: Sequence[Path] = (),
    *,
    lateral_rows: int = validation_scale.LATERAL_ROWS,
) -> ValidationReport:
    """Validate ``kg`` (the union of its graphs) with the shapes compiled to SPARQL.

    Returns a :class:`filmkg.validation.report.ValidationReport` equal to what
    :func:`filmkg.validation.report.validate` (pySHACL) returns for the same graph.
    ``lateral_rows``: see :data:`~filmkg.validation.compiled.LATERAL_ROWS` (the plans differ,
    never the findings).
    Shapes the compiler cannot translate raise
    :class:`~filmkg.validation.compiled.UnsupportedShapesError`.
    """
    shapes_graph = load_shapes(shapes)
    checks = validation_scale.compile_shapes(shapes_graph, validation_scale.subclasses_in(kg))
    return report_checks(kg, checks, shapes_graph, lateral_rows=lateral_rows)


def report_checks(
    kg: KnowledgeGraph,
    checks: Sequence[validation_scale.Check],
    shapes_graph: Graph,
    *,
    lateral_rows: int = validation_scale.LATERAL_ROWS,
) -> ValidationReport:
    """Run compiled ``checks`` on ``kg`` and report their findings in film terms."""
    raw = list(validation_scale.run_checks(kg, checks, lateral_rows=lateral_rows))
    report = validation_scale._report_graph(raw)
    context = validation_scale._context_graph(kg, raw)
    findings = sorted(_findings(report, context, shapes_graph))
    conforms = not raw  # SHACL: any result, of any severity, means sh:conforms false
    report.add((BNode("report"), SH.conforms, Literal(conforms)))
    return ValidationReport(conforms, tuple(findings), report)
