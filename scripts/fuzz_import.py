"""Fuzz ``filmkg import`` for longer than the test suite does (the cases of tests/import_fuzz.py).

    python scripts/fuzz_import.py [--examples 2000] [--seed N] [--keep DIR]

Prints how many runs exited 0 and 2, and every case that broke the contract (an exit
other than 0 or 2, a traceback, more than one error line, an output that does not
validate), then exits 1 if there was one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hypothesis import HealthCheck, given, seed, settings

from import_fuzz import Case, cases, problems, run_case


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="write each failing case into a folder here")
    args = parser.parse_args()
    codes: Counter[int] = Counter()
    failures: list[tuple[list[str], Case, str]] = []

    @seed(args.seed)
    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(cases())
    def run(case: Case) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = run_case(case, Path(tmp))
        codes[outcome.code] += 1
        found = problems(outcome)
        if found:
            failures.append((found, case, outcome.err))
            if args.keep is not None:
                run_case(case, args.keep / f"case-{len(failures)}")
            print(f"FAIL {found}: {outcome.err.strip()[:300]}", file=sys.stderr, flush=True)
        done = sum(codes.values())
        if done % 100 == 0:
            print(f"{done} runs: {dict(sorted(codes.items()))}", file=sys.stderr, flush=True)

    run()
    print(
        f"{sum(codes.values())} runs, exit codes {dict(sorted(codes.items()))}, "
        f"{len(failures)} broke the contract"
    )
    for found, case, err in failures[:20]:
        print(f"- {found}: {case.kind} {err.strip()[:200]!r}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
