"""Build dist/ and list the sha256 of every file in it: the proof that a refactoring
changed no output.

    python scripts/dist_checksums.py                   # this checkout's dist/ checksums
    python scripts/dist_checksums.py --against main    # and compare with main's build
    python scripts/dist_checksums.py --check sums.txt  # compare with a saved list

``--against REV`` exports that revision with ``git archive`` into a temporary folder and
builds it there with the same interpreter (``PYTHONPATH=<rev>/src``), so the two builds
differ only in the code and data of the two revisions. Exits 1 when a file differs, is
missing or is new; prints the list (``sha256  name``, sorted) otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_checksums(checkout: Path, out: Path) -> dict[str, str]:
    """Run ``filmkg build -o out`` from ``checkout``'s sources; ``{name: sha256}``."""
    env = dict(os.environ, PYTHONPATH=str(checkout / "src"), FILMKG_DEBUG="1")
    subprocess.run(
        [sys.executable, "-m", "filmkg", "-q", "build", "-o", str(out)],
        cwd=checkout,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return checksums(out)


def checksums(folder: Path) -> dict[str, str]:
    """``{relative name: sha256}`` of every file below ``folder``."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """One line per file that differs, is missing or is new."""
    lines = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            lines.append(f"missing: {name}")
        elif name not in before:
            lines.append(f"new: {name}")
        elif before[name] != after[name]:
            lines.append(f"differs: {name}")
    return lines


def _export(rev: str, into: Path) -> Path:
    archive = into / "rev.tar"
    with archive.open("wb") as handle:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=handle, check=True)
    checkout = into / "rev"
    with tarfile.open(archive) as tar:
        tar.extractall(checkout, filter="data")
    return checkout


def _read_list(path: Path) -> dict[str, str]:
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            sums[name] = digest
    return sums


def main(argv: list[str] | None = None) -> int:
    """Print this checkout's dist/ checksums; compare them when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--against", metavar="REV", help="compare with the build of this git rev")
    group.add_argument("--check", metavar="FILE", type=Path, help="compare with a saved list")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        here = build_checksums(ROOT, Path(tmp) / "dist")
        if args.against:
            before = build_checksums(_export(args.against, Path(tmp)), Path(tmp) / "dist-rev")
        elif args.check:
            before = _read_list(args.check)
        else:
            before = here
    for name, digest in here.items():
        print(f"{digest}  {name}")
    problems = differences(before, here)
    for line in problems:
        print(line, file=sys.stderr)
    if args.against or args.check:
        what = args.against or args.check
        verdict = f"{len(problems)} file(s) differ" if problems else "byte-identical"
        print(f"dist/ against {what}: {verdict} ({len(here)} files)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
