"""OBS007: runbooks with Summary (severity, impact, owner), Diagnosis, Common causes and
Escalation sections, in English or Spanish. Repository-wide.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import headings_matching, parse_markdown
from mlops_lint.readers.unread import noted, reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.obs._shared import alert_rules

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
    "severity": re.compile(r"severi", re.I),
    "impact": re.compile(r"impact", re.I),
    "owner": re.compile(r"owner|on-?call|responsable|propietario|due[nñ]o|@\w", re.I),
}


def runbook_files(ctx: Context) -> list[str]:
    found = ctx.files(["**/runbooks/**/*.md", "**/RUNBOOK*.md", "**/runbook*.md"],
                      case_sensitive=False)
    return [p for p in found if PurePosixPath(p).name.lower() not in ("readme.md", "index.md")]


@rule("OBS007")
@reports_unread
def runbooks(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS007: runbooks with Summary, Diagnosis, Common causes and Escalation sections."""
    files = runbook_files(ctx)
    if not files:
        yield failed(T("no runbooks (docs/runbooks/*.md or RUNBOOK.md)",
                       "no hay runbooks (docs/runbooks/*.md o RUNBOOK.md)"),
                     fix=T("Write docs/runbooks/<alert>.md from the template: Resumen "
                           "(severity, impact, owner), Diagnóstico, Causas comunes, Escalación.",
                           "Escribe docs/runbooks/<alerta>.md con la plantilla: Resumen "
                           "(severidad, impacto, owner), Diagnóstico, Causas comunes, "
                           "Escalación."))
        return
    alerts = alert_rules(ctx)
    for path in files:
        doc = noted(ctx.repo.parse(path, parse_markdown))
        if isinstance(doc, ParseError):
            continue
        found = {key: headings_matching(doc, names) for key, names in RUNBOOK_SECTIONS.items()}
        missing = [key for key, hits in found.items() if not hits]
        if missing:
            yield failed(T(f"runbook lacks sections: {', '.join(missing)}",
                           "al runbook le faltan secciones: "
                           f"{', '.join(SECTION_NAMES[m] for m in missing)}"), path, 1)
            continue
        summary = found["Summary"][0]
        text = doc.section(summary)
        lacking = [f for f, pattern in SUMMARY_FIELDS.items() if not pattern.search(text)]
        if lacking:
            yield warned(T(f"runbook summary does not state {', '.join(lacking)}",
                           "el resumen del runbook no indica "
                           f"{', '.join(FIELD_NAMES[f] for f in lacking)}"), path,
                         summary.line)
            continue
        note = T(f" ({len(files)} runbook(s) for {len(alerts)} alert(s))",
                 f" ({len(files)} runbook(s) para {len(alerts)} alerta(s))") if alerts \
            else T("", "")
        yield passed(T("runbook has summary (severity, impact, owner), diagnosis, causes and "
                       "escalation",
                       "el runbook tiene resumen (severidad, impacto, owner), diagnóstico, "
                       "causas y escalación") + note, path, summary.line)
