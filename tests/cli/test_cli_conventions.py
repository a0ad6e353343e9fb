"""CLI conventions (issue #18): usage, version, exit codes of broken pipes and full disks."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from filmkg.cli import main
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
def test_broken_pipe_exits_141_quietly(args: list[str]) -> None:
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
