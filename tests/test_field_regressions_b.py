"""Field-test regressions (batch B): false positives and negatives seen on real repositories.

Each case is a minimal synthetic reproduction, never the original code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]


def _messages(results: list[Result]) -> str:
    return " | ".join(str(r.message) for r in results)


# -- DOCK007 ---------------------------------------------------------------------------------

_DOCK007 = ("FROM python:3.11-slim\nWORKDIR /app\n{copy}\n"
            "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nUSER 1000\n"
            'CMD ["python", "app.py"]\n')


def test_dock007_manifest_copies_with_globs_are_not_source_copies(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    for copy in ("COPY requirements.txt requirements.in* ./",
                 'COPY ["requirements.txt", "requirements.in*", "./"]',
                 "COPY requirements/*.txt ./requirements/",
                 "COPY requirements/ ./requirements/"):
        root = make_repo({"Dockerfile": _DOCK007.format(copy=copy)})
        assert statuses(results_for(root, "DOCK007")) == ["pass"], copy
    for copy in ("COPY requirements.txt src/ ./", "COPY src/*.py ./"):
        bad = make_repo({"Dockerfile": _DOCK007.format(copy=copy)})
        assert statuses(results_for(bad, "DOCK007")) == ["fail"], copy
