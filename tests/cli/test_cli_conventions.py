"""CLI conventions (issue #18): usage, version, exit codes of broken pipes and full disks."""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest

from filmkg.cli import COMMANDS, SUMMARIES, main
from filmkg.errors import EXIT_CODES

REPO = Path(__file__).resolve().parents[2]
FILMKG = [sys.executable, "-m", "filmkg"]


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """``filmkg ARGS`` in a child process, from the repository folder."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [*FILMKG, *args], cwd=REPO, capture_output=True, text=True, check=False, **kwargs
    )


def test_bare_command_prints_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0].startswith("Usage: filmkg [OPTIONS] COMMAND")
    assert len(lines) > 10
    assert max(len(line) for line in lines) < 120
    assert any(line.split()[:1] == ["query"] for line in lines)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_list_says_what_each_command_says(name: str) -> None:
    """``filmkg --help`` lists the commands from SUMMARIES: each must be its command's."""
    module, _, attribute = COMMANDS[name].partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert name in SUMMARIES, f"add {name!r} to filmkg.cli.SUMMARIES"
    for limit in (20, 45, 70, 200):
        summary = click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit)
        assert summary == command.get_short_help_str(limit)


def test_help_imports_no_command() -> None:
    code = (
        "import sys\n"
        "from filmkg.cli import main\n"
        "assert main(['--help']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('filmkg.cli.'))\n"
        "heavy = sorted(m for m in ('rdflib', 'pyoxigraph', 'networkx') if m in sys.modules)\n"
        "print('LOADED', loaded, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert "LOADED [] []" in done.stdout


def test_version_short_and_long(capsys: pytest.CaptureFixture[str]) -> None:
    from filmkg import __version__

    for flag in ("-V", "--version"):
        assert main([flag]) == 0
        assert capsys.readouterr().out.strip() == f"filmkg, version {__version__}"


def test_every_exit_code_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("# Exit codes") :]
    for code in EXIT_CODES:
        assert f"| {code} |" in section, code


@pytest.mark.parametrize(
    "args",
    [["export"], ["synth", "--films", "3000"]],
    ids=["export", "synth"],
)
def test_broken_pipe_exits_141_quietly(args: list[str], tmp_path: Path) -> None:
    if args == ["export"]:
        # several MB of output, far more than a pipe holds: the writer surely meets the
        # closed pipe (the project graph alone could fit in the pipe before head closes it)
        data = tmp_path / "big.nt"
        subprocess.run([*FILMKG, "synth", "--films", "2000", "-o", str(data)], check=True)
        args = ["export", "-f", "nt", str(data)]
    child = subprocess.Popen(
        [*FILMKG, *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None
    first = child.stdout.readline()
    child.stdout.close()  # `| head -1`
    _, err = child.communicate(timeout=120)
    assert first
    assert child.returncode == 141
    assert b"error" not in err.lower()
    assert b"Traceback" not in err


def test_stdout_on_a_full_device_is_exit_6() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*FILMKG, "export"], cwd=REPO, stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert result.returncode == 6
    assert result.stderr.strip() == (
        "filmkg: error: standard output: cannot write (No space left on device); "
        "free some space, or write somewhere else"
    )


def _file_size_limit(limit: int) -> None:
    """In the child: files may not grow past ``limit`` bytes (EFBIG, like a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize(
    ("args", "target"),
    [
        (["build", "-o", "{tmp}/dist"], "dist"),
        (["export", "-o", "{tmp}/graph.nt"], "graph.nt"),
        (["synth", "--films", "500", "-o", "{tmp}/synth.nt"], "synth.nt"),
        (
            [
                "import",
                str(REPO / "tests/data/import/my-films.csv"),
                "-m",
                str(REPO / "tests/data/import/my-films.toml"),
                "-o",
                "{tmp}/movies.nq",
            ],
            "movies.nq",
        ),
    ],
    ids=["build", "export", "synth", "import"],
)
def test_a_full_disk_is_exit_6_and_leaves_nothing(
    tmp_path: Path, args: list[str], target: str
) -> None:
    (tmp_path / "keep.txt").write_text("untouched\n")
    result = run(
        *(a.format(tmp=tmp_path) for a in args), preexec_fn=lambda: _file_size_limit(20_000)
    )
    assert result.returncode == 6, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"filmkg: error: {tmp_path}/{target}")
    assert ": cannot write here (" in lines[-1]
    assert "free some space" in lines[-1]
    assert "left as it was" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


# -- formats from suffixes, stdin, long query text ---------------------------------------


def test_query_output_format_comes_from_the_suffix(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    assert main(["query", "coworkers", "-o", str(target)]) == 0
    data = target.read_bytes()
    rows = data.split(b"\r\n")
    assert rows[0].startswith(b"person,person_label,coworker,")
    assert rows[-1] == b""  # every record ends with CRLF (RFC 4180)
    assert b"|" not in data
    import csv
    import io

    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert len({len(r) for r in parsed}) == 1
    assert parsed[1][0].startswith("https://w3id.org/filmkg/id/person/")
    as_json = tmp_path / "x.srj"
    assert main(["query", "coworkers", "-o", str(as_json)]) == 0
    assert json.loads(as_json.read_text())["head"]["vars"][0] == "person"
    forced = tmp_path / "y.csv"
    assert main(["query", "coworkers", "-o", str(forced), "-f", "tsv"]) == 0
    assert forced.read_text().startswith("?person\t")


@pytest.mark.parametrize(
    ("suffix", "starts"),
    [("ttl", b"@prefix"), ("nt", b"<https://"), ("nq", b"<https://"), ("jsonld", b"{")],
)
def test_sparql_construct_format_from_the_suffix(
    tmp_path: Path, suffix: str, starts: bytes
) -> None:
    target = tmp_path / f"g.{suffix}"
    assert main(["sparql", "CONSTRUCT WHERE { ?s a filmkg:Film }", "-o", str(target)]) == 0
    assert target.read_bytes().lstrip().startswith(starts)


def test_an_unknown_output_suffix_asks_for_f(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sparql", "SELECT * { ?s ?p ?o } LIMIT 1", "-o", str(tmp_path / "r.nt")]) == 2
    err = capsys.readouterr().err
    assert "cannot tell the format of query results from the suffix .nt; give -f" in err
    assert list(tmp_path.iterdir()) == []


def test_data_on_stdin() -> None:
    here = (REPO / "graph" / "here.ttl").read_text(encoding="utf-8")
    result = run("validate", "-", input=here)
    assert result.returncode == 0, result.stderr
    assert "conforms" in result.stdout
    broken = run("validate", "-", input="<a> <b> .\n")
    assert broken.returncode == 2
    assert broken.stderr.startswith("filmkg: error: <stdin>:1:")
    counted = run("stats", "-", input=here)
    from_file = run("stats", str(REPO / "graph" / "here.ttl"))
    n = from_file.stdout.splitlines()[-1].split(" statements")[0]
    assert counted.stdout.splitlines()[-1].endswith(f"in 1 named graph (graph:stdin {n})")


def test_input_format_overrides_the_suffix(tmp_path: Path) -> None:
    text = tmp_path / "here.txt"
    text.write_bytes((REPO / "graph" / "here.ttl").read_bytes())
    result = run("validate", str(text))
    assert result.returncode == 2
    assert "--input-format" in result.stderr
    assert run("validate", "--input-format", "turtle", str(text)).returncode == 0
    nt = run("export", "--input-format", "ttl", str(text), "-f", "nt")
    assert nt.returncode == 0
    assert nt.stdout.startswith("<https://")


def test_long_one_line_query_text_is_never_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    needle = "x" * 300
    query = f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(CONTAINS(STR(?s), '{needle}')) }}"
    assert main(["sparql", query]) == 0
    assert "(no rows)" in capsys.readouterr().out
    assert main(["sparql", "a" * 300 + ".rq"]) == 2


# -- one way of counting -----------------------------------------------------------------


def test_counts_agree_across_build_stats_and_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from filmkg.build.stats import count_statements
    from filmkg.cli._options import load_graph

    expected = count_statements(load_graph([], None))
    dist = tmp_path / "dist"
    assert main(["build", "-o", str(dist)]) == 0
    built = capsys.readouterr().err.strip().splitlines()[-1]
    assert main(["stats"]) == 0
    stated = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["export", "-o", str(tmp_path / "g.trig")]) == 0
    exported = capsys.readouterr().err.strip()
    assert stated == expected.describe()
    assert exported.startswith(f"wrote {expected.describe()} as TriG to ")
    # build also writes the derived network graph, and says so, graph by graph
    for graph, n in expected.graphs.items():
        assert f"{graph.rsplit('/', 1)[-1]} {n:,}" in built
    assert "graph:network" in built
    assert main(["stats", str(dist / "filmkg.trig"), "-f", "json"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    assert built.startswith(f"built {from_file['statements']:,} statements in 6 named graphs")
    assert {g: n for g, n in from_file["graphs"].items() if not g.endswith("/network")} == dict(
        expected.graphs
    )


def test_stats_of_a_file_counts_only_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(REPO / "graph" / "here.ttl"), "-f", "json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["graphs"] == {"https://w3id.org/filmkg/graph/here": counts["statements"]}
    assert counts["films"] == 2  # the ontology is read beside it, for its classes


def test_stats_of_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--store", str(tmp_path / "st")]) == 0
    capsys.readouterr()
    assert main(["stats", "--location", str(tmp_path / "st"), "-f", "json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["films"] == 2
    assert counts["named graphs"] == 5  # here, reconciliation, ontology, vocab, inferred
    assert main(["stats", "--store", str(tmp_path / "st"), "x.ttl"]) == 2
    assert "give FILES or --store, not both" in capsys.readouterr().err


# -- tables ------------------------------------------------------------------------------


def test_tables_cut_long_cells_with_an_ellipsis(capsys: pytest.CaptureFixture[str]) -> None:
    from filmkg.sparql.results import MAX_CELL

    assert main(["query", "evidence", "-p", "subject=kg:film/here-2024"]) == 0
    lines = capsys.readouterr().out.splitlines()
    columns = len(lines[0].split(" | "))
    assert max(len(line) for line in lines) <= columns * MAX_CELL + 3 * (columns - 1)
    assert any(line.rstrip().endswith("…") for line in lines[2:])
    assert set(lines[1]) == {"-", "+"}


def test_a_table_fits_the_terminal() -> None:
    import pty

    env_columns = 90
    leader, follower = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, env_columns, 0, 0))
    child = subprocess.Popen(
        [*FILMKG, "query", "evidence", "-p", "subject=kg:film/here-2024"],
        cwd=REPO,
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    child.wait(60)
    os.close(leader)
    lines = b"".join(chunks).decode("utf-8").splitlines()
    assert lines[0].startswith("fact")
    assert max(len(line) for line in lines) <= env_columns


def test_coworkers_lists_each_pair_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "coworkers", "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["results"]["bindings"]
    pairs = {(r["person"]["value"], r["coworker"]["value"]) for r in rows}
    assert pairs
    assert not {(b, a) for a, b in pairs} & pairs
    assert main(["query", "coworkers", "-p", "person=Robert Zemeckis", "-f", "json"]) == 0
    mine = json.loads(capsys.readouterr().out)["results"]["bindings"]
    others = {r["coworker"]["value"] for r in mine}
    paired = {b if "zemeckis" in a else a for a, b in pairs if "zemeckis" in a + b}
    assert others == paired  # given a person, all of their co-workers, either side


# -- SPARQL syntax errors as arq words them ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "found", "expected"),
    [
        ("SELECT ?x WHERE { ?x ?p }", "1:25", '"}"', ['"?"', '"<"', "<STRING_LITERAL1>"]),
        ("SELECT ?x\nWHERE {\n  ?x ?p ?o\n  ?x\n}", "4:3", '"?x"', ['"."', '"FILTER"', '"}"']),
        ("SELEC ?x", "1:1", '"SELEC"', ['"SELECT"', '"ASK"', '"CONSTRUCT"']),
        ("SELECT ?x WHERE { ?x ?p ?o", "1:27", "<EOF>", ['"}"', '"."']),
        ("INSERT DATA { <a> <b> }", "1:23", '"}"', ['"<"']),
    ],
)
def test_syntax_errors_name_the_token_the_place_and_what_was_expected(
    capsys: pytest.CaptureFixture[str], text: str, where: str, found: str, expected: list[str]
) -> None:
    assert main(["sparql", text]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    head = f"filmkg: error: <query>:{where}: Encountered {found}; was expecting one of: "
    assert line.startswith(head), line
    for token in expected:
        assert token in line[len(head) :].split(", ")


def test_shell_completion_is_clicks_and_documented() -> None:
    env = {**os.environ, "COMP_WORDS": "filmkg query --lo", "COMP_CWORD": "2"}
    result = run(env={**env, "_FILMKG_COMPLETE": "bash_complete"})
    assert result.stdout.split() == ["plain,--location"]
    commands = run(
        env={
            **env,
            "COMP_WORDS": "filmkg qu",
            "COMP_CWORD": "1",
            "_FILMKG_COMPLETE": "bash_complete",
        }
    )
    assert commands.stdout.split() == ["plain,query"]
    assert "_FILMKG_COMPLETE=bash_source filmkg" in (REPO / "README.md").read_text()
