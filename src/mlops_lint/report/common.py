"""Words, ordering and helpers shared by the Markdown, HTML, SARIF and GitHub reports.

Every string a user sees is a :class:`T` so that ``--lang es`` reaches every format.
"""

from __future__ import annotations

from collections import defaultdict

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
    from mlops_lint.config import describe_source

    return T(f"config: {describe_source(report.config_source, 'en')}",
             f"configuración: {describe_source(report.config_source, 'es')}")


def written_line(report: Report, files: list[str]) -> str:
    """One line for stderr after reports were written to files: the verdict and where."""
    lang = report.lang
    m = report.maturity
    wrote = T("wrote", "escrito")(lang)
    return (f"mlops-lint: {level_tag(m.level, lang)} · {m.score}/100 — "
            f"{gate_line(report, lang)} — {wrote} {', '.join(files)}")
