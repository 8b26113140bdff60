"""Files a check wanted but could not read: :func:`noted` remembers each one while the
check runs, and :func:`reports_unread` reports them after the check's findings, one
``skip`` per file, so a report never drops a file silently.

Used by the API, deployment and operations rules; :func:`manifests_noted` reads the
repository's Kubernetes manifests that way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.kubernetes import MANIFEST_GLOBS, Manifests, read_manifests

X = TypeVar("X")
CheckFn = Callable[[Context, Any], Iterator[Finding]]
_UNREAD: list[dict[str, ParseError]] = []  # one bucket per running check


def noted(value: X) -> X:
    """Remember a :class:`ParseError` so the running check reports the file it could not use."""
    if isinstance(value, ParseError) and _UNREAD:
        _UNREAD[-1].setdefault(value.path, value)
    return value


def reports_unread(func: CheckFn) -> CheckFn:
    """After the check's findings, one ``skip`` per file it read and could not use."""

    @functools.wraps(func)
    def wrapper(ctx: Context, params: Any) -> Iterator[Finding]:
        bucket: dict[str, ParseError] = {}
        _UNREAD.append(bucket)
        try:
            findings = list(func(ctx, params))
        finally:
            _UNREAD.pop()
        yield from findings
        for path, error in sorted(bucket.items()):
            yield skipped(T(f"{error.where()} cannot be read ({error.message}); not checked",
                            f"{error.where()} no se puede leer ({error.message}); no se "
                            "revisa"), path)

    return wrapper


def manifests_noted(ctx: Context) -> Manifests:
    """The repository's Kubernetes manifests; files that could not be read are noted."""
    manifests = read_manifests(ctx.repo)
    for error in manifests.errors:
        noted(error)
    for chart in manifests.charts:
        noted(chart.chart)
        for _, values in chart.values:
            noted(values)
    for path in ctx.repo.glob(MANIFEST_GLOBS):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            noted(text)
    return manifests
