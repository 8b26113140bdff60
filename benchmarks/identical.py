"""Output guardrail: ``python benchmarks/identical.py [DIR ...]`` runs ``mlops-lint check
TREE --format json --exit-zero`` on every fixture, on the benchmark trees already
generated under ``benchmarks/work/`` and on the extra directories given, once with
each HCL reader (tree-sitter-hcl, then ``MLOPS_LINT_HCL_READER=python-hcl2``), and says
whether the reports are byte-identical. ``--save DIR`` keeps the reports (to compare
two revisions with ``cmp``). Exit status 1 when a pair differs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = {"tree-sitter": {}, "python-hcl2": {"MLOPS_LINT_HCL_READER": "python-hcl2"}}


def report(tree: Path, env: dict[str, str]) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "mlops_lint", "check", str(tree), "--format", "json",
         "--exit-zero"], capture_output=True, check=False, env={**os.environ, **env})
    if done.returncode != 0:
        raise SystemExit(f"{tree}: exit {done.returncode}: {done.stderr.decode()[-500:]}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    trees = sorted(p for p in (HERE.parent / "fixtures").iterdir() if p.is_dir())
    trees += sorted(p for p in (HERE / "work").glob("monorepo-*x") if p.is_dir())
    trees += args.dirs
    differing = 0
    for tree in trees:
        outputs = {name: report(tree, env) for name, env in VARIANTS.items()}
        same = len(set(outputs.values())) == 1
        differing += not same
        print(f"{'same' if same else 'DIFFERENT':9} {tree}", flush=True)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            for name, data in outputs.items():
                (args.save / f"{tree.name}.{name}.json").write_bytes(data)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
