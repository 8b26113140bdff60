"""GIT005: no large files, data/model binaries or mlruns/ in git; notebooks stripped.

File sizes come from ``os.lstat`` of the tracked files (no subprocess); files Git LFS
tracks (``filter=lfs`` in a ``.gitattributes``) are left out. Without git, the files
``.gitignore`` would let in are judged.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.globs import GlobError, compile_glob
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.rules import rule
from mlops_lint.rules.git._shared import DATA_SUFFIXES, MAX_FILE_FINDINGS, TEST_DIRS, tracked_files

RUN_DIRS = frozenset({"mlruns", "mlartifacts"})


def _lfs_patterns(ctx: Context) -> list[str]:
    patterns = []
    for path in ctx.repo.glob(["**/.gitattributes"]):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            continue
        base = str(PurePosixPath(path).parent)
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and "filter=lfs" in parts[1:]:
                pattern = parts[0]
                if "/" not in pattern.strip("/"):
                    pattern = "**/" + pattern.lstrip("/")
                patterns.append(pattern if base == "." else f"{base}/{pattern.lstrip('/')}")
    return patterns


def _notebook_outputs(data: Any) -> tuple[int, int]:
    cells = data.get("cells") if isinstance(data, dict) else None
    if cells is None and isinstance(data, dict):  # nbformat 3
        cells = [c for ws in data.get("worksheets") or [] if isinstance(ws, dict)
                 for c in ws.get("cells") or []]
    code = [c for c in cells or [] if isinstance(c, dict) and c.get("cell_type") == "code"]
    return sum(1 for c in code if c.get("outputs")), len(code)


def _lfs_globs(ctx: Context) -> list[re.Pattern[str]]:
    lfs = []
    for pattern in _lfs_patterns(ctx):
        try:
            lfs.append(compile_glob(pattern))
        except GlobError:  # git ignores a pattern it cannot read; so does this check
            continue
    return lfs


def _file_problem(root: str, path: str, limit_kb: int, verb: T) -> Finding | None:
    """MLflow run data, a file above the size limit, or a data/model binary."""
    parts = PurePosixPath(path).parts
    suffix = PurePosixPath(path).suffix.lower()
    if set(parts[:-1]) & RUN_DIRS:
        return failed(T(f"MLflow run data {path} is ", f"los datos de MLflow {path} "
                        "están ") + verb + T(" in git", " en git"), path,
                      fix=T("git rm -r --cached mlruns/ and add mlruns/ to "
                            ".gitignore", "git rm -r --cached mlruns/ y añade "
                            "mlruns/ a .gitignore"))
    try:
        size = os.lstat(os.path.join(root, path)).st_size
    except OSError:
        size = 0
    if size > limit_kb * 1024:
        return failed(T(f"{path} is {size // 1024} KB (limit {limit_kb} KB) and ",
                        f"{path} pesa {size // 1024} KB (límite {limit_kb} KB) y "
                        "está ") + verb,
                      path, fix=T("move it out of git: DVC (dvc add), Git LFS or "
                                  "object storage", "sácalo de git: DVC (dvc add), "
                                  "Git LFS o almacenamiento de objetos"))
    if suffix in DATA_SUFFIXES and not set(parts[:-1]) & TEST_DIRS:
        return failed(T(f"data/model file {path} is ", f"el archivo de datos/modelo "
                        f"{path} está ") + verb + T(" in git (not a DVC pointer)",
                                                     " en git (no es un puntero "
                                                     "DVC)"), path,
                      fix=T(f"dvc add {path} and commit the {path}.dvc pointer",
                            f"dvc add {path} y sube el puntero {path}.dvc"))
    return None


def _notebook_problem(ctx: Context, path: str) -> Finding | None:
    """A notebook that cannot be read, or one whose code cells keep their outputs."""
    data = ctx.repo.parse(path, json.loads)
    if isinstance(data, ParseError):
        return warned(T(f"cannot read notebook: {data.message}",
                        f"no se puede leer el notebook: {data.message}"),
                      path, data.line)
    with_output, total = _notebook_outputs(data)
    if with_output:
        return warned(T(f"{with_output}/{total} code cells keep their outputs",
                        f"{with_output}/{total} celdas de código conservan "
                        "sus salidas"), path,
                      fix=T("strip outputs (nbstripout, or jupyter nbconvert "
                            "--clear-output) before committing",
                            "limpia las salidas (nbstripout, o jupyter "
                            "nbconvert --clear-output) antes del commit"))
    return None


def _is_notebook(path: str) -> bool:
    """A notebook outside test folders."""
    parts = PurePosixPath(path).parts
    return PurePosixPath(path).suffix.lower() == ".ipynb" and not set(parts[:-1]) & TEST_DIRS


@rule("GIT005")
def no_large_files(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT005: no large files, data/model binaries or mlruns/ in git; notebooks stripped."""
    files, in_git = tracked_files(ctx)
    limit_kb = ctx.thresholds.large_file_kb
    lfs = _lfs_globs(ctx)
    problems: list[Finding] = []
    notebooks: list[Finding] = []
    root = str(ctx.repo.root)
    verb = T("tracked", "versionado") if in_git else T("not ignored", "no ignorado")
    for path in files:
        if lfs and any(p.match(path) for p in lfs):
            continue
        problem = _file_problem(root, path, limit_kb, verb)
        if problem is not None:
            problems.append(problem)
        elif _is_notebook(path):
            note = _notebook_problem(ctx, path)
            if note is not None:
                notebooks.append(note)
    yield from problems[:MAX_FILE_FINDINGS]
    if len(problems) > MAX_FILE_FINDINGS:
        more = len(problems) - MAX_FILE_FINDINGS
        yield failed(T(f"... and {more} more large or data files",
                       f"... y {more} archivos grandes o de datos más"))
    yield from notebooks[:MAX_FILE_FINDINGS]
    if not problems and not notebooks:
        where = T("tracked", "versionados") if in_git else T(
            "not ignored (git could not read the repository)",
            "no ignorados (git no pudo leer el repositorio)") if ctx.repo.git_problem else T(
            "not ignored (not a git repository)", "no ignorados (no es un repositorio git)")
        yield passed(T(f"{len(files)} files ", f"{len(files)} archivos ") + where + T(
            f": none above {limit_kb} KB, no data/model binaries, no mlruns/",
            f": ninguno supera {limit_kb} KB, sin binarios de datos/modelos ni mlruns/"))
