"""Regular expressions the repository supplies, evaluated under a time budget.

Some patterns come from the linted repository itself: pre-commit's ``files:`` and
``exclude:``, and the ``pattern``/``matches`` of a team's rule pack. Their author may
have written (or planted) one that backtracks exponentially, such as ``(a|aa)+$``;
Python's ``re`` cannot be interrupted, so a single search would stall the CI job.

Validity is still decided by Python's own ``re`` (pre-commit uses it, and so does the
message a user gets for a typo), but the search runs on the ``regex`` package, whose
matcher accepts a ``timeout``. A caller gives each group of searches a :class:`Budget`;
when it runs out, :class:`PatternTooSlow` is raised and the caller reports the pattern
as not evaluated instead of guessing.
"""

from __future__ import annotations

import re
import time

SEARCH_BUDGET_S = 1.0  # for one pattern over one file, or one set of patterns over paths
_FLAGS = (re.IGNORECASE, re.MULTILINE, re.DOTALL, re.VERBOSE, re.ASCII)  # same in regex


class PatternTooSlow(Exception):
    """A repository-supplied pattern used up its time budget."""


class Budget:
    """Seconds shared by a group of searches."""

    def __init__(self, seconds: float = SEARCH_BUDGET_S) -> None:
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise PatternTooSlow
        return left


class UntrustedPattern:
    """A pattern from the repository: compiled by ``re`` rules, searched with a timeout."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        import regex  # only a run that reads such a pattern pays for the import

        re.compile(pattern, flags)  # re.error for what Python (and pre-commit) refuses
        self.pattern = pattern
        converted = regex.VERSION0
        for flag in _FLAGS:
            if flags & flag:
                converted |= getattr(regex, flag.name or "")
        try:
            self._compiled = regex.compile(pattern, converted)
        except (regex.error, ValueError) as exc:  # pragma: no cover - re accepted it
            raise re.error(str(exc)) from None

    def search(self, text: str, budget: Budget) -> bool:
        """Whether the pattern is found in ``text``; :class:`PatternTooSlow` when the
        budget runs out first."""
        return self.find(text, budget) is not None

    def find(self, text: str, budget: Budget) -> int | None:
        """Offset of the first match in ``text``, or ``None``."""
        try:
            match = self._compiled.search(text, timeout=budget.remaining())
        except TimeoutError:
            raise PatternTooSlow from None
        return None if match is None else match.start()
