"""Benchmark: ``python benchmarks/run.py`` generates synthetic ML monorepos at 1×, 10× and
100× (see ``generate.py``) under ``benchmarks/work/``, times ``mlops-lint check`` on each
(median wall time and peak RSS of several runs), times ``mlops-lint --version``, runs
Checkov (``--framework dockerfile,kubernetes``) and mllint on the same trees when they
are installed, and prints the table with ratios and the issue's targets.

Peer executables come from ``CHECKOV``/``MLLINT`` (paths), else ``/work/venv-peers/bin``
or ``PATH``; a missing peer is skipped. Options: ``--scales 1,10``, ``--runs N``,
``--peer-scales 1,10`` (peers are slow: 100× is off by default), ``--profile`` (per-rule
times and the hottest functions on the 1× tree), ``--json FILE``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

WORK = HERE / "work"
PEERS_BIN = Path(os.environ.get("PEERS_VENV", "/work/venv-peers")) / "bin"
TARGETS = {"wall_1x_s": 0.6, "version_ms": 150, "rss_mb": 150, "vs_checkov": 10.0,
           "linearity_10x": 11.0}


def find_tool(env: str, name: str) -> list[str] | None:
    if os.environ.get(env):
        return [os.environ[env]]
    local = PEERS_BIN / name
    if local.exists():
        return [str(local)]
    found = shutil.which(name)
    return [found] if found else None


def mlops_lint_command() -> list[str]:
    if os.environ.get("MLOPS_LINT"):
        return [os.environ["MLOPS_LINT"]]
    script = Path(sys.executable).with_name("mlops-lint")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "mlops_lint"]


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 3600) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) of the child and its waited-for children, exit code."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(command, cwd=cwd, stdout=sink, stderr=sink,
                                env={**os.environ, **(env or {})})
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def median_run(command: list[str], cwd: Path, runs: int,
               env: dict[str, str] | None = None) -> dict[str, Any]:
    walls, peaks, codes = [], [], set()
    for _ in range(runs):
        wall, peak, code = measure(command, cwd, env)
        walls.append(wall)
        peaks.append(peak)
        codes.add(code)
    return {"wall_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
            "rss_mb": max(peaks), "runs": runs, "exit_codes": sorted(codes)}


def tree_for(scale: int) -> tuple[Path, dict[str, int]]:
    root = WORK / f"monorepo-{scale}x"
    meta = WORK / f"monorepo-{scale}x.json"
    if root.exists() and meta.exists():
        counts: dict[str, int] = json.loads(meta.read_text(encoding="utf-8"))
        return root, counts
    if root.exists():
        shutil.rmtree(root)
    start = time.perf_counter()
    counts = generate(root, scale)
    meta.write_text(json.dumps(counts), encoding="utf-8")
    print(f"  generated {scale}x: {counts['files']} files in "
          f"{time.perf_counter() - start:.1f} s", flush=True)
    return root, counts


def profile(root: Path) -> str:
    """Per-rule wall time and the hottest functions of one in-process run."""
    from mlops_lint import engine
    from mlops_lint.catalog import load_catalog
    from mlops_lint.config import Config
    from mlops_lint.runner import build_report

    per_rule: dict[str, float] = defaultdict(float)
    original = engine._run_check

    def timed(rule: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(rule, *args, **kwargs)
        finally:
            per_rule[rule.id] += time.perf_counter() - start

    engine._run_check = timed  # type: ignore[assignment]
    catalog = load_catalog()
    start = time.perf_counter()
    build_report(root, ".", Config(), catalog)
    plain = time.perf_counter() - start
    engine._run_check = original  # type: ignore[assignment]
    profiler = cProfile.Profile()
    profiler.enable()
    build_report(root, ".", Config(), catalog)
    profiler.disable()
    out = io.StringIO()
    out.write(f"in-process build_report: {plain:.2f} s (rules: {sum(per_rule.values()):.2f} s;"
              " first run, caches cold)\n\nslowest rules (wall, s):\n")
    for rule, seconds in sorted(per_rule.items(), key=lambda kv: -kv[1])[:20]:
        out.write(f"  {rule:<8} {seconds:6.3f}\n")
    stats = pstats.Stats(profiler, stream=out)
    out.write("\nhottest functions under cProfile (sorted by own time):\n")
    stats.sort_stats("tottime").print_stats(20)
    out.write("\nby cumulative time:\n")
    stats.sort_stats("cumulative").print_stats(35)
    return out.getvalue()


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a and b else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (1x)")
    parser.add_argument("--peer-scales", default="1,10")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", type=Path, default=WORK / "results.json")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",") if s]
    peer_scales = {int(s) for s in args.peer_scales.split(",") if s}
    WORK.mkdir(exist_ok=True)
    lint = mlops_lint_command()
    checkov = find_tool("CHECKOV", "checkov")
    mllint = find_tool("MLLINT", "mllint")
    from mlops_lint import __version__

    print(f"mlops-lint {__version__} ({' '.join(lint)}); python {platform.python_version()}; "
          f"{platform.platform()}; {os.cpu_count()} CPUs", flush=True)
    print(f"checkov: {checkov[0] if checkov else 'not installed (skipped)'}; "
          f"mllint: {mllint[0] if mllint else 'not installed (skipped)'}", flush=True)
    results: dict[str, Any] = {"version": __version__, "python": platform.python_version(),
                               "platform": platform.platform(), "cpus": os.cpu_count(),
                               "date": time.strftime("%Y-%m-%d"), "scales": {}}
    version = median_run([*lint, "--version"], WORK, max(args.runs, 10))
    results["version_ms"] = version["wall_s"] * 1000
    print(f"--version: median {version['wall_s'] * 1000:.0f} ms over {version['runs']} runs",
          flush=True)
    peer_env = {"PATH": f"{PEERS_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for scale in scales:
        root, counts = tree_for(scale)
        runs = args.runs if scale == 1 else max(3 if scale <= 10 else 1, args.runs // 3)
        row: dict[str, Any] = {"counts": counts}
        row["mlops_lint"] = median_run(
            [*lint, "check", ".", "--format", "json", "--exit-zero"], root, runs)
        print(f"  {scale}x mlops-lint: {row['mlops_lint']['wall_s']:.2f} s, "
              f"{row['mlops_lint']['rss_mb']:.0f} MB", flush=True)
        if checkov and scale in peer_scales:
            row["checkov"] = median_run(
                [*checkov, "-d", ".", "--framework", "dockerfile,kubernetes", "--quiet",
                 "--compact", "-o", "json", "--skip-download"], root,
                3 if scale == 1 else 1, peer_env)
            print(f"  {scale}x checkov: {row['checkov']['wall_s']:.2f} s", flush=True)
        if mllint and scale in peer_scales:
            row["mllint"] = median_run([*mllint, "run", "."], root, 1 if scale > 1 else 3,
                                       peer_env)
            print(f"  {scale}x mllint: {row['mllint']['wall_s']:.2f} s", flush=True)
        results["scales"][str(scale)] = row
    if args.profile:
        results["profile"] = profile(tree_for(1)[0])
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print_table(results)
    if args.profile:
        print("\n" + results["profile"])
    return 0


def print_table(results: dict[str, Any]) -> None:
    rows = results["scales"]
    print("\n| scale | files | Dockerfiles | K8s docs | mlops-lint wall | peak RSS | "
          "Checkov wall | Checkov / mlops-lint | mllint wall | mllint / mlops-lint |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for scale, row in rows.items():
        c = row["counts"]
        ours = row["mlops_lint"]["wall_s"]
        chk = row.get("checkov", {}).get("wall_s")
        mll = row.get("mllint", {}).get("wall_s")
        print(f"| {scale}x | {c['files']} | {c['dockerfiles']} | {c['k8s_documents']} | "
              f"{ours:.2f} s | {row['mlops_lint']['rss_mb']:.0f} MB | "
              f"{f'{chk:.1f} s' if chk else '-'} | {ratio(chk, ours)} | "
              f"{f'{mll:.1f} s' if mll else '-'} | {ratio(mll, ours)} |")
    print(f"\n--version: {results['version_ms']:.0f} ms")
    one = rows.get("1", {}).get("mlops_lint")
    ten = rows.get("10", {}).get("mlops_lint")
    checks = []
    if one:
        checks.append(("1x wall <= 0.6 s", one["wall_s"] <= TARGETS["wall_1x_s"],
                       f"{one['wall_s']:.2f} s"))
        chk = rows["1"].get("checkov", {}).get("wall_s")
        if chk:
            checks.append((">= 10x faster than Checkov", chk / one["wall_s"] >= 10,
                           ratio(chk, one["wall_s"])))
    checks.append(("--version <= 150 ms", results["version_ms"] <= TARGETS["version_ms"],
                   f"{results['version_ms']:.0f} ms"))
    peak = max(r["mlops_lint"]["rss_mb"] for r in rows.values()) if rows else 0
    checks.append(("peak RSS <= 150 MB (largest scale run)", peak <= TARGETS["rss_mb"],
                   f"{peak:.0f} MB"))
    if one and ten:
        growth = ten["wall_s"] / one["wall_s"]
        checks.append(("10x files -> <= 11x time", growth <= TARGETS["linearity_10x"],
                       f"{growth:.1f}x"))
    hundred = rows.get("100", {}).get("mlops_lint")
    if ten and hundred:
        checks.append(("100x vs 10x <= 11x time",
                       hundred["wall_s"] / ten["wall_s"] <= TARGETS["linearity_10x"],
                       f"{hundred['wall_s'] / ten['wall_s']:.1f}x"))
    print("\ntargets:")
    for name, ok, value in checks:
        print(f"  {'MET ' if ok else 'MISS'} {name}: {value}")


if __name__ == "__main__":
    raise SystemExit(main())
