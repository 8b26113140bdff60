"""Field-test regressions (batch A): false positives and negatives seen on real repositories.

Each case is a minimal synthetic reproduction, never the original code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]


def _messages(results: list[Result]) -> str:
    return " | ".join(str(r.message) for r in results)


def test_git001_env_and_ENV_are_virtual_environments(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    base = "__pycache__/\n*.py[cod]\n.env\ndata/\n*.pkl\nmodels/\nmlruns/\n.coverage\nhtmlcov/\n"
    for venv in ("env/\n", "ENV/\n"):
        root = make_repo({".gitignore": base + venv, "train.py": "import sklearn\n"})
        results = results_for(root, "GIT001")
        assert [r.status.value for r in results] == ["pass"], _messages(results)
