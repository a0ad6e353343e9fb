"""The whole pipeline on one synthetic graph, as a user runs it: one CLI command per step.

    python benchmarks/end_to_end.py --films 87000        # ≈ 10M triples

Steps, each a fresh ``filmkg`` process (wall time, and peak RSS from that process's
``VmHWM``): ``synth`` (not counted in the total), ``build --store`` (load, inference,
full validation), every named query on the store (``query NAME --store … -f csv``), the
collaboration projection (``network.collaboration_graph(kg, lean=True)``, what
``filmkg network`` builds on a store) and the Turtle export of the whole store
(``export --store … -f turtle``). Writes ``benchmarks/results/end-to-end-<films>.json``
and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(ROOT / "benchmarks"))

# run one CLI command in this process, then report its peak memory on stderr's last line
_WRAPPER = """
import sys
if sys.argv[1] == "--python":
    exec(sys.argv[2])
    code = 0
else:
    from filmkg.cli import main
    code = main(sys.argv[1:])
peak = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))
print('@@peak_kb', peak, file=sys.stderr)
sys.exit(code)
"""


_PROJECTION = """
from filmkg.network.projection import collaboration_graph
from filmkg.engines.store import KnowledgeGraph
g = collaboration_graph(KnowledgeGraph.open(sys.argv[3]), lean=True)
print(g.number_of_nodes(), g.number_of_edges())
"""


def step(name: str, args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``filmkg ARGS`` in a fresh process; its wall time, peak memory, exit code."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    t0 = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _WRAPPER, *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        print(f"{name:<40} > {timeout:.0f} s (stopped)", flush=True)
        return {
            "step": name,
            "args": args,
            "rc": None,
            "seconds": None,
            "peak_mb": None,
            "timeout": timeout,
        }
    seconds = time.perf_counter() - t0
    err = done.stderr.decode(errors="replace").splitlines()
    peak = [int(line.split()[1]) for line in err if line.startswith("@@peak_kb")]
    row = {
        "step": name,
        "args": args,
        "rc": done.returncode,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak[0] / 1024) if peak else None,
    }
    if done.returncode:
        row["error"] = next((line for line in err if not line.startswith("@@")), "")[:300]
    print(f"{name:<40} {seconds:8.1f} s {row['peak_mb']!s:>6} MB rc={done.returncode}", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--films", type=int, default=870, help="87000 films ≈ 10M triples")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--step-timeout", type=float, default=3600, help="stop a step after (s)")
    ap.add_argument("--query-timeout", type=float, default=0, help="stop a query after (s)")
    args = ap.parse_args(argv)
    cap = args.step_timeout
    query_cap = args.query_timeout or cap

    from run import machine, query_params  # the suite's helpers (same folder)

    from filmkg.sparql import catalogue as queries

    work = args.work / f"e2e-{args.films}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    data, store = work / "data.nt", work / "store"

    def run(name: str, *args: str, limit: float = cap) -> None:
        rows.append(step(name, list(args), limit))

    rows: list[dict[str, Any]] = []
    run("synth", "synth", "--films", str(args.films), "--seed", str(args.seed), "-o", str(data))
    triples = sum(1 for _ in data.open("rb"))
    run("build --store (load, inference, validation)", "build", "--store", str(store), str(data))
    params = query_params(str(store))
    # as a user asks: co-workers of one person (the most prolific), and once of all pairs
    params["coworkers"] = {"person": params["person_credits"]["person"]}
    runs = [(name, params.get(name, {})) for name in sorted(queries.catalogue())]
    runs.append(("coworkers", {}))
    for name, given in runs:
        extra = [a for k, v in given.items() for a in ("-p", f"{k}={v}")]
        label = f"query {name}" + (" (all pairs)" if name == "coworkers" and not given else "")
        run(label, "query", name, "--store", str(store), "-f", "csv", *extra, limit=query_cap)
    # the projection itself (the library call `filmkg network` makes on a store): writing
    # a 10M network as one GraphML/JSON document is a separate, in-memory matter
    run("projection (collaboration_graph, lean)", "--python", _PROJECTION, str(store))
    ttl = str(work / "all.ttl")
    run("export --store -f turtle", "export", "--store", str(store), "-f", "turtle", "-o", ttl)
    counted = rows[1:]
    total = sum(r["seconds"] or r["timeout"] for r in counted)
    peak = max((r["peak_mb"] or 0) for r in counted)
    stopped = [r["step"] for r in counted if r["seconds"] is None]
    result = {
        "films": args.films,
        "triples": triples,
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "rows": rows,
        "total_seconds": round(total, 1),
        "peak_mb": peak,
        "failed": [r["step"] for r in rows if r["rc"]],
        "stopped": stopped,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    target = args.results / f"end-to-end-{args.films}.json"
    target.write_text(json.dumps(result, indent=1) + "\n")
    more = f" (≥: {len(stopped)} step(s) stopped at their time limit)" if stopped else ""
    print(f"\n{triples:,} triples: total {total:.0f} s{more} (synth excluded), peak {peak} MB")
    print("\n| step | time | peak memory |\n|---|---|---|")
    for r in rows:
        took = f"{r['seconds']} s" if r["seconds"] is not None else f"> {r['timeout']:.0f} s"
        print(f"| {r['step']} | {took} | {r['peak_mb'] or '—'} MB |")
    print(f"wrote {target}")
    shutil.rmtree(work, ignore_errors=True)
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
