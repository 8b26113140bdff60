"""DOCK004: at least two stages, the final stage copies from a named builder stage, and
no build tooling is installed in the runtime stage.

A single-stage build names what it ships: the build tooling it installs and the package
caches it leaves (the same findings as DOCK007). A single stage that builds nothing (its
RUN steps, if any, are only file and user housekeeping or a production-only package
install such as ``npm ci --omit=dev``, and it installs no build tooling) would gain
nothing from a builder stage: not applicable, with the reason. The fix's builder stage
uses the image's own runtime (a node builder for a Node.js image, golang for Go, python
for Python, the same base otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.dockerfile import Dockerfile, ImageRef, Instruction, Stage
from mlops_lint.parsers.shell import Simple
from mlops_lint.rules import rule
from mlops_lint.rules.docker._hygiene import hygiene
from mlops_lint.rules.docker._runtime import stage_runtimes
from mlops_lint.rules.docker._shared import (
    base_of,
    each,
    final_stage,
    installed_packages,
    is_build_package,
    lineage_instructions,
    run_commands,
    stage_at,
)

# RUN programs that build nothing: file and user housekeeping
HOUSEKEEPING = frozenset({"mkdir", "chown", "chmod", "chgrp", "ln", "cp", "mv", "rm", "touch",
                          "echo", "true", "useradd", "adduser", "addgroup", "groupadd",
                          "usermod", "set", "cd", "printf", "test", "["})
# installs of production dependencies only (prebuilt packages, no dev tooling)
_NODE_INSTALLERS = frozenset({"npm", "yarn", "pnpm"})
_PROD_FLAGS = frozenset({"--omit=dev", "--production", "--only=prod", "--only=production",
                         "--prod", "--production=true"})


def _builds_nothing(cmd: Simple) -> bool:
    """A RUN command that compiles or installs nothing to build: housekeeping, or a
    production-only Node.js install."""
    if cmd.program in HOUSEKEEPING:
        return True
    args = cmd.args
    return cmd.program in _NODE_INSTALLERS and bool(args) and \
        args[0] in ("install", "ci", "i") and not _PROD_FLAGS.isdisjoint(args)


def _nothing_built(df: Dockerfile, final: Stage) -> T | None:
    """Why a single stage builds nothing (``only COPY``, ``only `npm ci --omit=dev```), or
    None when it runs a build step or installs build tooling."""
    runs = [inst for inst in lineage_instructions(df, final) if inst.cmd == "RUN"]
    if not runs:
        return T("it runs no RUN step: it only copies files into the base",
                 "no tiene ningún paso RUN: solo copia archivos sobre la base")
    commands = [cmd for inst in runs for cmd in run_commands(inst)]
    if not commands or not all(_builds_nothing(c) for c in commands):
        return None
    if any(is_build_package(p) for p, _ in installed_packages(df, final)):
        return None
    installs = [" ".join(c.argv[:4]) for c in commands if c.program in _NODE_INSTALLERS]
    if installs:
        return T(f"its only install is the production-only `{installs[0]}`",
                 f"su única instalación es la de producción `{installs[0]}`")
    return T("its RUN steps only arrange files and users",
             "sus pasos RUN solo ordenan archivos y usuarios")


def _same_base(image: ImageRef | None) -> str | None:
    """The image's own reference for a builder (``python:3.13-alpine``), or None when it is
    unknown or built from a variable."""
    if image is None or "$" in image.name:
        return None
    return f"{image.name}:{image.tag}" if image.tag and image.tag != "latest" \
        else f"{image.name}:<version>"


def builder_fix(df: Dockerfile, final: Stage) -> T:
    """The split into a builder and a runtime stage, in the image's own runtime: its own
    base when it is the runtime's image, else the runtime's official image."""
    runtimes = stage_runtimes(df, final)
    _, image = base_of(df, final)
    own = _same_base(image)
    if "Python" in runtimes or not runtimes:
        builder = own or ("python:3.11-slim" if runtimes else "<the same base>")
        what = T("installs dependencies", "instala dependencias")
    elif "Node.js" in runtimes:
        node = image is not None and image.repository.lower() == "node"
        builder = own if node and own else "node:<version>-slim"
        what = T("runs npm ci and the build", "ejecuta npm ci y el build")
    elif "Go" in runtimes:
        builder = "golang:<version>"
        what = T("compiles the binary (CGO_ENABLED=0 go build)",
                 "compila el binario (CGO_ENABLED=0 go build)")
    else:
        builder = own or "<the same base>"
        what = T("builds the artefacts", "construye los artefactos")
    return T(f"Split into a builder stage (FROM {builder} AS builder) that ",
             f"Divide en una etapa builder (FROM {builder} AS builder) que ") + what + T(
        " and a runtime stage that copies only the result with COPY --from=builder; or "
        "justify a single stage in an ADR.",
        " y una etapa final que copia solo el resultado con COPY --from=builder; o justifica "
        "una sola etapa en un ADR.")


def _dock004(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    if len(df.stages) < 2:
        why = _nothing_built(df, final)
        if why is not None:
            yield skipped(T("not applicable: a single stage that builds nothing (",
                            "no aplica: una sola etapa que no construye nada (") + why + T(
                "), so a builder stage would gain nothing",
                "), así que una etapa builder no aportaría nada"), df.path)
            return
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
                  df.path, final.line, fix=builder_fix(df, final))


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
