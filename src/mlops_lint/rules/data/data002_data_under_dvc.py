"""DATA002: the data is versioned by DVC (pointers or pipeline outputs) and ignored by git.

A pointer inside a folder git ignores can never be committed, so it fails on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.gitignore import IgnoreRules, ignore_rules
from mlops_lint.parsers.yaml_file import line_of
from mlops_lint.rules import rule
from mlops_lint.rules.data._shared import (
    MAX_LISTED,
    dvc_config,
    dvc_yaml,
    join,
    scaffold_data_only,
    stage_bodies,
    stage_entries,
)


@dataclass(frozen=True)
class Output:
    path: str  # repository-relative
    source: str  # the pointer or dvc.yaml naming it
    line: int | None


def _pointer_outputs(ctx: Context, pointer: str) -> list[Output] | ParseError:
    data = dvc_yaml(ctx, pointer)
    if isinstance(data, ParseError):
        return data
    outs = data.get("outs") if isinstance(data, dict) else None
    base = str(PurePosixPath(pointer).parent)
    found = []
    for index, entry in enumerate(outs if isinstance(outs, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            found.append(Output(join(base, entry["path"]), pointer, line_of(outs, index=index)))
    return found


def _pipeline_outputs(ctx: Context, path: str) -> list[Output]:
    data = dvc_yaml(ctx, path)
    base = str(PurePosixPath(path).parent)
    found = []
    for body, _ in stage_bodies(data).values():
        wdir = join(base, str(body.get("wdir", ".")))
        for out, _options, line in stage_entries(body.get("outs")):
            found.append(Output(join(wdir, out), path, line))
    return found


def _pointers(ctx: Context) -> tuple[list[Output], list[Finding]]:
    """Outputs named by *.dvc pointers, and findings about the pointers themselves."""
    outputs: list[Output] = []
    findings: list[Finding] = []
    for pointer in ctx.repo.glob(["**/*.dvc"]):
        if pointer.startswith(".dvc/") or "/.dvc/" in pointer:
            continue
        found = _pointer_outputs(ctx, pointer)
        if isinstance(found, ParseError):
            findings.append(failed(T(f"cannot read the DVC pointer: {found.message}",
                                     f"no se puede leer el puntero DVC: {found.message}"),
                                   found.path, found.line))
            continue
        outputs += found
        if ctx.repo.is_git and not ctx.repo.is_tracked(pointer):
            findings.append(warned(T(f"the DVC pointer {pointer} is not committed",
                                     f"el puntero DVC {pointer} no está en el repositorio"),
                                   pointer, 1, fix=T.same(f"git add {pointer}")))
    return outputs, findings


def _tracked_paths(ctx: Context) -> set[str]:
    """Tracked files and every directory holding one."""
    paths: set[str] = set()
    for path in ctx.repo.git_info.tracked if ctx.repo.git_info else ():
        paths.add(path)
        paths.update(str(p) for p in PurePosixPath(path).parents if str(p) != ".")
    return paths


def _output_problem(output: Output, tracked: set[str], rules: IgnoreRules) -> Finding | None:
    path = output.path.rstrip("/")
    if path in tracked:
        return failed(T(f"{output.path} is versioned by DVC ({output.source}) and also tracked "
                        "by git", f"{output.path} está versionado por DVC ({output.source}) y "
                        "además por git"), output.source, output.line,
                      fix=T.same(f"git rm -r --cached {output.path}"))
    if rules.ignored(path) or rules.ignored(path, is_dir=True):
        return None
    name = PurePosixPath(path).name
    return failed(T(f"{output.path} ({output.source}) is not gitignored: git add -A would commit "
                    "the data", f"{output.path} ({output.source}) no está en .gitignore: git "
                    "add -A subiría los datos"), output.source, output.line,
                  fix=T(f"add /{name} to the .gitignore next to it (dvc add does this)",
                        f"añade /{name} al .gitignore de su carpeta (dvc add lo hace)"))


@rule("DATA002")
def data_under_dvc(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA002: data/ is versioned by DVC pointers or pipeline outputs, ignored by git."""
    if (scaffold := scaffold_data_only(ctx)) is not None:
        yield scaffold
        return
    outputs, findings = _pointers(ctx)
    yield from findings
    outputs += [o for path in ctx.repo.glob(["**/dvc.yaml"]) for o in _pipeline_outputs(ctx, path)
                if "data" in PurePosixPath(o.path).parts[:-1] or o.path.startswith("data/")]
    hidden = ctx.repo.ignored_dvc_pointers
    for pointer in hidden[:MAX_LISTED]:
        folder = str(PurePosixPath(pointer).parent)
        yield failed(T(f"the DVC pointer {pointer} is inside a folder git ignores: it can "
                       "never be committed, so a clone cannot fetch the data",
                       f"el puntero DVC {pointer} está dentro de una carpeta que git ignora: "
                       "nunca se podrá subir, así que un clon no puede descargar los datos"),
                     pointer, 1,
                     fix=T(f"ignore the data, not the folder: in .gitignore replace {folder}/ "
                           f"by /{folder}/* and !/{folder}/*.dvc (dvc add writes such entries)",
                           f"ignora los datos, no la carpeta: en .gitignore cambia {folder}/ "
                           f"por /{folder}/* y !/{folder}/*.dvc (dvc add escribe esas "
                           "entradas)"))
    if not outputs and hidden:
        return
    if not outputs:
        yield failed(T("no data versioned with DVC (no *.dvc pointer and no dvc.yaml outs under "
                       "data/)", "no hay datos versionados con DVC (ni punteros *.dvc ni outs de "
                       "dvc.yaml en data/)"),
                     fix=T("dvc add data/raw/<file> and commit the .dvc pointer",
                           "dvc add data/raw/<archivo> y sube el puntero .dvc"),
                     see=None if ctx.repo.exists(dvc_config(ctx)) else "DATA001")
        return
    rules = ignore_rules(ctx.repo)
    tracked = _tracked_paths(ctx)
    problems = [p for o in outputs if (p := _output_problem(o, tracked, rules)) is not None]
    yield from problems
    if not problems:
        listed = ", ".join(o.path for o in outputs[:MAX_LISTED])
        yield passed(T(f"{len(outputs)} data path(s) versioned by DVC and ignored by git: "
                       f"{listed}", f"{len(outputs)} ruta(s) de datos versionadas por DVC e "
                       f"ignoradas por git: {listed}"), outputs[0].source, outputs[0].line)
