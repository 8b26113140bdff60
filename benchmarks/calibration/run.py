"""Compare mlops-lint's phase levels with the hand verdicts of the calibration corpus.

Each ``corpus/<slug>.yaml`` holds a public repository, its commit and a hand verdict per
phase written by the rubric of ``docs/levels.md`` before the tool was run on it. This
script runs ``mlops-lint check`` on a checkout of each (``<checkouts>/<slug>``, cloned at
the recorded commit) and prints exact agreement, agreement within one level, the
quadratically weighted kappa and every differing cell with its cause (``causes.yaml``).

    git clone https://github.com/OWNER/NAME checkouts/owner__name   # then check out the commit
    python benchmarks/calibration/run.py --checkouts checkouts [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
LEVELS = range(4)


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def tool_levels(checkout: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "mlops_lint", "check", str(checkout), "--format", "json",
         "--exit-zero"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"mlops-lint failed on {checkout}: {done.stderr.strip()}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _ratios(phase: dict[str, Any]) -> str:
    return " ".join(f"L{d['level']} {d['ratio']:.2f}" for d in phase.get("levels", [])
                    if d["level"] > 1)


def weighted_kappa(pairs: list[tuple[int, int]]) -> float:
    """Cohen's kappa with quadratic weights over levels 0-3."""
    n = len(pairs)
    if n == 0:
        return float("nan")
    k = len(LEVELS)
    observed = [[0.0] * k for _ in LEVELS]
    for a, b in pairs:
        observed[a][b] += 1
    rows = [sum(observed[i]) for i in LEVELS]
    cols = [sum(observed[i][j] for i in LEVELS) for j in LEVELS]
    num = den = 0.0
    for i in LEVELS:
        for j in LEVELS:
            weight = (i - j) ** 2 / (k - 1) ** 2
            num += weight * observed[i][j]
            den += weight * rows[i] * cols[j] / n
    return 1.0 - num / den if den else 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=Path, required=True,
                        help="directory holding one clone per corpus entry, named by slug")
    parser.add_argument("--json", type=Path, help="also write the comparison as JSON")
    parser.add_argument("--only", nargs="*", default=(), help="slugs to run")
    args = parser.parse_args()
    causes: dict[str, str] = {}
    causes_file = HERE / "causes.yaml"
    if causes_file.is_file():
        causes = {str(k): str(v) for k, v in (load(causes_file) or {}).items()}
    pairs: list[tuple[int, int]] = []
    differing: list[str] = []
    rows: list[dict[str, Any]] = []
    for entry_path in sorted((HERE / "corpus").glob("*.yaml")):
        slug = entry_path.stem
        if args.only and slug not in args.only:
            continue
        entry = load(entry_path)
        checkout = args.checkouts / slug
        if not checkout.is_dir():
            print(f"{slug}: no checkout at {checkout}; skipped", file=sys.stderr)
            continue
        head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=False).stdout.strip()
        if head and head != entry["commit"]:
            print(f"{slug}: checkout at {head[:12]}, corpus says {entry['commit'][:12]}",
                  file=sys.stderr)
        report = tool_levels(checkout)
        tool = {p["phase"]: p for p in report["phases"]}
        hand = {int(k): v for k, v in entry["verdict"].items()}
        line = []
        for phase in range(1, 8):
            h, t = int(hand[phase]["level"]), int(tool[phase]["level"])
            pairs.append((h, t))
            line.append(f"{h}{'=' if h == t else '>' if h > t else '<'}{t}")
            if h != t:
                cause = causes.get(f"{slug}:{phase}", "(no cause recorded)")
                differing.append(
                    f"  {slug} P{phase}: hand {h}, tool {t} (score {tool[phase]['score']}; "
                    f"ratios {_ratios(tool[phase])})\n"
                    f"      hand: {hand[phase]['why']}\n"
                    f"      tool: {tool[phase].get('reason') or ''} "
                    f"[{', '.join(tool[phase]['blockers'][:6])}]\n"
                    f"      cause: {cause}")
        rows.append({"slug": slug, "hand": [hand[p]["level"] for p in range(1, 8)],
                     "tool": [tool[p]["level"] for p in range(1, 8)],
                     "scores": [tool[p]["score"] for p in range(1, 8)]})
        print(f"{slug:<60} {' '.join(line)}")
    total = len(pairs)
    if not total:
        print("no corpus entry had a checkout", file=sys.stderr)
        return 2
    exact = sum(1 for a, b in pairs if a == b)
    within = sum(1 for a, b in pairs if abs(a - b) <= 1)
    kappa = weighted_kappa(pairs)
    higher = sum(1 for a, b in pairs if b > a)
    lower = sum(1 for a, b in pairs if b < a)
    print()
    print(f"repositories {len(rows)}, phase cells {total}")
    print(f"exact {exact}/{total} = {exact / total:.0%}; within one level {within}/{total} = "
          f"{within / total:.0%}; quadratic weighted kappa {kappa:.2f}; "
          f"tool higher {higher}, lower {lower}")
    if differing:
        print("\ndiffering cells:")
        print("\n".join(differing))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "exact": exact, "within_one": within,
                                         "cells": total, "kappa": round(kappa, 3)},
                                        indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
