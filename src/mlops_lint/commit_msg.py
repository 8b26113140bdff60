"""The ``commit-msg`` hook: judge a commit message file against Conventional Commits 1.0.0
with the same parser as GIT002 (:mod:`mlops_lint.parsers.conventional`).

Git's own subjects are let through: merge commits, ``fixup!``/``squash!``/``amend!``
commits (they disappear in an autosquash rebase) and ``Revert "…"``. Everything below
git's scissors line (``git commit -v``) is ignored, like the comment lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlops_lint.model import Lang, T
from mlops_lint.parsers.conventional import EXAMPLE, TYPES, check_message, excluded

SCISSORS = "# ------------------------ >8 ------------------------"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    text: str  # what to print ("" when the message is fine)


def _body(message: str) -> str:
    lines = message.splitlines()
    if SCISSORS in lines:
        lines = lines[:lines.index(SCISSORS)]
    return "\n".join(lines)


def _subject(message: str) -> str:
    for line in message.splitlines():
        if line.strip() and not line.startswith("#"):
            return line
    return ""


def judge(message: str, lang: Lang = "en") -> Outcome:
    """Whether ``message`` is acceptable, and the explanation to print when it is not."""
    body = _body(message)
    subject = _subject(body)
    if subject and excluded(subject):
        return Outcome(True, "")
    verdict = check_message(body)
    if verdict.ok:
        return Outcome(True, "")
    problem = verdict.problem or T("invalid commit message", "mensaje de commit no válido")
    lines = [
        T("mlops-lint: the commit message does not follow Conventional Commits 1.0.0",
          "mlops-lint: el mensaje de commit no sigue Conventional Commits 1.0.0")(lang),
        f"  {T('problem', 'problema')(lang)}: {problem(lang)}",
    ]
    if subject:
        lines.append(f"  {T('subject', 'asunto')(lang)}: {subject}")
    lines += [
        "",
        T("Write the subject as 'type(scope): description', for example:",
          "Escribe el asunto como 'tipo(ámbito): descripción', por ejemplo:")(lang),
        f"  {EXAMPLE}",
        T(f"Types: {', '.join(TYPES)}. Add '!' before ':' for a breaking change; "
          "leave a blank line before the body.",
          f"Tipos: {', '.join(TYPES)}. Añade '!' antes de ':' si rompe la compatibilidad; "
          "deja una línea en blanco antes del cuerpo.")(lang),
    ]
    return Outcome(False, "\n".join(lines) + "\n")


def read_message(path: Path) -> str:
    """The message file as text, whatever its encoding (raises ``OSError``)."""
    return path.read_bytes().decode("utf-8", errors="replace")
