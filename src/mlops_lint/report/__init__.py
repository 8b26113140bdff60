"""Report formats: one module per format, each a ``render(report) -> str`` function.

Reports know nothing of parsing or checks; they read a :class:`Report`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from mlops_lint.catalog import Catalog
from mlops_lint.engine import Run
from mlops_lint.gate import Gate
from mlops_lint.maturity import Maturity
from mlops_lint.model import Lang, Result, Status

FORMATS: dict[str, str] = {
    "text": "mlops_lint.report.text",
    "json": "mlops_lint.report.json_report",
    "sarif": "mlops_lint.report.sarif",
    "github": "mlops_lint.report.github",
    "markdown": "mlops_lint.report.markdown",
    "html": "mlops_lint.report.html",
}


@dataclass(frozen=True)
class Report:
    run: Run
    maturity: Maturity
    gate: Gate
    catalog: Catalog
    lang: Lang
    root: str  # as the user gave it, for display only
    version: str
    baselined: int = 0
    color: bool = False
    width: int | None = None  # wrap the text report to this many columns (None: no wrap)
    files: frozenset[str] = frozenset()  # repository paths, to anchor repo-level findings
    baseline_used: bool = False  # a --baseline file was given
    min_level: int | dict[int, int] | None = None  # the min-level gate, when configured
    config_source: str | None = None  # where the configuration came from (None: defaults)
    # what the text report lists (the other formats are complete): "default" (what fails
    # the gate and the blockers of each phase's next level, the rest as a count), "all",
    # or "quiet" (the phase table and the gate only); ``phases`` narrows it to those phases
    view: str = "default"
    phases: frozenset[int] = frozenset()

    @property
    def results(self) -> tuple[Result, ...]:
        return self.run.results

    def problems(self) -> list[Result]:
        return [r for r in self.run.results
                if r.status in (Status.FAIL, Status.WARN, Status.ERROR) and not r.baselined]


def renderer(fmt: str) -> Callable[[Report], str]:
    module = importlib.import_module(FORMATS[fmt])
    render: Callable[[Report], str] = module.render
    return render
