"""`filmkg reconcile` against the Wikidata-shaped fixture on real servers (Oxigraph and
Virtuoso): golden matches, the review list, precision and recall on the labelled set,
writing into a store and a file, untrusted names, back-off, bad input."""

from __future__ import annotations

import re
import socket
from collections import defaultdict
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from reconcile_servers import DATA, GOLD, Proxy, Wikidata

from filmkg import reconcile as rc
from filmkg.build.project import load_project
from filmkg.cli import main
from filmkg.engines.remote import USER_AGENT, Endpoint
from filmkg.engines.store import KnowledgeGraph
from filmkg.validation.report import validate
from servers import Misbehaving

REPO = Path(__file__).resolve().parents[2]
F = "https://w3id.org/filmkg/ontology#"
EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
EXPECTED_MATCHES = DATA / "expected-matches.tsv"
EXPECTED_REVIEW = DATA / "expected-review.tsv"


def matches_in(quads: list[ox.Quad]) -> list[str]:
    """One line per reconciliation node: entity, item, confidence, signals (sorted)."""
    nodes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for q in quads:
        if q.predicate.value.startswith(F):
            nodes[q.subject.value][q.predicate.value[len(F) :]].append(q.object.value)
    lines = []
    for props in nodes.values():
        if "reconciledWith" in props:
            lines.append(
                "\t".join(
                    [
                        props["matchedEntity"][0],
                        props["reconciledWith"][0],
                        *(f"{float(c):.2f}" for c in props["confidence"]),
                        ", ".join(sorted(props["signal"])),
                    ]
                )
            )
    return sorted(lines)


def read_quads(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path)))


def expected_matches() -> list[str]:
    return EXPECTED_MATCHES.read_text(encoding="utf-8").splitlines()[1:]


def test_matches_and_review_list_are_the_golden_ones(
    wikidata: Wikidata, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "matches.nq"
    assert main(["reconcile", *wikidata.options(), "-o", str(out), "--batch-size", "7"]) == 0
    err = capsys.readouterr().err
    assert "22 entities" in err, err
    assert "15 matched, 6 to review" in err, err
    assert matches_in(read_quads(out)) == expected_matches()
    review = tmp_path / "matches.review.tsv"
    assert review.read_text(encoding="utf-8") == EXPECTED_REVIEW.read_text(encoding="utf-8")
    assert not (tmp_path / "matches.nq.checkpoint.json").exists()  # removed: the run is done
    # every exactMatch is supported by its reconciliation node, in the graph of its own
    quads = read_quads(out)
    assert {q.graph_name.value for q in quads} == {rc.DEFAULT_GRAPH}
    links = sorted(
        f"{q.subject.value}\t{q.object.value}" for q in quads if q.predicate.value == EXACT
    )
    assert links == sorted("\t".join(line.split("\t")[:2]) for line in expected_matches())


def test_the_review_list_holds_the_uncertain_ones() -> None:
    rows = [line.split("\t") for line in EXPECTED_REVIEW.read_text(encoding="utf-8").splitlines()]
    assert tuple(rows[0]) == rc.output.REVIEW_COLUMNS
    matched = {line.split("\t")[0] for line in expected_matches()}
    for row in rows[1:]:
        assert row[0] not in matched  # a matched entity has nothing left to review
        assert float(row[5]) < rc.DEFAULT_THRESHOLD or "ambiguous" in row[7]
    reviewed = {row[0] for row in rows[1:]}
    # the homonyms with no shared film, an organisation with no credit, a missing credit
    assert "https://w3id.org/filmkg/id/person/richard-mcguire" in reviewed
    assert "https://w3id.org/filmkg/id/person/andrew-golov" in reviewed
    assert "https://w3id.org/filmkg/id/org/metaphysic" in reviewed


def test_precision_and_recall_on_the_labelled_set_are_those_docs_report(
    wikidata: Wikidata, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    endpoint = Endpoint(wikidata.query_url, default_graphs=wikidata.default_graphs)
    run = rc.reconcile(
        rc.read_inputs(load_project()),
        endpoint,
        endpoint_name=wikidata.query_url,
        retrieved=date(2026, 1, 1),
    )
    scores = rc.evaluate(run, rc.read_gold(GOLD))
    assert (scores.matched, scores.correct, scores.expected, scores.reviewed) == (15, 15, 21, 6)
    docs = (REPO / "docs" / "reconcile.md").read_text(encoding="utf-8")
    assert "| fixture (tests/data/reconcile) | 22 | 15 | 15 | 21 | 6 | 1.00 | 0.71 |" in docs
    # the CLI reports the same
    out = tmp_path / "m.ttl"
    argv = ["reconcile", *wikidata.options(), "-o", str(out), "--gold", str(GOLD), "-q"]
    assert main(argv) == 0
    assert capsys.readouterr().out == scores.line() + "\n"
    assert scores.line() == "precision 1.00 (15/15), recall 0.71 (15/21), 6 left for review"


def test_homonyms_and_near_misses_are_decided_by_their_signals(oxigraph_wikidata: object) -> None:
    url = oxigraph_wikidata.query_url  # type: ignore[attr-defined]
    run = rc.reconcile(rc.read_inputs(load_project()), Endpoint(url), endpoint_name=url)
    by = {d.entity.iri.rsplit("/", 1)[-1]: d for d in run.decisions}
    wd = "http://www.wikidata.org/entity/"
    assert by["here-2024"].match is not None
    assert by["here-2024"].match.item == wd + "Q90000001"
    assert "date" in by["here-2024"].match.signals  # 2024, not the 2011 or 2023 film
    assert by["eric-roth"].match.item == wd + "Q942932"  # type: ignore[union-attr]
    assert by["bill-block"].match.item == wd + "Q90000026"  # type: ignore[union-attr]
    assert by["thom-zadra"].match.signals[0] == "alias"  # type: ignore[union-attr]
    assert by["michelle-dockery"].match is not None  # a "mul" label only
    assert by["jeremy-johns"].match is None
    assert by["jeremy-johns"].review == ()
    assert run.set_aside == 5  # song, album, graphic novel, fictional Gump, Hanks disambiguation


def test_matches_conform_to_the_shapes_with_the_project(
    oxigraph_wikidata: object, tmp_path: Path
) -> None:
    url = oxigraph_wikidata.query_url  # type: ignore[attr-defined]
    out = tmp_path / "reconciled.ttl"
    assert main(["reconcile", "--endpoint", url, "-o", str(out), "-q"]) == 0
    report = validate(load_project([out]))
    assert report.conforms, report.to_text()


def test_into_a_store_twice_leaves_one_copy(wikidata: Wikidata, tmp_path: Path) -> None:
    db = tmp_path / "kg.db"
    load_project(store_path=db).compact()
    for _ in range(2):
        code = main(["reconcile", *wikidata.options(), "--store", str(db), "--into", str(db), "-q"])
        assert code == 0
        kg = KnowledgeGraph.open(db)
        graph = ox.NamedNode(rc.DEFAULT_GRAPH)
        quads = list(kg.match(None, None, None, graph))
        assert matches_in(quads) == expected_matches()
        confidences = [q for q in quads if q.predicate.value == F + "confidence"]
        assert len(confidences) == 15
        del kg
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.db", "kg.review.tsv"]


def test_a_name_that_would_break_pasted_query_text_is_one_term(
    oxigraph_wikidata: object, tmp_path: Path
) -> None:
    name = 'Here" } ; DROP ALL ; { \\ »Ünïcødé«'
    extra = tmp_path / "odd.ttl"
    text = name.replace("\\", "\\\\").replace('"', '\\"')
    extra.write_text(
        "@prefix filmkg: <https://w3id.org/filmkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://w3id.org/filmkg/id/film/odd> a filmkg:Film ; rdfs:label "{text}" .\n',
        encoding="utf-8",
    )
    url = oxigraph_wikidata.query_url  # type: ignore[attr-defined]
    run = rc.reconcile(rc.read_inputs(load_project([extra])), Endpoint(url), endpoint_name=url)
    odd = next(d for d in run.decisions if d.entity.iri.endswith("/film/odd"))
    assert odd.match is not None
    assert odd.match.item.endswith("/Q90000050")
    assert odd.match.candidate.name == name


def test_429_and_503_with_retry_after_are_waited_out(
    oxigraph_wikidata: object, tmp_path: Path
) -> None:
    url = oxigraph_wikidata.query_url  # type: ignore[attr-defined]
    out = tmp_path / "m.nq"
    with Proxy(url, fail=(429, 503)) as proxy:
        args = [
            "reconcile",
            "--endpoint",
            proxy.url,
            "-o",
            str(out),
            "-q",
            "--contact",
            "me@example.org",
        ]
        assert main(args) == 0
    assert matches_in(read_quads(out)) == expected_matches()
    assert proxy.seen == proxy.forwarded + 2
    assert set(proxy.agents) == {USER_AGENT[:-1] + "; me@example.org)"}
    assert re.fullmatch(
        r"filmkg/\S+ \(\+https://w3id\.org/filmkg; me@example\.org\)", proxy.agents[0]
    )


def test_misbehaving_server_429_then_ok_and_429_too_long(
    misbehaving: Misbehaving, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.ttl"
    assert (
        main(["reconcile", "--endpoint", misbehaving.url + "/429-then-ok", "-o", str(out), "-q"])
        == 0
    )
    seen = [s for s in misbehaving.seen if s.path == "/429-then-ok"]
    assert len(seen) == 2
    assert all(s.headers["User-Agent"] == USER_AGENT for s in seen)
    assert out.read_bytes() == b""  # answers without candidates: no match
    capsys.readouterr()
    out.unlink()
    (tmp_path / "m.review.tsv").unlink()
    assert main(["reconcile", "--endpoint", misbehaving.url + "/429-long", "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "asks to wait 3600 s" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, no checkpoint


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--endpoint", "http://127.0.0.1:{port}/sparql", "--retries", "0"],
            3,
            "connection refused",
        ),
        (["--endpoint", "htps://query.wikidata.org/sparql"], 2, "is not an http(s) URL"),
        (["--endpoint", "http://127.0.0.1:{port}/sparql", "--threshold", "1.5"], 2, "--threshold"),
        (["--endpoint", "http://127.0.0.1:{port}/sparql", "--batch-size", "0"], 2, "--batch-size"),
        (
            ["--endpoint", "http://127.0.0.1:{port}/sparql", "--language", "e n"],
            2,
            "not a language tag",
        ),
        (["--endpoint", "http://127.0.0.1:{port}/sparql", "--contact", "a\nb"], 2, "contact"),
    ],
)
def test_bad_input_is_one_line_and_its_exit_code(
    args: list[str], code: int, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()
    argv = ["reconcile", *(a.format(port=port) for a in args), "-o", str(tmp_path / "m.ttl")]
    assert main(argv) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert message in err, err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_without_an_output_or_with_an_unknown_suffix_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reconcile", "--endpoint", "http://127.0.0.1:1/sparql"]) == 2
    assert "give -o FILE and/or --into STORE" in capsys.readouterr().err
    assert (
        main(
            ["reconcile", "--endpoint", "http://127.0.0.1:1/sparql", "-o", str(tmp_path / "m.txt")]
        )
        == 2
    )
    assert "name the file .ttl, .nt, .nq or .trig" in capsys.readouterr().err
    assert (
        main(
            [
                "reconcile",
                "--endpoint",
                "http://127.0.0.1:1/sparql",
                "--into",
                str(tmp_path / "none.db"),
            ]
        )
        == 2
    )
    assert "no filmkg store here" in capsys.readouterr().err


def test_the_run_agrees_with_the_links_curated_by_hand(oxigraph_wikidata: object) -> None:
    url = oxigraph_wikidata.query_url  # type: ignore[attr-defined]
    inputs = rc.read_inputs(load_project())
    assert len(inputs.links) == 5  # graph/reconciliation.ttl
    run = rc.reconcile(inputs, Endpoint(url), endpoint_name=url)
    for decision in run.decisions:
        if decision.entity.iri in inputs.links:
            assert decision.match is not None
            assert {decision.match.item} == set(inputs.links[decision.entity.iri])
