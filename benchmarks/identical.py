"""Output guardrail: ``python benchmarks/identical.py [DIR ...]`` runs ``mlops-lint check
TREE --exit-zero`` on every fixture, on the benchmark trees already generated under
``benchmarks/work/`` and on the extra directories given, and says whether the reports
are byte-identical across:

* the HCL readers (tree-sitter-hcl, then ``MLOPS_LINT_HCL_READER=python-hcl2``), without
  the results cache (JSON);
* the results cache: without it (``--no-cache``), filling an empty cache, and replaying
  it (the re-run of an unchanged tree), for the JSON, SARIF and text reports, and for a
  SARIF report rendered from the run the JSON report stored (exit codes compared too);
* the number of worker processes: ``--jobs 1``, ``2`` and ``4`` (the pool forced on
  small trees too, ``MLOPS_LINT_JOBS_MIN_FILES=0``), JSON and SARIF, without the cache.

``--only readers|cache|jobs`` (repeatable) limits the comparisons. ``--save DIR`` keeps
the reports (to compare two revisions with ``cmp``). Exit status 1 when a pair
differs. The code checked is this checkout's (``src/`` first on the path).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("readers", "cache", "jobs")
READERS = {"tree-sitter": {}, "python-hcl2": {"MLOPS_LINT_HCL_READER": "python-hcl2"}}


def report(tree: Path, env: dict[str, str], *args: str) -> tuple[int, bytes]:
    path = os.environ.get("PYTHONPATH", "")
    src = str(HERE.parent / "src") + (os.pathsep + path if path else "")
    done = subprocess.run(
        [sys.executable, "-m", "mlops_lint", "check", str(tree), *args], capture_output=True,
        check=False, env={**os.environ, "PYTHONPATH": src, **env})
    if done.returncode not in (0, 1):
        raise SystemExit(f"{tree}: exit {done.returncode}: {done.stderr.decode()[-500:]}")
    return done.returncode, done.stdout


def variants(tree: Path, kinds: set[str]) -> dict[str, dict[str, tuple[int, bytes]]]:
    """Groups of reports that must be equal, by group then variant name."""
    groups: dict[str, dict[str, tuple[int, bytes]]] = {}
    if "readers" in kinds:
        groups["json-readers"] = {
            name: report(tree, {**env, "MLOPS_LINT_NO_CACHE": "1"}, "--format", "json",
                         "--exit-zero") for name, env in READERS.items()}
    if "jobs" in kinds:
        forced = {"MLOPS_LINT_NO_CACHE": "1", "MLOPS_LINT_JOBS_MIN_FILES": "0"}
        for fmt in ("json", "sarif"):
            groups[f"{fmt}-jobs"] = {f"jobs-{jobs}": report(
                tree, forced, "--format", fmt, "--exit-zero", "--jobs", str(jobs))
                for jobs in (1, 2, 4)}
    if "cache" not in kinds:
        return groups
    for fmt in ("json", "sarif", "text"):
        with tempfile.TemporaryDirectory(prefix="identical-cache-") as directory:
            env = {"MLOPS_LINT_CACHE_DIR": directory, "MLOPS_LINT_NO_CACHE": ""}
            args = ("--format", fmt)
            groups[f"{fmt}-cache"] = {"no-cache": report(tree, env, *args, "--no-cache"),
                                      "filling": report(tree, env, *args),
                                      "hit": report(tree, env, *args)}
    with tempfile.TemporaryDirectory(prefix="identical-cache-") as directory:
        env = {"MLOPS_LINT_CACHE_DIR": directory, "MLOPS_LINT_NO_CACHE": ""}
        report(tree, env, "--format", "json")  # stores the run; SARIF is rendered from it
        groups["sarif-cache"]["from-stored-run"] = report(tree, env, "--format", "sarif")
    return groups


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--only", action="append", choices=KINDS,
                        help="compare only across these (repeatable; default: all)")
    args = parser.parse_args()
    trees = sorted(p for p in (HERE.parent / "fixtures").iterdir() if p.is_dir())
    trees += sorted(p for p in (HERE / "work").glob("monorepo-*x") if p.is_dir())
    trees += args.dirs
    differing = 0
    for tree in trees:
        for group, outputs in variants(tree, set(args.only or KINDS)).items():
            same = len(set(outputs.values())) == 1
            differing += not same
            print(f"{'same' if same else 'DIFFERENT':9} {group:13} {tree}", flush=True)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                for name, (_, data) in outputs.items():
                    (args.save / f"{tree.name}.{group}.{name}").write_bytes(data)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
