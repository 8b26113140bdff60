"""Regular expressions compiled on first use.

A run imports the check module of every rule it runs, and those modules name about three
hundred expressions at module level. Compiling them all at import was about a quarter of
the start-up of a run on a small repository, although such a run uses few of them.

:func:`compile` takes the same arguments as :func:`re.compile` and returns an object that
behaves as the compiled pattern: ``pattern`` is known at once (expressions are built from
other expressions' ``pattern``); anything else compiles the expression on first use and
keeps the compiled pattern's own attribute, so later calls go straight to it. An error in
an expression is therefore not raised at import: a test imports every module and compiles
every expression made here (:data:`MADE`).

It is for the package's own constant expressions only: an expression the linted repository
supplies is compiled where it is read, so that its error is reported there
(:mod:`mlops_lint.untrusted`).
"""

from __future__ import annotations

import re
from typing import Any, cast


class _Lazy:
    """A pattern compiled the first time it is used."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes not yet kept here: compile once, keep the value.
        if name.startswith("__"):
            raise AttributeError(name)
        real = self.__dict__.get("_real")
        if real is None:
            real = self.__dict__["_real"] = re.compile(self.pattern, self._flags)
        value = getattr(real, name)
        self.__dict__[name] = value
        return value

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return compile, (self.pattern, self._flags)

    def __repr__(self) -> str:
        return f"lazy_re.compile({self.pattern!r}, {self._flags!r})"


MADE: list[re.Pattern[str]] = []  # every expression made here, for the test that compiles them


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done when the pattern is first used."""
    made = cast("re.Pattern[str]", _Lazy(pattern, flags))
    MADE.append(made)
    return made

