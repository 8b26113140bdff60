"""DOCK001: a Dockerfile exists and parses; COPY/ADD carry no shell operators; the
final stage has a WORKDIR, an EXPOSE and an exec-form CMD/ENTRYPOINT.

The family's level-1 gate: a project without a Dockerfile fails here, and a Dockerfile
that does not parse fails here with its line (the other rules list it as skipped).
Dockerfiles under ``.devcontainer/`` are listed as skipped. A missing WORKDIR fails only
when a COPY/ADD lands relative to it and the base sets none (``base_workdir`` in the
data). A batch or CLI image needs no EXPOSE (``_batch.batch_image``): a Python script
that imports no server, a command-line tool, a shell, or a Go program whose source beside
the Dockerfile imports nothing able to listen (net, net/http, gRPC, a web framework), such
as an exporter that pushes metrics; or an image whose command starts no known server and
whose linked plain workloads (Deployment, StatefulSet, DaemonSet, Pod) declare no port or
network probe, that no Service selects, and whose folder's source opens no listener (an
operator's resource may create its own Service, so it is not judged this way). An
``ENV PORT`` alone does not make an image a service. A base
that runs its own server (``server_bases``), manifests that give the command, or an
operator that starts the containers with its own (a RayCluster, RayJob or RayService:
KubeRay runs ``ray start``) make CMD unnecessary; the link from the image to the
manifests is :func:`mlops_lint.parsers.deployed_images.deployments` (a placeholder image
``${DOCKER_IMAGE}`` links only to a manifest in the Dockerfile's own folder). The EXPOSE
fix names the port the command listens on first (``_ports.command_port``: ``flask run``
5000 unless --port or FLASK_RUN_PORT, uvicorn/gunicorn --port/--bind or 8000), then a
linked manifest's containerPort, ENV PORT, the code; else, as a guess it says is one, the
port a manifest beside the Dockerfile or in the folder above declares
(``_ports.nearby_port``). An image CI jobs run in is judged
only on its build and the CMD/ENTRYPOINT it declares.

A published library or a Terraform module library with no Dockerfile
(:mod:`mlops_lint.readers.project_kind`) is not applicable: it deploys nothing, so there
is no image to write. The skip names DOCK001 as its ``see``, so the other rules that need
a Dockerfile are skipped with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T, failed, passed, skipped
from mlops_lint.parsers.deployed_images import (
    command_of,
    deployments,
    operator_command,
)
from mlops_lint.parsers.dockerfile import Dockerfile, ImageRef, Instruction, Stage
from mlops_lint.parsers.listening import listening
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.rules import rule
from mlops_lint.rules.docker._batch import batch_image
from mlops_lint.rules.docker._ci_images import ci_job_image
from mlops_lint.rules.docker._exec_form import exec_form_fix, exec_problem
from mlops_lint.rules.docker._ports import UNKNOWN_PORT, command_port, nearby_note, nearby_port
from mlops_lint.rules.docker._runtime import env_port
from mlops_lint.rules.docker._shared import (
    NO_DOCKERFILE_FIX,
    base_of,
    entry_matches,
    final_stage,
    image_data,
    in_list,
    load,
    no_dockerfile,
    stage_at,
)

_SHELL_OPERATOR = lazy_re.compile(
    r"^(\|\||&&|\||;|&|\d*>>?|\d*>&\d*|&>|<)$|^\d*>>?\S|/dev/null$|^#")  # '#': inline comment


def _copy_operators(inst: Instruction) -> list[str]:
    if inst.cmd not in ("COPY", "ADD") or inst.heredoc is not None:
        return []
    args = inst.exec_args
    tokens = args if args is not None else inst.args.split()
    return [t for t in tokens if _SHELL_OPERATOR.search(t)]


def _copy_destination(inst: Instruction) -> str:
    args = inst.exec_args
    tokens = args if args is not None else inst.args.split()
    return tokens[-1] if tokens else ""


def _relative_destination(inst: Instruction) -> bool:
    """A COPY/ADD whose destination is relative to the WORKDIR (``.``, ``./``, ``app/``)."""
    if inst.heredoc is not None and inst.cmd == "COPY" and not inst.args.strip():
        return False
    dest = _copy_destination(inst)
    return bool(dest) and not dest.startswith(("/", "$"))


def base_workdir(image: ImageRef | None) -> str | None:
    """The WORKDIR the base image sets itself (``base_workdir`` in the data)."""
    if image is None:
        return None
    for entry in image_data().get("base_workdir") or []:
        if isinstance(entry, dict) and entry_matches(image, entry) and entry.get("workdir"):
            return str(entry["workdir"])
    return None


def _expose_fix(ctx: Context, df: Dockerfile, final: Stage) -> T:
    """EXPOSE with the port the image's command listens on (its port option, or the
    server's default), else the one the project shows (its deployment, ENV PORT, its
    code)."""
    own = command_port(df, final)
    if own is not None:
        return T(f"Add EXPOSE {own[0]} (the port its command listens on: ",
                 f"Añade EXPOSE {own[0]} (el puerto en el que escucha su orden: ") + own[1] + \
            T.same(").")
    listen = listening(ctx.repo, df, env_port(df, final), deployments(ctx.repo, df))
    if listen.port is None:
        guess = nearby_port(ctx.repo, df)
        if guess is not None:
            return T(f"Add EXPOSE {guess[0]} if ", f"Añade EXPOSE {guess[0]} si ") + \
                nearby_note(*guess) + T.same(".")
        return T("Add EXPOSE with the port the service listens on (",
                 "Añade EXPOSE con el puerto en el que escucha el servicio (") + \
            UNKNOWN_PORT + T.same(").")
    return T(f"Add EXPOSE {listen.port} (the port it listens on, from {listen.port_from}).",
             f"Añade EXPOSE {listen.port} (el puerto en el que escucha, según "
             f"{listen.port_from}).")


def _deployed_command(ctx: Context, df: Dockerfile) -> T | None:
    """Why the image needs no CMD: every manifest container that runs it gives the
    command itself, or is started by an operator that gives it (KubeRay's ``ray start``)."""
    deployed = deployments(ctx.repo, df)
    if not deployed or any(command_of(d) is None and operator_command(d) is None
                           for d in deployed):
        return None
    d = deployed[0]
    more = f" (and {len(deployed) - 1} more)" if len(deployed) > 1 else ""
    more_es = f" (y {len(deployed) - 1} más)" if len(deployed) > 1 else ""
    command = command_of(d)
    if command is None:
        operator, started = operator_command(d) or ("", "")
        return T(f"the {operator} operator starts the containers of the {d.kind} in "
                 f"{d.where}{more} with its own command ({started}), which would override a "
                 f"CMD ({d.how})",
                 f"el operador {operator} arranca los contenedores del {d.kind} de "
                 f"{d.where}{more_es} con su propia orden ({started}), que anularía un CMD "
                 f"({d.how})")
    return T(f"the {d.kind} that runs it gives the command ({command}) in {d.where}{more} "
             f"({d.how})",
             f"el {d.kind} que la ejecuta da la orden ({command}) en {d.where}{more_es} "
             f"({d.how})")


def _dock001(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    problems = 0
    for finding in _copy_problems(df):
        problems += 1
        yield finding
    ci_image = ci_job_image(ctx, df)
    if ci_image is not None:
        yield from _dock001_ci_image(df, final, ci_image, problems)
        return
    workdir_note = T.same("WORKDIR")
    if df.effective(final, "WORKDIR") is None:
        workdir_note, missing = _missing_workdir(df, final)
        if missing is not None:
            problems += 1
            yield missing
    batch = None if df.inherited(final, "EXPOSE") else batch_image(ctx, df, final)
    entry = df.effective(final, "ENTRYPOINT")
    cmd = df.effective(final, "CMD")
    given = _command_given(ctx, df, final) if entry is None and cmd is None else None
    for finding in [*_expose(ctx, df, final, batch), *_command(df, final, entry, cmd, given)]:
        if finding.status is Status.FAIL:
            problems += 1
        yield finding
    if not problems:
        expose = T.same("") if batch or not df.inherited(final, "EXPOSE") else T.same(
            "EXPOSE, ")
        command = T("its command from its base or manifests",
                    "su orden desde su base o sus manifiestos") \
            if given is not None else _command_form(entry or cmd)
        yield passed(T("parses; ", "se lee; ") + workdir_note + T.same(", ") + expose + command
                     + T(f" in the final {stage_at(final).en}",
                         f" en la {stage_at(final).es} final"),
                     df.path)


def _copy_problems(df: Dockerfile) -> Iterator[Finding]:
    """COPY/ADD lines that carry an inline comment or shell operators (the build fails)."""
    for inst in df.instructions:
        ops = _copy_operators(inst)
        comment = next((i for i, op in enumerate(ops) if op.startswith("#")), None)
        if comment is not None:
            text = inst.args[inst.args.index(ops[comment]):]
            yield failed(
                T(f"{inst.cmd} at line {inst.line} ends in an inline comment ({text}): '#' "
                  f"starts a comment only at the beginning of a line, so {inst.cmd} takes its "
                  "words as file names and the build fails",
                  f"{inst.cmd} en la línea {inst.line} termina en un comentario en línea "
                  f"({text}): '#' solo inicia un comentario al principio de la línea, así que "
                  f"{inst.cmd} toma sus palabras como nombres de archivo y el build falla"),
                df.path, inst.line,
                fix=T("Move the comment to its own line above the instruction.",
                      "Mueve el comentario a su propia línea encima de la instrucción."))
            ops = ops[:comment]
        if ops:
            yield failed(
                T(f"{inst.cmd} at line {inst.line} carries shell operators "
                  f"({' '.join(ops)}): {inst.cmd} does not run a shell, so Docker treats them "
                  "as file names and the build fails",
                  f"{inst.cmd} en la línea {inst.line} lleva operadores de shell "
                  f"({' '.join(ops)}): {inst.cmd} no ejecuta una shell, así que Docker los "
                  "toma como nombres de archivo y el build falla"),
                df.path, inst.line,
                fix=T("Remove the shell operators; copy only files that exist (make optional "
                      "files part of the build context, or create them in a RUN step).",
                      "Quita los operadores de shell; copia solo archivos que existan (incluye "
                      "los opcionales en el contexto o créalos en un RUN)."))


def _missing_workdir(df: Dockerfile, final: Stage) -> tuple[T, Finding | None]:
    """The final stage sets no WORKDIR: the note for the summary, and a failure when a
    COPY/ADD lands relative to it and the base sets none."""
    _, image = base_of(df, final)
    relative = [i for i in df.inherited(final, "COPY", "ADD") if _relative_destination(i)]
    if base_workdir(image):
        return T(f"WORKDIR (from the base {image}: {base_workdir(image)})",
                 f"WORKDIR (de la base {image}: {base_workdir(image)})"), None
    if not relative:
        return T("no WORKDIR needed (every COPY/ADD names an absolute destination)",
                 "sin WORKDIR necesario (cada COPY/ADD indica un destino absoluto)"), None
    first = relative[0]
    return T.same("WORKDIR"), failed(
        T(f"final {stage_at(final).en} sets no WORKDIR: {first.cmd} at line "
          f"{first.line} copies to a relative destination "
          f"({_copy_destination(first)}), which lands under /",
          f"la {stage_at(final).es} final no fija WORKDIR: {first.cmd} en la línea "
          f"{first.line} copia a un destino relativo "
          f"({_copy_destination(first)}), que acaba bajo /"),
        df.path, final.line,
        fix=T("Add WORKDIR (e.g. WORKDIR /app) before the COPY instructions.",
              "Añade WORKDIR (p. ej. WORKDIR /app) antes de las instrucciones COPY."))


def _expose(ctx: Context, df: Dockerfile, final: Stage, batch: T | None) -> list[Finding]:
    """EXPOSE in the final stage, unless the image needs none (a base that runs its own
    server, nothing to run, a batch job or CLI)."""
    runs_nothing = df.effective(final, "ENTRYPOINT") is None and \
        df.effective(final, "CMD") is None
    _, base_image = base_of(df, final)
    if not batch and runs_nothing and in_list(base_image, "server_bases"):
        return [skipped(T(f"final {stage_at(final).en} has no EXPOSE, and needs none: its base "
                          f"{base_image} runs its own server (its command and ports come from "
                          "the base)",
                          f"la {stage_at(final).es} final no tiene EXPOSE ni lo necesita: su base "
                          f"{base_image} ejecuta su propio servidor (su orden y sus puertos "
                          "vienen de la base)"), df.path)]
    if not batch and runs_nothing and not df.inherited(final, "EXPOSE"):
        return [skipped(T(f"final {stage_at(final).en} has no EXPOSE, but no CMD or ENTRYPOINT "
                          "either: nothing shows a service whose port to document",
                          f"la {stage_at(final).es} final no tiene EXPOSE, pero tampoco CMD ni "
                          "ENTRYPOINT: nada indica un servicio cuyo puerto documentar"),
                        df.path)]
    if batch:
        return [skipped(T(f"final {stage_at(final).en} has no EXPOSE, and needs none: ",
                          f"la {stage_at(final).es} final no tiene EXPOSE ni lo "
                          "necesita: ") + batch,
                        df.path)]
    if not df.inherited(final, "EXPOSE"):
        return [failed(T(f"final {stage_at(final).en} has no EXPOSE: the service port is "
                         "undocumented",
                         f"la {stage_at(final).es} final no tiene EXPOSE: el puerto del "
                         "servicio no está documentado"), df.path, final.line,
                       fix=_expose_fix(ctx, df, final))]
    return []


def _command_given(ctx: Context, df: Dockerfile, final: Stage) -> T | None:
    """Why a final stage without CMD or ENTRYPOINT needs none, or None."""
    _, image = base_of(df, final)
    return T(f"its base {image} runs its own server (its ENTRYPOINT/CMD)",
             f"su base {image} ejecuta su propio servidor (su ENTRYPOINT/CMD)") if in_list(
        image, "server_bases") else _deployed_command(ctx, df)


def _command_form(inst: Instruction | None) -> T:
    """How the passing CMD or ENTRYPOINT runs its process as PID 1."""
    name = inst.cmd if inst is not None else "CMD"
    if inst is not None and inst.exec_args is None:
        return T(f"a shell-form {name} that execs its process",
                 f"{name} en forma shell que cede el proceso con exec")
    return T(f"an exec-form {name}", f"{name} en forma exec")


def _command(df: Dockerfile, final: Stage, entry: Instruction | None, cmd: Instruction | None,
             given: T | None) -> Iterator[Finding]:
    """A CMD or ENTRYPOINT (unless ``given`` says why none is needed), in exec form."""
    if given is not None:
        yield skipped(T(f"final {stage_at(final).en} has no CMD or ENTRYPOINT, and needs none: ",
                        f"la {stage_at(final).es} final no tiene CMD ni ENTRYPOINT, ni los "
                        "necesita: ")
                      + given, df.path)
    elif entry is None and cmd is None:
        yield failed(T(f"final {stage_at(final).en} has no CMD or ENTRYPOINT: the container runs "
                       "whatever the base image defaults to",
                       f"la {stage_at(final).es} final no tiene CMD ni ENTRYPOINT: el contenedor "
                       "ejecuta lo que traiga la imagen base"), df.path, final.line,
                     fix=T("Add the command the image should run, in exec form (a JSON "
                           'array: CMD ["<program>", "<arg>", …]).',
                           "Añade la orden que debe ejecutar la imagen, en forma exec (un "
                           'array JSON: CMD ["<programa>", "<arg>", …]).'))
    for inst in [i for i in (entry, cmd) if i is not None]:
        problem = exec_problem(inst, entry)
        if problem is not None:
            yield failed(problem, df.path, inst.line, fix=exec_form_fix(inst))


def _dock001_ci_image(df: Dockerfile, final: Stage, ci_image: T,
                      problems: int) -> Iterator[Finding]:
    """DOCK001 for an image CI jobs run in: the CI system gives its job steps their command
    and working directory, and nothing listens on a port, so only the build itself and a
    CMD/ENTRYPOINT it declares anyway are judged."""
    yield skipped(ci_image + T(": the CI system runs the job steps in it with its own command "
                               "and working directory, so WORKDIR, EXPOSE and a CMD or "
                               "ENTRYPOINT are not asked for",
                               ": el sistema de CI ejecuta en ella los pasos del job con su "
                               "propio comando y directorio de trabajo, así que no se piden "
                               "WORKDIR, EXPOSE ni CMD o ENTRYPOINT"), df.path)
    declared = [i for i in (df.effective(final, "ENTRYPOINT"), df.effective(final, "CMD"))
                if i is not None]
    for inst in declared:
        problem = exec_problem(inst, declared[0] if declared[0].cmd == "ENTRYPOINT" else None)
        if problem is not None:
            problems += 1
            yield failed(problem, df.path, inst.line, fix=exec_form_fix(inst))
    if not problems:
        yield passed(T(f"parses; COPY/ADD carry no shell operators; a CI job container, "
                       f"judged as one in the final {stage_at(final).en}",
                       f"se lee; COPY/ADD no llevan operadores de shell; un contenedor de "
                       f"jobs de CI, evaluado como tal en la {stage_at(final).es} final"), df.path)


@rule("DOCK001")
def dockerfile_well_formed(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK001: a Dockerfile exists, parses, COPY carries no shell operators, WORKDIR,
    EXPOSE and an exec-form CMD/ENTRYPOINT in the final stage."""
    found = load(ctx)
    for path in found.devcontainers:
        yield skipped(T(f"{path} is a development container (.devcontainer/), not a runtime "
                        "image: not judged",
                        f"{path} es un contenedor de desarrollo (.devcontainer/), no una imagen "
                        "de ejecución: no se evalúa"), path)
    if found.none:
        library = project_kind(ctx.repo).runs_nothing()
        if library is not None:
            yield skipped(T("not applicable: no Dockerfile, and none is needed: ",
                            "no aplica: no hay Dockerfile, ni hace falta: ") + library + T(
                ", so there is no image to build", ", así que no hay imagen que construir"),
                see="DOCK001")
            return
        yield failed(no_dockerfile(found), fix=NO_DOCKERFILE_FIX, see="DOCK001")
        return
    for error in found.broken:
        where = f" at line {error.line}" if error.line else ""
        donde = f" en la línea {error.line}" if error.line else ""
        yield failed(T(f"the Dockerfile does not parse{where}: {error.message}",
                       f"el Dockerfile no se puede leer{donde}: {error.message}"),
                     error.path, error.line,
                     fix=T("Fix the syntax (docker build would refuse it); the other DOCK "
                           "rules skip this file until it parses.",
                           "Corrige la sintaxis (docker build la rechazaría); las demás reglas "
                           "DOCK omiten este archivo hasta que se pueda leer."))
    for df in found.parsed:
        yield from _dock001(ctx, df)
