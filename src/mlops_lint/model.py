"""Plain value types shared by checks, engine, maturity and reports.

Checks speak in :class:`Finding` objects; the engine turns them into :class:`Result`
objects (one per rule, level criterion, project and subject).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

Lang = Literal["en", "es"]


@dataclass(frozen=True, slots=True)
class T:
    """A user-facing text in English and Spanish."""

    en: str
    es: str

    def __call__(self, lang: Lang) -> str:
        return self.es if lang == "es" else self.en

    def __add__(self, other: T) -> T:
        return T(self.en + other.en, self.es + other.es)

    @staticmethod
    def same(text: str) -> T:
        """A text that reads the same in both languages (a path, a command)."""
        return T(text, text)

    @staticmethod
    def join(parts: list[T], sep: str = "; ") -> T:
        return T(sep.join(p.en for p in parts), sep.join(p.es for p in parts))


class Status(str, Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    WAIVED = "waived"
    MANUAL = "manual"
    ERROR = "error"

    @property
    def credit(self) -> float | None:
        """Credit towards a level; ``None`` means the result leaves the denominator."""
        return _CREDIT[self]

    @property
    def is_problem(self) -> bool:
        return self in (Status.FAIL, Status.WARN, Status.ERROR)


_CREDIT: dict[Status, float | None] = {
    Status.PASS: 1.0,
    Status.WARN: 0.5,
    Status.FAIL: 0.0,
    Status.ERROR: 0.0,
    Status.SKIP: None,
    Status.WAIVED: None,
    Status.MANUAL: None,
}

# Worst first: how several results of one criterion combine into one verdict.
SEVERITY_ORDER: tuple[Status, ...] = (
    Status.ERROR,
    Status.FAIL,
    Status.WARN,
    Status.PASS,
    Status.WAIVED,
    Status.MANUAL,
    Status.SKIP,
)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a check says about one subject.

    ``level`` names the criterion of a graded rule the finding is about; ``None`` means
    every level of the rule (a rule with a single level always uses ``None``).
    ``fix`` overrides the rule's generic fix hint when the check knows better.
    ``see`` names the rule that reports the absence this finding follows from (no
    Dockerfile: DOCK001): when that rule reports it, or is waived, the engine shows the
    absence once (see :func:`mlops_lint.engine.collapse`).
    """

    status: Status
    message: T
    path: str | None = None
    line: int | None = None
    level: int | None = None
    fix: T | None = None
    see: str | None = None


def passed(message: T, path: str | None = None, line: int | None = None,
           level: int | None = None) -> Finding:
    return Finding(Status.PASS, message, path, line, level)


def failed(message: T, path: str | None = None, line: int | None = None,
           level: int | None = None, fix: T | None = None, see: str | None = None) -> Finding:
    return Finding(Status.FAIL, message, path, line, level, fix, see)


def warned(message: T, path: str | None = None, line: int | None = None,
           level: int | None = None, fix: T | None = None) -> Finding:
    return Finding(Status.WARN, message, path, line, level, fix)


def skipped(message: T, path: str | None = None, level: int | None = None,
            see: str | None = None) -> Finding:
    return Finding(Status.SKIP, message, path, None, level, see=see)


def manual(message: T, path: str | None = None, level: int | None = None) -> Finding:
    return Finding(Status.MANUAL, message, path, None, level)


def errored(message: T, path: str | None = None, line: int | None = None,
            level: int | None = None) -> Finding:
    return Finding(Status.ERROR, message, path, line, level)


def verdict(ok: bool, yes: T, no: T, path: str | None = None, line: int | None = None,
            level: int | None = None, fix: T | None = None) -> Finding:
    """``pass`` with ``yes`` when ``ok``, else ``fail`` with ``no``."""
    if ok:
        return passed(yes, path, line, level)
    return failed(no, path, line, level, fix)


@dataclass(frozen=True, slots=True)
class Result:
    """One row of the report: a rule's verdict on one subject at one level."""

    rule: str
    phase: int
    level: int
    gate: bool
    weight: float
    status: Status
    severity: str
    project: str
    path: str | None
    line: int | None
    message: T
    fix: T
    title: T
    waiver: str | None = None
    baselined: bool = False
    fingerprint: str = field(default="", compare=False)
    see: str | None = field(default=None, compare=False)  # as Finding.see

    def sort_key(self) -> tuple[int, str, int, str, str, int]:
        return (self.phase, self.rule, self.level, self.project, self.path or "", self.line or 0)


def fingerprint(rule: str, level: int, project: str, path: str | None, message: str) -> str:
    """Stable identity of a finding: no line number, so it survives unrelated edits."""
    text = f"{rule}\0{level}\0{project}\0{path or ''}\0{message}"
    # surrogatepass: a lone surrogate from a source string must not abort the run
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]
