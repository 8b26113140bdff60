"""Small helpers every part of the training reader uses: names, short source excerpts, library
use, the skip of an unreadable file."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TypeVar

from mlops_lint.model import Finding, Status, T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import (
    PythonIndex,
)

A = TypeVar("A", bound=ast.AST)
NOT_SOURCE_DIRS = frozenset({"docs", "doc", "notebooks", "notebook", "examples", "benchmarks"})
NOT_SOURCE_FILES = frozenset({"setup.py", "noxfile.py", "conftest.py", "locustfile.py"})
DEV_GROUPS = frozenset({"dev", "develop", "development", "test", "tests", "testing", "lint",
                        "ci", "qa", "typing", "docs", "check", "checks"})
FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
# YAML files that hold a project's settings (not every YAML of the repository)
CONFIG_YAML = ("configs/**/*.yaml", "configs/**/*.yml", "config/**/*.yaml", "config/**/*.yml",
               "conf/**/*.yaml", "conf/**/*.yml", "config.yaml", "config.yml", "params.yaml",
               "params.yml", "settings.yaml", "settings.yml")
SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def last(qual: str | None) -> str:
    """The last component of a dotted name (``""`` for ``None``)."""
    return (qual or "").rsplit(".", 1)[-1]


def short(node: ast.AST, width: int = 60) -> str:
    """Source text of ``node`` on one line, shortened for messages."""
    try:
        text = " ".join(ast.unparse(node).split())
    except (ValueError, TypeError, AttributeError, RecursionError):  # pragma: no cover
        return type(node).__name__
    return text if len(text) <= width else text[:width - 1] + "…"


ML_MODULES = ("sklearn", "imblearn", "xgboost", "lightgbm", "catboost", "pandera",
              "great_expectations", "mlflow", "joblib", "pickle", "cloudpickle", "dill",
              "skops", "optuna", "json", "pandas")


def uses_any(index: PythonIndex, modules: Iterable[str] = ML_MODULES) -> bool:
    """Whether the file imports one of ``modules``: files that do not are left out of
    analyses that need a full walk of the tree."""
    return any(index.imports(m) for m in modules)


def parse_skip(error: ParseError) -> Finding:
    """A file that cannot be read or parsed: listed, left out of the analysis."""
    return Finding(Status.SKIP, T(
        f"{error.path} cannot be parsed ({error.message}); left out of the analysis",
        f"{error.path} no se puede analizar ({error.message}); queda fuera del análisis"),
        error.path, error.line)
