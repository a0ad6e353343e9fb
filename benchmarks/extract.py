"""How well `filmkg extract` reads: precision and recall per class, and throughput.

1. The seed article (graph/sources/) against its curated graph (graph/here.ttl), per
   assertion class; facts the curators marked as read (filmkg:note) counted apart. Run
   cold (no graph to link to: every entity is new) and warm (the project graph).
2. The Wikipedia leads of movies-1990s.json (../shared/data/wikipedia-movie-data, MIT;
   the text is Wikipedia's): cast precision and recall against the structured `cast`,
   year accuracy against `year`, over every lead with text; director, screenwriter,
   based-on (kind of work) and source-author precision and recall on the hand-labelled
   sample benchmarks/data/wikipedia-leads-labels.tsv (dev and held-out reported apart);
   throughput in leads per second.

    python benchmarks/extract.py [--leads N] [--write-docs] [--results DIR]
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from filmkg.build.project import load_project  # noqa: E402
from filmkg.extract.extractor import Extractor, Proposal  # noqa: E402
from filmkg.extract.linking import Linker  # noqa: E402
from filmkg.extract.model import EntityRef  # noqa: E402
from filmkg.extract.scoring import Score, candidate_fact, curated_facts, score  # noqa: E402
from filmkg.importers.mapping import fold  # noqa: E402

SEED = ROOT / "graph" / "sources" / "here-collider-2024-06-22.txt"
GOLD = ROOT / "graph" / "here.ttl"
LEADS = ROOT.parent / "shared" / "data" / "wikipedia-movie-data" / "movies-1990s.json"
LABELS = ROOT / "benchmarks" / "data" / "wikipedia-leads-labels.tsv"
DOCS = ROOT / "docs" / "extract.md"
MAIN = ("Credit", "Adaptation", "Release", "RightsGrant")


def _pr(s: Score) -> dict[str, Any]:
    return {
        "tp": s.tp,
        "fp": s.fp,
        "fn": s.fn,
        "precision": round(s.precision, 3),
        "recall": round(s.recall, 3),
        "misses": s.misses,
        "wrong": s.wrong,
    }


def seed(extractor: Extractor) -> dict[str, Any]:
    """Per class and kind (stated / read), against graph/here.ttl."""
    gold = curated_facts(GOLD)
    proposals = extractor.propose(SEED.read_text(encoding="utf-8"), "seed", "2024-06-22")
    by_id = {p.id: p.candidate for p in proposals}
    scores = score(gold, [candidate_fact(p.candidate, by_id) for p in proposals])
    main = Score()
    for (cls, kind), s in scores.items():
        if cls in MAIN and kind == "stated":
            main.tp, main.fp, main.fn = main.tp + s.tp, main.fp + s.fp, main.fn + s.fn
    rows = {f"{cls} ({kind})": _pr(s) for (cls, kind), s in sorted(scores.items())}
    rows["credits + adaptation + releases + distribution (stated)"] = _pr(main)
    return rows


def _names(proposals: list[Proposal], work: str, role: str) -> set[str]:
    out = set()
    for p in proposals:
        c = p.candidate
        w, a = c.fields.get("work"), c.fields.get("agent")
        credit = c.cls == "Credit" and c.fields.get("role") == role
        if (
            credit
            and isinstance(a, EntityRef)
            and isinstance(w, EntityRef)
            and fold(w.name) == work
        ):
            out.add(fold(a.name))
    return out


def _lead(extractor: Extractor, record: dict[str, Any]) -> dict[str, Any]:
    document, proposals = extractor.analyse(record["extract"], "lead")
    main = fold(document.main_film or "")
    years = {
        str(p.candidate.fields.get("year"))
        for p in proposals
        if p.candidate.cls == "Release"
        and "release.year" in p.candidate.rules
        and isinstance(p.candidate.fields.get("work"), EntityRef)
        and fold(p.candidate.fields["work"].name) == main
    }  # type: ignore[union-attr]
    based = {}
    authors: set[str] = set()
    for p in proposals:
        c = p.candidate
        w = c.fields.get("work")
        if c.cls == "Adaptation" and isinstance(w, EntityRef) and fold(w.name) == main:
            based[str(c.fields.get("kind", "")).split()[-1]] = c
        if c.cls == "Credit" and c.fields.get("role") == "author":
            a = c.fields.get("agent")
            if isinstance(a, EntityRef):
                authors.add(fold(a.name))
    return {
        "main": main,
        "years": years,
        "cast": _names(proposals, main, "cast-member"),
        "director": _names(proposals, main, "director"),
        "screenwriter": _names(proposals, main, "screenwriter"),
        "based_on": set(based),
        "source_author": authors if based else set(),
    }


def _add(s: Score, got: set[str], want: set[str]) -> None:
    s.tp += len(got & want)
    s.fp += len(got - want)
    s.fn += len(want - got)


def _labels() -> dict[tuple[str, int], dict[str, Any]]:
    out = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        split, title, year, *cols = line.split("\t")
        cols += [""] * (4 - len(cols))

        def names(text: str) -> set[str]:
            return {fold(n) for n in text.split(";") if n.strip()}

        out[(title, int(year))] = {
            "split": split,
            "director": names(cols[0]),
            "screenwriter": names(cols[1]),
            "based_on": {k.split()[-1] for k in names(cols[2])},
            "source_author": names(cols[3]),
        }
    return out


def leads(extractor: Extractor, limit: int | None) -> dict[str, Any]:
    records = [r for r in json.loads(LEADS.read_text(encoding="utf-8")) if r.get("extract")]
    labels = _labels()
    sample = [r for r in records if (r["title"], r["year"]) in labels]
    if limit is not None:
        records = records[:limit]
    cast: dict[str, Score] = defaultdict(Score)
    cast_in_text: dict[str, Score] = defaultdict(Score)
    year_ok = 0
    start = time.perf_counter()
    read = [(r, _lead(extractor, r)) for r in records]
    seconds = time.perf_counter() - start
    for n, (r, got) in enumerate(read):
        want = {fold(n) for n in r.get("cast") or []}
        stated = {n for n in want if n and n in fold(r["extract"])}
        half = "first half" if n < len(read) // 2 else "second half"
        for part in ("all", half):
            _add(cast[part], got["cast"], want)
            _add(cast_in_text[part], got["cast"], stated)
        year_ok += str(r["year"]) in got["years"] and len(got["years"]) == 1
    sampled: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    for r in sample:
        got, label = _lead(extractor, r), labels[(r["title"], r["year"])]
        for key in ("director", "screenwriter", "based_on", "source_author"):
            for split in (label["split"], "all"):
                _add(sampled[split][key], got[key], label[key])
    return {
        "leads": len(records),
        "seconds": round(seconds, 2),
        "leads_per_second": round(len(records) / seconds, 1),
        "cast (structured cast)": {k: _pr(v) for k, v in cast.items()},
        "cast (names of the structured cast that the lead mentions)": {
            k: _pr(v) for k, v in cast_in_text.items()
        },
        "year accuracy": round(year_ok / len(records), 3),
        "sample": {split: {k: _pr(s) for k, s in rows.items()} for split, rows in sampled.items()},
        "sample sizes": {
            s: sum(1 for v in labels.values() if v["split"] == s) for s in ("dev", "held-out")
        },
    }


def markdown(results: dict[str, Any]) -> str:
    """The results as the tables docs/extract.md shows."""
    out = [
        f"Run {results['date']} ({results['machine']}).",
        "",
        "**Seed article** (graph/sources/ against graph/here.ttl):",
        "",
        "| class | cold P | cold R | warm P | warm R | tp/fp/fn (cold) |",
        "|---|---|---|---|---|---|",
    ]
    for name, cold in results["seed"]["cold"].items():
        warm = results["seed"]["warm"][name]
        out.append(
            f"| {name} | {cold['precision']:.2f} | {cold['recall']:.2f} | "
            f"{warm['precision']:.2f} | {warm['recall']:.2f} | "
            f"{cold['tp']}/{cold['fp']}/{cold['fn']} |"
        )
    w = results["wikipedia"]
    if w:
        out += [
            "",
            f"**Wikipedia leads** ({w['leads']} leads with text, movies-1990s.json; "
            f"{w['leads_per_second']} leads/s, {w['seconds']} s, one core):",
            "",
            "| measure | P (all) | R (all) | P (first half) | R (first half) "
            "| P (second half) | R (second half) |",
            "|---|---|---|---|---|---|---|",
        ]
        for key in (
            "cast (structured cast)",
            "cast (names of the structured cast that the lead mentions)",
        ):
            cells = [
                f"{w[key][h]['precision']:.3f} | {w[key][h]['recall']:.3f}"
                for h in ("all", "first half", "second half")
            ]
            out.append(f"| {key} | " + " | ".join(cells) + " |")
        out.append(
            f"| year accuracy (the lead's year = `year`) | {w['year accuracy']:.3f} | | | | | |"
        )
        sizes = w["sample sizes"]
        out += [
            "",
            f"**Labelled sample** ({sizes['dev']} dev + {sizes['held-out']} held-out "
            "leads, benchmarks/data/wikipedia-leads-labels.tsv):",
            "",
            "| fact | dev P | dev R | held-out P | held-out R | all P | all R |",
            "|---|---|---|---|---|---|---|",
        ]
        for key in ("director", "screenwriter", "based_on", "source_author"):
            cells = [
                f"{w['sample'][s][key]['precision']:.2f} | {w['sample'][s][key]['recall']:.2f}"
                for s in ("dev", "held-out", "all")
            ]
            out.append(f"| {key.replace('_', ' ')} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, help="only the first N leads (default: all)")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--work", type=Path, help="unused (the benchmark writes no work files)")
    ap.add_argument("--write-docs", action="store_true", help="update the table in docs/extract.md")
    args = ap.parse_args()
    cold = Extractor(Linker())
    warm = Extractor(Linker.from_graph(load_project(infer=False)))
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{sys.platform}, Python {sys.version.split()[0]}",
        "seed": {"cold": seed(cold), "warm": seed(warm)},
        "wikipedia": leads(warm, args.leads) if LEADS.is_file() else None,
    }
    if results["wikipedia"] is None:
        print(f"no Wikipedia leads at {LEADS}: skipped", file=sys.stderr)
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / "extract.json"
    path.write_text(json.dumps(results, indent=1, default=sorted) + "\n", encoding="utf-8")
    table = markdown(results)
    print(table)
    if args.write_docs:
        text = DOCS.read_text(encoding="utf-8")
        a, b = "<!-- extract-results:start -->\n", "<!-- extract-results:end -->"
        head, _, rest = text.partition(a)
        _, _, tail = rest.partition(b)
        DOCS.write_text(head + a + table + b + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
