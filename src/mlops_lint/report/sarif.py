"""SARIF 2.1.0 (``--format sarif``), for GitHub code scanning and other SARIF viewers.

* One ``reportingDescriptor`` per selected rule: id, a readable name, short and full
  description, help (fix, per-level criteria, guide source), a ``helpUri`` into the
  guide's public repository when the citation names a file, and properties
  phase/level/gate/kind/weight.
* Results only for ``fail``, ``warn`` and ``error``, with a relative
  ``artifactLocation.uri`` under ``%SRCROOT%`` and stable ``partialFingerprints``.
* A result with no file of its own (a repository-level finding such as "no model card")
  is anchored at line 1 of the first existing file named in its fix (project directory
  first, then the root), else of ``README.md`` or ``pyproject.toml``; with none of those
  it is left out and counted in the run's ``properties``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from mlops_lint import lazy_re
from mlops_lint.catalog import Rule
from mlops_lint.model import Lang, Result, Status, T
from mlops_lint.report import Report
from mlops_lint.report.common import LEVEL_NAME, baselined_note

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "mlopsLint/v1"
GUIDE_REPO = "https://github.com/DuqueOM/Guia_MLOps"
# The guide revision rules.md cites as HEAD; permalinks keep working if files move.
GUIDE_COMMIT = "c15a052148a4e15e20c75ac7769eb748ba2e4252"
_MODULES = {
    "01": "01_PYTHON_MODERNO", "02": "02_DISENO_SISTEMAS", "03": "03_ESTRUCTURA_PROYECTO",
    "04": "04_ENTORNOS", "05": "05_GIT_PROFESIONAL", "06": "06_VERSIONADO_DATOS",
    "07": "07_SKLEARN_PIPELINES", "08": "08_INGENIERIA_FEATURES",
    "09": "09_TRAINING_PROFESIONAL", "10": "10_EXPERIMENT_TRACKING", "11": "11_TESTING_ML",
    "12": "12_CI_CD", "13": "13_DOCKER", "14": "14_FASTAPI", "15": "15_STREAMLIT",
    "16": "16_OBSERVABILIDAD", "17": "17_DESPLIEGUE", "18": "18_INFRAESTRUCTURA",
    "19": "19_DOCUMENTACION", "20": "20_OBSERVABILIDAD_AVANZADA_DRIFT",
    "21": "21_CLOUD_FINOPS", "22": "22_IAC_EMPRESARIAL", "23": "23_PROYECTO_INTEGRADOR",
}
_EXAMS = {"1": "EXAM_01_SETUP", "2": "EXAM_02_PIPELINE", "3": "EXAM_03_TESTING",
          "4": "EXAM_04_DEPLOYMENT", "5": "EXAM_05_PRODUCTION", "6": "EXAM_06_INTEGRATION"}
_TEMPLATES = frozenset({
    "Dockerfile", "Dockerfile_template", "Makefile", "README_TEMPLATE.md", "ci.yml",
    "ci_github_actions.yml", "ci_template.yml", "dataset_card_template.md",
    "docker-compose.yml", "model_card_template.md", "pyproject_template.toml", "run_demo.sh",
})
_ABBREVIATIONS = {
    "CHK": "docs/apoyo/CHECKLIST.md", "RUB": "docs/apoyo/RUBRICA_EVALUACION.md",
    "INT": "docs/23_PROYECTO_INTEGRADOR.md", "HITO": "README.md",
    "PLA": "docs/apoyo/PLANTILLAS.md",
}
_CITATION = lazy_re.compile(
    r"(?<![\w/])(?:TPL/(?P<tpl>[\w.-]+)|EX(?P<exam>[1-6])\b|(?P<abbr>CHK|RUB|INT|HITO|PLA)\b"
    r"|(?P<module>\d{2})\b)")
_PATHLIKE = lazy_re.compile(r"[\w.-]*\.[\w-]+(?:/[\w.-]+)*|[\w-]+(?:/[\w.-]+)+|"
                            r"\b(?:Dockerfile|Makefile|LICENSE|Jenkinsfile)\b")
# _PATHLIKE backtracks quadratically on a long run of word characters and dots, so it
# is run on each such run (a path cannot contain other characters) of bounded length.
_PATH_RUN = lazy_re.compile(r"[\w./-]+")
MAX_PATH_RUN = 300
FALLBACK_ANCHORS = ("README.md", "pyproject.toml")
# GitHub code scanning's limits per run (more results are dropped or the upload refused)
MAX_RESULTS = 25_000
_LEVEL_RANK = {"error": 0, "warning": 1, "note": 2, "none": 3}


def message_text(text: str) -> str:
    """SARIF message text: ``[`` and ``]`` escaped with a backslash (§3.11.5), so text
    such as ``[x](1)`` from the repository never becomes an embedded link."""
    return re.sub(r"([\[\]])", r"\\\1", text)


def guide_path(source: str) -> str | None:
    """The guide file the first recognised citation of ``source`` points to."""
    for match in _CITATION.finditer(source):
        if match.group("tpl") and match.group("tpl") in _TEMPLATES:
            return f"docs/templates/{match.group('tpl')}"
        if match.group("exam"):
            return f"exams/{_EXAMS[match.group('exam')]}.md"
        if match.group("abbr"):
            return _ABBREVIATIONS[match.group("abbr")]
        if match.group("module") in _MODULES:
            return f"docs/{_MODULES[match.group('module')]}.md"
    return None


def guide_url(source: str) -> str | None:
    path = guide_path(source)
    return f"{GUIDE_REPO}/blob/{GUIDE_COMMIT}/{path}" if path else None


def uri(path: str) -> str:
    """A relative URI reference for a repository path (percent-encoded, ``/``-separated)."""
    return quote(path, safe="/")


def anchor(result: Result, files: frozenset[str]) -> str | None:
    """Where a result with no path of its own is shown, or ``None``."""
    prefix = "" if result.project == "." else f"{result.project}/"
    candidates = [m.group(0).rstrip(".") for run in _PATH_RUN.findall(result.fix.en)
                  if len(run) <= MAX_PATH_RUN for m in _PATHLIKE.finditer(run)]
    candidates += list(FALLBACK_ANCHORS)
    for name in candidates:
        for path in ((prefix + name, name) if prefix else (name,)):
            if path in files:
                return path
    return None


def sarif_level(result: Result) -> str:
    """error for errors and failing gates; otherwise from the rule's severity."""
    if result.status is Status.ERROR or (result.status is Status.FAIL and result.gate):
        return "error"
    if result.status is Status.FAIL:
        return {"error": "error", "warning": "warning"}.get(result.severity, "note")
    return "note" if result.severity == "info" else "warning"


def _name(rule: Rule) -> str:
    words = re.findall(r"[A-Za-z0-9]+", rule.title.en)
    return "".join(w[:1].upper() + w[1:] for w in words) or rule.id


def _help(rule: Rule, lang: Lang, url: str | None) -> dict[str, str]:
    es = lang == "es"
    fix = rule.fix.es if es else rule.fix.en
    crit_label = "Criterio por nivel" if es else "Criterion per level"
    gate_word = " (puerta)" if es else " (gate)"
    lines = [f"{'Cómo arreglarlo' if es else 'How to fix'}: {fix}", "", f"{crit_label}:"]
    md = [f"**{'Cómo arreglarlo' if es else 'How to fix'}:** {fix}", "", f"**{crit_label}:**",
          ""]
    for crit in rule.levels:
        text = crit.text.es if es else crit.text.en
        tag = f"{'N' if es else 'L'}{crit.level}"
        gate = gate_word if crit.gate else ""
        lines.append(f"- {tag}{gate}: {text}")
        md.append(f"- **{tag}**{gate}: {text}")
    source_label = "Fuente en la guía" if es else "Guide source"
    lines += ["", f"{source_label}: {rule.source}"]
    md += ["", f"**{source_label}:** {rule.source}" + (f" ([{url}]({url}))" if url else "")]
    if rule.checklist:
        lines.append(f"{'Lista de verificación' if es else 'Checklist'}: {rule.checklist}")
        md.append(f"**{'Lista de verificación' if es else 'Checklist'}:** {rule.checklist}")
    if rule.threshold:
        lines.append(f"{'Umbral' if es else 'Threshold'}: {rule.threshold}")
        md.append(f"**{'Umbral' if es else 'Threshold'}:** {rule.threshold}")
    return {"text": "\n".join(lines), "markdown": "\n".join(md)}


def descriptor(rule: Rule, lang: Lang, phase_name: str) -> dict[str, Any]:
    es = lang == "es"
    url = guide_url(rule.source)
    lowest = min(rule.levels, key=lambda c: c.level)
    gated = [c.level for c in rule.levels if c.gate]
    level = "error" if gated or rule.severity == "error" else (
        "warning" if rule.severity == "warning" else "note")
    out: dict[str, Any] = {
        "id": rule.id,
        "name": _name(rule),
        "shortDescription": {"text": rule.title.es if es else rule.title.en},
        "fullDescription": {"text": rule.rationale.es if es else rule.rationale.en},
        "help": _help(rule, lang, url),
        "defaultConfiguration": {"level": level, "enabled": True},
        "properties": {
            "phase": rule.phase,
            "phaseName": phase_name,
            "level": lowest.level,
            "levels": [c.level for c in rule.levels],
            "levelName": LEVEL_NAME[lowest.level](lang),
            "gate": bool(gated),
            "gateLevels": gated,
            "kind": rule.kind,
            "weight": lowest.effective_weight if rule.scored else 0.0,
            "weights": {str(c.level): c.effective_weight if rule.scored else 0.0
                        for c in rule.levels},
            "scope": rule.scope,
            "source": rule.source,
            "tags": ["mlops", f"phase-{rule.phase}", rule.id.rstrip("0123456789").lower()],
        },
    }
    if url:
        out["helpUri"] = url
    if rule.checklist:
        out["properties"]["checklist"] = rule.checklist
    if rule.threshold:
        out["properties"]["guideThreshold"] = rule.threshold
    return out


def _result(result: Result, index: int, lang: Lang, path: str, anchored: bool,
            baseline_used: bool) -> dict[str, Any]:
    es = lang == "es"
    message = result.message(lang).rstrip()
    fix = result.fix(lang)
    sep = " " if message.endswith((".", "!", "?", ":")) else ". "
    text = f"{message}{sep}{'Solución' if es else 'Fix'}: {fix}" if fix else message
    region = {"startLine": result.line if result.line and not anchored else 1}
    out: dict[str, Any] = {
        "ruleId": result.rule,
        "ruleIndex": index,
        "kind": "fail",
        "level": sarif_level(result),
        "message": {"text": message_text(text)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"},
            "region": region,
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: result.fingerprint},
        "properties": {
            "phase": result.phase,
            "level": result.level,
            "gate": result.gate,
            "status": result.status.value,
            "severity": result.severity,
            "project": result.project,
            "anchored": anchored,
            "lineKnown": result.line is not None and not anchored,
        },
    }
    if baseline_used:
        out["baselineState"] = "unchanged" if result.baselined else "new"
    return out


def as_dict(report: Report) -> dict[str, Any]:
    lang = report.lang
    catalog = report.catalog
    ignored = set(report.run.ignored)
    rules = [r for r in catalog.rules if r.id not in ignored]
    index = {r.id: i for i, r in enumerate(rules)}
    results: list[dict[str, Any]] = []
    unanchored: list[str] = []
    for result in report.results:
        if result.status not in (Status.FAIL, Status.WARN, Status.ERROR):
            continue
        if result.rule not in index:  # pragma: no cover - results come from selected rules
            continue
        path = result.path
        anchored = False
        if path is None:
            path = anchor(result, report.files)
            anchored = True
        if path is None:
            unanchored.append(result.rule)
            continue
        results.append(_result(result, index[result.rule], lang, path, anchored,
                               report.baseline_used))
    m = report.maturity
    properties: dict[str, Any] = {
        "maturity": {
            "level": m.level, "medianLevel": m.median_level, "score": m.score,
            "band": m.band, "bandText": m.band_text(lang),
            "phases": [{"phase": p.phase, "name": p.name(lang), "level": p.level,
                        "score": p.score, "band": p.band, "blockers": list(p.blockers)}
                       for p in m.phases],
        },
        "gate": {"passed": report.gate.passed, "reason": report.gate.reason(lang)},
        "baselined": report.baselined,
        "baselinedText": baselined_note(report)(lang),
        "unanchoredResults": len(unanchored),
        "omittedResults": max(len(results) - MAX_RESULTS, 0),
        **({"omittedReason": T(
            f"GitHub code scanning accepts at most {MAX_RESULTS} results per run: the "
            f"first {MAX_RESULTS} by severity are kept",
            f"GitHub code scanning acepta como máximo {MAX_RESULTS} resultados por "
            f"ejecución: se conservan los {MAX_RESULTS} primeros por gravedad")(lang)}
           if len(results) > MAX_RESULTS else {}),
        "unanchoredRules": sorted(set(unanchored)),
        "ignoredRules": sorted(ignored),
    }
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "mlops-lint",
            "version": report.version,
            "semanticVersion": report.version,
            "language": lang,
            "rules": [descriptor(r, lang, catalog.phase(r.phase).name.t()(lang))
                      for r in rules],
        }},
        "language": lang,
        "originalUriBaseIds": {"%SRCROOT%": {"description": {
            "text": "La raíz del repositorio analizado" if lang == "es"
            else "The root of the linted repository"}}},
        "invocations": [{"executionSuccessful": True, **({"toolExecutionNotifications": [
            {"level": "warning", "message": {"text": message_text(note(lang))}}
            for note in report.run.notes]} if report.run.notes else {})}],
        "columnKind": "unicodeCodePoints",
        "results": results if len(results) <= MAX_RESULTS else sorted(
            results, key=lambda r: _LEVEL_RANK[r["level"]])[:MAX_RESULTS],
        "properties": properties,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
