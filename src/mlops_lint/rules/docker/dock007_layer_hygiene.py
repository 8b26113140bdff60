"""DOCK007: dependency manifests are installed before the source COPY; pip/uv caches,
apt lists and the apk index are kept out of the runtime stages; ADD only for URLs and
archives (a warning).

The install order is judged in every stage; the caches in the final stage and the stages
it is built from (what a builder leaves stays in the builder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.dockerfile import Dockerfile, Instruction, Stage
from mlops_lint.parsers.shell import Simple
from mlops_lint.rules import rule
from mlops_lint.rules.docker._hygiene import hygiene
from mlops_lint.rules.docker._shared import (
    PIP,
    copy_sources,
    each,
    final_stage,
    run_commands,
    stage_at,
)

_MANIFEST = lazy_re.compile(
    r"^(requirements[\w.-]*\.(txt|in)|constraints[\w.-]*\.txt|pyproject\.toml|setup\.cfg|"
    r"setup\.py|poetry\.lock|uv\.lock|pdm\.lock|pipfile|pipfile\.lock|environment[\w.-]*\.ya?ml|"
    r"conda-lock[\w.-]*\.ya?ml|readme[\w.-]*|license[\w.-]*|requirements)$", re.IGNORECASE)


_ARCHIVE = lazy_re.compile(
    r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|gz|bz2|xz)$",
    re.IGNORECASE)


_URL = lazy_re.compile(r"^(https?://|git@|git://)", re.IGNORECASE)


def _is_dep_install(cmd: Simple) -> bool:
    """A command that installs the project's dependencies from local files."""
    prog, args = cmd.program, cmd.args
    if prog == "uv" and args[:1] == ("pip",):
        prog, args = "pip", args[1:]
    if PIP.match(prog) and "install" in args:
        rest = args[args.index("install") + 1:]
        return any(a in ("-r", "--requirement", "-e", "--editable", "-c", "--constraint")
                   or a.startswith(("-r", "--requirement=", ".", "/", "-e"))
                   for a in rest)
    if prog in ("poetry", "pdm", "pipenv") and args[:1] in (("install",), ("sync",)):
        return True
    return prog == "uv" and args[:1] == ("sync",)


def _is_manifest(source: str) -> bool:
    name = PurePosixPath(source.rstrip("/")).name if source.strip("./") else "."
    # requirements*.txt, requirements.in* (optional files copied with a wildcard)
    if _MANIFEST.match(name) or _MANIFEST.match(name.replace("*", "")):
        return True
    # requirements/*.txt, requirements/base.in: files of a requirements directory
    parts = PurePosixPath(source.rstrip("/")).parts
    return (len(parts) >= 2 and parts[-2].lower() == "requirements"
            and re.search(r"\.(txt|in)\*?$", name, re.IGNORECASE) is not None)


def _order_problem(df: Dockerfile, stage: Stage) -> Finding | None:
    """The first dependency install of ``stage``'s lineage preceded by a source COPY."""
    source_copy: Instruction | None = None
    for inst in df.inherited(stage):
        if inst.cmd in ("COPY", "ADD") and "from" not in inst.flags and inst.heredoc is None:
            sources = copy_sources(inst)
            if source_copy is None and any(not _is_manifest(s) for s in sources):
                source_copy = inst
        if any(_is_dep_install(c) for c in run_commands(inst)):
            if source_copy is None:
                return None
            owner = next(s for s in df.lineage(stage) if inst in s.instructions)
            return failed(
                T(f"{source_copy.cmd} {source_copy.args} at line {source_copy.line} precedes the "
                  f"dependency install at line {inst.line} "
                  f"({stage_at(owner, inst.line).en}): every source change reinstalls all "
                  "dependencies",
                  f"{source_copy.cmd} {source_copy.args} en la línea {source_copy.line} va "
                  f"antes de la instalación de dependencias en la línea {inst.line} "
                  f"({stage_at(owner, inst.line).es}): cada cambio de código reinstala todas las "
                  "dependencias"),
                df.path, source_copy.line,
                fix=T("COPY requirements.txt (or pyproject.toml + lockfile) first, RUN pip "
                      "install --no-cache-dir -r requirements.txt, then COPY the source.",
                      "Copia primero requirements.txt (o pyproject.toml + lockfile), ejecuta RUN "
                      "pip install --no-cache-dir -r requirements.txt y después copia el "
                      "código."))
    return None


def _local_adds(df: Dockerfile) -> Iterator[Finding]:
    for inst in df.instructions:
        if inst.cmd != "ADD" or inst.heredoc is not None:
            continue
        sources = copy_sources(inst)
        local = [s for s in sources if not _URL.match(s) and not _ARCHIVE.search(s)]
        if local:
            yield warned(T(f"ADD at line {inst.line} copies local files ({', '.join(local)}): "
                           "ADD also unpacks archives and fetches URLs, COPY says what it does",
                           f"ADD en la línea {inst.line} copia archivos locales "
                           f"({', '.join(local)}): ADD también descomprime y descarga URLs, "
                           "COPY dice lo que hace"), df.path, inst.line,
                         fix=T(f"Replace ADD with COPY at line {inst.line}.",
                               f"Sustituye ADD por COPY en la línea {inst.line}."))


def _dock007(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    problems = 0
    checked: set[int] = set()
    for stage in df.stages:
        finding = _order_problem(df, stage)
        if finding is not None and finding.line not in checked:
            checked.add(finding.line or 0)
            problems += 1
            yield finding
    for finding in [*hygiene(df, final), *_local_adds(df)]:
        problems += 1
        yield finding
    if not problems:
        yield passed(T("dependency manifests installed before the source COPY; no package "
                       "caches or apt lists left in the runtime image",
                       "manifiestos de dependencias instalados antes de copiar el código; sin "
                       "cachés de paquetes ni listas de apt en la imagen final"), df.path)


@rule("DOCK007")
def dockerfile_layer_hygiene(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK007: manifests installed before the source COPY; pip/uv caches and apt lists
    kept out of the runtime stages; ADD only for URLs and archives (warn)."""
    yield from each(ctx, _dock007)
