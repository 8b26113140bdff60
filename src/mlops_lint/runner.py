"""One ``check`` run: repo → engine → maturity → reports, with the baseline applied."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from mlops_lint import __version__, engine
from mlops_lint.cache import Cached
from mlops_lint.cache_entry import variant
from mlops_lint.catalog import Catalog
from mlops_lint.config import Config
from mlops_lint.engine import Run
from mlops_lint.gate import Gate, gate
from mlops_lint.maturity import assess
from mlops_lint.model import Status, T
from mlops_lint.presence import Inventory
from mlops_lint.repo import Repo
from mlops_lint.report import Report, renderer
from mlops_lint.sanitize import clean, encodable

BASELINE_STATUSES = (Status.FAIL, Status.ERROR, Status.WARN)


class Progress:
    """A progress line on ``stream`` (stderr, a terminal) once a run has taken longer than
    :attr:`DELAY` seconds, redrawn at most ten times a second and erased at the end."""

    DELAY = 1.0
    INTERVAL = 0.1

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.clock = stream, clock
        self.start = clock()
        self.last = -1.0
        self.shown = False

    def __call__(self, done: int, total: int, rule: str) -> None:
        now = self.clock()
        if now - self.start < self.DELAY or now - self.last < self.INTERVAL:
            return
        self.last = now
        self.stream.write(f"\r\033[Kmlops-lint: {clean(rule, newlines=False)} "
                          f"({done}/{total})")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def build_report(root: Path, display: str, config: Config, catalog: Catalog,
                 baseline: Path | None = None, color: bool = False,
                 progress: Progress | None = None, repo: Repo | None = None,
                 outcome: Run | None = None, jobs: int | None = None) -> Report:
    """Everything a report needs, computed once.

    With a baseline, results whose fingerprint the baseline records (as many times as it
    records it) are marked ``baselined``. The reported levels and scores stay honest:
    baselined failures still count there. The gate, though, only sees new problems:
    the default gate ignores baselined results, and a ``min-level``/``fail-under`` gate
    is evaluated on a maturity where baselined results count as passes (the state the
    team accepted when it wrote the baseline), so it fails only when something new
    breaks.

    ``repo`` is the repository already walked, ``outcome`` the run the results cache
    kept for it (then no rule is evaluated). ``jobs``: worker processes for the rules
    (``None``: in-process; see :mod:`mlops_lint.pool`).
    """
    repo = repo or Repo(root, config.exclude)
    if outcome is None:
        outcome = evaluate(repo, catalog, config, progress, jobs)
    baselined = 0
    if baseline is not None:
        known = read_baseline(baseline)
        rows = []
        for result in outcome.results:
            if result.status in BASELINE_STATUSES and known[result.fingerprint] > 0:
                known[result.fingerprint] -= 1
                rows.append(replace(result, baselined=True))
                baselined += 1
            else:
                rows.append(result)
        outcome = Run(tuple(rows), outcome.projects, outcome.ignored, outcome.notes)
    projects = [p.path for p in outcome.projects]
    inventory = Inventory(tuple(repo.files), {p.path: p.files for p in outcome.projects},
                          repo.size, repo.plain_text, repo.scaffold_roots)
    maturity = assess(outcome.results, catalog, projects, inventory)
    gate_maturity = maturity
    if baselined and (config.min_level is not None or config.fail_under is not None):
        accepted = [replace(r, status=Status.PASS) if r.baselined else r
                    for r in outcome.results]
        gate_maturity = assess(accepted, catalog, projects, inventory)
    verdict = gate(gate_maturity, outcome.results, config.min_level, config.fail_under, catalog)
    if baselined:
        verdict = Gate(verdict.passed, verdict.reason + T(
            f" ({baselined} baselined result(s) accepted)",
            f" ({baselined} resultado(s) de la línea base aceptados)"))
    return Report(outcome, maturity, verdict, catalog, config.lang, display, __version__,
                  baselined, color, files=frozenset(repo.files),
                  baseline_used=baseline is not None, min_level=config.min_level,
                  config_source=config.source)


def evaluate(repo: Repo, catalog: Catalog, config: Config,
             progress: Progress | None = None, jobs: int | None = None) -> Run:
    """Evaluate the selected rules (the progress line erased at the end)."""
    try:
        return engine.run(repo, catalog, config, progress, jobs)
    finally:
        if progress is not None:
            progress.close()


def read_baseline(path: Path) -> Counter[str]:
    """Fingerprint → how many results with it the baseline accepts."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read baseline {path}: {exc}") from None
    prints = data.get("fingerprints") if isinstance(data, dict) else None
    if not isinstance(prints, list):
        raise ValueError(f"baseline {path} has no 'fingerprints' list")
    return Counter(str(p) for p in prints)


def write_baseline(path: Path, report: Report) -> None:
    """Record every current problem: its fingerprint (repeated once per result) plus a
    readable entry, so the file reviews well in a pull request."""
    rows = [r for r in report.results if r.status in BASELINE_STATUSES]
    payload = {
        "tool": "mlops-lint",
        "version": 1,
        "fingerprints": sorted(r.fingerprint for r in rows),
        "entries": [{"rule": r.rule, "level": r.level, "status": r.status.value,
                     "project": r.project, "path": r.path, "line": r.line,
                     "message": r.message.en, "fingerprint": r.fingerprint} for r in rows],
    }
    text = encodable(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n"
    write_atomically(path, text)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``:
    an interrupted run leaves the old file whole, never a truncated one."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def execute(root: Path, display: str, config: Config, catalog: Catalog,
            targets: list[tuple[str, str | None]], color: bool,
            baseline: Path | None, new_baseline: Path | None,
            width: int | None = None, view: str = "default",
            phases: frozenset[int] = frozenset(), progress: bool = False,
            cached: Cached | None = None, jobs: int | None = None) -> bool:
    """Run the check, write every requested report; return whether the gate holds.

    ``color`` and ``width`` (wrapping) apply to a text report on stdout only. When
    every report goes to a file (the run would print nothing), one line on stderr
    gives the verdict and the files. With ``cached``, the run comes from the results
    cache when it holds one, and the run and its reports are stored there otherwise.
    ``jobs``: worker processes for the rules (``None``: in-process)."""
    from mlops_lint.report.common import written_line

    shown = Progress(sys.stderr) if progress else None
    repo, outcome = None, None
    if cached is not None:
        repo = Repo(root, config.exclude, walked=cached.walked)
        outcome = cached.hit.run(repo) if cached.hit is not None else None
        if outcome is None:
            outcome = evaluate(repo, catalog, config, shown, jobs)
            cached.cache.store_run(cached.key, outcome, repo, cached.packs)
    report = build_report(root, display, config, catalog, baseline, color, shown, repo,
                          outcome, jobs)
    del repo, outcome  # every text, tree and document the run read: freed before rendering
    report = replace(report, view=view, phases=phases)
    files: list[str] = []
    for fmt, output in targets:
        terminal = output is None and fmt == "text"
        one = replace(report, color=color and terminal, width=width if terminal else None)
        text = encodable(renderer(fmt)(one))
        name = variant(fmt, one.color, one.width, view, phases)
        if cached is not None and baseline is None and name is not None:
            cached.cache.store_rendered(cached.key, name, {
                "passed": report.gate.passed, "line": written_line(report, [])}, text)
        if output is None:
            sys.stdout.write(text)
        else:
            Path(output).write_text(text, encoding="utf-8")
            files.append(output)
    if new_baseline is not None:
        write_baseline(new_baseline, report)
    if files and len(files) == len(targets):
        sys.stderr.write(written_line(report, files) + "\n")
    return report.gate.passed
