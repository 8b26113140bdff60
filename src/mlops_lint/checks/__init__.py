"""Transitional: the check modules not yet moved into ``mlops_lint.rules.<family>``.

The registry lives in :mod:`mlops_lint.rules`."""

from mlops_lint.rules import Params, check, not_read

__all__ = ["Params", "check", "not_read"]
