"""TEST006: model behaviour tests (predictions of the trained model with assertions on
them); what counts is in :mod:`mlops_lint.rules.testing._kinds`."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding
from mlops_lint.rules import rule
from mlops_lint.rules.testing._kinds import kind_check, model_test


@rule("TEST006")
def model_tests(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST006: tests that call predict and assert on the predictions."""
    yield from kind_check(ctx, "model", model_test)
