"""The project's own Python files: docs, examples, notebooks folders, test-like folders and
templates left out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import (
    PythonIndex,
    is_test_path,
    python_index,
)
from mlops_lint.readers.training._common import NOT_SOURCE_DIRS, NOT_SOURCE_FILES

# -- project files --------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    indexes: tuple[PythonIndex, ...]
    errors: tuple[ParseError, ...]


def _local_parts(ctx: Context, path: str) -> tuple[str, ...]:
    return PurePosixPath(ctx.project.local(path)).parts


# folders that hold documentation, examples or test material, however they are spelled
# (``docs-gb``, ``tests_alibi_explain``, ``integration_tests``, ``testdata``, ``fixtures``,
# ``benchmarking``, ``benchmarks-gpu``)
DOC_LIKE_DIR = lazy_re.compile(r"(docs?|documentation|examples?|bench|benchmarks?|benchmarking)"
                               r"([-_.][\w.-]*)?", re.IGNORECASE)
TEST_LIKE_DIR = lazy_re.compile(r"(tests?|testing)[-_][\w.-]+|[\w.-]+[-_]tests?|"
                                r"test[-_]?data|testdata|(__)?(test[-_]?)?fixtures(__)?",
                                re.IGNORECASE)


def not_project_dir(part: str) -> bool:
    """A folder whose code is not the project's own: docs, examples, notebooks,
    benchmarks, test material and fixtures."""
    return part in NOT_SOURCE_DIRS or DOC_LIKE_DIR.fullmatch(part) is not None or \
        TEST_LIKE_DIR.fullmatch(part) is not None


def is_template_path(path: str) -> bool:
    """A path of a project template (``{{ cookiecutter.module_name }}/...``, ``{% if %}``):
    the files are generated into a project, they are not one."""
    return "{{" in path or "{%" in path


def source_files(ctx: Context) -> Sources:
    """Library and script code of the project: ``*.py`` outside tests, docs and notebooks."""
    key = f"phase3:sources:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: Sources = cached
        return result
    indexes: list[PythonIndex] = []
    errors: list[ParseError] = []
    for path in ctx.files(["**/*.py"]):
        local = ctx.project.local(path)
        parts = _local_parts(ctx, path)
        if is_test_path(local) or parts[-1] in NOT_SOURCE_FILES or \
                any(not_project_dir(p) for p in parts[:-1]):
            continue
        index = python_index(ctx.repo, path)
        if isinstance(index, ParseError):
            errors.append(index)
        else:
            indexes.append(index)
    result = Sources(tuple(indexes), tuple(errors))
    ctx.repo.memo[key] = result
    return result
