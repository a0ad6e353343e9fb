"""SHACL validation at scale: our shapes compiled to SPARQL and run on Oxigraph.

pySHACL walks the graph in Python, focus node by focus node; on ten million triples that
takes hours. Here every constraint of the shapes graph becomes one SPARQL query over the
whole store, answered by Oxigraph (on disk or in memory), and only the offending rows come
back to Python. The report is the same :class:`~filmkg.validation.report.ValidationReport`, built
from the same fields as pySHACL's (focus node, path, value, severity, message, constraint
component, source shape) — a differential test
(``tests/validation/test_validation_scale.py``) proves the findings are identical to
pySHACL's on synthetic graphs with injected defects.

Supported: targets ``sh:targetClass`` (with ``rdfs:subClassOf*``), ``sh:targetSubjectsOf``,
``sh:targetObjectsOf``, ``sh:targetNode``; property shapes whose ``sh:path`` is an IRI;
``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:datatype`` (with pySHACL's reading of
ill-typed literals, checked by rdflib itself), ``sh:nodeKind``, ``sh:in``, ``sh:hasValue``,
``sh:minLength``, ``sh:maxLength``, ``sh:pattern``, ``sh:minInclusive``/…``Exclusive``,
``sh:or`` / ``sh:not`` / ``sh:xone`` of such shapes, and SHACL-SPARQL ``sh:sparql``
SELECT constraints. A shapes graph using anything else raises
:class:`UnsupportedShapesError` (``validate(..., engine="auto")`` then falls back to
pySHACL), so the fast path never silently checks less.

>>> from filmkg.build.project import load_project
>>> from filmkg.validation.report import validate_sparql
>>> validate_sparql(load_project()).conforms
True
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from filmkg.engines.store import KnowledgeGraph
from filmkg.errors import ParameterError, UnsupportedShapesError
from filmkg.io import progress
from filmkg.rdf.convert import to_oxigraph, to_rdflib
from filmkg.rdf.namespaces import FILMKG, SH
from filmkg.sparql import builder
from filmkg.sparql.builder import Sparql, integer, join, var, verbatim
from filmkg.sparql.tokenizer import pattern_tokens, scan

__all__ = [
    "CompiledShapes",
    "UnsupportedShapesError",
    "compile_each",
    "compile_shapes",
]

#: The SPARQL of every check: templates of ``compiled.rq``, filled by the query builder.
_Q = builder.templates("filmkg.validation", "compiled.rq")


# -- what pySHACL accepts for sh:datatype ------------------------------------------------

# Lexical forms that are certainly well-typed for rdflib (and so for pySHACL): values that
# match are settled in SPARQL; the others come back to Python and rdflib decides.
_SURELY_VALID: dict[URIRef, str] = {
    XSD.date: r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
    XSD.gYear: r"^[1-9][0-9]{3}$",
    XSD.gYearMonth: r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$",
    XSD.boolean: r"^(true|false)$",
    XSD.integer: r"^-?[1-9][0-9]{0,14}$|^0$",
}
_NO_LEXICAL_CHECK = {XSD.string, RDF.langString}


def datatype_ok(value: Node, datatype: Node) -> bool:
    """pySHACL's ``sh:datatype`` test for one value node (rdflib decides ill-typed forms).

    >>> datatype_ok(Literal("2024-02-30", datatype=XSD.date), XSD.date)
    False
    >>> datatype_ok(Literal("Here"), XSD.string), datatype_ok(URIRef("https://e.org/x"), XSD.string)
    (True, False)
    """
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        if getattr(value, "ill_typed", None) is True:
            return False
        return _python_type_ok(value, datatype)
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype and value.datatype is not None:
        return True
    if value.datatype is None and value.language is None and datatype == XSD.string:
        return True
    return datatype == RDF.langString and bool(value.language)


def _python_type_ok(value: Literal, datatype: Node) -> bool:
    v = value.value
    checks: dict[Node, Callable[[object], bool]] = {
        XSD.string: lambda x: isinstance(x, str | bytes),
        RDF.langString: lambda x: isinstance(x, str | bytes),
        XSD.integer: lambda x: isinstance(x, int),
        XSD.float: lambda x: isinstance(x, float),
        XSD.decimal: lambda x: isinstance(x, Decimal),
        XSD.boolean: lambda x: isinstance(x, bool),
        XSD.date: lambda x: isinstance(x, datetime.date),
        XSD.time: lambda x: isinstance(x, datetime.time),
        XSD.dateTime: lambda x: isinstance(x, datetime.datetime),
    }
    check = checks.get(datatype)
    return True if check is None else check(v)


# -- compiled checks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One constraint as one SPARQL query (rows: ``?this``, maybe ``?value``, ``?path``).

    ``refine`` (optional) decides in Python, per row, whether it is really a violation.
    ``gate`` (optional) is a cheap ``ASK`` that is false when the check can have no rows
    (most checks on a conforming graph): then ``query`` is not run at all. ``size`` (optional)
    counts the rows the check starts from: none, and the check is skipped; a few (at most
    :data:`LATERAL_ROWS`), and ``small_query`` (same rows, a per-row plan) runs instead.
    """

    shape: Node  # the shape that reports (property shape or node shape)
    component: URIRef
    path: Node | None
    severity: URIRef
    messages: tuple[Literal, ...]
    query: str
    value_is_focus: bool = False
    refine: Callable[[Node, Node | None], bool] | None = None
    gate: str | None = None
    size: str | None = None
    small_query: str | None = None


@functools.lru_cache(maxsize=4096)
def _n3(term: Node) -> Sparql:
    """A term of the shapes as SPARQL (the strict serialiser; others are unsupported).

    Cached: shapes name the same few paths, classes and datatypes many times (rdflib terms
    are equal only when the same term, lexical form and datatype included).
    """
    try:
        return builder.term(term)
    except ParameterError:
        raise UnsupportedShapesError(f"unsupported term in shapes: {term!r}") from None


def _target(shapes: Graph, shape: Node) -> Sparql:
    parts: list[Sparql] = []
    for cls in shapes.objects(shape, SH.targetClass):
        parts.append(_Q["target_class"](**{"class": _n3(cls)}))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        parts.append(_Q["target_subjects_of"](property=_n3(prop)))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        parts.append(_Q["target_objects_of"](property=_n3(prop)))
    nodes = list(shapes.objects(shape, SH.targetNode))
    if nodes:
        parts.append(_Q["target_nodes"](nodes=join((_n3(n) for n in nodes), " ")))
    if (shape, RDF.type, RDFS.Class) in shapes or (
        shape,
        RDF.type,
        URIRef("http://www.w3.org/2002/07/owl#Class"),
    ) in shapes:
        raise UnsupportedShapesError(f"implicit class target on {shape}")
    if not parts:
        return Sparql.EMPTY
    return _Q["targets"](union=join(parts, " UNION "))


_KNOWN_SHAPE_KEYS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.property,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.hasValue,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH["or"],
    SH["not"],
    SH.xone,
    SH.sparql,
    SH.order,
    SH.group,
}


_NODE_KINDS = {
    SH.IRI: "kind_IRI",
    SH.BlankNode: "kind_BlankNode",
    SH.Literal: "kind_Literal",
    SH.BlankNodeOrIRI: "kind_BlankNodeOrIRI",
    SH.BlankNodeOrLiteral: "kind_BlankNodeOrLiteral",
    SH.IRIOrLiteral: "kind_IRIOrLiteral",
}


def _condition(shapes: Graph, member: Node, v: Sparql) -> tuple[Sparql, bool]:
    """A SPARQL boolean expression: does the node ``v`` conform to the simple shape
    ``member``? The flag says the expression is exact (False: only "surely conforms")."""
    exact = True
    terms: list[Sparql] = []
    for p, o in shapes.predicate_objects(member):
        if p == SH.datatype:
            test, surely = _datatype_condition(o, v)
            terms.append(test)
            exact = exact and surely
        elif p == SH["class"]:
            terms.append(_Q["class_exists"](**{"v": v, "class": _n3(o)}))
        elif p == SH.nodeKind:
            if o not in _NODE_KINDS:
                raise UnsupportedShapesError(f"sh:nodeKind {o}")
            terms.append(_Q[_NODE_KINDS[o]](v=v))  # type: ignore[index]
        elif p == SH.minCount and (member, SH.path, None) in shapes:
            terms.append(_has_path_value(shapes, member, o, v))
        elif p not in (SH.path, RDF.type, SH.name, SH.message):
            raise UnsupportedShapesError(f"{p} inside a logical constraint")
    if not terms:
        return _Q["true"](), True
    return _Q["all"](conjuncts=join(terms, " && ")), exact


def _datatype_condition(datatype: Node, v: Sparql) -> tuple[Sparql, bool]:
    """``v`` has ``datatype`` (exact), or surely has it (False: rdflib decides the rest)."""
    if datatype == XSD.string:
        return _Q["is_plain_string"](v=v), True
    if datatype in _NO_LEXICAL_CHECK:
        return _Q["is_lang_string"](v=v), True
    pattern = _SURELY_VALID.get(datatype)  # type: ignore[call-overload]
    if pattern is None:
        return _Q["false"](), False
    test = _Q["is_surely_valid"](v=v, datatype=_n3(datatype), pattern=_n3(Literal(pattern)))
    return test, False


def _has_path_value(shapes: Graph, member: Node, count: Node, v: Sparql) -> Sparql:
    """``sh:minCount 1`` of a member shape: ``v`` has a value of its path."""
    path = shapes.value(member, SH.path)
    if not isinstance(path, URIRef):
        raise UnsupportedShapesError(f"non-IRI path {path}")
    if int(count) != 1:  # type: ignore[call-overload]
        raise UnsupportedShapesError("sh:minCount > 1 inside a logical constraint")
    return _Q["has_path_value"](v=v, path=_n3(path), any=var(f"any_{id(member)}"))


def _python_conforms(shapes: Graph, member: Node) -> Callable[[Node], bool]:
    """An exact Python test of a simple (datatype-only) member shape."""
    datatypes = list(shapes.objects(member, SH.datatype))
    others = [p for p in shapes.predicates(member) if p not in (SH.datatype, RDF.type)]
    if len(datatypes) != 1 or others:
        raise UnsupportedShapesError("a datatype test combined with other constraints")
    dt = datatypes[0]
    return lambda v: datatype_ok(v, dt)


#: A function giving the classes ``C`` of the data with ``C rdfs:subClassOf* cls``.
Subclasses = Callable[[URIRef], Sequence[Node]]


def compile_shapes(shapes: Graph, subclasses: Subclasses | None = None) -> list[Check]:
    """Every constraint of every targeted shape, as SPARQL checks (all or nothing).

    ``subclasses`` (optional; :func:`~filmkg.validation.report.validate_sparql` reads them
    from the data) lets a ``sh:class`` test join the type index with the subclass closure
    as ``VALUES`` instead of evaluating the property path ``rdf:type/rdfs:subClassOf*``
    per value. A shape the compiler cannot translate raises :class:`UnsupportedShapesError`
    (:func:`compile_each` sets such shapes aside instead).
    """
    compiled = compile_each(shapes, subclasses)
    for shape, reason in compiled.unsupported.items():
        raise UnsupportedShapesError(f"{reason} (shape {shape})")
    return compiled.checks


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def node_shapes(shapes: Graph) -> list[Node]:
    """The node shapes: typed ``sh:NodeShape``, or untyped subjects of a target without a
    ``sh:path`` (SHACL counts them as shapes too), sorted."""
    found = set(shapes.subjects(RDF.type, SH.NodeShape))
    for key in TARGETS:
        found |= {s for s in shapes.subjects(key, None) if (s, SH.path, None) not in shapes}
    return sorted(found, key=str)


@dataclass(frozen=True)
class CompiledShapes:
    """The checks of the shapes the compiler translates, and why it left the others."""

    checks: list[Check]
    #: node shape (or targeted property shape) → the feature the compiler lacks
    unsupported: dict[Node, str]


def compile_each(shapes: Graph, subclasses: Subclasses | None = None) -> CompiledShapes:
    """:func:`compile_shapes` shape by shape: a shape it cannot translate is set aside.

    >>> g = Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <https://e.org/S> a sh:NodeShape ; sh:targetClass <https://e.org/C> ;
    ...         sh:property [ sh:path <https://e.org/p> ; sh:uniqueLang true ] .''')
    >>> [str(s) for s in compile_each(g).unsupported]
    ['https://e.org/S']
    """
    checks: list[Check] = []
    unsupported: dict[Node, str] = {}
    for shape in node_shapes(shapes):
        try:
            if (shape, SH.target, None) in shapes:
                raise UnsupportedShapesError("sh:target (a SHACL-AF custom target)")
            target = _target(shapes, shape)
            if not target:
                continue
            _unknown(shapes, shape)
            mine = _node_checks(shapes, shape, target, subclasses)
            for prop in shapes.objects(shape, SH.property):
                _unknown(shapes, prop)
                mine += _property_checks(shapes, shape, prop, target, subclasses)
        except UnsupportedShapesError as exc:
            unsupported[shape] = exc.message
            continue
        checks += mine
    paths = {s for key in TARGETS for s in shapes.subjects(key, None)} - set(node_shapes(shapes))
    for shape in sorted(set(shapes.subjects(RDF.type, SH.PropertyShape)) | paths, key=str):
        try:
            targeted = bool(_target(shapes, shape))
        except UnsupportedShapesError as exc:
            unsupported[shape] = exc.message
            continue
        if targeted:
            unsupported[shape] = f"property shape {shape} with its own target"
    return CompiledShapes(checks, unsupported)


def _unknown(shapes: Graph, shape: Node) -> None:
    for p in set(shapes.predicates(shape)):
        if p not in _KNOWN_SHAPE_KEYS:
            raise UnsupportedShapesError(_prefixed(p))
    if (shape, SH.deactivated, None) in shapes:
        raise UnsupportedShapesError("sh:deactivated")


def _prefixed(term: Node) -> str:
    """``sh:uniqueLang`` for the IRI of a SHACL term (else the IRI in angle brackets).

    >>> _prefixed(SH.uniqueLang)
    'sh:uniqueLang'
    """
    text = str(term)
    return f"sh:{text[len(str(SH)) :]}" if text.startswith(str(SH)) else f"<{text}>"


def _meta(shapes: Graph, shape: Node) -> tuple[URIRef, tuple[Literal, ...]]:
    """Severity and messages (empty: pySHACL's generic text, see :func:`_generic`)."""
    severity = shapes.value(shape, SH.severity) or SH.Violation
    messages = tuple(sorted(m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)))
    return severity, messages  # type: ignore[return-value]


def _generic(shapes: Graph, shape: Node, component: URIRef) -> tuple[Literal, ...]:
    """pySHACL's own message for a constraint of a shape without ``sh:message``."""
    # heavy: pySHACL takes about a second to import; only validation by pySHACL needs it
    from pyshacl.rdfutil.stringify import stringify_node

    def one(key: URIRef) -> str:
        values = list(shapes.objects(shape, key))
        if len(values) != 1:
            raise UnsupportedShapesError(f"generic message for several {key}")
        return str(stringify_node(shapes, values[0]))

    templates: dict[URIRef, Callable[[], str]] = {
        SH.NodeKindConstraintComponent: lambda: f"Value is not of Node Kind {one(SH.nodeKind)}",
        SH.DatatypeConstraintComponent: lambda: (
            f"Value is not Literal with datatype {one(SH.datatype)}"
        ),
        SH.ClassConstraintComponent: lambda: f"Value does not have class {one(SH['class'])}",
        SH.MinLengthConstraintComponent: lambda: f"String length not >= {one(SH.minLength)}",
        SH.MaxLengthConstraintComponent: lambda: f"String length not <= {one(SH.maxLength)}",
        SH.MinInclusiveConstraintComponent: lambda: f"Value is not >= {one(SH.minInclusive)}",
        SH.MaxInclusiveConstraintComponent: lambda: f"Value is not <= {one(SH.maxInclusive)}",
        SH.MinExclusiveConstraintComponent: lambda: f"Value is not > {one(SH.minExclusive)}",
        SH.MaxExclusiveConstraintComponent: lambda: f"Value is not < {one(SH.maxExclusive)}",
    }
    if component not in templates:
        raise UnsupportedShapesError(f"{shape} has no sh:message for {component}")
    return (Literal(templates[component]()),)


def _not_of_class(cls: Node, subclasses: Subclasses | None) -> Sparql:
    """A ``MINUS`` block dropping the solutions whose ``?value`` has class ``cls``.

    ``MINUS`` (an anti-join on ``?value``, built once) instead of ``FILTER NOT EXISTS``
    (Oxigraph re-evaluates the pattern for every value); with the subclass closure as
    ``VALUES`` the type index is joined directly, without a property path.

    >>> print(_not_of_class(URIRef("https://e.org/C"), lambda c: [c, URIRef("https://e.org/D")]))
    MINUS { VALUES ?value_class { <https://e.org/C> <https://e.org/D> } ?value a ?value_class }
    """
    closure = list(subclasses(cls)) if subclasses is not None and isinstance(cls, URIRef) else []
    if closure and all(isinstance(c, URIRef) for c in closure):
        return _Q["class_minus_closure"](classes=join((_n3(c) for c in closure), " "))
    return _Q["class_minus"](**{"class": _n3(cls)})


#: A refinement in Python of a check's rows: is (focus, value) really a violation?
Refine = Callable[[Node, Node | None], bool]


@dataclass
class _ValueChecks:
    """The checks on the value nodes of one shape, as :func:`_value_checks` collects them.

    A property shape's value test does not depend on the focus node, so each check has a
    gate: are there values of the path, on any subject, that fail the test? On a
    conforming graph that one scan of the path settles the check, without the target.
    """

    shapes: Graph
    reporter: Node
    path: URIRef | None
    target: Sparql
    severity: URIRef
    messages: tuple[Literal, ...]
    out: list[Check]

    def add(
        self,
        component: URIRef,
        condition: Sparql,
        refine: Refine | None = None,
        *,
        minus: Sparql = Sparql.EMPTY,
    ) -> None:
        """One check: the values for which ``condition`` holds (or ``minus`` keeps)."""
        if self.path is None:
            values = _Q["value_of_focus"]()
        else:
            values = _Q["value_of_path"](path=_n3(self.path))
        test = minus or _Q["filter"](condition=condition)
        query = _Q["value_check"](target=self.target, values=values, test=test)
        gate = None if self.path is None else str(_Q["value_gate"](values=values, test=test))
        texts = self.messages or _generic(self.shapes, self.reporter, component)
        self.out.append(
            Check(
                self.reporter,
                component,
                self.path,
                self.severity,
                texts,
                str(query),
                self.path is None,
                refine,
                gate,
            )
        )


def _value_checks(
    shapes: Graph,
    reporter: Node,
    path: URIRef | None,
    target: Sparql,
    severity: URIRef,
    messages: tuple[Literal, ...],
    subclasses: Subclasses | None = None,
) -> list[Check]:
    """Constraints on value nodes: of the path (property shape) or the focus (node shape)."""
    checks = _ValueChecks(shapes, reporter, path, target, severity, messages, [])
    for cls in shapes.objects(reporter, SH["class"]):
        checks.add(SH.ClassConstraintComponent, Sparql.EMPTY, minus=_not_of_class(cls, subclasses))
    _term_checks(checks)
    _logical_checks(checks)
    for value in shapes.objects(reporter, SH.hasValue):
        if path is None:
            same = _Q["same_term"](value=_n3(value))
            checks.add(SH.HasValueConstraintComponent, _Q["not"](condition=same))
        else:
            q = _Q["has_value"](target=target, path=_n3(path), value=_n3(value))
            checks.out.append(
                Check(reporter, SH.HasValueConstraintComponent, path, severity, messages, str(q))
            )
    return checks.out


_RANGES = (
    (SH.minInclusive, "min_inclusive", SH.MinInclusiveConstraintComponent),
    (SH.maxInclusive, "max_inclusive", SH.MaxInclusiveConstraintComponent),
    (SH.minExclusive, "min_exclusive", SH.MinExclusiveConstraintComponent),
    (SH.maxExclusive, "max_exclusive", SH.MaxExclusiveConstraintComponent),
)


def _term_checks(checks: _ValueChecks) -> None:
    """The tests of each value on its own: datatype, node kind, ``sh:in``, lengths,
    pattern, ranges."""
    shapes, s, value = checks.shapes, checks.reporter, var("value")
    for dt in shapes.objects(s, SH.datatype):
        cond, exact = _condition(shapes, _single(shapes, SH.datatype, dt), value)
        checks.add(
            SH.DatatypeConstraintComponent,
            _Q["not"](condition=cond),
            None if exact else (lambda _f, v, dt=dt: not datatype_ok(v, dt)),  # type: ignore[misc]
        )
    for kind in shapes.objects(s, SH.nodeKind):
        cond, _ = _condition(shapes, _single(shapes, SH.nodeKind, kind), value)
        checks.add(SH.NodeKindConstraintComponent, _Q["not"](condition=cond))
    for members in shapes.objects(s, SH["in"]):
        items = list(Collection(shapes, members))  # type: ignore[arg-type]
        same = join((_Q["same_term"](value=_n3(i)) for i in items), " || ") or _Q["false"]()
        checks.add(SH.InConstraintComponent, _Q["not_any"](condition=same))
    for n in shapes.objects(s, SH.minLength):
        checks.add(SH.MinLengthConstraintComponent, _Q["min_length"](n=integer(int(n))))  # type: ignore[call-overload]
    for n in shapes.objects(s, SH.maxLength):
        checks.add(SH.MaxLengthConstraintComponent, _Q["max_length"](n=integer(int(n))))  # type: ignore[call-overload]
    for pattern in shapes.objects(s, SH.pattern):
        if (s, SH.flags, None) in shapes:
            raise UnsupportedShapesError("sh:flags")
        regex = _n3(Literal(str(pattern)))
        checks.add(SH.PatternConstraintComponent, _Q["pattern"](pattern=regex))
    for key, name, component in _RANGES:
        for bound in shapes.objects(s, key):
            checks.add(component, _Q[name](bound=_n3(bound)))


def _logical_checks(checks: _ValueChecks) -> None:
    """``sh:or``, ``sh:not`` and ``sh:xone`` of simple member shapes."""
    shapes, s, value = checks.shapes, checks.reporter, var("value")
    for members in shapes.objects(s, SH["or"]):
        shapes_list = list(Collection(shapes, members))  # type: ignore[arg-type]
        conds = [_condition(shapes, m, value) for m in shapes_list]
        refine = None
        if not all(exact for _, exact in conds):
            tests = [
                _python_conforms(shapes, m) if not e else None
                for m, (_, e) in zip(shapes_list, conds, strict=True)
            ]
            if any(t is None for t in tests):
                raise UnsupportedShapesError("sh:or mixing datatype and other tests")
            refine = lambda _f, v, tests=tests: not any(t(v) for t in tests if t)  # type: ignore[misc]  # noqa: E731
        either = join((c for c, _ in conds), " || ")
        checks.add(SH.OrConstraintComponent, _Q["not_any"](condition=either), refine)
    for member in shapes.objects(s, SH["not"]):
        cond, exact = _condition(shapes, member, value)
        if not exact:
            raise UnsupportedShapesError("sh:not of a datatype test")
        checks.add(SH.NotConstraintComponent, cond)
    for members in shapes.objects(s, SH.xone):
        shapes_list = list(Collection(shapes, members))  # type: ignore[arg-type]
        conds = [_condition(shapes, m, value) for m in shapes_list]
        if not all(exact for _, exact in conds):
            raise UnsupportedShapesError("sh:xone of a datatype test")
        total = join((_Q["one_if"](condition=c) for c, _ in conds), " + ")
        checks.add(SH.XoneConstraintComponent, _Q["not_one"](total=total))


def _single(shapes: Graph, key: URIRef, value: Node) -> Node:
    """A blank member shape with just ``key value`` (to reuse :func:`_condition`)."""
    node = BNode()
    shapes.add((node, key, value))
    return node


def _node_checks(
    shapes: Graph, shape: Node, target: Sparql, subclasses: Subclasses | None = None
) -> list[Check]:
    has_value_checks = any(
        (shape, k, None) in shapes
        for k in (
            SH["class"],
            SH.datatype,
            SH.nodeKind,
            SH["in"],
            SH["not"],
            SH["or"],
            SH.xone,
            SH.pattern,
            SH.minLength,
            SH.maxLength,
            SH.hasValue,
            SH.minInclusive,
            SH.maxInclusive,
            SH.minExclusive,
            SH.maxExclusive,
        )
    )
    checks: list[Check] = []
    if has_value_checks:
        severity, messages = _meta(shapes, shape)
        checks += _value_checks(shapes, shape, None, target, severity, messages, subclasses)
    for constraint in shapes.objects(shape, SH.sparql):
        checks.append(_sparql_check(shapes, shape, constraint, target, None))
    return checks


def _property_checks(
    shapes: Graph, owner: Node, prop: Node, target: Sparql, subclasses: Subclasses | None = None
) -> list[Check]:
    del owner  # the node shape: the property shape itself reports
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise UnsupportedShapesError(f"sh:path {path!r} is not a single property")
    severity, messages = _meta(shapes, prop)
    checks = _value_checks(shapes, prop, path, target, severity, messages, subclasses)
    if not messages and any((prop, k, None) in shapes for k in (SH.minCount, SH.maxCount)):
        raise UnsupportedShapesError(f"{prop}: cardinality without sh:message")
    checks += _cardinality_checks(shapes, prop, path, target, severity, messages)
    for constraint in shapes.objects(prop, SH.sparql):
        checks.append(_sparql_check(shapes, prop, constraint, target, path))
    return checks


def _cardinality_checks(
    shapes: Graph,
    prop: Node,
    path: URIRef,
    target: Sparql,
    severity: URIRef,
    messages: tuple[Literal, ...],
) -> list[Check]:
    """``sh:minCount`` and ``sh:maxCount`` of one property shape."""
    checks: list[Check] = []
    p = _n3(path)
    for n in shapes.objects(prop, SH.minCount):
        count = int(n)  # type: ignore[call-overload]
        size = small = None
        if count == 1:  # an anti-join, not FILTER NOT EXISTS (re-run per focus node) …
            q = _Q["min_count_one"](target=target, path=p)
            size = str(_Q["target_size"](target=target))
            # … or, for a few focus nodes, one lookup each (the anti-join scans the path)
            small = str(_Q["min_count_one_lateral"](target=target, path=p))
        else:
            q = _Q["min_count"](target=target, path=p, count=integer(count))
        checks.append(
            Check(
                prop,
                SH.MinCountConstraintComponent,
                path,
                severity,
                messages,
                str(q),
                size=size,
                small_query=small,
            )
        )
    for n in shapes.objects(prop, SH.maxCount):
        count = int(n)  # type: ignore[call-overload]
        q = _Q["max_count"](target=target, path=p, count=integer(count))
        # Gate: no subject has two values of the path (one counting scan of it).
        gate = _Q["max_count_zero_gate" if count == 0 else "max_count_gate"](path=p)
        checks.append(
            Check(
                prop,
                SH.MaxCountConstraintComponent,
                path,
                severity,
                messages,
                str(q),
                gate=str(gate),
            )
        )
    return checks


_THIS = re.compile(r"\$this\b")
_PREBOUND = re.compile(r"\$(PATH|currentShape|shapesGraph)\b")
_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
#: Keywords that keep a group out of the EXISTS rewrite: around the tests, and inside them.
_BLOCKS = ("OPTIONAL", "UNION", "MINUS", "BIND", "VALUES", "GRAPH", "SERVICE", "SELECT")
_GROUP_KEYWORDS = frozenset([*_BLOCKS, "LATERAL"])
_TEST_KEYWORDS = frozenset([*_BLOCKS, "FILTER", "EXISTS"])


@functools.lru_cache(maxsize=512)
def _scan(text: str) -> tuple[tuple[str, str, int], ...]:
    """:func:`~filmkg.sparql.tokenizer.scan`, once per text (a constraint's text is read
    several times: brackets, variables, EXISTS tests)."""
    return tuple(scan(text))


def _words(text: str) -> Iterator[str]:
    """The words of SPARQL text (names, variables, keywords): never inside a string, an
    IRI or a comment (the one tokenizer tells them apart)."""
    return (tok for kind, tok, _ in _scan(text) if kind == "word")


def _variables(text: str) -> set[str]:
    """The names of the variables the text mentions (``?x`` and ``$x`` alike).

    >>> sorted(_variables('?a <https://e.org/?q> "?b" $c # ?d'))
    ['a', 'c']
    """
    return {name for word in _words(text) for name in _VAR.findall(word)}


def _has_keyword(text: str, keywords: frozenset[str]) -> bool:
    return any(word.upper() in keywords for word in _words(text))


def _has_bracket(text: str) -> bool:
    return any(kind == "other" and tok in "{}" for kind, tok, _ in _scan(text))


def _bind_this(text: str) -> str:
    """``$this`` written ``?this`` (the same variable), outside strings, IRIs, comments.

    >>> _bind_this('SELECT $this WHERE { $this ?p "$this" }')
    'SELECT ?this WHERE { ?this ?p "$this" }'
    """
    return "".join(
        _THIS.sub("?this", tok) if kind == "word" else tok for kind, tok, _ in _scan(text)
    )


def _exists_tests(body: str) -> list[tuple[int, int, bool, bool]]:
    """``[FILTER] [NOT] EXISTS {`` in the text: (start, opening brace, filter, negated).

    >>> _exists_tests('?x ?p ?o FILTER NOT EXISTS { ?o ?q "EXISTS {" }')
    [(9, 27, True, True)]
    """
    code = [
        (kind, tok.upper(), at) for kind, tok, at in _scan(body) if kind not in ("space", "comment")
    ]
    found = []
    for i, (kind, word, at) in enumerate(code):
        if kind != "word" or word != "EXISTS" or i + 1 == len(code) or code[i + 1][1] != "{":
            continue
        start, negated, is_filter, j = at, False, False, i - 1
        if j >= 0 and code[j][:2] == ("word", "NOT"):
            start, negated, j = code[j][2], True, j - 1
        if j >= 0 and code[j][:2] == ("word", "FILTER"):
            start, is_filter = code[j][2], True
        found.append((start, code[i + 1][2], is_filter, negated))
    return found


def _matching_brace(text: str, start: int) -> int:
    """The index of the bracket closing the one at ``start`` (strings, IRIs skipped)."""
    pairs = {"{": "}", "(": ")"}
    stack: list[str] = []
    for kind, tok, at in _scan(text):
        if kind != "other" or at < start:
            continue
        if tok in pairs:
            stack.append(pairs[tok])
        elif tok in ("}", ")"):
            if not stack or stack.pop() != tok:
                raise UnsupportedShapesError("unbalanced brackets in sh:select")
            if not stack:
                return at
    raise UnsupportedShapesError("unbalanced brackets in sh:select")


def _exists_as_joins(body: str, *, lateral: bool = False) -> Sparql:
    """Rewrite ``[NOT] EXISTS { BGP }`` in the filters of a plain group as a left join.

    Oxigraph 0.5 evaluates ``EXISTS`` by re-running its pattern for every solution, with
    no use of the solution's bindings, so a check such as "no credit behind this shortcut"
    is quadratic (minutes at 250k triples). When the group is plain triple patterns and
    filters, and the ``EXISTS`` pattern is a plain BGP sharing variables with them,
    ``EXISTS {P}`` equals ``BOUND(?m)`` after
    ``OPTIONAL { SELECT DISTINCT <shared> (1 AS ?m) WHERE { P } }``: the shared variables
    are bound in every solution, DISTINCT keeps the multiplicity. That join builds ``P``
    once (a hash join: right for many solutions). With ``lateral``, the same test is an
    Oxigraph ``LATERAL`` sub-select with the shared variables bound from each solution and
    ``LIMIT 1``: index lookups per solution, right for a few solutions.
    Anything else is left as written (correct, maybe slow).

    >>> print(_exists_as_joins("?this a ?c . FILTER NOT EXISTS { ?c ?p ?this }"))
    ?this a ?c . FILTER(!BOUND(?exists_0))
    OPTIONAL { SELECT DISTINCT ?c ?this (1 AS ?exists_0) WHERE { ?c ?p ?this } }
    >>> print(_exists_as_joins("?this a ?c . FILTER NOT EXISTS { ?c ?p ?this }", lateral=True))
    ?this a ?c . FILTER(!BOUND(?exists_0))
    LATERAL { OPTIONAL { SELECT ?c ?this (1 AS ?exists_0) WHERE { ?c ?p ?this } LIMIT 1 } }
    """
    rewrite = _exists_rewrite(body)
    if rewrite is None:
        return verbatim(body)
    tests, blocks = rewrite
    joins = []
    for shared, test_var, inner in blocks:
        if lateral:
            joins.append(_Q["exists_lateral"](shared=shared, var=test_var, pattern=verbatim(inner)))
        else:
            pattern = _hash_joined(inner) or verbatim(inner)
            joins.append(_Q["exists_join"](shared=shared, var=test_var, pattern=pattern))
    return join([tests, *joins], "\n")


def _hash_joined(bgp: str) -> Sparql | None:
    """The BGP as a join of one sub-select per triple pattern (None: not a plain BGP).

    Oxigraph joins the patterns of a BGP by index lookups, one per solution; on a big
    pattern (every credit of a million-triple graph) a scan of each pattern and hash
    joins are several times faster. Each sub-select projects its pattern's variables.

    >>> print(_hash_joined("?c a filmkg:Credit ; filmkg:work ?w, ?v ."))
    { SELECT ?c WHERE { ?c a filmkg:Credit } }
    { SELECT ?c ?w WHERE { ?c filmkg:work ?w } }
    { SELECT ?c ?v WHERE { ?c filmkg:work ?v } }
    >>> _hash_joined("?c a [ a filmkg:Credit ]") is None
    True
    """
    tokens = pattern_tokens(bgp)
    if tokens is None:
        return None
    triples = _triples(tokens)
    if triples is None or len(triples) < 2:
        return None
    parts = []
    for triple in triples:
        names = sorted(set(_VAR.findall(" ".join(t for t in triple if t[0] in "?$"))))
        pattern = verbatim(" ".join(triple))
        if names:
            variables = join((var(n) for n in names), " ")
            parts.append(_Q["pattern_select"](variables=variables, pattern=pattern))
        else:
            parts.append(_Q["pattern_group"](pattern=pattern))
    return join(parts, "\n")


def _triples(tokens: list[str]) -> list[tuple[str, str, str]] | None:
    """The triples of a BGP's tokens (``;`` and ``,`` lists expanded); None if malformed.

    >>> _triples(["?c", "a", "?k", ";", "?p", "?w", ",", "?v", "."])
    [('?c', 'a', '?k'), ('?c', '?p', '?w'), ('?c', '?p', '?v')]
    """
    triples: list[tuple[str, str, str]] = []
    i = 0

    def term() -> str:
        nonlocal i
        if i >= len(tokens) or tokens[i] in (".", ";", ","):
            raise ValueError
        i += 1
        return tokens[i - 1]

    try:
        while i < len(tokens):
            subject = term()
            while True:
                predicate = term()
                triples.append((subject, predicate, term()))
                while i < len(tokens) and tokens[i] == ",":
                    i += 1
                    triples.append((subject, predicate, term()))
                if i < len(tokens) and tokens[i] == ";":
                    i += 1
                    if i < len(tokens) and tokens[i] != ".":
                        continue
                break
            if i < len(tokens):
                if tokens[i] != ".":
                    return None
                i += 1
    except ValueError:
        return None
    return triples


def _outer_patterns(body: str) -> str | None:
    """The triple patterns of a group :func:`_exists_as_joins` rewrites (filters dropped).

    >>> _outer_patterns("?this a ?c . FILTER (?c != ?this || NOT EXISTS { ?c ?p ?this })")
    '?this a ?c .'
    """
    if _exists_rewrite(body) is None:
        return None
    return " ".join(_strip_filters(body).split())


def _strip_filters(body: str) -> str:
    outside = body
    for start, brace, _, _ in reversed(_exists_tests(body)):
        outside = outside[:start] + " " + outside[_matching_brace(body, brace) + 1 :]
    kept: list[str] = []  # drop the filters and comments: what stays are triple patterns
    depth = 0
    for kind, tok, _ in _scan(outside):
        if kind == "other" and tok in "()":
            depth += 1 if tok == "(" else -1
            if depth < 0:
                raise UnsupportedShapesError("unbalanced brackets in sh:select")
            kept.append(" ")
        elif depth == 0 and kind != "comment" and not (kind == "word" and tok.upper() == "FILTER"):
            kept.append(tok)
    if depth:
        raise UnsupportedShapesError("unbalanced brackets in sh:select")
    return "".join(kept)


def _exists_rewrite(body: str) -> tuple[Sparql, list[tuple[Sparql, Sparql, str]]] | None:
    """The group with each EXISTS replaced by a BOUND test, and (shared variables, test
    variable, pattern) per EXISTS; None when the group is not one the rewrite covers."""
    blocks: list[tuple[int, int, int, bool, bool]] = []  # start, brace, end, filter, negated
    for start, brace, is_filter, negated in _exists_tests(body):
        if blocks and start < blocks[-1][2]:
            return None  # nested EXISTS
        blocks.append((start, brace, _matching_brace(body, brace), is_filter, negated))
    if not blocks:
        return None
    outside = body
    for start, _, end, _, _ in reversed(blocks):
        outside = outside[:start] + " " + outside[end + 1 :]
    if _has_bracket(outside) or _has_keyword(outside, _GROUP_KEYWORDS):
        return None
    bound = _variables(_strip_filters(body)) | {"this"}
    out: list[Sparql] = []
    joins: list[tuple[Sparql, Sparql, str]] = []
    last = 0
    for k, (start, brace, end, is_filter, negated) in enumerate(blocks):
        inner = body[brace + 1 : end]
        if _has_bracket(inner) or _has_keyword(inner, _TEST_KEYWORDS):
            return None
        shared = sorted(_variables(inner) & bound)
        if not shared:
            return None
        test_var = var(f"exists_{k}")
        test = _Q["not_bound" if negated else "bound"](var=test_var)
        out += [verbatim(body[last:start]), _Q["filter"](condition=test) if is_filter else test]
        last = end + 1
        joins.append((join((var(v) for v in shared), " "), test_var, inner))
    return join([*out, verbatim(body[last:])], ""), joins


def _sparql_check(
    shapes: Graph, shape: Node, constraint: Node, target: Sparql, path: URIRef | None
) -> Check:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShapesError("sh:sparql without sh:select")
    text = _bind_this(str(select))
    if any(_PREBOUND.search(word) for word in _words(text)):
        raise UnsupportedShapesError("pre-bound $PATH / $currentShape / $shapesGraph")
    variables, start, end = _select_parts(text)
    projection = join(
        (var(v) for v in ("this", "value", "path") if v == "this" or f"?{v}" in variables), " "
    )
    body, tail = text[start:end], text[end + 1 :]
    if tail.strip():
        raise UnsupportedShapesError("sh:select with solution modifiers")
    # $this is pre-bound (as pySHACL does): the target joins the body's own group.
    prologue = _prologue(shapes, constraint)
    query = _Q["sparql_check"](
        prologue=prologue, projection=projection, target=target, body=_exists_as_joins(body)
    )
    size = small = None
    outer = _outer_patterns(body)
    if outer is not None:  # how many solutions the EXISTS tests run on picks the plan
        patterns = verbatim(outer)
        size = str(_Q["sparql_size"](prologue=prologue, target=target, patterns=patterns))
        lateral = _exists_as_joins(body, lateral=True)
        small = str(
            _Q["sparql_check"](
                prologue=prologue, projection=projection, target=target, body=lateral
            )
        )
    severity = (
        shapes.value(constraint, SH.severity) or shapes.value(shape, SH.severity) or SH.Violation
    )
    messages = tuple(m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal))
    if not messages:
        messages = tuple(m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal))
    if not messages:
        raise UnsupportedShapesError("SPARQL constraint without sh:message")
    return Check(
        shape,
        SH.SPARQLConstraintComponent,
        path,
        severity,  # type: ignore[arg-type]
        messages,
        str(query),
        size=size,
        small_query=small,
    )


def _select_parts(text: str) -> tuple[list[str], int, int]:
    """The projected names of ``SELECT … WHERE { … }`` and where its group's body starts
    and ends (the closing brace); other forms (``DISTINCT``, a prologue) are unsupported.

    >>> _select_parts("SELECT ?this ?value WHERE { ?this ?p ?value }")
    (['?this', '?value'], 27, 44)
    """
    significant = [(kind, tok, at) for kind, tok, at in _scan(text) if kind != "space"]
    words = [tok.upper() if kind == "word" else tok for kind, tok, _ in significant]
    where = next(
        (i for i in range(1, len(words) - 1) if words[i] == "WHERE" and words[i + 1] == "{"),
        None,
    )
    if words[:1] != ["SELECT"] or where is None or words[1] == "DISTINCT":
        raise UnsupportedShapesError("sh:select that is not a plain SELECT with a WHERE group")
    head_end = significant[0][2] + len("SELECT")
    variables = text[head_end : significant[where][2]].split()
    brace = significant[where + 1][2]
    return variables, brace + 1, _matching_brace(text, brace)


def _prologue(shapes: Graph, constraint: Node) -> Sparql:
    """The ``PREFIX`` declarations of a SHACL-SPARQL constraint's ``sh:prefixes``."""
    declared = [
        (str(shapes.value(decl, SH.prefix)), str(shapes.value(decl, SH.namespace)))
        for prefixes in shapes.objects(constraint, SH.prefixes)
        for decl in shapes.objects(prefixes, SH.declare)
    ]
    try:
        return builder.prologue(declared)
    except ParameterError as exc:
        raise UnsupportedShapesError(f"sh:declare: {exc.message}") from None


# -- running -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RawResult:
    """One validation result, as pySHACL would report it."""

    focus: Node
    path: Node | None
    value: Node | None
    severity: URIRef
    message: Literal
    component: URIRef
    shape: Node


#: Up to this many solutions, an EXISTS test runs per solution (LATERAL), not as a join.
LATERAL_ROWS = 5_000


def run_checks(
    kg: KnowledgeGraph, checks: Sequence[Check], *, lateral_rows: int = LATERAL_ROWS
) -> Iterator[RawResult]:
    """Run the checks on the store; yield one result per offending (focus, value) row.

    Gates and sizes are asked once per run (shapes share them: ``filmkg:work`` is checked
    on credits, releases, rights grants…). ``lateral_rows`` is :data:`LATERAL_ROWS`.
    """
    gates: dict[str, bool] = {}
    sizes: dict[str, int] = {}
    for check in progress.track(checks, "validating", total=len(checks), unit="checks"):
        query = check.query
        if check.gate is not None:
            if check.gate not in gates:
                gate = kg.solutions(check.gate)
                assert isinstance(gate, ox.QueryBoolean)
                gates[check.gate] = bool(gate)
            if not gates[check.gate]:
                continue
        if check.size is not None:
            if check.size not in sizes:
                sized = kg.solutions(check.size)
                assert isinstance(sized, ox.QuerySolutions)
                sizes[check.size] = int(next(sized)[0].value)  # type: ignore[union-attr]
            n = sizes[check.size]
            if n == 0:
                continue
            if n <= lateral_rows and check.small_query is not None:
                query = check.small_query
        solutions = kg.solutions(query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            focus = to_rdflib(row["this"])
            value = (
                to_rdflib(row["value"]) if "value" in names and row["value"] is not None else None
            )
            path: Node | None = check.path
            if "path" in names and row["path"] is not None:
                path = to_rdflib(row["path"])
            if check.refine is not None and not check.refine(focus, value):
                continue
            if value is None and check.component == SH.SPARQLConstraintComponent:
                value = focus
            for message in check.messages:
                yield RawResult(
                    focus, path, value, check.severity, message, check.component, check.shape
                )


def subclasses_in(kg: KnowledgeGraph) -> Subclasses:
    """The classes ``C rdfs:subClassOf* cls`` of the data (what ``sh:class`` accepts)."""
    query = str(_Q["subclasses"]())

    def subclasses(cls: URIRef) -> list[Node]:
        bindings: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable("cls"): ox.NamedNode(str(cls))
        }
        rows = kg.solutions(query, bindings)
        assert isinstance(rows, ox.QuerySolutions)
        return sorted({cls, *(to_rdflib(row[0]) for row in rows)}, key=str)  # zero steps: cls

    return subclasses


def _report_graph(raw: Iterable[RawResult]) -> Graph:
    g = Graph()
    root = BNode("report")
    g.add((root, RDF.type, SH.ValidationReport))
    for r in raw:
        node = BNode()
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        if r.path is not None:
            g.add((node, SH.resultPath, r.path))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        g.add((node, SH.resultSeverity, r.severity))
        g.add((node, SH.resultMessage, r.message))
        g.add((node, SH.sourceConstraintComponent, r.component))
        g.add((node, SH.sourceShape, r.shape))
    return g


def _context_graph(kg: KnowledgeGraph, raw: Sequence[RawResult]) -> Graph:
    """The small part of the data the report's labels need: labels, types, work/agent."""
    nodes = {r.focus for r in raw} | {r.value for r in raw if isinstance(r.value, URIRef)}
    g = Graph()
    if not nodes:
        return g

    keys = [RDFS.label, RDF.type, FILMKG.work, FILMKG.agent]
    seen: set[Node] = set()
    frontier: set[Node] = {n for n in nodes if isinstance(n, URIRef | BNode)}
    for _ in range(3):  # node → work/agent/type → their labels / superclasses
        nxt: set[Node] = set()
        for node in frontier - seen:
            seen.add(node)
            subject = to_oxigraph(node)
            assert isinstance(subject, ox.NamedNode | ox.BlankNode)
            for key in [*keys, RDFS.subClassOf]:
                for q in kg.match(subject, ox.NamedNode(str(key)), None, None):
                    o = to_rdflib(q.object)
                    g.add((node, key, o))
                    if key != RDFS.label and isinstance(o, URIRef):
                        nxt.add(o)
        frontier = nxt
    return g
