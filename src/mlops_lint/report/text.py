"""The terminal report: the 7-phase table, then what blocks each phase's next level."""

from __future__ import annotations

import textwrap
from collections import defaultdict

from mlops_lint.model import Result, Status, T
from mlops_lint.report import Report
from mlops_lint.report.common import Priority, config_line
from mlops_lint.sanitize import clean

MAX_PER_RULE = 5
_COLORS = {"red": "31", "yellow": "33", "green": "32", "dim": "2", "bold": "1", "cyan": "36"}
_STATUS_COLOR = {Status.FAIL: "red", Status.ERROR: "red", Status.WARN: "yellow"}


class _Painter:
    def __init__(self, enabled: bool, width: int | None = None) -> None:
        self.enabled = enabled
        self.width = width  # columns to wrap long lines to (None: no wrapping)

    def __call__(self, text: str, color: str) -> str:
        if not self.enabled:
            return text
        return f"\033[{_COLORS[color]}m{text}\033[0m"


def _lvl(lang: str) -> str:
    """The level prefix: L1 in English, N1 (nivel) in Spanish."""
    return "N" if lang == "es" else "L"


def _bar(level: int) -> str:
    return "■" * level + "□" * (3 - level)


_STATUS_WORD = {
    Status.PASS: T("pass", "cumple"), Status.WARN: T("warn", "aviso"),
    Status.FAIL: T("fail", "falla"), Status.SKIP: T("skip", "omitida"),
    Status.WAIVED: T("waived", "exceptuada"), Status.MANUAL: T("manual", "manual"),
    Status.ERROR: T("error", "error"),
}


def _where(result: Result, lang: str = "en") -> str:
    if result.path is None:
        return T("(repository)", "(repositorio)")("es" if lang == "es" else "en") \
            if result.project == "." else clean(result.project, newlines=False)
    path = clean(result.path, newlines=False)
    return f"{path}:{result.line}" if result.line else path


def _wrap(text: str, indent: str, hang: str, width: int | None) -> list[str]:
    """``text`` after ``indent``, every further line (its own lines, and the pieces of
    a line longer than ``width``) after the hanging indent ``hang``. Words are not
    broken: a path or URL longer than the line stays whole."""
    lines: list[str] = []
    for number, part in enumerate(text.splitlines() or [""]):
        first = indent if number == 0 else hang
        if width is None or len(first) + len(part) <= width:
            lines.append(first + part)
            continue
        lines += textwrap.wrap(part, width, initial_indent=first, subsequent_indent=hang,
                               break_long_words=False, break_on_hyphens=False) or [first]
    return lines


def _inert(text: str) -> str:
    """Lines that a CI runner could read as a workflow command (``::cmd::`` at a line's
    start, ``##[`` anywhere) broken with a zero-width space."""
    lines = []
    for line in text.replace("##[", "#\u200b#[").split("\n"):
        lines.append("\u200b" + line if line.lstrip().startswith("::") else line)
    return "\n".join(lines)


def _merged(rows: list[Result]) -> list[tuple[Result, tuple[int, ...]]]:
    """One entry per finding: a graded rule's identical finding at several levels (same
    subject, place, status and message) is shown once with its levels."""
    groups: dict[tuple[str, str, str | None, int | None, str, str], list[Result]] = {}
    for row in rows:
        key = (row.rule, row.project, row.path, row.line, row.status.value, row.message.en)
        groups.setdefault(key, []).append(row)
    return [(group[0], tuple(sorted({r.level for r in group}))) for group in groups.values()]


def _line(result: Result, lang: str, paint: _Painter,
          levels: tuple[int, ...] = ()) -> list[str]:
    msg = clean(result.message("es" if lang == "es" else "en"), newlines=False)
    fix = _inert(clean(result.fix("es" if lang == "es" else "en")))  # may span lines
    word = _STATUS_WORD[result.status]("es" if lang == "es" else "en")
    gate = T(" [gate]", " [puerta]")("es" if lang == "es" else "en") if result.gate else ""
    tags = "/".join(f"{_lvl(lang)}{level}" for level in levels or (result.level,))
    lead = f"    {result.rule} {tags}{gate} "
    head = _wrap(f"{word} {_where(result, lang)}: {msg}", lead, " " * 6, paint.width)
    head[0] = lead + paint(word, _STATUS_COLOR.get(result.status, "dim")) \
        + head[0][len(lead) + len(word):]
    label = "solución" if lang == "es" else "fix"
    indent = f"        {label}: "
    fixes = _wrap(fix, indent, " " * len(indent), paint.width)
    return [*head, *(paint(line, "dim") for line in fixes)]


def render(report: Report) -> str:
    lang = report.lang
    paint = _Painter(report.color, report.width)
    out: list[str] = []
    projects = report.run.projects
    count = T(f"{len(projects)} project(s)", f"{len(projects)} proyecto(s)")(lang)
    root = clean(report.root, newlines=False)
    out.append(paint(f"mlops-lint {report.version} — {root} ({count})", "bold"))
    out.append(paint(config_line(report)(lang), "dim"))
    out.append("")
    out += _phase_table(report, paint)
    if len(projects) > 1:
        out.append("")
        out.append(T("  Per project (level by phase 1-7):",
                     "  Por proyecto (nivel por fase 1-7):")(lang))
        for project in projects:
            levels = " ".join(str(p.projects.get(project.path, "-"))
                              for p in report.maturity.phases)
            out.append(f"    {clean(project.path, newlines=False):<32} {levels}  "
                       f"({clean(project.name, newlines=False)})")
    m = report.maturity
    out.append("")
    weakest = T(f" · weakest: phase {m.weakest}", f" · más débil: fase {m.weakest}") \
        if m.weakest is not None else T("", "")
    out.append((T(f"Overall: median level {m.level} · mean score {m.score} ({m.band_text.en})",
                  f"Global: nivel mediano {m.level} · puntuación media {m.score} "
                  f"({m.band_text.es})") + weakest)(lang))
    if not any(p.presence for p in m.phases):
        out += _wrap(T("Nothing of the seven phases was found here (no Python module, "
                       "dependency file, test, CI, Dockerfile, serving app, infrastructure "
                       "or README): is this the root of a machine-learning repository?",
                       "Aquí no se encontró nada de las siete fases (ni módulo Python, ni "
                       "archivo de dependencias, tests, CI, Dockerfile, app de servicio, "
                       "infraestructura o README): ¿es esta la raíz de un repositorio de "
                       "machine learning?")(lang), "", "", paint.width)
    if report.view == "quiet":
        return "\n".join([*out, "", *_gate_lines(report, paint)]) + "\n"
    out += _findings(report, paint)
    if report.run.ignored:
        out.append("")
        out.append(T("Ignored without justification: ", "Ignoradas sin justificación: ")(lang)
                   + ", ".join(report.run.ignored))
    if report.run.notes:
        out.append("")
        label = T("Note: ", "Nota: ")(lang)
        out.extend(paint(label + clean(note(lang), newlines=False), "yellow")
                   for note in report.run.notes)
    counts: dict[str, int] = defaultdict(int)
    for result in report.results:
        counts[result.status.value] += 1
    out.append("")
    out.append(" · ".join(f"{counts[s.value]} {_STATUS_WORD[s](lang)}" for s in Status))
    if report.baselined:
        out.append(T(f"{report.baselined} known failure(s) baselined",
                     f"{report.baselined} fallo(s) conocidos en la línea base")(lang))
    out += _gate_lines(report, paint)
    return "\n".join(out) + "\n"


def _phase_table(report: Report, paint: _Painter) -> list[str]:
    """One line per phase: its level bar, level and score (or why it does not apply)."""
    lang = report.lang
    out: list[str] = []
    header = ("Fase", "Nivel", "Puntos") if lang == "es" else ("Phase", "Level", "Score")
    out.append(f"  {header[0]:<34} {header[1]:<9} {header[2]}")
    for phase in report.maturity.phases:
        name = f"{phase.phase} {phase.name(lang)}"
        if not phase.applicable:
            reason = phase.not_applicable(lang) if phase.not_applicable else ""
            start = f"  {name:<34} {'n/a':<9} {'':>3} "
            na_lines = _wrap(reason, start, " " * len(start), paint.width)
            out.append(start + paint(na_lines[0][len(start):], "dim"))
            out.extend(paint(line, "dim") for line in na_lines[1:])
            continue
        color = "green" if phase.level >= 2 else "yellow" if phase.level == 1 else "red"
        # Pad before painting: colour codes must not shift the score column.
        level = paint(f"{_bar(phase.level) + ' ' + _lvl(lang) + str(phase.level):<9}", color)
        out.append(f"  {name:<34} {level} {phase.score:>3} {phase.band_text(lang)}")
    return out


def _gate_lines(report: Report, paint: _Painter) -> list[str]:
    lang = report.lang
    verdict = T("passed", "superada") if report.gate.passed else T("FAILED", "FALLIDA")
    reason = clean(report.gate.reason(lang), newlines=False)
    gate = f"{T('Gate', 'Puerta')(lang)}: {verdict(lang)} — {reason}"
    return [paint(line, "green" if report.gate.passed else "red")
            for line in _wrap(gate, "", "  ", report.width)]


def _findings(report: Report, paint: _Painter) -> list[str]:
    """The blockers of each phase's next level, then the other findings: by default only
    those that fail the gate, the rest as a count (``--all``, ``--phase`` list them)."""
    m = report.maturity
    wanted = report.phases or frozenset(p.phase for p in m.phases)
    by_rule: dict[str, list[Result]] = defaultdict(list)
    for result in report.problems():
        if result.phase in wanted:
            by_rule[result.rule].append(result)
    listed: set[int] = set()  # ids of the results the blockers account for
    out = _blocker_lines(report, paint, wanted, by_rule, listed)
    return out + _other_lines(report, paint, by_rule, listed)


def _blocker_lines(report: Report, paint: _Painter, wanted: frozenset[int],
                   by_rule: dict[str, list[Result]], listed: set[int]) -> list[str]:
    """"What blocks the next level", phase by phase; the results shown go in ``listed``."""
    lang = report.lang
    out: list[str] = []
    blocking = [p for p in report.maturity.phases
                if p.level < 3 and p.applicable and p.phase in wanted]
    if any(p.blockers or p.reason for p in blocking):
        out.append("")
        out.append(paint(T("What blocks the next level", "Qué bloquea el siguiente nivel")(lang),
                         "bold"))
    for phase in blocking:
        if not phase.blockers and not phase.reason:
            continue
        title = T(f"  Phase {phase.phase} → L{phase.level + 1}",
                  f"  Fase {phase.phase} → N{phase.level + 1}")(lang)
        why = f"  ({clean(phase.reason(lang), newlines=False)})" if phase.reason else ""
        heading = _wrap(title + why, "", "      ", paint.width)
        out.append(paint(title, "cyan") + heading[0][len(title):])
        out.extend(heading[1:])
        for rule in phase.blockers:
            mine = [r for r in by_rule.get(rule, []) if r.level <= phase.level + 1]
            listed.update(id(r) for r in mine)
            rows = _merged(mine)
            for row, at in rows[:MAX_PER_RULE]:
                out.extend(_line(row, lang, paint, at))
            if len(rows) > MAX_PER_RULE:
                more = len(rows) - MAX_PER_RULE
                out.append(T(f"    … and {more} more", f"    … y {more} más")(lang))
    return out


def _other_lines(report: Report, paint: _Painter, by_rule: dict[str, list[Result]],
                 listed: set[int]) -> list[str]:
    """The findings no blocker listed: those that fail the gate (every one with ``--all``
    or ``--phase``), and a count of the rest."""
    lang = report.lang
    everything = report.view == "all" or bool(report.phases)
    out: list[str] = []
    priority = Priority(report)
    rest = [r for rule, rows in sorted(by_rule.items()) for r in rows if id(r) not in listed]
    shown = rest if everything else [r for r in rest if priority.fails_gate(r)]
    kept = {id(r) for r in shown}
    hidden = _merged([r for r in rest if id(r) not in kept])
    if shown:
        out.append("")
        other = T("Other findings", "Otros hallazgos") if everything else T(
            "Other findings that fail the gate", "Otros hallazgos que hacen fallar la puerta")
        out.append(paint(other(lang), "bold"))
        for row, at in _merged(shown):
            out.extend(_line(row, lang, paint, at))
    if hidden:
        per_phase: dict[int, int] = defaultdict(int)
        for row, _ in hidden:
            per_phase[row.phase] += 1
        where = ", ".join(T(f"phase {k}: {n}", f"fase {k}: {n}")(lang)
                          for k, n in sorted(per_phase.items()))
        out.append("")
        out += [paint(line, "dim") for line in _wrap(T(
            f"{len(hidden)} more finding(s) that do not block the next level ({where}): "
            "--all lists every finding, --phase N the findings of one phase.",
            f"{len(hidden)} hallazgo(s) más que no bloquean el siguiente nivel ({where}): "
            "--all lista todos los hallazgos, --phase N los de una fase.")(lang),
            "", "  ", paint.width)]
    return out
