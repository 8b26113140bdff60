"""The gate: whether a run passes, from the configured minimum levels and score, or, when
none is configured, from the catalog's critical rules (levels.md point 10).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mlops_lint.catalog import Catalog
from mlops_lint.maturity import Maturity
from mlops_lint.model import Result, Status, T


@dataclass(frozen=True)
class Gate:
    passed: bool
    reason: T


def critical(results: Iterable[Result], catalog: Catalog) -> list[Result]:
    """Failing results of the catalog's critical rules ("RULE" or "RULE@LEVEL")."""
    wanted: dict[str, set[int] | None] = {}
    for entry in catalog.critical:
        rule, _, level = entry.partition("@")
        if level:
            levels = wanted.get(rule, set())
            if levels is not None:
                levels.add(int(level))
                wanted[rule] = levels
        else:
            wanted[rule] = None
    out = []
    for r in results:
        if r.rule in wanted and r.status is Status.FAIL and not r.baselined:
            levels = wanted[r.rule]
            if levels is None or r.level in levels:
                out.append(r)
    return out


def gate(maturity: Maturity, results: Iterable[Result], min_level: int | dict[int, int] | None,
         fail_under: float | None, catalog: Catalog | None = None) -> Gate:
    """The gate: configured levels/score, else "no critical finding" (levels.md point 10)."""
    if min_level is None and fail_under is None:
        bad = critical(results, catalog) if catalog is not None else []
        if bad:
            rules = ", ".join(sorted({r.rule for r in bad}))
            return Gate(False, T(f"{len(bad)} critical finding(s) ({rules})",
                                 f"{len(bad)} hallazgo(s) crítico(s) ({rules})"))
        return Gate(True, T("no critical finding", "ningún hallazgo crítico"))
    wanted = (dict.fromkeys(range(1, 8), min_level) if isinstance(min_level, int)
              else dict(min_level or {}))
    reasons: list[T] = []
    for report in maturity.phases:
        need = wanted.get(report.phase)
        if need is None or not report.applicable:
            continue
        if report.level < need:
            reasons.append(T(f"phase {report.phase} is level {report.level}, below {need}",
                             f"la fase {report.phase} está en nivel {report.level}, "
                             f"por debajo de {need}"))
        for project, level in sorted(report.projects.items()):
            if len(report.projects) > 1 and level < need:
                reasons.append(T(f"phase {report.phase} of project {project} is level {level}, "
                                 f"below {need}",
                                 f"la fase {report.phase} del proyecto {project} está en nivel "
                                 f"{level}, por debajo de {need}"))
    if fail_under is not None and maturity.score < fail_under:
        reasons.append(T(f"score {maturity.score} is below {fail_under:g}",
                         f"la puntuación {maturity.score} es menor que {fail_under:g}"))
    if reasons:
        return Gate(False, T.join(reasons))
    return Gate(True, T("the gate holds", "la puerta se cumple"))
