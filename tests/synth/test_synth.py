"""The synthetic film graph: deterministic, streamed, in our ontology, realistic."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from filmkg.cli import main
from filmkg.errors import UsageError
from filmkg.synth import generator as synth

P = "PREFIX filmkg: <https://w3id.org/filmkg/ontology#>\n"


def _store(films: int = 300, seed: int = 3, fmt: synth.SynthFormat = "nt") -> ox.Store:
    out = io.StringIO()
    synth.write(out, films=films, seed=seed, fmt=fmt)
    store = ox.Store()
    rdf_format = {
        "nt": ox.RdfFormat.N_TRIPLES,
        "nq": ox.RdfFormat.N_QUADS,
        "ttl": ox.RdfFormat.TURTLE,
    }[fmt]
    store.load(out.getvalue().encode(), format=rdf_format)
    return store


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return _store()


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(P + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(str(t.value) if t is not None else "" for t in row) for row in result]


def test_same_seed_gives_byte_identical_output_and_another_seed_differs() -> None:
    a, b, c = io.StringIO(), io.StringIO(), io.StringIO()
    synth.write(a, films=50, seed=9)
    synth.write(b, films=50, seed=9)
    synth.write(c, films=50, seed=10)
    assert a.getvalue() == b.getvalue()
    assert a.getvalue() != c.getvalue()


def test_triple_count_is_exact_and_has_no_duplicates() -> None:
    out = io.StringIO()
    stats = synth.write(out, films=200, seed=1)
    lines = out.getvalue().splitlines()
    assert stats.triples == len(lines) == len(set(lines))
    assert stats.films == 200


def test_the_three_formats_hold_the_same_triples() -> None:
    nt, ttl, nq = _store(fmt="nt"), _store(fmt="ttl"), _store(fmt="nq")
    as_set = {(q.subject, q.predicate, q.object) for q in nt}
    assert as_set == {(q.subject, q.predicate, q.object) for q in ttl}
    assert as_set == {(q.subject, q.predicate, q.object) for q in nq}
    assert {q.graph_name for q in nq} == {ox.NamedNode(str(synth.SYNTH_GRAPH))}


def test_every_assertion_has_evidence_with_a_quote_from_the_dataset(store: ox.Store) -> None:
    missing = _rows(
        store,
        """SELECT ?a WHERE {
          VALUES ?c { filmkg:Credit filmkg:Release filmkg:RightsGrant filmkg:Reunion }
          ?a a ?c .
          FILTER NOT EXISTS { ?a filmkg:evidence ?e . ?e a filmkg:Evidence ; filmkg:quote ?q ;
                              filmkg:sourceRecord ?r ; filmkg:source ?s . ?s a filmkg:Dataset }
        }""",
    )
    assert missing == []


def test_careers_have_a_long_tail(store: ox.Store) -> None:
    counts = [
        int(n)
        for (n,) in _rows(
            store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c filmkg:agent ?p } GROUP BY ?p"
        )
    ]
    histogram = Counter(counts)
    assert histogram[1] > len(counts) / 3  # many one-film credits
    assert max(counts) >= 20  # a few prolific people
    assert sorted(counts)[len(counts) // 2] <= 2


def test_people_hold_several_roles_on_one_film(store: ox.Store) -> None:
    rows = _rows(
        store,
        """SELECT ?p ?w WHERE { ?a filmkg:agent ?p ; filmkg:work ?w ; filmkg:role ?r1 .
                               ?b filmkg:agent ?p ; filmkg:work ?w ; filmkg:role ?r2 .
                               FILTER(?r1 != ?r2) } LIMIT 1""",
    )
    assert rows


def test_reunion_members_are_credited_on_both_films_years_apart(store: ox.Store) -> None:
    reunions = _rows(store, "SELECT ?r WHERE { ?r a filmkg:Reunion }")
    assert reunions
    bad = _rows(
        store,
        """SELECT ?r ?m WHERE {
          ?r a filmkg:Reunion ; filmkg:member ?m ; filmkg:earlierWork ?e ; filmkg:laterWork ?l ;
             filmkg:gapYears ?gap .
          FILTER(?gap < 3 || NOT EXISTS { ?c1 filmkg:work ?e ; filmkg:agent ?m }
                          || NOT EXISTS { ?c2 filmkg:work ?l ; filmkg:agent ?m })
        }""",
    )
    assert bad == []
    sizes = _rows(
        store, "SELECT (COUNT(?m) AS ?n) WHERE { ?r filmkg:member ?m } GROUP BY ?r HAVING(?n < 2)"
    )
    assert sizes == []


def test_superseded_plans_point_to_the_current_release_of_the_same_film(store: ox.Store) -> None:
    plans = _rows(
        store,
        """PREFIX rs: <https://w3id.org/filmkg/vocab/release-status/>
        SELECT ?old ?ok WHERE {
          ?old filmkg:releaseStatus rs:superseded .
          OPTIONAL { ?old filmkg:supersededBy ?new ; filmkg:supersededOn ?on ; filmkg:work ?w .
                     ?new filmkg:releaseStatus rs:current ; filmkg:work ?w . BIND(true AS ?ok) }
        }""",
    )
    assert plans
    assert all(ok == "true" for _, ok in plans)


def test_rights_grants_name_holder_kind_and_territory(store: ox.Store) -> None:
    rows = _rows(
        store,
        """SELECT ?g WHERE { ?g a filmkg:RightsGrant .
            FILTER NOT EXISTS { ?g filmkg:rightsHolder ?h ; filmkg:rightsKind ?k ;
                                   filmkg:territory ?t . ?h a filmkg:Organisation .
                                   ?t a filmkg:Place } }""",
    )
    assert rows == []
    assert _rows(store, "SELECT ?g WHERE { ?g a filmkg:RightsGrant } LIMIT 1")


def test_films_for_triples_maps_sizes_to_films() -> None:
    out = io.StringIO()
    stats = synth.write(out, films=synth.films_for_triples(100_000), seed=0)
    assert 85_000 < stats.triples < 115_000


def test_bad_film_count_and_format_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="at least 1"):
        synth.write(io.StringIO(), films=0)
    with pytest.raises(UsageError, match="unknown synth format"):
        synth.write(io.StringIO(), films=1, fmt="xml")  # type: ignore[arg-type]


def test_cli_writes_the_file_atomically_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "films.ttl"
    assert main(["synth", "--films", "20", "--seed", "2", "-o", str(target)]) == 0
    assert "wrote" in capsys.readouterr().err
    assert target.read_text().startswith("@base")
    assert [p.name for p in tmp_path.iterdir()] == ["films.ttl"]
    assert main(["synth", "--triples", "5k", "-o", str(tmp_path / "x.nt")]) == 0
    assert main(["synth", "--films", "many"]) == 2
    assert "not a count" in capsys.readouterr().err


def test_cli_streams_to_stdout() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "filmkg", "synth", "--films", "5", "-f", "nq"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines()[0].endswith(f"<{synth.SYNTH_GRAPH}> .")
