"""One ``check`` run: repo → engine → maturity → reports, with the baseline applied."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from mlops_lint import __version__
from mlops_lint.catalog import Catalog
from mlops_lint.config import Config
from mlops_lint.engine import Run, run
from mlops_lint.maturity import assess, gate
from mlops_lint.model import Status
from mlops_lint.repo import Repo
from mlops_lint.report import Report, renderer

BASELINE_STATUSES = (Status.FAIL, Status.ERROR, Status.WARN)


def build_report(root: Path, display: str, config: Config, catalog: Catalog,
                 baseline: Path | None = None, color: bool = False) -> Report:
    """Everything a report needs, computed once."""
    repo = Repo(root, config.exclude)
    outcome = run(repo, catalog, config)
    baselined = 0
    if baseline is not None:
        known = read_baseline(baseline)
        rows = []
        for result in outcome.results:
            if result.status in BASELINE_STATUSES and result.fingerprint in known:
                rows.append(replace(result, baselined=True))
                baselined += 1
            else:
                rows.append(result)
        outcome = Run(tuple(rows), outcome.projects, outcome.ignored)
    maturity = assess(outcome.results, catalog, [p.path for p in outcome.projects])
    verdict = gate(maturity, outcome.results, config.min_level, config.fail_under)
    return Report(outcome, maturity, verdict, catalog, config.lang, display, __version__,
                  baselined, color)


def read_baseline(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read baseline {path}: {exc}") from None
    prints = data.get("fingerprints") if isinstance(data, dict) else None
    if not isinstance(prints, list):
        raise ValueError(f"baseline {path} has no 'fingerprints' list")
    return {str(p) for p in prints}


def write_baseline(path: Path, report: Report) -> None:
    prints = sorted({r.fingerprint for r in report.results if r.status in BASELINE_STATUSES})
    payload = {"tool": "mlops-lint", "version": 1, "fingerprints": prints}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def execute(root: Path, display: str, config: Config, catalog: Catalog,
            targets: list[tuple[str, str | None]], color: bool,
            baseline: Path | None, new_baseline: Path | None) -> bool:
    """Run the check, write every requested report; return whether the gate holds."""
    report = build_report(root, display, config, catalog, baseline, color)
    for fmt, output in targets:
        text = renderer(fmt)(replace(report, color=color and output is None and fmt == "text"))
        if output is None:
            sys.stdout.write(text)
        else:
            Path(output).write_text(text, encoding="utf-8")
    if new_baseline is not None:
        write_baseline(new_baseline, report)
    return report.gate.passed
