"""Draw the random sample of fail/warn findings that a hand accuracy audit verifies.

Runs ``mlops-lint check`` on each checkout of the calibration corpus (see ``run.py``),
keeps the distinct failing or warning findings (rule, repository, path, message; the
same finding at several levels counts once), and draws a sample spread over every rule
family: each family gets a share proportional to its findings, at least ``--min-family``
when it has that many, with a fixed seed so the sample can be drawn again.

    python benchmarks/calibration/sample_findings.py --checkouts checkouts \\
        --size 160 --seed 20261205 --out sample.json

Each sampled finding is then checked by hand against the files (status, location and
message) and the verdicts recorded in ``docs/audits/``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from run import HERE, load, tool_levels


def family(rule: str) -> str:
    match = re.match(r"[A-Z]+", rule)
    return match.group(0) if match else rule


def distinct_findings(report: dict[str, Any], slug: str) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in report["results"]:
        if row["status"] not in ("fail", "warn"):
            continue
        key = (row["rule"], slug, row.get("path") or "", row["message"])
        if key in seen:
            seen[key]["levels"].append(row["level"])
            continue
        seen[key] = {"repo": slug, "rule": row["rule"], "levels": [row["level"]],
                     "status": row["status"], "path": row.get("path"),
                     "line": row.get("line"), "message": row["message"], "fix": row.get("fix")}
    return list(seen.values())


def allocate(counts: dict[str, int], size: int, minimum: int) -> dict[str, int]:
    """Per-family sample sizes: ``minimum`` each (or all a family has), the rest
    proportional to the families' findings."""
    base = {f: min(n, minimum) for f, n in counts.items()}
    left = size - sum(base.values())
    room = {f: counts[f] - base[f] for f in counts}
    total = sum(room.values())
    share = {f: (left * room[f] // total if total else 0) for f in counts}
    out = {f: base[f] + min(share[f], room[f]) for f in counts}
    spare = size - sum(out.values())
    for f in sorted(counts, key=lambda f: -(counts[f] - out[f])):
        if spare <= 0:
            break
        if out[f] < counts[f]:
            out[f] += 1
            spare -= 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkouts", type=Path, required=True)
    parser.add_argument("--size", type=int, default=160)
    parser.add_argument("--min-family", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    pool: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in sorted((HERE / "corpus").glob("*.yaml")):
        slug = entry.stem
        checkout = args.checkouts / slug
        if not checkout.is_dir():
            print(f"skip {slug}: no checkout", file=sys.stderr)
            continue
        load(entry)  # the corpus entry must parse
        for finding in distinct_findings(tool_levels(checkout), slug):
            pool[family(finding["rule"])].append(finding)
    counts = {f: len(v) for f, v in sorted(pool.items())}
    sizes = allocate(counts, args.size, args.min_family)
    rng = random.Random(args.seed)
    sample = []
    for fam in sorted(pool):
        sample.extend(rng.sample(pool[fam], sizes[fam]))
    rng.shuffle(sample)
    for number, finding in enumerate(sample, 1):
        finding["n"] = number
    args.out.write_text(json.dumps({"seed": args.seed, "findings": sum(counts.values()),
                                    "allocation": sizes, "sample": sample}, indent=1,
                                   ensure_ascii=False), encoding="utf-8")
    print(f"{sum(counts.values())} distinct findings; sampled {len(sample)}: "
          + " ".join(f"{f}{n}" for f, n in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
