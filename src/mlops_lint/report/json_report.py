"""The JSON report (schema_version 1, interface.md): stable keys, stable order."""

from __future__ import annotations

import json
from typing import Any

from mlops_lint.maturity import Criterion, LevelDetail
from mlops_lint.model import Lang, Result
from mlops_lint.report import Report

SCHEMA_VERSION = 2


def as_dict(report: Report, results: bool = True) -> dict[str, Any]:
    """The report as JSON data (``results`` left empty when not ``results``)."""
    lang = report.lang
    maturity = report.maturity
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mlops-lint", "version": report.version},
        "root": report.root,
        "lang": lang,
        "projects": [{"path": p.path, "name": p.name} for p in report.run.projects],
        "notes": [note(lang) for note in report.run.notes],
        "summary": {
            "level": maturity.level,
            "median_level": maturity.median_level,
            "min_level": maturity.min_level,
            "weakest_phase": maturity.weakest,
            "score": maturity.score,
            "band": maturity.band,
            "gate": {"passed": report.gate.passed, "reason": report.gate.reason(lang)},
            "counts": _counts(report),
            "ignored": list(report.run.ignored),
            "baselined": report.baselined,
        },
        "phases": [
            {
                "phase": p.phase,
                "name": p.name(lang),
                "level": p.level,
                "score": p.score,
                "band": p.band,
                "blockers": list(p.blockers),
                "reason": p.reason(lang) if p.reason else None,
                "applicable": p.applicable,
                "not_applicable": p.not_applicable(lang) if p.not_applicable else None,
                "presence": [{"artefact": e.artefact, "kind": e.kind, "ref": e.ref}
                             for e in p.presence],
                "levels": [_level(d, lang) for d in p.details],
                "projects": dict(sorted(p.projects.items())),
                "project_scores": dict(sorted((p.project_scores or {}).items())),
            }
            for p in maturity.phases
        ],
        "results": [_result(r, lang) for r in report.results] if results else [],
    }


def _result(r: Result, lang: Lang) -> dict[str, Any]:
    return {
        "rule": r.rule,
        "phase": r.phase,
        "level": r.level,
        "gate": r.gate,
        "status": r.status.value,
        "severity": r.severity,
        "project": r.project,
        "path": r.path,
        "line": r.line,
        "title": r.title(lang),
        "message": r.message(lang),
        "fix": r.fix(lang),
        "waiver": r.waiver,
        "baselined": r.baselined,
        "fingerprint": r.fingerprint,
    }


def _criterion(c: Criterion) -> dict[str, Any]:
    return {"rule": c.rule, "status": c.status.value, "weight": c.weight,
            "credit": None if c.credit is None else round(c.credit, 4),
            "subjects": c.subjects, "passed": c.passed}


def _level(d: LevelDetail, lang: Lang) -> dict[str, Any]:
    return {
        "level": d.level,
        "reached": d.reached,
        "ratio": round(d.ratio, 4),
        "threshold": d.threshold,
        "criteria": [_criterion(c) for c in d.criteria],
        "gates": [{"rule": c.rule, "status": c.status.value} for c in d.gates],
        "requirements": [{"text": r.text(lang), "met": r.met} for r in d.requirements],
        "problems": [t(lang) for t in d.problems],
    }


def _counts(report: Report) -> dict[str, int]:
    counts = dict.fromkeys(("pass", "warn", "fail", "skip", "waived", "manual", "error"), 0)
    for result in report.results:
        counts[result.status.value] += 1
    return counts


RESULTS_TAIL = '"results": []\n}'


def render(report: Report) -> str:
    """``json.dumps(as_dict(report), indent=2, ensure_ascii=False)`` and a newline, the
    results dumped one at a time: the whole report is never held as objects, and the
    pure-Python indenting encoder never holds its pieces for all of them at once (at
    tens of thousands of results, hundreds of megabytes). A JSON string holds no raw
    newline, so indenting an item's lines by its depth is exact."""
    head = json.dumps(as_dict(report, results=False), indent=2, ensure_ascii=False)
    if not report.results:
        return head + "\n"
    assert head.endswith(RESULTS_TAIL)  # "results" is the last key
    parts = [head[:-len(RESULTS_TAIL)], '"results": [\n    ']
    for r in report.results:
        parts.append(json.dumps(_result(r, report.lang), indent=2,
                                ensure_ascii=False).replace("\n", "\n    "))
        parts.append(",\n    ")
    parts[-1] = "\n  ]\n}\n"
    return "".join(parts)
