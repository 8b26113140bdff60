"""The Markdown report (``--format markdown``): for pull-request comments and the GitHub
job summary.

The seven phases as a table with level and score bars, the blockers of each phase's
next level, then every result in collapsible sections, one per phase and, inside, one
per status, so a reader opens only what they want. No images, links or other network
resources. ``render_markdown(report, limit)`` shortens the report to fit ``limit``
bytes: passing and skipped rows go first, then rows beyond a cap per phase, and the
report says what it left out. ``--format markdown`` fits a GitHub comment (65,536
characters); the job summary gets up to 1 MiB.
"""

from __future__ import annotations

from collections import defaultdict

from mlops_lint import lazy_re
from mlops_lint.model import Lang, Result, Status, T
from mlops_lint.report import Report
from mlops_lint.report.common import (
    ALL_RESULTS,
    AND_MORE,
    BASELINE_TAG,
    BLOCKERS,
    FIX,
    IGNORED,
    LEVEL,
    LEVEL_NAME,
    MAX_PER_RULE,
    MESSAGE,
    NO_BLOCKERS,
    NO_RESULTS,
    PHASE,
    PROJECT,
    PROJECTS,
    RULE,
    SCORE,
    STATUS_ICON,
    STATUS_ORDER,
    STATUS_WORD,
    TITLE,
    WHERE,
    baselined_note,
    blocker_groups,
    counts_line,
    gate_line,
    level_bar,
    level_tag,
    overall_line,
    rule_titles,
    score_bar,
    where,
)
from mlops_lint.sanitize import clean

_SPECIAL = lazy_re.compile(r"([\\`*_\[\]<>|~#])")
OMITTED_QUIET = T("Passing and skipped results are left out to fit the size limit.",
                  "Se omiten los resultados que cumplen y los omitidos para no superar el "
                  "límite de tamaño.")
OMITTED_CAP = T("Only the first {n} results of each phase are shown to fit the size limit.",
                "Solo se muestran los primeros {n} resultados de cada fase para no superar "
                "el límite de tamaño.")
TRUNCATED = T("… report truncated to fit the size limit.",
              "… informe truncado para no superar el límite de tamaño.")
QUIET = (Status.PASS, Status.SKIP)
COMMENT_LIMIT = 65_536  # bytes, so never more characters than a GitHub comment accepts


def md(text: str) -> str:
    """Inline Markdown text: punctuation escaped, one line, no @mentions, controls and
    bidi overrides shown as escapes."""
    text = text.replace("&", "&amp;").replace("\r", " ").replace("\n", " ")
    return _SPECIAL.sub(r"\\\1", clean(text, newlines=False)).replace("@", "@&#8203;")


def code(text: str) -> str:
    if "`" in text or "|" in text or "\n" in text or "\r" in text:
        return md(text)
    return f"`{clean(text, newlines=False)}`"


def _phase_table(report: Report, lang: Lang) -> list[str]:
    out = [f"| {PHASE(lang)} | {LEVEL(lang)} | {SCORE(lang)} |", "|:--|:--|:--|"]
    for p in report.maturity.phases:
        out.append(f"| {p.phase} · {md(p.name(lang))} | `{level_bar(p.level)}` "
                   f"**{level_tag(p.level, lang)}** {md(LEVEL_NAME[p.level](lang))} | "
                   f"`{score_bar(p.score)}` **{p.score}** {md(p.band_text(lang))} |")
    return out


def _projects(report: Report, lang: Lang) -> list[str]:
    projects = report.run.projects
    if len(projects) < 2:
        return []
    head = " | ".join(str(p.phase) for p in report.maturity.phases)
    out = ["", f"**{PROJECTS(lang)}**", "", f"| {PROJECT(lang)} | {head} |",
           "|:--|" + "--:|" * 7]
    for project in projects:
        levels = " | ".join(str(p.projects.get(project.path, "-"))
                            for p in report.maturity.phases)
        out.append(f"| {code(project.path)} ({md(project.name)}) | {levels} |")
    return out


def _problem_line(result: Result, lang: Lang, titles: dict[str, T]) -> list[str]:
    icon = STATUS_ICON[result.status]
    title = titles.get(result.rule)
    return [
        f"- {icon} **{result.rule}** {level_tag(result.level, lang)} "
        f"{md(STATUS_WORD[result.status](lang))}"
        + (f" — {md(title(lang))}" if title else "")
        + f" · {code(where(result, lang))}: {md(result.message(lang))}  ",
        f"  ↳ {FIX(lang)}: {md(result.fix(lang))}",
    ]


def _blockers(report: Report, lang: Lang, titles: dict[str, T]) -> list[str]:
    out = ["", f"### 🚧 {BLOCKERS(lang)}", ""]
    groups = blocker_groups(report)
    if not groups:
        return [*out, NO_BLOCKERS(lang)]
    for phase, rules in groups:
        head = (f"**{PHASE(lang)} {phase.phase} · {md(phase.name(lang))} → "
                f"{level_tag(phase.level + 1, lang)}**")
        if phase.reason:
            head += f" ({md(phase.reason(lang))})"
        lines: list[str] = []
        for _, rows in rules:
            for row in rows[:MAX_PER_RULE]:
                lines += _problem_line(row, lang, titles)
            if len(rows) > MAX_PER_RULE:
                lines.append("  " + AND_MORE(lang).format(n=len(rows) - MAX_PER_RULE))
        out += [head, "", *lines, ""] if lines else [head, ""]
    return out


def _table(rows: list[Result], lang: Lang, titles: dict[str, T], multi: bool) -> list[str]:
    head = [RULE(lang), LEVEL(lang), WHERE(lang), MESSAGE(lang), FIX(lang)]
    if multi:
        head.insert(2, PROJECT(lang))
    out = ["| " + " | ".join(head) + " |", "|" + ":--|" * len(head)]
    for r in rows:
        title = titles.get(r.rule)
        cells = [f"**{r.rule}**" + (f" {md(title(lang))}" if title else ""),
                 level_tag(r.level, lang), code(where(r, lang)), md(r.message(lang)),
                 md(r.fix(lang)) if r.status.is_problem else "—"]
        if r.baselined:
            cells[0] += f" _({BASELINE_TAG(lang)})_"
        if multi:
            cells.insert(2, code(r.project))
        out.append("| " + " | ".join(cells) + " |")
    return out


def _results(report: Report, lang: Lang, titles: dict[str, T], hide_quiet: bool,
             cap: int | None) -> list[str]:
    multi = len(report.run.projects) > 1
    by_phase: dict[int, list[Result]] = defaultdict(list)
    for result in report.results:
        by_phase[result.phase].append(result)
    out = ["", f"### 📋 {ALL_RESULTS(lang)}", ""]
    if hide_quiet:
        out += [f"_{OMITTED_QUIET(lang)}_", ""]
    if cap is not None:
        out += [f"_{OMITTED_CAP(lang).format(n=cap)}_", ""]
    for p in report.maturity.phases:
        rows = by_phase.get(p.phase, [])
        by_status: dict[Status, list[Result]] = defaultdict(list)
        for row in rows:
            by_status[row.status].append(row)
        tally = " · ".join(f"{STATUS_ICON[s]} {len(by_status[s])} {md(STATUS_WORD[s](lang))}"
                           for s in STATUS_ORDER if by_status[s]) or NO_RESULTS(lang)
        out += ["<details>", f"<summary><b>{PHASE(lang)} {p.phase} · {md(p.name(lang))}"
                f"</b> — {level_tag(p.level, lang)} · {p.score}/100 — {tally}</summary>", ""]
        shown = 0
        for status in STATUS_ORDER:
            group = by_status[status]
            if not group or (hide_quiet and status in QUIET):
                continue
            if cap is not None:
                group = group[:max(cap - shown, 0)]
                if not group:
                    continue
                shown += len(group)
            opened = " open" if status in (Status.FAIL, Status.ERROR) else ""
            out += [f"<details{opened}><summary>{STATUS_ICON[status]} "
                    f"{md(STATUS_WORD[status](lang))} ({len(by_status[status])})</summary>", ""]
            out += _table(group, lang, titles, multi)
            out += ["", "</details>", ""]
        out += ["</details>", ""]
    return out


def _document(report: Report, hide_quiet: bool = False, cap: int | None = None) -> str:
    lang = report.lang
    titles = rule_titles(report)
    m = report.maturity
    icon = "✅" if report.gate.passed else "❌"
    out = [f"## mlops-lint · {TITLE(lang)}: {level_tag(m.level, lang)} · {m.score}/100",
           "",
           f"**{icon} {md(gate_line(report, lang))}**",
           "",
           f"{md(overall_line(report, lang))}  ",
           f"{counts_line(report, lang, icons=True)}"]
    if report.baselined:
        out[-1] += "  "
        out.append(md(baselined_note(report)(lang)))
    if report.run.ignored:
        out[-1] += "  "
        out.append(f"{IGNORED(lang)}: {', '.join(report.run.ignored)}")
    for note in report.run.notes:
        out[-1] += "  "
        out.append(f"⚠️ {md(note(lang))}")
    out += ["", *_phase_table(report, lang), *_projects(report, lang)]
    out += _blockers(report, lang, titles)
    out += _results(report, lang, titles, hide_quiet, cap)
    out.append(f"<sub>mlops-lint {md(report.version)} · {md(report.root)}</sub>")
    return "\n".join(out) + "\n"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def render_markdown(report: Report, limit: int | None = None) -> str:
    """The report, shortened step by step until it fits ``limit`` bytes."""
    text = _document(report)
    if limit is None or _size(text) <= limit:
        return text
    text = _document(report, hide_quiet=True)
    cap = 200
    while _size(text) > limit and cap >= 5:
        text = _document(report, hide_quiet=True, cap=cap)
        cap //= 2
    if _size(text) <= limit:
        return text
    note = f"\n\n{TRUNCATED(report.lang)}\n"
    room = max(limit - _size(note), 0)
    cut = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut[:cut.rfind("\n") + 1] + note


def render(report: Report) -> str:
    """The report as a pull-request comment: within GitHub's 65,536-character limit."""
    return render_markdown(report, limit=COMMENT_LIMIT)
