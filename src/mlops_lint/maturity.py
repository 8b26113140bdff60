"""Per-phase maturity levels, scores and blockers (rules.md §2.3–2.4).

A criterion is one (rule, level) of a phase. Several results of one criterion (one per
Dockerfile, container, ...) combine into the worst of them: every subject must pass.
Level L of a phase is reached when, for every level up to L, no gate fails or errors,
the weighted pass ratio is at least 70 %, at least one criterion applies and the
phase's any-of constraints hold. A phase is as mature as its least mature project.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mlops_lint.catalog import Catalog
from mlops_lint.model import SEVERITY_ORDER, Result, Status, T

PASS_MARK = 0.70
SCORE_WEIGHTS = {1: 60, 2: 25, 3: 15}
BANDS: tuple[tuple[int, str, T], ...] = (
    (90, "exceptional", T("exceptional", "excepcional")),
    (80, "excellent", T("excellent", "excelente")),
    (70, "good", T("good", "bueno")),
    (60, "acceptable", T("acceptable", "aceptable")),
    (0, "in progress", T("in progress", "en progreso")),
)


@dataclass(frozen=True)
class Criterion:
    rule: str
    level: int
    gate: bool
    weight: float
    status: Status

    @property
    def credit(self) -> float | None:
        return self.status.credit


@dataclass(frozen=True)
class PhaseLevel:
    level: int
    score: int
    ratios: tuple[float, float, float]
    blockers: tuple[str, ...]
    reason: T | None  # why the next level is not reached, when it is not a rule


@dataclass(frozen=True)
class PhaseReport:
    phase: int
    name: T
    level: int
    score: int
    band: str
    band_text: T
    blockers: tuple[str, ...]
    reason: T | None
    projects: dict[str, int]


@dataclass(frozen=True)
class Maturity:
    phases: tuple[PhaseReport, ...]
    level: int
    median_level: float
    score: int
    band: str
    band_text: T


def band(score: float) -> tuple[str, T]:
    for floor, name, text in BANDS:
        if score >= floor:
            return name, text
    return BANDS[-1][1], BANDS[-1][2]  # pragma: no cover - the last floor is 0


def combine(statuses: Iterable[Status]) -> Status:
    """The verdict of one criterion from the statuses of its subjects (worst wins)."""
    present = set(statuses)
    for status in SEVERITY_ORDER:
        if status in present:
            return status
    return Status.SKIP


def criteria(results: Iterable[Result]) -> list[Criterion]:
    grouped: dict[tuple[str, int], list[Result]] = {}
    for result in results:
        grouped.setdefault((result.rule, result.level), []).append(result)
    out = []
    for (rule, level), rows in sorted(grouped.items()):
        first = rows[0]
        out.append(Criterion(rule, level, first.gate, first.weight,
                             combine(r.status for r in rows)))
    return out


def _ratio(items: list[Criterion]) -> float:
    total = sum(c.weight for c in items if c.credit is not None)
    if total == 0:
        return 0.0
    return sum(c.weight * (c.credit or 0.0) for c in items if c.credit is not None) / total


def _blocking(c: Criterion) -> bool:
    return c.status in (Status.FAIL, Status.ERROR, Status.WARN) and c.weight > 0


def evaluate_phase(items: list[Criterion], catalog: Catalog, phase: int) -> PhaseLevel:
    any_of = catalog.phase(phase).any_of
    ratios: list[float] = []
    level = 0
    reason: T | None = None
    blockers: tuple[str, ...] = ()
    reached = True
    for lvl in (1, 2, 3):
        here = [c for c in items if c.level == lvl and c.credit is not None]
        ratio = _ratio(here)
        ratios.append(ratio)
        if not reached:
            continue
        failing_gates = [c.rule for c in here if c.gate and c.status in (Status.FAIL, Status.ERROR)]
        problems: list[T] = []
        if not [c for c in here if c.weight > 0]:
            problems.append(T(f"no applicable level-{lvl} criterion (insufficient evidence)",
                              f"ningún criterio de nivel {lvl} aplica (evidencia insuficiente)"))
        if failing_gates:
            problems.append(T("gate failing", "puerta fallida"))
        if here and ratio < PASS_MARK:
            problems.append(T(f"level-{lvl} pass ratio {ratio:.0%} < 70%",
                              f"proporción de nivel {lvl} {ratio:.0%} < 70%"))
        for constraint in (a for a in any_of if a.level == lvl):
            groups = []
            for prefix in constraint.prefixes:
                group = [c for c in items if c.rule.startswith(prefix) and c.credit is not None]
                if group and _ratio(group) >= constraint.min_ratio:
                    groups.append(prefix)
            if not groups:
                names = " or ".join(constraint.prefixes)
                problems.append(T(
                    f"needs one of {names} applicable and ≥{constraint.min_ratio:.0%}",
                    f"requiere {names.replace(' or ', ' o ')} aplicable y ≥"
                    f"{constraint.min_ratio:.0%}"))
        if problems:
            reached = False
            upto = [c for c in items if c.level <= lvl]
            gates = sorted({c.rule for c in upto if c.gate and _blocking(c)})
            others = sorted({c.rule for c in upto if not c.gate and _blocking(c)} - set(gates))
            blockers = tuple(gates + others)
            reason = T.join(problems)
        else:
            level = lvl
    score = round(sum(SCORE_WEIGHTS[i + 1] * r for i, r in enumerate(ratios)))
    return PhaseLevel(level, score, (ratios[0], ratios[1], ratios[2]), blockers, reason)


def assess(results: Iterable[Result], catalog: Catalog, projects: Iterable[str]) -> Maturity:
    """Levels and scores of the seven phases, combined over projects with ``min``."""
    rows = list(results)
    scope = {r.id: r.scope for r in catalog.rules}
    project_paths = list(projects) or ["."]
    phases = []
    for phase in range(1, 8):
        in_phase = [r for r in rows if r.phase == phase]
        per_project: dict[str, PhaseLevel] = {}
        for path in project_paths:
            mine = [r for r in in_phase
                    if scope.get(r.rule) == "repo" or r.project == path]
            per_project[path] = evaluate_phase(criteria(mine), catalog, phase)
        worst = min(per_project.values(), key=lambda p: (p.level, p.score))
        extra = {b for p in per_project.values() if p.level == worst.level for b in p.blockers}
        blockers = [*worst.blockers, *sorted(extra - set(worst.blockers))]
        name, text = band(worst.score)
        phases.append(PhaseReport(
            phase=phase, name=catalog.phase(phase).name.t(), level=worst.level,
            score=worst.score, band=name, band_text=text, blockers=tuple(blockers),
            reason=worst.reason, projects={p: v.level for p, v in per_project.items()}))
    levels = sorted(p.level for p in phases)
    score = round(sum(p.score for p in phases) / len(phases))
    name, text = band(score)
    return Maturity(tuple(phases), levels[0], float(levels[3]), score, name, text)


@dataclass(frozen=True)
class Gate:
    passed: bool
    reason: T


def gate(maturity: Maturity, results: Iterable[Result], min_level: int | dict[int, int] | None,
         fail_under: float | None) -> Gate:
    """The gate: configured levels/score, else "no result is fail or error"."""
    if min_level is None and fail_under is None:
        bad = [r for r in results if r.status in (Status.FAIL, Status.ERROR) and not r.baselined]
        if bad:
            return Gate(False, T(f"{len(bad)} result(s) fail or error",
                                 f"{len(bad)} resultado(s) fallan o dan error"))
        return Gate(True, T("no result fails", "ningún resultado falla"))
    wanted = (dict.fromkeys(range(1, 8), min_level) if isinstance(min_level, int)
              else dict(min_level or {}))
    reasons: list[T] = []
    for report in maturity.phases:
        need = wanted.get(report.phase)
        if need is not None and report.level < need:
            reasons.append(T(f"phase {report.phase} is level {report.level}, below {need}",
                             f"la fase {report.phase} está en nivel {report.level}, "
                             f"por debajo de {need}"))
    if fail_under is not None and maturity.score < fail_under:
        reasons.append(T(f"score {maturity.score} is below {fail_under:g}",
                         f"la puntuación {maturity.score} es menor que {fail_under:g}"))
    if reasons:
        return Gate(False, T.join(reasons))
    return Gate(True, T("the gate holds", "la puerta se cumple"))
