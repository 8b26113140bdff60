"""The JSON report (schema_version 1, interface.md): stable keys, stable order."""

from __future__ import annotations

import json
from typing import Any

from mlops_lint.maturity import Criterion, LevelDetail
from mlops_lint.model import Lang
from mlops_lint.report import Report

SCHEMA_VERSION = 2


def as_dict(report: Report) -> dict[str, Any]:
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
        "results": [
            {
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
            for r in report.results
        ],
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


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
