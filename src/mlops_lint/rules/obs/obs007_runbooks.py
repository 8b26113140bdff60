"""OBS007: runbooks with Summary (severity, impact, owner), Diagnosis, Common causes and
Escalation sections, in English or Spanish. Repository-wide.

The template is for *alert* runbooks. A runbook file is one when an alert's
``runbook_url`` links to it, when its name or title names an alert (``HighLatency`` and
``high-latency.md``), or when it already follows the template (two of its sections).
Other documents in a runbooks folder are procedures (a setup, a release checklist): they
are not judged against the alert template, and a ``skip`` note lists them. When no alert
runbook exists the repository fails once, citing the alerts file if there is one, never a
procedure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import Heading, Markdown, headings_matching, parse_markdown
from mlops_lint.readers.unread import noted, reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.obs._shared import Alert, alert_rules

SECTION_NAMES = {"Summary": "Resumen", "Diagnosis": "Diagnóstico",
                 "Common causes": "Causas comunes", "Escalation": "Escalación"}


FIELD_NAMES = {"severity": "severidad", "impact": "impacto", "owner": "owner"}


RUNBOOK_SECTIONS: dict[str, tuple[str, ...]] = {
    "Summary": ("resumen", "summary", "overview"),
    "Diagnosis": ("diagnostico", "diagnosis", "diagnose", "triage", "investigation"),
    "Common causes": ("causas", "causes", "root cause"),
    "Escalation": ("escalacion", "escalamiento", "escalado", "escalation", "escalate"),
}


SUMMARY_FIELDS: dict[str, re.Pattern[str]] = {
    "severity": lazy_re.compile(r"severi", re.I),
    "impact": lazy_re.compile(r"impact", re.I),
    "owner": lazy_re.compile(r"owner|on-?call|responsable|propietario|due[nñ]o|@\w", re.I),
}


def runbook_files(ctx: Context) -> list[str]:
    found = ctx.files(["**/runbooks/**/*.md", "**/RUNBOOK*.md", "**/runbook*.md"],
                      case_sensitive=False)
    return [p for p in found if PurePosixPath(p).name.lower() not in ("readme.md", "index.md")]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _linked(path: str, url: str) -> bool:
    """Whether a ``runbook_url`` (a URL or a repository path, with or without an anchor)
    points at the file ``path``."""
    target = url.split("#", 1)[0].split("?", 1)[0].strip().rstrip("/").lower()
    path = path.lower()
    return bool(target) and (target == path or target.endswith("/" + path)
                             or target.removeprefix("./") == path)


def _alert_reason(path: str, title: str, alerts: list[Alert]) -> T | None:
    """Why a runbook file is an alert runbook: an alert links to it or it names one."""
    for alert in alerts:
        if alert.runbook and _linked(path, alert.runbook):
            return T(f" (linked from alert {alert.name})", f" (enlazado desde la alerta "
                     f"{alert.name})")
    stem, heading = _norm(PurePosixPath(path).stem), _norm(title)
    for alert in alerts:
        name = _norm(alert.name)
        if len(name) >= 4 and (name == stem or name in heading):
            return T(f" (the runbook of alert {alert.name})",
                     f" (el runbook de la alerta {alert.name})")
    return None


def _procedures_note(procedures: list[str]) -> Finding:
    shown = ", ".join(procedures[:3]) + (f" (+{len(procedures) - 3})"
                                         if len(procedures) > 3 else "")
    return skipped(T(f"{len(procedures)} document(s) among the runbooks are procedures, not "
                     f"alert runbooks (no alert links to them or is named by them, and they "
                     f"do not follow the runbook template); not judged: {shown}",
                     f"{len(procedures)} documento(s) entre los runbooks son procedimientos, "
                     f"no runbooks de alertas (ninguna alerta los enlaza ni la nombran, y no "
                     f"siguen la plantilla de runbook); no se juzgan: {shown}"))


Judged = tuple[Markdown, str, dict[str, list[Heading]], T]


def _sort_runbooks(ctx: Context, files: list[str], alerts: list[Alert],
                   ) -> tuple[list[Judged], list[str]]:
    """The alert runbooks (with their sections and why they are ones) and the procedures."""
    judged: list[Judged] = []
    procedures: list[str] = []
    for path in files:
        doc = noted(ctx.repo.parse(path, parse_markdown))
        if isinstance(doc, ParseError):
            continue
        found = {key: headings_matching(doc, names) for key, names in RUNBOOK_SECTIONS.items()}
        title = doc.headings[0].text if doc.headings else ""
        reason = _alert_reason(path, title, alerts)
        if reason is None and sum(1 for hits in found.values() if hits) < 2:
            procedures.append(path)
        else:
            judged.append((doc, path, found, reason or T("", "")))
    return judged, procedures


TEMPLATE_FIX = T("Write docs/runbooks/<alert>.md from the template: Resumen "
                 "(severity, impact, owner), Diagnóstico, Causas comunes, Escalación.",
                 "Escribe docs/runbooks/<alerta>.md con la plantilla: Resumen "
                 "(severidad, impacto, owner), Diagnóstico, Causas comunes, Escalación.")


@rule("OBS007")
@reports_unread
def runbooks(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS007: runbooks with Summary, Diagnosis, Common causes and Escalation sections."""
    files = runbook_files(ctx)
    if not files:
        yield failed(T("no runbooks (docs/runbooks/*.md or RUNBOOK.md)",
                       "no hay runbooks (docs/runbooks/*.md o RUNBOOK.md)"),
                     fix=TEMPLATE_FIX)
        return
    alerts = alert_rules(ctx)
    judged, procedures = _sort_runbooks(ctx, files, alerts)
    note = T(f" ({len(judged)} runbook(s) for {len(alerts)} alert(s))",
             f" ({len(judged)} runbook(s) para {len(alerts)} alerta(s))") if alerts \
        else T("", "")
    for doc, path, found, reason in judged:
        yield _judge(doc, path, found, reason, note)
    if procedures:
        yield _procedures_note(procedures)
    if procedures and not judged:
        where = alerts[0] if alerts else None
        yield failed(T(f"no alert runbook: the {len(procedures)} runbook document(s) found "
                       "are procedures that no alert links to"
                       + (f" ({len(alerts)} alert(s) defined)" if alerts else ""),
                       f"ningún runbook de alertas: los {len(procedures)} documento(s) de "
                       "runbook son procedimientos que ninguna alerta enlaza"
                       + (f" ({len(alerts)} alerta(s) definidas)" if alerts else "")),
                     where.path if where else None, where.line if where else None,
                     fix=TEMPLATE_FIX + (T(" Link it from each alert's runbook_url.",
                                           " Enlázalo desde el runbook_url de cada alerta.")
                                         if alerts else T("", "")))


def _judge(doc: Markdown, path: str, found: dict[str, list[Heading]], reason: T,
           note: T) -> Finding:
    """One alert runbook against the template."""
    missing = [key for key, hits in found.items() if not hits]
    if missing:
        return failed(T(f"runbook lacks sections: {', '.join(missing)}",
                        "al runbook le faltan secciones: "
                        f"{', '.join(SECTION_NAMES[m] for m in missing)}") + reason, path, 1,
                      fix=T(f"Add to {path} the sections it lacks: {', '.join(missing)}.",
                            f"Añade a {path} las secciones que le faltan: "
                            f"{', '.join(SECTION_NAMES[m] for m in missing)}."))
    summary = found["Summary"][0]
    text = doc.section(summary)
    lacking = [f for f, pattern in SUMMARY_FIELDS.items() if not pattern.search(text)]
    if lacking:
        return warned(T(f"runbook summary does not state {', '.join(lacking)}",
                        "el resumen del runbook no indica "
                        f"{', '.join(FIELD_NAMES[f] for f in lacking)}") + reason, path,
                      summary.line)
    return passed(T("runbook has summary (severity, impact, owner), diagnosis, causes and "
                    "escalation", "el runbook tiene resumen (severidad, impacto, owner), "
                    "diagnóstico, causas y escalación") + reason + note, path, summary.line)
