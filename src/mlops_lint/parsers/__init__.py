"""Parsers: one module per artifact kind, text in, plain data or a typed model out.

Parsers know nothing of rules. A parser that cannot read its input raises an error
carrying a line number when it has one; :class:`mlops_lint.repo.Repo` turns that into a
:class:`ParseError` value that checks report as findings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParseError:
    """A target file that could not be read or parsed."""

    path: str
    message: str
    line: int | None = None

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path
