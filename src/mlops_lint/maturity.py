"""Per-phase maturity levels, scores and blockers: the level model of ``levels.md``.

A *criterion* is one (rule, level) of a phase. Its subjects (one result per Dockerfile,
container, project, ...) each earn credit — pass 1, warn ½, fail and error 0; skip, waived
and manual leave the denominator — and the criterion earns their mean: no cliffs.

* Level 1 is presence: any of the phase's artefacts (``rules/phases.yaml``) is there.
* Level L (2, 3) needs level L-1, the weighted credit of the criteria of levels up to L at
  the model's threshold or more (or no criterion among them failing: warnings alone never
  block), no failing gate of level L and the phase's requirements of level L.
* The score lies in its level's band (L0 0-24, L1 25-49, L2 50-74, L3 75-100) and grows
  with the progress towards the next level.
* A repository's phase level pools the results of every project (each project a subject
  of the criterion); each project's own level is reported too.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from mlops_lint.catalog import Catalog, Phase
from mlops_lint.model import Result, Status, T
from mlops_lint.presence import Evidence, Inventory, PathIndex, presence

BANDS: tuple[tuple[int, str, T], ...] = (
    (75, "comprehensive", T("comprehensive", "completa")),
    (50, "automated", T("automated", "automatizada")),
    (25, "started", T("started", "iniciada")),
    (0, "not started", T("not started", "sin empezar")),
)
_PROBLEMS = (Status.FAIL, Status.ERROR)


@dataclass(frozen=True)
class Criterion:
    """One (rule, level) of a phase with the credit its subjects earned."""

    rule: str
    level: int
    gate: bool
    weight: float
    status: Status  # the worst subject's status (what a message names)
    credit: float | None  # mean subject credit; None: nothing scorable
    subjects: int
    passed: int

    @property
    def scored(self) -> bool:
        return self.credit is not None and self.weight > 0


@dataclass(frozen=True)
class Requirement:
    text: T
    met: bool


@dataclass(frozen=True)
class LevelDetail:
    """How one level of one phase was decided."""

    level: int
    reached: bool
    ratio: float  # weighted credit of the criteria of levels up to this one
    threshold: float
    criteria: tuple[Criterion, ...]  # the criteria of exactly this level
    gates: tuple[Criterion, ...]
    requirements: tuple[Requirement, ...]
    problems: tuple[T, ...]


@dataclass(frozen=True)
class PhaseLevel:
    level: int
    score: int
    applicable: bool
    presence: tuple[Evidence, ...]
    details: tuple[LevelDetail, ...]
    blockers: tuple[str, ...]
    reason: T | None  # why the next level is not reached


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
    applicable: bool = True
    not_applicable: T | None = None
    presence: tuple[Evidence, ...] = ()
    details: tuple[LevelDetail, ...] = ()
    project_scores: dict[str, int] | None = None


@dataclass(frozen=True)
class Maturity:
    phases: tuple[PhaseReport, ...]
    level: int  # the median level of the applicable phases (levels.md point 8)
    median_level: float
    score: int  # the mean score of the applicable phases
    band: str
    band_text: T
    weakest: int | None = None  # the weakest applicable phase
    min_level: int = 0


def band(score: float) -> tuple[str, T]:
    for floor, name, text in BANDS:
        if score >= floor:
            return name, text
    return BANDS[-1][1], BANDS[-1][2]  # pragma: no cover - the last floor is 0


def combine(statuses: Iterable[Status]) -> Status:
    """The worst of several statuses (fail before error before warn before pass ...)."""
    from mlops_lint.model import SEVERITY_ORDER

    present = set(statuses)
    for status in SEVERITY_ORDER:
        if status in present:
            return status
    return Status.SKIP


def criteria(results: Iterable[Result]) -> list[Criterion]:
    grouped: dict[tuple[str, int], list[Result]] = defaultdict(list)
    for result in results:
        grouped[(result.rule, result.level)].append(result)
    out = []
    for (rule, level), rows in sorted(grouped.items()):
        credits = [c for c in (r.status.credit for r in rows) if c is not None]
        out.append(Criterion(
            rule, level, rows[0].gate, rows[0].weight, combine(r.status for r in rows),
            sum(credits) / len(credits) if credits else None, len(credits),
            sum(1 for r in rows if r.status is Status.PASS)))
    return out


def _ratio(items: Iterable[Criterion]) -> float:
    scored = [c for c in items if c.scored]
    total = sum(c.weight for c in scored)
    if total == 0:
        return 0.0
    return sum(c.weight * (c.credit or 0.0) for c in scored) / total


def _about_present(phase: Phase, rule: str, present: set[str]) -> bool:
    """Whether a criterion counts: it is about no particular artefact, or about one that
    is present."""
    claims = [a.id for a in phase.artefacts if any(rule.startswith(p) for p in a.criteria)]
    return not claims or any(a in present for a in claims)


def _requirements(phase: Phase, level: int, present: set[str]) -> tuple[Requirement, ...]:
    out = []
    for req in phase.requires:
        if req.level == level:
            pool = req.of or tuple(a.id for a in phase.artefacts)
            out.append(Requirement(req.text.t(), sum(1 for a in pool if a in present) >= req.min))
    return tuple(out)


def _blockers(items: Sequence[Criterion], upto: int) -> tuple[str, ...]:
    """Rules that keep the next level away: failing gates of that level first, then the
    criteria up to it that lose the most weighted credit."""
    gates = sorted({c.rule for c in items
                    if c.gate and c.level == upto and c.status in _PROBLEMS})
    losses: dict[str, float] = defaultdict(float)
    for c in items:
        if c.level <= upto and c.scored and (c.credit or 0.0) < 1.0:
            losses[c.rule] += c.weight * (1.0 - (c.credit or 0.0))
    others = sorted((r for r in losses if r not in gates), key=lambda r: (-losses[r], r))
    return tuple(gates + others)


def _score(level: int, progress: float) -> int:
    """A score inside the level's band: 25·level plus the progress towards the next."""
    progress = min(max(progress, 0.0), 1.0)
    if level >= 3:
        return 75 + round(25 * progress)
    return 25 * level + min(24, int(24 * progress))


def evaluate_phase(results: Sequence[Result], good: frozenset[str], phase: Phase,
                   thresholds: Mapping[int, float], inv: Inventory,
                   files: Sequence[str], index: PathIndex | None = None) -> PhaseLevel:
    index = index or PathIndex(inv, files)
    applicable = not phase.applies_if or bool(index.globbed(phase.applies_if)
                                              & index.fileset(files))
    found = presence(phase, good, inv, files, index) if applicable else ()
    present = {e.artefact for e in found}
    items = [c for c in criteria(results) if _about_present(phase, c.rule, present)]
    reached = applicable and any(a.presence and a.id in present for a in phase.artefacts)
    level = 1 if reached else 0
    details = [_level1_detail(phase, items, applicable, reached)]
    for lvl in (2, 3):
        detail = _upper_detail(phase, items, lvl, thresholds.get(lvl, 1.0), present, reached)
        details.append(detail)
        if detail.reached:
            level = lvl
        reached = detail.reached
    blockers: tuple[str, ...] = ()
    reason: T | None = None
    if applicable and level < 3:
        nxt = details[level]  # the first level not reached
        reason = T.join(list(nxt.problems)) if nxt.problems else None
        blockers = _blockers(items, level + 1)
    progress = _progress(items, details, level, applicable, thresholds)
    return PhaseLevel(level, _score(level, progress), applicable, found, tuple(details),
                      blockers, reason)


def _level1_detail(phase: Phase, items: list[Criterion], applicable: bool,
                   reached: bool) -> LevelDetail:
    """Level 1: one of the phase's artefacts is present."""
    problems: list[T] = []
    if not applicable:
        problems.append(phase.not_applicable.t() if phase.not_applicable else
                        T("not applicable", "no aplica"))
    elif not reached:
        names = ", ".join(a.name.en for a in phase.artefacts if a.presence)
        nombres = ", ".join(a.name.es for a in phase.artefacts if a.presence)
        problems.append(T(f"none of the phase's artefacts found ({names})",
                          f"no se encontró ningún artefacto de la fase ({nombres})"))
    return LevelDetail(1, reached, _ratio(c for c in items if c.level == 1), 0.0,
                       tuple(c for c in items if c.level == 1), (), (), tuple(problems))


def _upper_detail(phase: Phase, items: list[Criterion], lvl: int, threshold: float,
                  present: set[str], below: bool) -> LevelDetail:
    """Level 2 or 3: the ratio of the criteria up to it, its gates and its requirements,
    reached only when the level below is (``below``)."""
    upto = [c for c in items if c.level <= lvl and c.scored]
    own = [c for c in items if c.level == lvl and c.scored]
    ratio = _ratio(upto)
    gates = tuple(c for c in items if c.level == lvl and c.gate and c.credit is not None)
    reqs = _requirements(phase, lvl, present)
    problems = _criteria_problems(lvl, own, upto, ratio, threshold)
    failing = [c.rule for c in gates if c.status in _PROBLEMS]
    if failing:
        problems.append(T(f"gate {', '.join(failing)} failing",
                          f"puerta {', '.join(failing)} fallida"))
    problems += [T("needs ", "requiere ") + req.text for req in reqs if not req.met]
    return LevelDetail(lvl, below and not problems, ratio, threshold,
                       tuple(c for c in items if c.level == lvl), gates, reqs,
                       tuple(problems))


def _criteria_problems(lvl: int, own: list[Criterion], upto: list[Criterion], ratio: float,
                       threshold: float) -> list[T]:
    """What keeps a level's criteria from reaching it: none applies, none earns credit,
    or the ratio up to it is under the threshold."""
    problems: list[T] = []
    if not own:
        problems.append(T(f"no level-{lvl} criterion applies (insufficient evidence)",
                          f"ningún criterio de nivel {lvl} aplica (evidencia insuficiente)"))
    elif not any(c.credit for c in own):
        problems.append(T(f"no level-{lvl} criterion earns credit",
                          f"ningún criterio de nivel {lvl} obtiene crédito"))
    if ratio < threshold and any(c.status in _PROBLEMS for c in upto):
        problems.append(T(f"criteria up to L{lvl} at {ratio:.0%} < {threshold:.0%}",
                          f"criterios hasta N{lvl} al {ratio:.0%} < {threshold:.0%}"))
    return problems


def _progress(items: list[Criterion], details: list[LevelDetail], level: int,
              applicable: bool, thresholds: Mapping[int, float]) -> float:
    """How far the phase is towards its next level (0-1), for the score inside its band."""
    if not applicable:
        return 0.0
    if level == 0:
        return _ratio(c for c in items if c.level == 1)
    if level == 3:
        threshold = thresholds.get(3, 1.0)
        return (details[2].ratio - threshold) / (1 - threshold) if threshold < 1 else 1.0
    nxt = details[level]
    return nxt.ratio / nxt.threshold if nxt.threshold else 1.0


def _no_size(path: str) -> int:
    return 1 << 30


def _no_text(path: str) -> str:
    return ""


def assess(results: Iterable[Result], catalog: Catalog, projects: Iterable[str],
           inventory: Inventory | None = None) -> Maturity:
    """Levels and scores of the seven phases, for the repository and per project."""
    rows = list(results)
    scope = {r.id: r.scope for r in catalog.rules}
    project_paths = list(projects) or ["."]
    inv = inventory or Inventory((), {}, _no_size, _no_text)
    # Results grouped once (phase → project, repository-scoped rules under None): the
    # per-project views are unions of groups, not rescans of every result.
    grouped, good = _grouped(rows, scope)
    good_all = frozenset(name for names in good.values() for name in names)
    good_in = {path: frozenset(good[None] | good[path]) for path in project_paths}
    # each project's evidence: its own files and the files of no sub-project (root README)
    shared = _shared_files(inv, project_paths) if len(project_paths) > 1 else ()
    project_files = {path: sorted({*inv.projects.get(path, ()), *shared})
                     for path in project_paths} if len(project_paths) > 1 else {}
    index = PathIndex(inv)
    phases = []
    for phase_def in catalog.phases:
        number = phase_def.phase
        groups = grouped.get(number, {})
        in_phase = [r for group in groups.values() for r in group]
        thresholds = {**catalog.thresholds, **phase_def.thresholds}
        whole = evaluate_phase(in_phase, good_all, phase_def, thresholds, inv, inv.files,
                               index)
        per_project: dict[str, PhaseLevel] = {}
        if len(project_paths) > 1:
            for path in project_paths:
                mine = [*groups.get(None, ()), *groups.get(path, ())]
                per_project[path] = evaluate_phase(
                    mine, good_in[path], phase_def, thresholds, inv, project_files[path],
                    index)
        else:
            per_project[project_paths[0]] = whole
        phases.append(_phase_report(phase_def, whole, per_project))
    counted = [p for p in phases if p.applicable] or phases
    levels = sorted(p.level for p in counted)
    median = float(statistics.median(levels))
    score = round(sum(p.score for p in counted) / len(counted))
    weakest = min(counted, key=lambda p: (p.level, p.score, p.phase)).phase
    name, text = band(score)
    return Maturity(tuple(phases), int(statistics.median_low(levels)), median, score, name,
                    text, weakest, levels[0])


def _grouped(rows: list[Result], scope: Mapping[str, str],
             ) -> tuple[dict[int, dict[str | None, list[Result]]], dict[str | None, set[str]]]:
    """Results by phase and owner (a project, or ``None`` for repository-scoped rules), and
    the names of the passing or warning rules (``RULE`` and ``RULE@LEVEL``) by owner."""
    grouped: dict[int, dict[str | None, list[Result]]] = defaultdict(lambda: defaultdict(list))
    good: dict[str | None, set[str]] = defaultdict(set)
    for row in rows:
        owner = None if scope.get(row.rule) == "repo" else row.project
        grouped[row.phase][owner].append(row)
        if row.status in (Status.PASS, Status.WARN):
            good[owner].update(_names((row,)))
    return grouped, good


def _phase_report(phase_def: Phase, whole: PhaseLevel,
                  per_project: dict[str, PhaseLevel]) -> PhaseReport:
    name, text = band(whole.score)
    return PhaseReport(
        phase=phase_def.phase, name=phase_def.name.t(), level=whole.level, score=whole.score,
        band=name, band_text=text, blockers=whole.blockers, reason=whole.reason,
        projects={p: v.level for p, v in per_project.items()},
        applicable=whole.applicable,
        not_applicable=(None if whole.applicable else phase_def.not_applicable.t()
                        if phase_def.not_applicable else T("not applicable", "no aplica")),
        presence=whole.presence, details=whole.details,
        project_scores={p: v.score for p, v in per_project.items()})


def _shared_files(inv: Inventory, paths: Sequence[str]) -> tuple[str, ...]:
    """Files in no sub-project (the root README, CI, pre-commit): they count as evidence
    for every project."""
    owned = {f for p in paths if p != "." for f in inv.projects.get(p, ())}
    return tuple(f for f in inv.files if f not in owned)


def _names(rows: Iterable[Result]) -> Iterator[str]:
    for row in rows:
        yield row.rule
        yield f"{row.rule}@{row.level}"
