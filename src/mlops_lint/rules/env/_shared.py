"""What the environment rules (ENV001-ENV003) share: the folders a project's files are
looked for in (the project, then the root), whether it has Python code, the folders of
services that declare their own dependencies, and a glob below one folder."""

from __future__ import annotations

import bisect
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.globs import is_test_data, matches
from mlops_lint.readers.python_project import NOT_SERVICE_DIRS


def dirs(ctx: Context) -> list[str]:
    return list(dict.fromkeys([ctx.project.path, "."]))


def has_python(ctx: Context) -> bool:
    """Whether the project has Python code: modules or notebooks."""
    return bool(ctx.files(("**/*.py", "**/*.ipynb")))


# conda environment files under other names (conda_dependencies.yml, environment-gpu.yml,
# ci_dependencies.yml): recognised by their content, a top-level dependencies: list
CONDA_NAME_GLOBS = ("environment*.yml", "environment*.yaml", "*conda*.yml", "*conda*.yaml",
                    "*dependencies*.yml", "*dependencies*.yaml", "*[-_]env.yml",
                    "*[-_]env.yaml")
SERVICE_REQUIREMENTS = ("requirements.in", "requirements.txt")


def service_dirs(ctx: Context) -> list[str]:
    """Folders below the project root that declare their own dependencies (a service's
    requirements.txt, a conda file with any name), outside tests, docs and examples."""
    names = set(SERVICE_REQUIREMENTS)
    found: set[str] = set()
    for path in ctx.project.files:
        local = ctx.project.local(path)
        parts = PurePosixPath(local).parts
        if len(parts) < 2 or is_test_data(local) or any(
                p.lower() in NOT_SERVICE_DIRS or p.startswith(".") for p in parts[:-1]):
            continue
        name = parts[-1]
        if name in names or (name.endswith((".yml", ".yaml"))
                             and matches(name, CONDA_NAME_GLOBS)):
            found.add(str(PurePosixPath(path).parent))
    return sorted(found)


def glob_in(ctx: Context, prefix: str, globs: tuple[str, ...]) -> list[str]:
    """``ctx.repo.glob([prefix + g for g in globs])``: the files under ``prefix`` are a
    contiguous run of the sorted inventory, so only they are tried (a monorepo asks this
    for every project, and a fresh pattern per project would scan every file)."""
    if not prefix:
        return ctx.repo.glob(globs)
    if any(c in prefix for c in "*?[{"):  # a directory name that is itself a glob
        return ctx.repo.glob([prefix + g for g in globs])
    files = ctx.repo.files
    out = []
    for index in range(bisect.bisect_left(files, prefix), len(files)):
        path = files[index]
        if not path.startswith(prefix):
            break
        if matches(path[len(prefix):], globs):
            out.append(path)
    return out
