"""DATA004: ``dvc.yaml`` stages with cmd, deps, outs and params (level 2); the scripts they
run among their deps, uncached metrics and a committed ``dvc.lock`` (level 3).

A pipeline that is a template (unresolved ``{placeholder}`` in its path or stages) has
never been run, so no ``dvc.lock`` is expected of it, and no fix asks for one: each
finding's fix names only what its gaps name.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers import ParseError
from mlops_lint.rules import rule
from mlops_lint.rules.data._shared import (
    MAX_LISTED,
    Stages,
    dvc_config,
    dvc_yaml,
    join,
    scaffold_data_only,
    stage_bodies,
    stage_entries,
)

_PYTHON = lazy_re.compile(r"^python(\d(\.\d+)?)?$")


def _script_candidates(cmd: str) -> list[str]:
    """Scripts a stage command runs: ``python src/train.py`` -> ``src/train.py``;
    ``python -m pkg.train`` -> the module's possible file paths."""
    found = []
    for line in cmd.splitlines():
        for part in re.split(r"&&|;|\|\|", line):
            try:
                argv = shlex.split(part)
            except ValueError:
                argv = part.split()
            while argv and "=" in argv[0] and not argv[0].startswith("-"):
                argv = argv[1:]
            if argv[:2] in (["uv", "run"], ["poetry", "run"], ["pdm", "run"]):
                argv = argv[2:]
            if not argv:
                continue
            if _PYTHON.match(argv[0].rsplit("/", 1)[-1]) and len(argv) > 1:
                if argv[1] == "-m" and len(argv) > 2:
                    module = argv[2].replace(".", "/")
                    found += [f"{module}.py", f"src/{module}.py", f"{module}/__main__.py",
                              f"src/{module}/__main__.py"]
                elif not argv[1].startswith("-"):
                    found.append(argv[1])
            elif argv[0].endswith((".py", ".sh", ".R")):
                found.append(argv[0])
    return [f.removeprefix("./") for f in found]


def _covered(script: str, deps: list[str]) -> bool:
    for dep in deps:
        dep = dep.removeprefix("./").rstrip("/")
        if script == dep or script.startswith(dep + "/"):
            return True
    return False


@rule("DATA004")
def dvc_pipeline(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA004: dvc.yaml stages with cmd/deps/outs and params (L2); scripts in deps,
    uncached metrics and a committed dvc.lock (L3)."""
    if (scaffold := scaffold_data_only(ctx)) is not None:
        yield scaffold
        return
    files = ctx.repo.glob(["**/dvc.yaml"])
    if not files:
        yield failed(T("no dvc.yaml pipeline", "no hay pipeline dvc.yaml"),
                     fix=T("declare the stages (prepare -> train -> evaluate) with dvc stage "
                           "add, each with deps, outs and params",
                           "declara las etapas (prepare -> train -> evaluate) con dvc stage "
                           "add, cada una con deps, outs y params"),
                     see=None if ctx.repo.exists(dvc_config(ctx)) else "DATA001")
        return
    for path in files:
        data = dvc_yaml(ctx, path)
        if isinstance(data, ParseError):
            yield failed(T(f"cannot read dvc.yaml: {data.message}",
                           f"no se puede leer dvc.yaml: {data.message}"), path, data.line)
            continue
        yield from _judge_pipeline(ctx, path, stage_bodies(data))


# a gap: what the finding says, and the fix for exactly that
Gap = tuple[T, T]


def _level2_gaps(ctx: Context, base: str, stages: Stages) -> list[Gap]:
    gaps: list[Gap] = []
    if len(stages) < 2:
        gaps.append((T(f"{len(stages)} stage(s); at least 2 are needed",
                       f"{len(stages)} etapa(s); se necesitan al menos 2"),
                     T("split the pipeline into stages (e.g. prepare -> train -> evaluate)",
                       "divide el pipeline en etapas (p. ej. prepare -> train -> evaluate)")))
    incomplete = [name for name, (body, _) in stages.items()
                  if not body.get("cmd") or not body.get("deps")
                  or not any(body.get(k) for k in ("outs", "metrics", "plots"))]
    if incomplete:
        listed = ", ".join(incomplete[:MAX_LISTED])
        gaps.append((T(f"stages without cmd, deps and outs: {listed}",
                       f"etapas sin cmd, deps y outs: {listed}"),
                     T(f"give {listed} a cmd, its deps and its outs (or metrics/plots)",
                       f"da a {listed} un cmd, sus deps y sus outs (o metrics/plots)")))
    param_files = {"params.yaml"}
    for body, _ in stages.values():
        param_files.update(str(k) for item in body.get("params") or []
                           if isinstance(item, dict) for k in item)
    if not any(body.get("params") for body, _ in stages.values()):
        gaps.append((T("no stage lists params:", "ninguna etapa declara params:"),
                     T("list under params: the parameters each stage reads",
                       "declara en params: los parámetros que lee cada etapa")))
    if not any(ctx.repo.exists(join(base, f)) for f in param_files):
        gaps.append((T("no params.yaml", "no hay params.yaml"),
                     T(f"add {join(base, 'params.yaml')} with those parameters",
                       f"añade {join(base, 'params.yaml')} con esos parámetros")))
    return gaps


def _script_outside_deps(name: str, body: dict[str, Any]) -> str | None:
    """``name (script)`` when the script the stage's cmd runs is not among its deps."""
    deps = [d for d, _, _ in stage_entries(body.get("deps"))]
    cmd = body.get("cmd")
    text = "\n".join(str(c) for c in cmd) if isinstance(cmd, list) else str(cmd or "")
    scripts = _script_candidates(text)
    if scripts and not any(_covered(s, deps) for s in scripts):
        return f"{name} ({scripts[0]})"
    return None


# ``{service}``, ``{{ cookiecutter.repo_name }}``: a placeholder left for the user to fill
# in (DVC's own templating is ``${...}``)
PLACEHOLDER = lazy_re.compile(r"(?<![$\w{])\{\{?\s*[A-Za-z_][\w.]{0,60}\s*\}\}?")


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 10:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, depth + 1)


def template_placeholder(path: str, stages: Stages) -> str | None:
    """The first unresolved placeholder of a dvc.yaml that is a template (in its path or
    in a stage's cmd, deps or outs): such a pipeline has never been run, so it has no
    dvc.lock to commit."""
    found = PLACEHOLDER.search(path)
    if found:
        return found.group(0)
    for body, _ in stages.values():
        for key in ("cmd", "deps", "outs", "wdir"):
            for text in _strings(body.get(key)):
                found = PLACEHOLDER.search(text[:10_000])
                if found:
                    return found.group(0)
    return None


def _level3_gaps(ctx: Context, base: str, stages: Stages,
                 template: str | None = None) -> list[Gap]:
    gaps: list[Gap] = []
    if any(not body.get("deps") for body, _ in stages.values()):
        gaps.append((T("every stage needs deps", "cada etapa necesita deps"),
                     T("give every stage the files it reads as deps",
                       "da a cada etapa como deps los archivos que lee")))
    outside = [o for name, (body, _) in stages.items()
               if (o := _script_outside_deps(name, body)) is not None]
    if outside:
        gaps.append((T(f"the script a stage runs is not among its deps: {', '.join(outside)}",
                       f"el script que ejecuta la etapa no está en sus deps: "
                       f"{', '.join(outside)}"),
                     T("add to each stage's deps the script its cmd runs, so that editing "
                       "it reruns the stage", "añade a las deps de cada etapa el script que "
                       "ejecuta su cmd, para que editarlo vuelva a ejecutar la etapa")))
    if not any(options.get("cache") is False for body, _ in stages.values()
               for _, options, _ in stage_entries(body.get("metrics"))):
        gaps.append((T("no stage declares metrics with cache: false",
                       "ninguna etapa declara metrics con cache: false"),
                     T("declare the evaluation's metrics file under metrics: with "
                       "cache: false", "declara el archivo de métricas de la evaluación en "
                       "metrics: con cache: false")))
    lock = join(base, "dvc.lock")
    if template is None and not (ctx.repo.is_tracked(lock) if ctx.repo.is_git
                                 else ctx.repo.exists(lock)):
        gaps.append((T("dvc.lock is not committed (run dvc repro and commit it)",
                       "dvc.lock no está en el repositorio (ejecuta dvc repro y súbelo)"),
                     T("run dvc repro and commit dvc.lock", "ejecuta dvc repro y sube "
                       "dvc.lock")))
    return gaps


def _fix(gaps: list[Gap]) -> T:
    """The fix for exactly the gaps found (no lock is asked of a template)."""
    text = T.join([fix for _, fix in gaps])
    return T(text.en[:1].upper() + text.en[1:] + ".", text.es[:1].upper() + text.es[1:] + ".")


def _judge_pipeline(ctx: Context, path: str, stages: Stages) -> Iterator[Finding]:
    base = str(PurePosixPath(path).parent)
    first_line = next((line for _, line in stages.values() if line), 1)
    summary = T(f"{len(stages)} stage(s) in {path}", f"{len(stages)} etapa(s) en {path}")
    l2 = _level2_gaps(ctx, base, stages)
    if l2:
        yield failed(T.join([gap for gap, _ in l2]), path, first_line, level=2,
                     fix=_fix(l2))
    else:
        yield passed(summary + T(" with cmd, deps, outs and params",
                                 " con cmd, deps, outs y params"), path, first_line, level=2)
    plots = any(body.get("plots") for body, _ in stages.values())
    bonus = T("; plots declared", "; plots declarados") if plots else T("", "")
    template = template_placeholder(path, stages)
    l3 = _level3_gaps(ctx, base, stages, template)
    lock_note = T(f"; no dvc.lock is expected: the pipeline is a template with unresolved "
                  f"placeholders ({template})", f"; no se espera dvc.lock: el pipeline es una "
                  f"plantilla con marcadores sin resolver ({template})") if template \
        else T("", "")
    if l3:
        yield failed(T.join([gap for gap, _ in l3]) + lock_note + bonus, path, first_line,
                     level=3, fix=_fix(l3))
    elif template:
        yield passed(summary + T(": scripts in deps, uncached metrics", ": scripts en deps, "
                                 "métricas sin caché") + lock_note + bonus, path, first_line,
                     level=3)
    else:
        yield passed(summary + T(": scripts in deps, uncached metrics, dvc.lock committed",
                                 ": scripts en deps, métricas sin caché, dvc.lock en el "
                                 "repositorio") + bonus, path, first_line, level=3)
