"""`filmkg build`, `filmkg stats` and bad input at the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from filmkg.cli import main
from filmkg.rdf.namespaces import KG, WDT


def test_build_writes_conforming_artefacts(tmp_path: Path, capsys) -> None:
    out = tmp_path / "dist"
    assert main(["build", "-o", str(out)]) == 0
    merged = Graph().parse(out / "filmkg.ttl")
    assert (KG["film/here-2024"], WDT.P57, KG["person/robert-zemeckis"]) in merged
    report = json.loads((out / "validation-report.json").read_text())
    assert report["conforms"] is True
    assert "conforms" in capsys.readouterr().err


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    assert main(["build", "-o", str(tmp_path / "a")]) == 0
    assert main(["build", "-o", str(tmp_path / "b")]) == 0
    files_a = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    files_b = sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_nonconforming_build_leaves_dist_untouched(tmp_path: Path, capsys) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "old.txt").write_text("keep me")
    bad = Path(__file__).parents[1] / "data" / "invalid" / "credit-without-role.ttl"
    assert main(["build", "-o", str(out), str(bad)]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["old.txt"]
    assert "does not conform" in capsys.readouterr().err


def test_stats_counts(capsys) -> None:
    assert main(["stats", "-f", "json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["films"] == 2
    assert counts["people"] == 14
    assert counts["organisations"] == 6
    assert counts["credits"] == 20
    assert counts["facts"] == 51  # 46 in graph:here, 5 curated links in graph:reconciliation
    assert counts["sources"] == 6  # the article, and the five Wikidata items they cite
    assert counts["evidence"] == 25


def _turtle_error_on_line_40(tmp_path: Path) -> Path:
    lines = ["@prefix ex: <https://example.org/> ."]
    lines += [f"ex:s{i} ex:p ex:o{i} ." for i in range(1, 39)]
    lines.append("ex:s40 ex:p ex:o40 ;; ex:q }")
    path = tmp_path / "broken.ttl"
    path.write_text("\n".join(lines) + "\n")
    return path


BAD_INPUTS = {
    "missing file": (lambda tmp: tmp / "nope.ttl", "no such file"),
    "not RDF": (
        lambda tmp: _write(tmp / "notes.ttl", "Dear diary, today I watched Here.\n"),
        ":1:",
    ),
    "syntax error on line 40": (_turtle_error_on_line_40, "broken.ttl:40:"),
    "date 2024-13-45": (
        lambda tmp: _write(
            tmp / "date.ttl",
            "@prefix filmkg: <https://w3id.org/filmkg/ontology#> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
            '<https://e.org/r> filmkg:releaseDate "2024-13-45"^^xsd:date .\n',
        ),
        'date.ttl:3:38: "2024-13-45" is not a valid xsd:date',
    ),
    "empty file": (lambda tmp: _write(tmp / "empty.ttl", ""), "the file is empty"),
    "unknown extension": (lambda tmp: _write(tmp / "data.xyz", "x"), "unknown RDF format"),
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
@pytest.mark.parametrize("command", ["validate", "stats", "build"])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, case: str, command: str) -> None:
    make, expected = BAD_INPUTS[case]
    path = make(tmp_path)
    args = (
        [command, str(path)]
        if command != "build"
        else [command, "-o", str(tmp_path / "d"), str(path)]
    )
    proc = subprocess.run([sys.executable, "-m", "filmkg", *args], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("filmkg: error: ")
    assert expected in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "d").exists()


def test_unknown_command_suggests(capsys) -> None:
    assert main(["biuld"]) == 2
    assert "did you mean 'build'" in capsys.readouterr().err


def test_build_writes_every_artefact(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert main(["build", "-o", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    expected = {
        "filmkg.ttl", "filmkg.nt", "filmkg.nq", "filmkg.trig", "filmkg.jsonld", "filmkg.rdf",
        "films.framed.jsonld", "filmkg-wikidata.ttl", "filmkg-schema.ttl",
        "network.html", "network.svg", "network.graphml", "validation-report.ttl",
    }  # fmt: skip
    assert expected <= names
    assert out.stat().st_mode & 0o044 == 0o044, "dist/ must be an ordinary readable folder"
    merged = Graph().parse(out / "filmkg.ttl")
    collaborations = set(
        merged.subjects(RDF.type, URIRef("https://w3id.org/filmkg/ontology#Collaboration"))
    )
    assert len(collaborations) == 84


@pytest.mark.parametrize(
    "args",
    [
        ["build", "-o", "{blocker}/dist"],
        ["export", "-o", "{blocker}/graph.ttl"],
        ["synth", "--films", "2", "-o", "{blocker}/synth.nt"],
        ["query", "film_credits", "-p", "film=Here", "-o", "{blocker}/rows.csv"],
    ],
    ids=["build", "export", "synth", "query"],
)
def test_output_under_a_file_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    code = main([a.format(blocker=blocker) for a in args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 6
    assert len(err) == 1
    assert err[0].startswith(f"filmkg: error: {blocker}/")
    assert "a part of the path is a file, not a folder" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
