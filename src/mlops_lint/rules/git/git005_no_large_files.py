"""GIT005: no large files, data/model binaries or mlruns/ in git; notebooks stripped.

File sizes come from ``os.lstat`` of the tracked files (no subprocess); files Git LFS
tracks (``filter=lfs`` in a ``.gitattributes``) are left out. Without git, the files
``.gitignore`` would let in are judged.

Documentation and example folders (``docs/``, ``doc/``, ``docs-*/``, ``examples/``,
``example/``, ``tutorials/``) hold example assets: a small model or data file there (under
the size limit) is what a runnable example loads, not the project's data, so it is not
asked to move to DVC; it is listed in a ``skip`` note with that reason. Above the size
limit it still fails, with a fix that fits an asset (Git LFS, or a smaller file). A
notebook there is documentation whose outputs are the rendered content readers see (the
docs build or the repository viewer shows them), so it is not asked to strip them; the
note counts those notebooks. The project's own data, models and notebooks (anywhere else)
are judged as before.
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
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.readers.deployment import in_docs
from mlops_lint.rules import rule
from mlops_lint.rules.git._shared import DATA_SUFFIXES, MAX_FILE_FINDINGS, TEST_DIRS, tracked_files

RUN_DIRS = frozenset({"mlruns", "mlartifacts"})
EXAMPLE_DIRS = frozenset({"examples", "example", "tutorials", "tutorial"})


def example_asset(path: str) -> bool:
    """A file under a documentation or example folder: an asset of the docs or of a
    runnable example, not the project's own data."""
    parts = {p.lower() for p in PurePosixPath(path).parts[:-1]}
    return in_docs(path) or not parts.isdisjoint(EXAMPLE_DIRS)


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
        fix = T("keep it small (a compressed image, a smaller example model) or track it "
                "with Git LFS", "mantenlo pequeño (una imagen comprimida, un modelo de "
                "ejemplo más pequeño) o versiónalo con Git LFS") if example_asset(path) else \
            T("move it out of git: DVC (dvc add), Git LFS or object storage",
              "sácalo de git: DVC (dvc add), Git LFS o almacenamiento de objetos")
        return failed(T(f"{path} is {size // 1024} KB (limit {limit_kb} KB) and ",
                        f"{path} pesa {size // 1024} KB (límite {limit_kb} KB) y "
                        "está ") + verb, path, fix=fix)
    if suffix in DATA_SUFFIXES and not set(parts[:-1]) & TEST_DIRS \
            and not example_asset(path):
        return failed(T(f"data/model file {path} is ", f"el archivo de datos/modelo "
                        f"{path} está ") + verb + T(" in git (not a DVC pointer)",
                                                     " en git (no es un puntero "
                                                     "DVC)"), path,
                      fix=T(f"dvc add {path} and commit the {path}.dvc pointer",
                            f"dvc add {path} y sube el puntero {path}.dvc"))
    return None


def _notebook_problem(ctx: Context, path: str) -> Finding | bool:
    """A notebook that cannot be read, or one whose code cells keep their outputs (only
    ``True`` for a documentation notebook, whose outputs are its rendered content);
    ``False`` when nothing is to say."""
    data = ctx.repo.parse(path, json.loads)
    if isinstance(data, ParseError):
        return warned(T(f"cannot read notebook: {data.message}",
                        f"no se puede leer el notebook: {data.message}"),
                      path, data.line)
    with_output, total = _notebook_outputs(data)
    if with_output and example_asset(path):
        return True
    if with_output:
        return warned(T(f"{with_output}/{total} code cells keep their outputs",
                        f"{with_output}/{total} celdas de código conservan "
                        "sus salidas"), path,
                      fix=T("strip outputs (nbstripout, or jupyter nbconvert "
                            "--clear-output) before committing",
                            "limpia las salidas (nbstripout, o jupyter "
                            "nbconvert --clear-output) antes del commit"))
    return False


def _is_notebook(path: str) -> bool:
    """A notebook outside test folders."""
    parts = PurePosixPath(path).parts
    return PurePosixPath(path).suffix.lower() == ".ipynb" and not set(parts[:-1]) & TEST_DIRS


def _assets_note(assets: list[str], doc_notebooks: int) -> Finding:
    """What the documentation and example folders hold that is accepted, and why."""
    shown = ", ".join(assets[:3]) + (f" (+{len(assets) - 3})" if len(assets) > 3 else "")
    en: list[str] = []
    es: list[str] = []
    if assets:
        en.append(f"{len(assets)} small data/model file(s) in documentation or example "
                  f"folders are example assets, not project data: {shown}")
        es.append(f"{len(assets)} archivo(s) pequeño(s) de datos/modelos en carpetas de "
                  f"documentación o ejemplos son recursos de ejemplo, no datos del "
                  f"proyecto: {shown}")
    if doc_notebooks:
        en.append(f"{doc_notebooks} notebook(s) there keep outputs, which are the rendered "
                  "documentation; keep them if so, strip them in CI otherwise")
        es.append(f"{doc_notebooks} notebook(s) allí conservan salidas, que son la "
                  "documentación renderizada; consérvalas si es así, límpialas en CI si no")
    return skipped(T("; ".join(en), "; ".join(es)))


@rule("GIT005")
def no_large_files(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT005: no large files, data/model binaries or mlruns/ in git; notebooks stripped."""
    files, in_git = tracked_files(ctx)
    limit_kb = ctx.thresholds.large_file_kb
    lfs = _lfs_globs(ctx)
    problems: list[Finding] = []
    notebooks: list[Finding] = []
    assets: list[str] = []
    doc_notebooks = 0
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
            if isinstance(note, Finding):
                notebooks.append(note)
            elif note:  # a documentation notebook keeps its outputs: its content
                doc_notebooks += 1
        elif PurePosixPath(path).suffix.lower() in DATA_SUFFIXES and example_asset(path):
            assets.append(path)
    yield from problems[:MAX_FILE_FINDINGS]
    if len(problems) > MAX_FILE_FINDINGS:
        more = len(problems) - MAX_FILE_FINDINGS
        yield failed(T(f"... and {more} more large or data files",
                       f"... y {more} archivos grandes o de datos más"))
    yield from notebooks[:MAX_FILE_FINDINGS]
    if assets or doc_notebooks:
        yield _assets_note(assets, doc_notebooks)
    if not problems and not notebooks:
        where = T("tracked", "versionados") if in_git else T(
            "not ignored (git could not read the repository)",
            "no ignorados (git no pudo leer el repositorio)") if ctx.repo.git_problem else T(
            "not ignored (not a git repository)", "no ignorados (no es un repositorio git)")
        yield passed(T(f"{len(files)} files ", f"{len(files)} archivos ") + where + T(
            f": none above {limit_kb} KB, no data/model binaries, no mlruns/",
            f": ninguno supera {limit_kb} KB, sin binarios de datos/modelos ni mlruns/"))
