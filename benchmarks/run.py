"""Benchmark filmkg on synthetic film graphs of growing size.

    python benchmarks/run.py --sizes 10k,100k,1M,10M

For each size it generates a synthetic graph (``filmkg synth``, cached in ``--work``) and
measures, each in a fresh subprocess (wall time of the operation; peak RSS of the process,
setup included, from ``VmHWM`` of the worker), three implementations of the
same work side by side:

* ``filmkg`` — our path: the library functions the CLI calls, on an on-disk store;
* ``oxigraph`` — raw pyoxigraph calls doing the same work, no filmkg code (the floor);
* ``rdflib`` — the plain-rdflib path (parse into an rdflib graph, rdflib SPARQL, pyshacl,
  rdflib serialisers): the baseline, capped at ``--baseline-timeout`` (recorded as
  ``timeout``; once it times out, larger sizes are not tried).

Operations: ``load``, ``build`` (load + ontology + inference), ``validate``, every named
query (``query:NAME``), ``projection`` (co-worker network in NetworkX) and exports
(``export:ttl|nt|nq``). An operation whose library piece is missing is ``unavailable``.

Writes ``benchmarks/results/<date>.json``, ``<date>.md`` (the Markdown table, ratios
computed in the same run) and ``docs/benchmarks.png`` (log-log time against size).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

IMPLS = ("filmkg", "oxigraph", "rdflib")
DATA_GRAPH = "https://w3id.org/filmkg/graph/synthetic"


# ---------------------------------------------------------------------------------------
# Workers: one operation, one implementation, in a fresh process
# ---------------------------------------------------------------------------------------


class UnavailableError(Exception):
    """The library piece for this operation is not there (yet)."""


def _rdflib_dataset(nq: Path) -> Any:
    from rdflib import Dataset

    ds = Dataset(default_union=True)
    ds.parse(str(nq), format="nquads")
    return ds


def _ox_prepared(store: Path) -> Any:
    import pyoxigraph as ox

    return ox.Store.read_only(str(store))


_FK = "https://w3id.org/filmkg/ontology#"


def _lean_graph(casts: dict[str, set[str]], labels: dict[str, str], years: dict[str, int]) -> Any:
    """The lean collaboration graph of
    ``filmkg.network.projection.lean_collaboration_graph`` (people; an edge per pair
    credited on a work together with ``count`` = ``weight`` shared works, ``first_year`` /
    ``last_year``), written plainly: the same graph for every impl."""
    import itertools

    import networkx as nx

    works_of: dict[str, int] = {}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for work in sorted(casts):
        year = years.get(work)
        for person in casts[work]:
            works_of[person] = works_of.get(person, 0) + 1
        for a, b in itertools.combinations(sorted(casts[work]), 2):
            e = edges.setdefault((a, b), {"count": 0, "first_year": None, "last_year": None})
            e["count"] += 1
            e["weight"] = e["count"]
            if year is not None:
                if e["first_year"] is None or year < e["first_year"]:
                    e["first_year"] = year
                if e["last_year"] is None or year > e["last_year"]:
                    e["last_year"] = year
    g = nx.Graph(name="collaboration")
    for p in sorted(works_of):
        g.add_node(p, label=labels.get(p, p), kind="person", iri=p, works=works_of[p])
    g.add_edges_from((a, b, d) for (a, b), d in edges.items())
    return g


def _ox_projection(s: Any) -> Any:
    """Raw pyoxigraph: one SELECT of the distinct (work, person) pairs of the credits (the
    same checks as filmkg: a typed credit with a role, an agent typed Person; sub-selects,
    so that Oxigraph joins by hash), labels, dates; edges in Python."""
    fk = f"PREFIX filmkg: <{_FK}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    casts: dict[str, set[str]] = {}
    q = """SELECT DISTINCT ?work ?person WHERE {
      { SELECT ?credit WHERE { ?credit a filmkg:Credit } }
      { SELECT ?credit ?work WHERE { ?credit filmkg:work ?work } }
      { SELECT ?credit ?person WHERE { ?credit filmkg:agent ?person } }
      { SELECT DISTINCT ?credit WHERE { ?credit filmkg:role ?role } }
      { SELECT ?person WHERE { ?person a filmkg:Person } } }"""
    for row in s.query(fk + q, use_default_graph_as_union=True):
        casts.setdefault(row[0].value, set()).add(row[1].value)
    labels: dict[str, str] = {}
    q = "SELECT ?p ?l WHERE { ?p a filmkg:Person ; rdfs:label ?l }"
    for row in s.query(fk + q, use_default_graph_as_union=True):
        if row[0].value not in labels or row[1].value < labels[row[0].value]:
            labels[row[0].value] = row[1].value
    years: dict[str, int] = {}
    q = "SELECT ?w ?d WHERE { ?w filmkg:workDate ?d }"
    for row in s.query(fk + q, use_default_graph_as_union=True):
        y = int(row[1].value[:4])
        years[row[0].value] = min(y, years.get(row[0].value, y))
    return _lean_graph(casts, labels, years)


def _rdflib_projection(ds: Any) -> Any:
    """Plain rdflib: the same graph by a Python loop over the triples (no SPARQL)."""
    from rdflib import RDF, RDFS, URIRef

    credit, person_class = URIRef(_FK + "Credit"), URIRef(_FK + "Person")
    work_p, agent_p, role_p = (URIRef(_FK + n) for n in ("work", "agent", "role"))
    people = set(ds.subjects(RDF.type, person_class))
    casts: dict[str, set[str]] = {}
    for c in set(ds.subjects(RDF.type, credit)):
        if ds.value(c, role_p) is None:
            continue
        works = set(ds.objects(c, work_p))
        for agent in set(ds.objects(c, agent_p)):
            if agent in people:
                for w in works:
                    casts.setdefault(str(w), set()).add(str(agent))
    labels: dict[str, str] = {}
    for p in people:
        found = [str(label) for label in ds.objects(p, RDFS.label)]
        if found:
            labels[str(p)] = min(found)
    years: dict[str, int] = {}
    for w, d in ds.subject_objects(URIRef(_FK + "workDate")):
        y = int(str(d)[:4])
        years[str(w)] = min(y, years.get(str(w), y))
    return _lean_graph(casts, labels, years)


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement; return ``{"seconds": …, "detail": …}``."""
    op, impl = spec["op"], spec["impl"]
    nt, nq, store, scratch = (Path(spec[k]) for k in ("nt", "nq", "store", "scratch"))
    params: dict[str, str] = spec.get("params", {})
    setup: Callable[[], Any] = lambda: None  # noqa: E731
    run: Callable[[Any], Any]

    if op == "load":
        if impl == "filmkg":
            from filmkg.engines.store import KnowledgeGraph

            def run(_: Any) -> Any:
                kg = KnowledgeGraph(scratch)
                kg.bulk_load(nt, graph=DATA_GRAPH)
                return len(kg.store)

        elif impl == "oxigraph":
            import pyoxigraph as ox

            def run(_: Any) -> Any:
                s = ox.Store(str(scratch))
                s.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
                return len(s)

        else:
            from rdflib import Graph

            def run(_: Any) -> Any:
                g = Graph()
                g.parse(str(nt), format="nt")
                return len(g)

    elif op == "build":
        if impl == "filmkg":
            from filmkg.build.project import load_project

            def run(_: Any) -> Any:
                return len(load_project([nt], include_data=False, store_path=scratch))

        elif impl == "oxigraph":
            import pyoxigraph as ox

            from filmkg.resources import ontology_dir

            def run(_: Any) -> Any:
                s = ox.Store(str(scratch))
                onto = ontology_dir()
                for f, g in (("filmkg.ttl", "ontology"), ("vocab.ttl", "vocab")):
                    s.bulk_load(
                        path=str(onto / f),
                        to_graph=ox.NamedNode(f"https://w3id.org/filmkg/graph/{g}"),
                    )
                s.bulk_load(path=str(nt), to_graph=ox.NamedNode(DATA_GRAPH))
                target = ox.NamedNode("https://w3id.org/filmkg/graph/inferred")
                for rule in sorted((onto / "rules").glob("*.rq")):
                    triples = s.query(rule.read_text(), use_default_graph_as_union=True)
                    s.extend([ox.Quad(t.subject, t.predicate, t.object, target) for t in triples])
                return len(s)

        else:
            from rdflib import Dataset, URIRef

            from filmkg.resources import ontology_dir

            def run(_: Any) -> Any:
                ds = Dataset(default_union=True)
                onto = ontology_dir()
                ds.graph(URIRef("https://w3id.org/filmkg/graph/ontology")).parse(
                    str(onto / "filmkg.ttl")
                )
                ds.graph(URIRef("https://w3id.org/filmkg/graph/vocab")).parse(
                    str(onto / "vocab.ttl")
                )
                ds.graph(URIRef(DATA_GRAPH)).parse(str(nt), format="nt")
                inferred = ds.graph(URIRef("https://w3id.org/filmkg/graph/inferred"))
                for rule in sorted((onto / "rules").glob("*.rq")):
                    for t in ds.query(rule.read_text()):
                        inferred.add(t)  # type: ignore[arg-type]
                return len(ds)

    elif op == "validate":
        if impl == "filmkg":
            try:
                from filmkg.validation import report as validation
            except ImportError as exc:
                raise UnavailableError("filmkg.validation.report") from exc
            from filmkg.engines.store import KnowledgeGraph

            if "sparql" not in getattr(validation, "VALIDATION_ENGINES", ()):
                raise UnavailableError("validation at scale")
            setup = lambda: KnowledgeGraph.open(store)  # noqa: E731

            def run(kg: Any) -> Any:
                report = validation.validate(kg, engine="sparql")
                return len(report.results)

        elif impl == "oxigraph":
            raise UnavailableError("no SHACL in raw pyoxigraph")
        else:
            import pyshacl
            from rdflib import Graph

            from filmkg.resources import shapes_file

            if not shapes_file().is_file():
                raise UnavailableError("ontology/shapes.ttl")

            def setup() -> Any:
                data = Graph()
                for s, p, o, _ in _rdflib_dataset(nq).quads():
                    data.add((s, p, o))
                return data, Graph().parse(str(shapes_file()))

            def run(graphs: Any) -> Any:
                conforms, report, _ = pyshacl.validate(graphs[0], shacl_graph=graphs[1])
                return len(list(report.subjects(None, None))) if not conforms else 0

    elif op == "analytics:columns":
        # the one pass over the store that the whole-graph analytics read their columns
        # from (done by `build --store`, and again after any write); cold: no copy kept
        from filmkg.network import analytics

        predicates, classes = analytics.COLUMNS
        if impl == "filmkg":
            from filmkg.engines import tables
            from filmkg.engines.store import KnowledgeGraph

            def setup() -> Any:
                (store / tables.CACHE_NAME).unlink(missing_ok=True)
                return KnowledgeGraph.open(store)

            def run(kg: Any) -> Any:
                return analytics.prepare(kg)

        elif impl == "oxigraph":
            setup = lambda: _ox_prepared(store)  # noqa: E731

            def run(s: Any) -> Any:
                import pyoxigraph as ox

                rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
                patterns = [(ox.NamedNode(p), None) for p in predicates]
                patterns += [(rdf_type, ox.NamedNode(c)) for c in classes]
                n = 0
                for p, o in patterns:  # every term of every quad, as the columns need
                    n += sum(1 for q in s.quads_for_pattern(None, p, o) if q.subject and q.object)
                return n

        else:
            setup = lambda: _rdflib_dataset(nq)  # noqa: E731

            def run(ds: Any) -> Any:
                from rdflib import RDF, URIRef

                n = sum(1 for p in predicates for _ in ds.triples((None, URIRef(p), None)))
                return n + sum(1 for c in classes for _ in ds.triples((None, RDF.type, URIRef(c))))

    elif op.startswith("query:"):
        name = op.split(":", 1)[1]
        if impl == "filmkg":
            from filmkg.engines.store import KnowledgeGraph
            from filmkg.sparql import catalogue as queries

            setup = lambda: KnowledgeGraph.open(store)  # noqa: E731

            def run(kg: Any) -> Any:
                return len(queries.run(kg, name, params))

        else:
            from filmkg.engines.store import KnowledgeGraph
            from filmkg.sparql import catalogue as queries

            named = queries.catalogue()[name]
            bindings = queries.resolve_params(KnowledgeGraph.open(store), named, params)
            text = queries.bound_query(named, bindings)
            if impl == "oxigraph":
                setup = lambda: _ox_prepared(store)  # noqa: E731

                def run(s: Any) -> Any:
                    return sum(1 for _ in s.query(text, use_default_graph_as_union=True))

            else:
                setup = lambda: _rdflib_dataset(nq)  # noqa: E731

                def run(ds: Any) -> Any:
                    return sum(1 for _ in ds.query(text))

    elif op == "projection":
        if impl == "filmkg":
            try:
                from filmkg.network import projection as network
            except ImportError as exc:
                raise UnavailableError("filmkg.network.projection") from exc
            from filmkg.engines.store import KnowledgeGraph

            setup = lambda: KnowledgeGraph.open(store)  # noqa: E731

            def run(kg: Any) -> Any:
                # The lean graph (what collaboration_graph builds above LEAN_THRESHOLD
                # statements): the same graph the raw and rdflib implementations build.
                g = network.collaboration_graph(kg, lean=True)
                return g.number_of_edges()

        elif impl == "oxigraph":
            setup = lambda: _ox_prepared(store)  # noqa: E731

            def run(s: Any) -> Any:
                return _ox_projection(s).number_of_edges()

        else:
            setup = lambda: _rdflib_dataset(nq)  # noqa: E731

            def run(ds: Any) -> Any:
                return _rdflib_projection(ds).number_of_edges()

    elif op.startswith("export:"):
        fmt = op.split(":", 1)[1]
        target = scratch.with_suffix(f".{fmt}")
        if impl == "filmkg":
            try:
                from filmkg.export import formats as export
            except ImportError as exc:
                raise UnavailableError("filmkg.export.formats") from exc
            from filmkg.engines.store import KnowledgeGraph

            setup = lambda: KnowledgeGraph.open(store)  # noqa: E731

            def run(kg: Any) -> Any:  # what `filmkg export --store` does (--order auto)
                export.export_to_path(kg, target, fmt=fmt, order="auto")
                return target.stat().st_size

        elif impl == "oxigraph":
            import pyoxigraph as ox

            rdf_format = {
                "ttl": ox.RdfFormat.TURTLE,
                "nt": ox.RdfFormat.N_TRIPLES,
                "nq": ox.RdfFormat.N_QUADS,
            }[fmt]
            setup = lambda: _ox_prepared(store)  # noqa: E731

            def run(s: Any) -> Any:
                if fmt == "nq":
                    s.dump(str(target), rdf_format)
                else:  # the union of the graphs: each graph dumped in turn, all in Rust
                    from filmkg.rdf.namespaces import PREFIXES

                    prefixes = dict(PREFIXES) if fmt == "ttl" else None
                    with open(target, "wb") as out:
                        for graph in s.named_graphs():
                            s.dump(out, rdf_format, from_graph=graph, prefixes=prefixes)
                return target.stat().st_size

        else:
            setup = lambda: _rdflib_dataset(nq)  # noqa: E731

            def run(ds: Any) -> Any:
                if fmt == "nq":
                    ds.serialize(str(target), format="nquads")
                else:
                    from rdflib import Graph

                    g = Graph()
                    for s, p, o, _ in ds.quads():
                        g.add((s, p, o))
                    g.serialize(str(target), format={"ttl": "turtle", "nt": "nt"}[fmt])
                return target.stat().st_size

    else:
        raise ValueError(f"unknown operation {op}")

    t0 = time.perf_counter()
    state = setup()
    t1 = time.perf_counter()
    detail = run(state)
    t2 = time.perf_counter()
    return {"seconds": t2 - t1, "setup_seconds": t1 - t0, "detail": detail, "peak_kb": peak_kb()}


def peak_kb() -> int:
    """Peak resident memory of this process image (KiB).

    ``VmHWM`` from ``/proc/self/status``: unlike ``getrusage(RUSAGE_SELF).ru_maxrss``,
    which Linux carries over fork + exec (a child reports its parent's peak if larger),
    it starts afresh with the new program. Falls back to ``getrusage`` elsewhere.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


# ---------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def measure(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run one worker subprocess; wall time and peak RSS (``getrusage``) come from it."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", json.dumps(spec)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": None, "peak_mb": None, "note": f"> {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"status": "error", "seconds": None, "peak_mb": None, "note": last[:200]}
    result = json.loads(lines[-1])
    if result.get("unavailable"):
        return {"status": "unavailable", "seconds": None, "peak_mb": None, "note": result["note"]}
    return {
        "status": "ok",
        "seconds": round(result["seconds"], 4),
        "setup_seconds": round(result["setup_seconds"], 3),
        "peak_mb": round(result["peak_kb"] / 1024, 1),
        "detail": result["detail"],
    }


def op_names(quick: bool) -> list[str]:
    ops = ["load", "build", "validate", "analytics:columns"]
    try:
        from filmkg.sparql import catalogue as queries

        names = sorted(queries.catalogue())
    except ImportError:
        names = []
    ops += [f"query:{n}" for n in (names[:1] if quick else names)]
    ops += (
        ["projection", "export:ttl"]
        if quick
        else ["projection", "export:ttl", "export:nt", "export:nq"]
    )
    return ops


def prepare(size: int, work: Path, seed: int) -> dict[str, Any]:
    """Generate the graph, build the filmkg store and its N-Quads dump (inputs of the ops)."""
    from filmkg.build.project import load_project
    from filmkg.synth import generator as synth

    tag = f"{size}-s{seed}"
    nt, nq, store = work / f"synth-{tag}.nt", work / f"build-{tag}.nq", work / f"store-{tag}"
    if not nt.exists():
        synth.write_file(nt, films=synth.films_for_triples(size), seed=seed, fmt="nt")
    if not (store / "CURRENT").exists():
        shutil.rmtree(store, ignore_errors=True)
        kg = load_project([nt], include_data=False, store_path=store)
        kg.store.flush()
        del kg
    if not nq.exists():
        import pyoxigraph as ox

        s = ox.Store.read_only(str(store))
        s.dump(str(nq), ox.RdfFormat.N_QUADS)
    triples = sum(1 for _ in nt.open("rb"))
    return {"nt": str(nt), "nq": str(nq), "store": str(store), "triples": triples}


def query_params(store: str) -> dict[str, dict[str, str]]:
    """Parameter values for the named queries, taken from the graph (a prolific person…)."""
    try:
        from filmkg.sparql import catalogue as queries
    except ImportError:
        return {}
    import pyoxigraph as ox

    s = ox.Store.read_only(store)
    picks: dict[str, str] = {}
    fk = "PREFIX filmkg: <https://w3id.org/filmkg/ontology#>\n"
    for kind, q in (
        (
            "person",
            "SELECT ?x WHERE { ?c filmkg:agent ?x } GROUP BY ?x "
            "ORDER BY DESC(COUNT(?c)) ?x LIMIT 1",
        ),
        ("film", "SELECT ?x WHERE { ?r filmkg:laterWork ?x } ORDER BY ?x LIMIT 1"),
        (
            "organisation",
            "SELECT ?x WHERE { ?g filmkg:rightsHolder ?x } GROUP BY ?x "
            "ORDER BY DESC(COUNT(?g)) ?x LIMIT 1",
        ),
    ):
        rows = list(s.query(fk + q, use_default_graph_as_union=True))
        if rows:
            picks[kind] = rows[0][0].value
    picks["work"] = picks.get("film", "")
    picks["iri"] = picks.get("person", "")
    picks.update({"year": "2000", "integer": "2", "date": "2000-01-01", "literal": "Harbor"})
    params: dict[str, dict[str, str]] = {}
    for name, query in queries.catalogue().items():
        chosen: dict[str, str] = {}
        for p in getattr(query, "params", ()):
            if getattr(p, "required", False) and getattr(p, "kind", None) in picks:
                chosen[p.name] = picks[p.kind]
        params[name] = chosen
    return params


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    versions = {}
    for pkg in ("pyoxigraph", "rdflib", "pyshacl", "networkx"):
        with contextlib.suppress(md.PackageNotFoundError):
            versions[pkg] = md.version(pkg)
    return {
        "nproc": os.cpu_count(),
        "ram": ram,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def fmt_size(n: int) -> str:
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if n >= div:
            return f"{n / div:g}{unit}"
    return str(n)


def cell(r: dict[str, Any] | None) -> str:
    if r is None:
        return "—"
    if r["status"] == "ok":
        return f"{r['seconds']:.3g} s · {r['peak_mb']:.0f} MB"
    return r["status"] if r["status"] != "error" else "error"


def markdown(results: dict[str, Any]) -> str:
    rows = results["rows"]
    lines = [
        "| size | operation | filmkg | raw pyoxigraph | plain rdflib "
        "| filmkg ÷ raw | rdflib ÷ filmkg |",
        "|---|---|---|---|---|---|---|",
    ]
    keys = sorted({(r["triples"], r["op"]) for r in rows}, key=lambda k: (k[0], k[1]))
    index = {(r["triples"], r["op"], r["impl"]): r for r in rows}
    for triples, op in keys:
        ours, raw, base = (index.get((triples, op, i)) for i in IMPLS)

        def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
            if a and b and a["status"] == b["status"] == "ok" and b["seconds"]:
                return f"{a['seconds'] / b['seconds']:.2f}×"
            if a and b and a["status"] == "timeout" and b["status"] == "ok":
                return f"> {float(a['note'].split()[1]) / b['seconds']:.0f}×"
            return "—"

        lines.append(
            f"| {fmt_size(triples)} | {op} | {cell(ours)} | {cell(raw)} | {cell(base)} "
            f"| {ratio(ours, raw)} | {ratio(base, ours)} |"
        )
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in results["rows"] if r["status"] == "ok" and r["seconds"]]
    ops = sorted({r["op"] for r in rows if not r["op"].startswith("query:")})
    fig, ax = plt.subplots(figsize=(9, 6))
    styles = {"filmkg": "-", "oxigraph": ":", "rdflib": "--"}
    for i, op in enumerate(ops):
        color = f"C{i % 10}"
        for impl in IMPLS:
            pts = sorted(
                (r["triples"], r["seconds"]) for r in rows if r["op"] == op and r["impl"] == impl
            )
            if pts:
                ax.plot(
                    *zip(*pts, strict=True),
                    styles[impl],
                    marker="o",
                    color=color,
                    label=f"{op} ({impl})",
                )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples")
    ax.set_ylabel("wall time (s)")
    ax.set_title("filmkg (solid) vs raw pyoxigraph (dotted) vs plain rdflib (dashed)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    plt.close(fig)


#: The 1,000-film import of the Done-when targets (the first 1,000 films of the file).
NETFLIX = ROOT.parent / "shared" / "data" / "netflix-titles" / "netflix_titles.csv"


def _timed_cli(args: list[str], cwd: Path, timeout: float | None = None) -> dict[str, Any]:
    """One ``filmkg`` command as a user runs it (default options, output to a pipe);
    ``["python", …]``: a baseline script, timed the same way (process start included)."""
    if args[0] == "python":
        command, shown = [sys.executable, *args[1:]], " ".join(args[:2]) + " …"
    else:
        command, shown = [sys.executable, "-m", "filmkg", *args], "filmkg " + " ".join(args)
    t0 = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "status": "timeout", "command": shown}
    seconds = time.perf_counter() - t0
    status = "ok" if done.returncode in (0, 1) else f"exit {done.returncode}"
    return {"seconds": round(seconds, 3), "status": status, "command": shown}


#: Baselines of the user path, as small scripts (argv[1]: the input).
_RAW_COUNT = (
    "import sys, pyoxigraph as ox; s = ox.Store.read_only(sys.argv[1]); "
    "print(next(iter(s.query('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }', "
    "use_default_graph_as_union=True)))['n'])"
)
_RDFLIB_COUNT = (
    "import sys, rdflib; d = rdflib.Dataset(); d.parse(sys.argv[1], format='nquads'); "
    "print(len(set(d.triples((None, None, None)))))"
)
_PYSHACL_VALIDATE = (
    "import sys, rdflib, pyshacl; d = rdflib.Graph(); d.parse(sys.argv[1], format='nquads'); "
    "d.parse(sys.argv[2]); s = rdflib.Graph().parse(sys.argv[3]); "
    "print(pyshacl.validate(d, shacl_graph=s)[0])"
)


def _first_films(source: Path, target: Path, n: int) -> None:
    import csv

    with source.open(newline="", encoding="utf-8") as f, target.open("w", newline="") as out:
        rows = csv.reader(f)
        header = next(rows)
        writer = csv.writer(out)
        writer.writerow(header)
        kind = header.index("type")
        writer.writerows(itertools.islice((r for r in rows if r[kind] == "Movie"), n))


def user_path(
    work: Path, films: int, seed: int, baseline_timeout: float = 120
) -> list[dict[str, Any]]:
    """The commands a new user types, timed end to end (process start included): validate
    and build a synthetic file of ``films`` films (``build -o`` beside ``build --store``,
    in the same run), a 1,000-film import into a store then a one-line count on it (beside
    raw pyoxigraph and plain rdflib counting the same), the import's validation (beside
    plain rdflib + pySHACL, stopped at ``baseline_timeout`` s) and the CLI's start."""
    from filmkg.synth import generator as synth

    folder = work / f"user-{films}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = folder / f"s{films}.nt"
    synth.write_file(data, films=films, seed=seed, fmt="nt")
    steps = [
        ("validate FILE", ["validate", data.name]),
        ("build -o DIR FILE", ["build", "-o", "out", data.name]),
        ("build --store DIR FILE", ["build", "--store", "s.db", data.name]),
    ]
    if NETFLIX.is_file():
        _first_films(NETFLIX, folder / "netflix-1000.csv", 1000)
        mapping = ROOT / "mappings" / "netflix-titles.toml"
        imported = ["import", "netflix-1000.csv", "--mapping", str(mapping)]
        ontology = str(ROOT / "ontology" / "filmkg.ttl")
        shapes = str(ROOT / "ontology" / "shapes.ttl")
        steps += [
            ("import 1,000 films --into", [*imported, "--into", "kg.db"]),
            (
                "count on the fresh import store",
                ["sparql", "--store", "kg.db", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
            ),
            ("count: raw pyoxigraph (open + query)", ["python", "-c", _RAW_COUNT, "kg.db"]),
            ("import 1,000 films -o FILE.nq", [*imported, "-o", "imp.nq"]),
            ("count: plain rdflib (parse the .nq)", ["python", "-c", _RDFLIB_COUNT, "imp.nq"]),
            ("validate the 1,000-film import", ["validate", "imp.nq"]),
            (
                "validate: plain rdflib + pySHACL",
                ["python", "-c", _PYSHACL_VALIDATE, "imp.nq", ontology, shapes],
            ),
        ]
    steps.append(("CLI start (filmkg --help)", ["--help"]))
    rows = []
    for name, args in steps:
        row = {"step": name, **_timed_cli(args, folder, timeout=baseline_timeout)}
        print(
            f"user path {films} films: {name:<34} {row['seconds']:8.2f} s {row['status']}",
            flush=True,
        )
        rows.append(row)
    shutil.rmtree(folder, ignore_errors=True)
    return rows


def user_markdown(rows: list[dict[str, Any]]) -> str:
    """The user-path table, with build -o against build --store."""
    lines = ["| step | command | seconds |", "|---|---|---|"]
    lines += [
        f"| {r['step']} | `{r['command']}` | {r['seconds']:.2f} ({r['status']}) |" for r in rows
    ]
    times = {r["step"]: r["seconds"] for r in rows}
    ratios = [
        ("`build -o` / `build --store`", "build -o DIR FILE", "build --store DIR FILE"),
        (
            "count: filmkg / raw pyoxigraph",
            "count on the fresh import store",
            "count: raw pyoxigraph (open + query)",
        ),
        (
            "count: plain rdflib / filmkg",
            "count: plain rdflib (parse the .nq)",
            "count on the fresh import store",
        ),
        (
            "validate: rdflib + pySHACL / filmkg",
            "validate: plain rdflib + pySHACL",
            "validate the 1,000-film import",
        ),
    ]
    lines.append("")
    for label, top, bottom in ratios:
        if times.get(top) and times.get(bottom):
            timed_out = {r["step"]: r["status"] for r in rows}.get(top) == "timeout"
            lines.append(f"{label}: {'> ' if timed_out else ''}{times[top] / times[bottom]:.2f}×  ")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10k,100k,1M", help="comma-separated triples: 10k,1M…")
    ap.add_argument("--quick", action="store_true", help="one query, one export (CI)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks.png")
    ap.add_argument("--timeout", type=float, default=1800, help="per measurement (s)")
    ap.add_argument("--baseline-timeout", type=float, default=120, help="rdflib cap (s)")
    ap.add_argument("--impls", default=",".join(IMPLS))
    ap.add_argument("--ops", default="", help="only these operations (comma-separated)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument(
        "--user-path",
        type=int,
        default=0,
        metavar="FILMS",
        help="also time the CLI as a user runs it on a FILMS-film file (validate, build -o, "
        "build --store, a 1,000-film import and a count on its store); 0: not",
    )
    args = ap.parse_args(argv)

    if args.worker:
        spec = json.loads(args.worker)
        try:
            print(json.dumps(worker(spec)))
        except UnavailableError as exc:
            print(json.dumps({"unavailable": True, "note": str(exc)}))
        return 0

    args.work.mkdir(parents=True, exist_ok=True)
    impls = [i for i in args.impls.split(",") if i]
    stamp = dt.datetime.now().strftime("%Y-%m-%d")
    results: dict[str, Any] = {"date": stamp, "machine": machine(), "rows": []}
    out_json = args.results / f"{stamp}.json"
    timed_out: set[tuple[str, str]] = set()
    for size_text in [t for t in args.sizes.split(",") if t]:
        size = parse_size(size_text)
        t0 = time.perf_counter()
        inputs = prepare(size, args.work, args.seed)
        print(
            f"# {fmt_size(size)}: {inputs['triples']} triples ready in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        params = query_params(inputs["store"])
        ops = op_names(args.quick)
        if args.ops:
            ops = [o for o in ops if o in args.ops.split(",")]
        for op in ops:
            for impl in impls:
                scratch = args.work / f"scratch-{impl}"
                shutil.rmtree(scratch, ignore_errors=True)
                for leftover in args.work.glob(f"scratch-{impl}.*"):
                    leftover.unlink()
                spec = {
                    "op": op,
                    "impl": impl,
                    **{k: inputs[k] for k in ("nt", "nq", "store")},
                    "scratch": str(scratch),
                    "params": params.get(op.split(":", 1)[1], {})
                    if op.startswith("query:")
                    else {},
                }
                key = (op, impl)
                if key in timed_out:
                    r = {
                        "status": "timeout",
                        "seconds": None,
                        "peak_mb": None,
                        "note": f"> {args.baseline_timeout:.0f} s (timed out at a smaller size)",
                    }
                else:
                    cap = args.baseline_timeout if impl == "rdflib" else args.timeout
                    r = measure(spec, cap)
                    if r["status"] == "timeout":
                        timed_out.add(key)
                row = {"size": size_text, "triples": inputs["triples"], "op": op, "impl": impl, **r}
                results["rows"].append(row)
                print(f"{fmt_size(inputs['triples']):>6} {op:<28} {impl:<9} {cell(r)}", flush=True)
                args.results.mkdir(parents=True, exist_ok=True)  # after every row: a long
                out_json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
                shutil.rmtree(scratch, ignore_errors=True)
                for leftover in args.work.glob(f"scratch-{impl}.*"):
                    leftover.unlink()
        args.results.mkdir(parents=True, exist_ok=True)
        out_json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    table = markdown(results)
    if args.user_path:
        results["user_path"] = user_path(
            args.work, args.user_path, args.seed, args.baseline_timeout
        )
        args.results.mkdir(parents=True, exist_ok=True)
        out_json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        table += "\n" + user_markdown(results["user_path"])
    (args.results / f"{stamp}.md").write_text(table)
    if results["rows"]:
        plot(results, args.plot)
    print(table)
    print(f"wrote {out_json}, {args.results / f'{stamp}.md'}, {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
