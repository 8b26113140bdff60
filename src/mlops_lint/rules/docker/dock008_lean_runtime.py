"""DOCK008: no compilers or -dev packages in the runtime stage; PYTHONDONTWRITEBYTECODE
and PYTHONUNBUFFERED set.

Variables the base image sets itself count (``base_env`` in the data). A non-Python image
is judged on build tooling only; a scratch image is not asked for the Python
variables.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers.dockerfile import Dockerfile, ImageRef
from mlops_lint.rules import rule
from mlops_lint.rules.docker._runtime import non_python_runtime
from mlops_lint.rules.docker._shared import (
    base_of,
    each,
    entry_matches,
    final_stage,
    image_data,
    in_list,
    installed_packages,
    is_build_package,
    stage_at,
)


def base_env(image: ImageRef | None) -> dict[str, str]:
    """Variables the base ``image`` sets itself (``base_env`` in the data), each with the
    image that sets it."""
    out: dict[str, str] = {}
    if image is None:
        return out
    for entry in image_data().get("base_env") or []:
        if isinstance(entry, dict) and entry_matches(image, entry):
            for name in entry.get("env") or []:
                out.setdefault(str(name), str(image))
    return out


def _dock008(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    problems = 0
    root, image = base_of(df, final)
    if in_list(image, "full_bases"):
        problems += 1
        yield failed(T(f"the runtime base {image} ships compilers (gcc, make)",
                       f"la base de ejecución {image} trae compiladores (gcc, make)"),
                     df.path, root.line,
                     fix=T("Base the runtime stage on python:3.11-slim.",
                           "Basa la etapa final en python:3.11-slim."))
    tools = [(p, i) for p, i in installed_packages(df, final) if is_build_package(p)]
    if tools:
        problems += 1
        names = ", ".join(sorted({p for p, _ in tools}))
        yield failed(T(f"the runtime {stage_at(final, tools[0][1].line).en} installs build "
                       f"tooling: {names}",
                       f"la {stage_at(final, tools[0][1].line).es} final instala herramientas de "
                       f"build: {names}"), df.path, tools[0][1].line,
                     fix=T("Install compilers and -dev packages in a builder stage and copy only "
                           "the built artefacts (venv, wheels) into the runtime stage.",
                           "Instala compiladores y paquetes -dev en una etapa builder y copia "
                           "solo los artefactos (venv, wheels) a la etapa final."))
    other = non_python_runtime(df, final)
    inherited = base_env(image)
    missing = [] if root.is_scratch or other else [  # no Python in a scratch image
        name for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")
        if not final.env.get(name) and name not in inherited]
    from_base = sorted(n for n in inherited if not final.env.get(n))
    if other and not problems:
        yield skipped(T("not a Python image: ", "no es una imagen de Python: ") + other
                      + T(f"; PYTHONDONTWRITEBYTECODE/PYTHONUNBUFFERED do not apply, and the "
                          f"final {stage_at(final).en} installs no build tooling",
                          f"; PYTHONDONTWRITEBYTECODE/PYTHONUNBUFFERED no aplican, y la "
                          f"{stage_at(final).es} final no instala herramientas de build"),
                      df.path)
        return
    note_en = note_es = ""
    if from_base:
        note_en = f" (its base {image} sets {' and '.join(from_base)})"
        note_es = f" (su base {image} fija {' y '.join(from_base)})"
    if missing:
        problems += 1
        yield failed(T(f"the final {stage_at(final).en} does not set {' and '.join(missing)}"
                       + note_en,
                       f"la {stage_at(final).es} final no fija {' ni '.join(missing)}" + note_es),
                     df.path, final.line,
                     fix=T.same("ENV " + " ".join(f"{n}=1" for n in missing)))
    if not problems:
        yield passed(T(f"the final {stage_at(final).en} installs no build tooling and sets "
                       "PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED" + note_en,
                       f"la {stage_at(final).es} final no instala herramientas de build y fija "
                       "PYTHONDONTWRITEBYTECODE y PYTHONUNBUFFERED" + note_es), df.path)


@rule("DOCK008")
def dockerfile_lean_runtime(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK008: no compilers or -dev packages in the runtime stage; PYTHONDONTWRITEBYTECODE
    and PYTHONUNBUFFERED set."""
    yield from each(ctx, _dock008)
