"""DOCK004: at least two stages, the final stage copies from a named builder stage, and
no build tooling is installed in the runtime stage.

A single-stage build names what it ships: the build tooling it installs and the package
caches it leaves (the same findings as DOCK007).
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.dockerfile import Dockerfile, Instruction, Stage
from mlops_lint.rules import rule
from mlops_lint.rules.docker._hygiene import hygiene
from mlops_lint.rules.docker._shared import (
    each,
    final_stage,
    installed_packages,
    is_build_package,
    stage_at,
)


def _dock004(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    if len(df.stages) < 2:
        yield _single_stage(df, final)
        return
    copies = _copies_from_builders(df, final)
    if not copies:
        yield failed(T(f"{len(df.stages)} stages, but the final {stage_at(final).en} copies "
                       "nothing from another stage (COPY --from=<stage>)",
                       f"{len(df.stages)} etapas, pero la {stage_at(final).es} final no copia nada "
                       "de otra etapa (COPY --from=<etapa>)"), df.path, final.line,
                     fix=T("Build in a named stage and COPY --from=builder only the artefacts "
                           "(venv, wheels) into the runtime stage.",
                           "Construye en una etapa con nombre y copia con COPY --from=builder "
                           "solo los artefactos (venv, wheels) a la etapa final."))
        return
    yield _multistage(df, final, copies)


def _single_stage(df: Dockerfile, final: Stage) -> Finding:
    """A single-stage build, with what it ships: build tooling, package caches."""
    tooling = sorted({p for p, _ in installed_packages(df, final) if is_build_package(p)})
    caches = sorted({f.line for f in hygiene(df, final) if f.line})
    shipped_en = [f"build tooling ({', '.join(tooling)})"] if tooling else []
    shipped_es = [f"herramientas de build ({', '.join(tooling)})"] if tooling else []
    if caches:
        lines = ", ".join(str(n) for n in caches)
        shipped_en.append(f"package caches (RUN at line{'s' if len(caches) > 1 else ''} "
                          f"{lines})")
        shipped_es.append(f"cachés de paquetes (RUN en la(s) línea(s) {lines})")
    return failed(T(f"single-stage build (one FROM at line {final.line}): whatever the "
                    "build installs stays in the runtime image"
                    + (f", here {' and '.join(shipped_en)}" if shipped_en else ""),
                    f"build de una sola etapa (un FROM en la línea {final.line}): todo lo "
                    "que instala el build se queda en la imagen final"
                    + (f", aquí {' y '.join(shipped_es)}" if shipped_es else "")),
                  df.path, final.line,
                  fix=T("Split into a builder stage (FROM python:3.11-slim AS builder) that "
                        "installs dependencies and a runtime stage that copies them with "
                        "COPY --from=builder; or justify a single stage in an ADR.",
                        "Divide en una etapa builder (FROM python:3.11-slim AS builder) que "
                        "instala dependencias y una etapa final que las copia con COPY "
                        "--from=builder; o justifica una sola etapa en un ADR."))


def _copies_from_builders(df: Dockerfile, final: Stage) -> list[tuple[Instruction, Stage]]:
    """The ``COPY --from`` of the final stage's lineage that copy from another stage."""
    members = {s.index for s in df.lineage(final)}
    copies: list[tuple[Instruction, Stage]] = []
    for inst in df.inherited(final, "COPY"):
        source = inst.flags.get("from")
        if source is None:
            continue
        stage = df.stage_named(source)
        if stage is not None and stage.index not in members:
            copies.append((inst, stage))
    return copies


def _multistage(df: Dockerfile, final: Stage, copies: list[tuple[Instruction, Stage]]
                ) -> Finding:
    """A multi-stage build: no build tooling in the runtime stage, a named builder."""
    tools = [(pkg, inst) for pkg, inst in installed_packages(df, final)
             if is_build_package(pkg)]
    unnamed = [inst for inst, stage in copies if stage.alias is None
               or (inst.flags.get("from") or "").isdigit()]
    if tools:
        _pkg, inst = tools[0]
        return warned(T(f"multi-stage, but the runtime {stage_at(final, inst.line).en} installs "
                        f"build tooling ({', '.join(sorted({p for p, _ in tools}))})",
                        f"multi-stage, pero la {stage_at(final, inst.line).es} final instala "
                        f"herramientas de build ({', '.join(sorted({p for p, _ in tools}))})"),
                      df.path, inst.line,
                      fix=T("Install compilers and -dev packages in the builder only.",
                            "Instala compiladores y paquetes -dev solo en el builder."))
    if unnamed:
        return warned(T(f"multi-stage, but COPY --from at line {unnamed[0].line} refers to a "
                        "stage by number: name the builder (AS builder)",
                        f"multi-stage, pero COPY --from en la línea {unnamed[0].line} se "
                        "refiere a una etapa por número: nombra el builder (AS builder)"),
                      df.path, unnamed[0].line,
                      fix=T("Name the stage (FROM … AS builder) and use COPY --from=builder.",
                            "Nombra la etapa (FROM … AS builder) y usa COPY --from=builder."))
    inst, stage = copies[0]
    return passed(T(f"multi-stage: the final {stage_at(final).en} copies from '{stage.name}' "
                    f"(line {inst.line})",
                    f"multi-stage: la {stage_at(final).es} final copia de '{stage.name}' "
                    f"(línea {inst.line})"), df.path, inst.line)


@rule("DOCK004")
def dockerfile_multistage(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK004: ≥2 stages, the final stage copies from a named builder, no build tooling
    in the runtime stage."""
    yield from each(ctx, _dock004)
