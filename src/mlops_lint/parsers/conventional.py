"""Conventional Commits 1.0.0 subjects: ``type(scope)!: description``.

Shared by GIT002 (history) and the ``commit-msg`` hook. Types are the guide's list
plus ``revert``, lower case only. ``Revert "…"`` (git's own revert subject) is accepted;
``fixup!``/``squash!``/``amend!`` subjects and merge commits are excluded from scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.model import T

TYPES = ("build", "chore", "ci", "docs", "feat", "fix", "perf", "refactor", "revert",
         "style", "test")
_HEADER = lazy_re.compile(
    r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\s]*)\))?(?P<bang>!)?: (?P<desc>\S.*)$")
_LOOSE = lazy_re.compile(r"^(?P<type>[A-Za-z]+)(?:\([^)]*\))?!?\s*:")
_EXCLUDED = lazy_re.compile(r"^(fixup|squash|amend)! ")
_MERGE = lazy_re.compile(r"^Merge (branch|pull request|remote-tracking branch|tag|commit) ")
_GIT_REVERT = lazy_re.compile(r'^Revert ".+"$')
CHAOTIC = lazy_re.compile(r"^(wip|fix|fixes|update|updates|changes|stuff|asdf+|final(_final)*|"
                          r"test|tmp|misc|\.+|[a-z]{1,3})$", re.IGNORECASE)
EXAMPLE = "feat(api): add /predict/batch endpoint"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    problem: T | None = None
    type: str | None = None
    scope: str | None = None
    breaking: bool = False


def excluded(subject: str) -> bool:
    """Subjects left out of the score: fixup/squash/amend commits and merge subjects."""
    return bool(_EXCLUDED.match(subject) or _MERGE.match(subject))


def check_subject(subject: str) -> Verdict:
    """Judge one commit subject (the first line of the message)."""
    subject = subject.rstrip("\r\n")
    if _GIT_REVERT.match(subject):
        return Verdict(True, type="revert")
    if not subject.strip():
        return Verdict(False, T("the subject is empty", "el asunto está vacío"))
    match = _HEADER.match(subject)
    if match is None:
        loose = _LOOSE.match(subject)
        if loose is None:
            if CHAOTIC.match(subject.strip()):
                return Verdict(False, T(f"'{subject}' says nothing about the change and has no "
                                        "type prefix",
                                        f"'{subject}' no describe el cambio y no tiene prefijo "
                                        "de tipo"))
            return Verdict(False, T("no 'type: description' prefix",
                                    "falta el prefijo 'tipo: descripción'"))
        return Verdict(False, T("after 'type(scope):' put exactly one space and a description",
                                "tras 'tipo(ámbito):' va un espacio y una descripción"))
    kind = match.group("type")
    if kind not in TYPES:
        if kind.lower() in TYPES:
            return Verdict(False, T(f"the type '{kind}' must be lower case",
                                    f"el tipo '{kind}' debe ir en minúsculas"))
        return Verdict(False, T(f"unknown type '{kind}' (allowed: {', '.join(TYPES)})",
                                f"tipo desconocido '{kind}' (permitidos: {', '.join(TYPES)})"))
    scope = match.group("scope")
    if scope is not None and not scope:
        return Verdict(False, T("empty scope '()'", "ámbito vacío '()'"))
    return Verdict(True, type=kind, scope=scope, breaking=bool(match.group("bang")))


def check_message(message: str) -> Verdict:
    """Judge a whole commit message: comment lines (``#``) dropped, subject judged,
    and a body must be separated from the subject by a blank line."""
    lines = [line for line in message.splitlines() if not line.startswith("#")]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return Verdict(False, T("the commit message is empty", "el mensaje está vacío"))
    verdict = check_subject(lines[0])
    if verdict.ok and len(lines) > 1 and lines[1].strip():
        return Verdict(False, T("leave a blank line between the subject and the body",
                                "deja una línea en blanco entre el asunto y el cuerpo"),
                       verdict.type, verdict.scope, verdict.breaking)
    return verdict
