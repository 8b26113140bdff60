"""Words, ordering and helpers shared by the Markdown, HTML, SARIF and GitHub reports.

Every string a user sees is a :class:`T` so that ``--lang es`` reaches every format.
"""

from __future__ import annotations

from collections import defaultdict

from mlops_lint.gate import critical
from mlops_lint.maturity import PhaseReport
from mlops_lint.model import Lang, Result, Status, T
from mlops_lint.report import Report

STATUS_WORD: dict[Status, T] = {
    Status.PASS: T("pass", "cumple"),
    Status.WARN: T("warn", "aviso"),
    Status.FAIL: T("fail", "falla"),
    Status.SKIP: T("skip", "omitida"),
    Status.WAIVED: T("waived", "exceptuada"),
    Status.MANUAL: T("manual", "manual"),
    Status.ERROR: T("error", "error"),
}
STATUS_ICON: dict[Status, str] = {
    Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️",
    Status.WAIVED: "🛡️", Status.MANUAL: "👤", Status.ERROR: "💥",
}
# Display order: what needs attention first.
STATUS_ORDER: tuple[Status, ...] = (
    Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL, Status.WAIVED, Status.PASS,
    Status.SKIP,
)
LEVEL_NAME: dict[int, T] = {
    0: T("pre-functional", "pre-funcional"),
    1: T("functional", "funcional"),
    2: T("secure / optimised", "seguro / optimizado"),
    3: T("production / scalable", "producción / escalable"),
}
MAX_PER_RULE = 5

TITLE = T("MLOps maturity", "Madurez MLOps")
PHASE = T("Phase", "Fase")
LEVEL = T("Level", "Nivel")
SCORE = T("Score", "Puntuación")
BAND = T("Band", "Banda")
BLOCKERS = T("What blocks the next level", "Qué bloquea el siguiente nivel")
NO_BLOCKERS = T("Nothing blocks the next level.", "Nada bloquea el siguiente nivel.")
ALL_RESULTS = T("All results", "Todos los resultados")
RULE = T("Rule", "Regla")
STATUS = T("Status", "Estado")
WHERE = T("Where", "Dónde")
MESSAGE = T("Message", "Mensaje")
FIX = T("Fix", "Solución")
PROJECT = T("Project", "Proyecto")
PROJECTS = T("Per project (level by phase)", "Por proyecto (nivel por fase)")
OVERALL = T("Overall", "Global")
GATE = T("Gate", "Puerta")
GATE_PASSED = T("passed", "superada")
GATE_FAILED = T("failed", "fallida")
REPOSITORY = T("(repository)", "(repositorio)")
IGNORED = T("Ignored without justification", "Ignoradas sin justificación")
NO_RESULTS = T("no results", "sin resultados")
AND_MORE = T("… and {n} more", "… y {n} más")
MEDIAN = T("median", "mediana")
BASELINE_TAG = T("baseline", "línea base")


def level_tag(level: int, lang: Lang) -> str:
    """``L2`` in English, ``N2`` (nivel) in Spanish."""
    return f"{T('L', 'N')(lang)}{level}"


def level_bar(level: int) -> str:
    return "■" * level + "□" * (3 - level)


def score_bar(score: int, width: int = 10) -> str:
    filled = max(0, min(width, round(score * width / 100)))
    return "█" * filled + "░" * (width - filled)


def where(result: Result, lang: Lang) -> str:
    if result.path is None:
        return REPOSITORY(lang) if result.project == "." else result.project
    return f"{result.path}:{result.line}" if result.line else result.path


def baselined_note(report: Report) -> T:
    n = report.baselined
    return T(f"{n} known failure(s) baselined (not counted by the gate)",
             f"{n} fallo(s) conocidos en la línea base (la puerta no los cuenta)")


def counts(report: Report) -> dict[Status, int]:
    tally: dict[Status, int] = dict.fromkeys(Status, 0)
    for result in report.results:
        tally[result.status] += 1
    return tally


def counts_line(report: Report, lang: Lang, icons: bool = False) -> str:
    tally = counts(report)
    parts = []
    for status in STATUS_ORDER:
        icon = f"{STATUS_ICON[status]} " if icons else ""
        parts.append(f"{icon}{tally[status]} {STATUS_WORD[status](lang)}")
    return " · ".join(parts)


def gate_line(report: Report, lang: Lang) -> str:
    verdict = GATE_PASSED if report.gate.passed else GATE_FAILED
    return f"{GATE(lang)}: {verdict(lang)} — {report.gate.reason(lang)}"


def overall_line(report: Report, lang: Lang) -> str:
    m = report.maturity
    return (f"{OVERALL(lang)}: {level_tag(m.level, lang)} ({LEVEL_NAME[m.level](lang)}) · "
            f"{m.score}/100 ({m.band_text(lang)}) · {MEDIAN(lang)} {m.median_level:g}")


def blocker_groups(report: Report) -> list[tuple[PhaseReport, list[tuple[str, list[Result]]]]]:
    """For each phase below level 3 that is blocked: its blocking rules and their problems
    (results of levels up to the next one), in the order the maturity lists them."""
    by_rule: dict[str, list[Result]] = defaultdict(list)
    for result in report.problems():
        by_rule[result.rule].append(result)
    groups = []
    for phase in report.maturity.phases:
        if phase.level >= 3 or not (phase.blockers or phase.reason):
            continue
        rules = [(rule, [r for r in by_rule.get(rule, []) if r.level <= phase.level + 1])
                 for rule in phase.blockers]
        groups.append((phase, rules))
    return groups


def ordered(results: list[Result]) -> list[Result]:
    """Results of one phase, worst status first, then the report's order."""
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(results, key=lambda r: (rank[r.status], r.sort_key()))


def rule_titles(report: Report) -> dict[str, T]:
    return {rule.id: rule.title.t() for rule in report.catalog.rules}


def config_line(report: Report) -> T:
    """Which configuration the run used (a file, or the defaults)."""
    from mlops_lint.config_render import describe_source

    return T(f"config: {describe_source(report.config_source, 'en')}",
             f"configuración: {describe_source(report.config_source, 'es')}")


def written_line(report: Report, files: list[str]) -> str:
    """One line for stderr after reports were written to files: the verdict and where."""
    lang = report.lang
    m = report.maturity
    wrote = T("wrote", "escrito")(lang)
    return (f"mlops-lint: {level_tag(m.level, lang)} · {m.score}/100 — "
            f"{gate_line(report, lang)} — {wrote} {', '.join(files)}")


GATE_GROUP, BLOCKER_GROUP, OTHER_GROUP = 0, 1, 2  # how much a problem matters, most first


class Priority:
    """How much one problem matters to the next step, from the report's levels and gate.

    :meth:`group` is ``GATE_GROUP`` for what fails the gate (with a ``min-level`` gate:
    a problem of a phase below its required level, up to that level; without one: a
    critical finding, an ``error`` result, or an error-level finding of the phase's next
    level), ``BLOCKER_GROUP`` for the blockers of each phase's next level, else
    ``OTHER_GROUP``. The GitHub annotations are ordered by it and the text report shows
    the first two groups by default."""

    def __init__(self, report: Report) -> None:
        from mlops_lint.report.sarif import sarif_level

        self._sarif_level = sarif_level
        self.levels = {p.phase: p.level for p in report.maturity.phases}
        self.blockers = {p.phase: frozenset(p.blockers) for p in report.maturity.phases}
        wanted = report.min_level
        self.wanted: dict[int, int] | None = (
            None if wanted is None else dict.fromkeys(range(1, 8), wanted)
            if isinstance(wanted, int) else dict(wanted))
        self.critical = {id(r) for r in critical(report.results, report.catalog)} \
            if wanted is None else set()
        self.gate_failed = not report.gate.passed

    def fails_gate(self, result: Result) -> bool:
        """Whether the result is one the failing gate names: a critical finding under the
        default gate, or a problem of a phase below its ``min-level`` up to that level (a
        ``fail-under`` gate is about the score, no finding in particular)."""
        if not self.gate_failed or not result.status.is_problem or result.baselined:
            return False
        if self.wanted is None:
            return id(result) in self.critical
        need = self.wanted.get(result.phase)
        return need is not None and self.levels.get(result.phase, 0) < need \
            and result.level <= need

    def beyond_next(self, result: Result) -> bool:
        """A finding of a level above its phase's next one (L3 while the phase is at L1)."""
        return result.level > self.levels.get(result.phase, 0) + 1

    def group(self, result: Result) -> int:
        level = self.levels.get(result.phase, 0)
        if self.wanted is not None:
            need = self.wanted.get(result.phase)
            if need is not None and level < need and result.level <= need:
                return GATE_GROUP
        elif id(result) in self.critical or result.status is Status.ERROR or (
                not self.beyond_next(result) and self._sarif_level(result) == "error"):
            return GATE_GROUP
        if not self.beyond_next(result) and result.rule in self.blockers.get(result.phase, ()):
            return BLOCKER_GROUP
        return OTHER_GROUP
