"""Workflow templates a template repository ships for the projects generated from it:
GitHub workflow files under a scaffold folder (``templates/``, ``template/``, a
``{{ cookiecutter… }}`` folder) rather than ``.github/workflows/``. They are not the
repository's CI, but they show what a generated project's CI will do."""

from __future__ import annotations

from pathlib import PurePosixPath

from mlops_lint.parsers.ci import Workflow
from mlops_lint.parsers.ci_workflows import build_workflow, parse_workflow
from mlops_lint.repo import SCAFFOLD_DIRS, Repo

TEMPLATE_WORKFLOW_GLOBS = ("**/*.yml", "**/*.yaml")
MAX_TEMPLATES = 200  # template files read at most


def _in_scaffold(path: str) -> bool:
    parts = PurePosixPath(path).parts[:-1]
    return not path.startswith(".github/") and any(
        p.lower() in SCAFFOLD_DIRS or p.startswith("{{") for p in parts)


def template_workflows(repo: Repo) -> list[Workflow]:
    """The GitHub workflows under the repository's scaffold folders (memoized per run):
    YAML mappings with ``on`` and a ``jobs`` mapping."""
    cached = repo.memo.get("ci:template-workflows")
    if isinstance(cached, list):
        return cached
    found: list[Workflow] = []
    candidates = [p for p in repo.glob(TEMPLATE_WORKFLOW_GLOBS) if _in_scaffold(p)]
    for path in candidates[:MAX_TEMPLATES]:
        parsed = repo.parse(path, parse_workflow)
        if isinstance(parsed, dict) and "on" in parsed and isinstance(parsed.get("jobs"), dict):
            found.append(build_workflow(path, parsed))
    repo.memo["ci:template-workflows"] = found
    return found
