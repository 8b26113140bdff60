"""TEST005: tests about the data (columns, dtypes, ranges, nulls, schema); what counts is in
:mod:`mlops_lint.rules.testing._kinds`."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding
from mlops_lint.rules import rule
from mlops_lint.rules.testing._kinds import data_test, kind_check


@rule("TEST005")
def data_tests(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST005: tests about the data (columns, dtypes, ranges, nulls, schema)."""
    yield from kind_check(ctx, "data", data_test)
