"""DOCK006: a HEALTHCHECK reaches the final image, or the compose service that builds it
has one (level 2); all four timing flags and a probe binary the image really has
(level 3).

Kubernetes ignores Docker's HEALTHCHECK: when every long-running container that runs the
image is probed, the rule passes on those probes; a Job's image is skipped, as is an
image nothing shows to serve (no EXPOSE, no published port, no server in its command or
its code). The suggested probe fits the image (Python, curl, wget, or an exec-form binary
where there is no shell) and uses the port and route the project shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T, failed, passed, skipped, warned
from mlops_lint.parsers.deployed_images import (
    Deployed,
    deployments,
    probe_label,
)
from mlops_lint.parsers.dockerfile import Dockerfile, Instruction, Stage
from mlops_lint.parsers.listening import Listening, listening
from mlops_lint.parsers.shell import split_commands
from mlops_lint.parsers.yaml_file import line_of
from mlops_lint.rules import rule
from mlops_lint.rules.docker._batch import batch_image
from mlops_lint.rules.docker._ci_images import ci_job_image
from mlops_lint.rules.docker._compose import Service, healthcheck, load_compose
from mlops_lint.rules.docker._kube_probes import (
    kubernetes_probe_fix,
    kubernetes_probes,
    run_by_kubernetes,
)
from mlops_lint.rules.docker._ports import UNKNOWN_PORT, nearby_note, nearby_port
from mlops_lint.rules.docker._runtime import (
    env_port,
    non_python_runtime,
    serves,
    stage_runtimes,
)
from mlops_lint.rules.docker._shared import (
    PYTHON,
    base_of,
    each,
    final_stage,
    in_list,
    installed_packages,
    stage_at,
)


def _shell_argv(text: str) -> list[str]:
    commands = split_commands(text)
    return list(commands[0].argv) if commands else []


def _compose_probe(test: Any) -> tuple[list[str], bool] | None:
    if isinstance(test, str):
        return _shell_argv(test), True
    if isinstance(test, list) and test:
        head = str(test[0]).upper()
        if head == "CMD":
            return [str(t) for t in test[1:]], False
        if head == "CMD-SHELL":
            return _shell_argv(" ".join(str(t) for t in test[1:])), True
    return None


def healthcheck_probe(inst: Instruction) -> tuple[list[str], bool]:
    """The probe's argument vector and whether it runs through /bin/sh."""
    rest = inst.args.strip()
    body = rest[3:].strip() if rest.upper().startswith("CMD") else rest
    if body.startswith("["):
        try:
            value = json.loads(body)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value, False
    return _shell_argv(body), True


def _binary_present(df: Dockerfile, stage: Stage, program: str) -> tuple[bool | None, str]:
    """Whether ``program`` exists in the image of ``stage``: True, False, or None when it
    cannot be told; plus how that was decided."""
    root, image = base_of(df, stage)
    for package, inst in installed_packages(df, stage):
        if package.split("=", 1)[0].lower() == program:
            return True, f"installed at line {inst.line}"
    for inst in df.inherited(stage, "COPY", "ADD"):
        if any(PurePosixPath(a).name == program for a in inst.args.split()):
            return True, f"copied at line {inst.line}"
    if program in ("curl", "wget"):
        if in_list(image, "probe_binaries", program):
            return True, f"present in the base {image}"
        if root.is_scratch or image is not None:
            return False, f"the base {image or 'scratch'} does not ship it and no stage " \
                          "installs it"
        return None, f"the base '{root.base}' cannot be resolved"
    if PYTHON.match(program):
        if in_list(image, "python_bases"):
            return True, f"the base {image} ships Python"
        if any(PYTHON.match(p.split("=", 1)[0]) or p.startswith("python3")
               for p, _ in installed_packages(df, stage)):
            return True, "Python is installed"
        return None, f"cannot tell whether the base {image or root.base} ships Python"
    return None, f"cannot tell whether '{program}' exists in the image"


def _exposed_port(df: Dockerfile, final: Stage, services: list[Service]) -> str | None:
    """The first port the image documents (EXPOSE) or a compose service publishes."""
    for inst in df.inherited(final, "EXPOSE"):
        for word in inst.args.split():
            port = word.split("/", 1)[0]
            if port.isdigit():
                return port
    for service in services:
        ports = service.body.get("ports")
        for item in ports if isinstance(ports, list) else []:
            target = item.get("target") if isinstance(item, dict) else str(item).rsplit(":", 1)[-1]
            port = str(target).split("/", 1)[0]
            if port.isdigit():
                return port
    return None


def healthcheck_fix(df: Dockerfile, final: Stage, port: str | None,
                    listen: Listening | None = None) -> T:
    """A HEALTHCHECK the final image can run: a Python probe where there is Python, curl
    or wget where the image has them, and for images without a shell or those tools (a
    distroless Go binary) an exec-form probe binary. The port and route are the project's
    (EXPOSE, its deployment, ENV PORT, its code); when they are unknown it says so rather
    than assume 8000 and /health; a gRPC server gets grpc_health_probe."""
    listen = listen or Listening()
    port = port or listen.port
    flags = "HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 CMD "
    note_en = note_es = ""
    if port is None:
        port = "<port>"
        note_en = f" (<port>: the port the service listens on; {UNKNOWN_PORT.en})"
        note_es = f" (<port>: el puerto en el que escucha el servicio; {UNKNOWN_PORT.es})"
    if listen.grpc and not listen.health:
        probe = json.dumps(["/bin/grpc_health_probe", f"-addr=:{port}"])
        return T(f"It serves gRPC, so an HTTP probe does not fit: copy the static "
                 f"grpc_health_probe binary into the final stage and add {flags}{probe}"
                 f"{note_en}; or leave health checking to Kubernetes grpc probes.",
                 f"Sirve gRPC, así que una sonda HTTP no encaja: copia el binario estático "
                 f"grpc_health_probe a la etapa final y añade {flags}{probe}{note_es}; o deja "
                 "la comprobación a sondas grpc de Kubernetes.")
    route = listen.route or "/health"
    if listen.route is None:
        note_en += (f"; the code shows no health route: add one ({route}) or probe a route "
                    "the app serves")
        note_es += (f"; el código no muestra una ruta de salud: añade una ({route}) o sondea "
                    "una ruta que sirva la app")
    elif not listen.health:
        note_en += ("; the code shows no health route, so this probes / (a dedicated one is "
                    "better)")
        note_es += ("; el código no muestra una ruta de salud, así que se sondea / (mejor una "
                    "propia)")
    url = f"http://localhost:{port}{route}"
    root, image = base_of(df, final)
    runtimes = stage_runtimes(df, final)
    python = "Python" in runtimes or in_list(image, "python_bases")
    shell_less = root.is_scratch or in_list(image, "shell_less_bases")
    if python and not shell_less:
        probe = json.dumps(["python", "-c", f"import urllib.request; "
                            f"urllib.request.urlopen('{url}')"])
        return T(f"Add to the final stage: {flags}{probe}{note_en}",
                 f"Añade a la etapa final: {flags}{probe}{note_es}")
    for tool, probe in (("curl", f"curl -fsS {url} || exit 1"),
                        ("wget", f"wget -qO- {url} || exit 1")):
        if _binary_present(df, final, tool)[0] and not shell_less:
            return T(f"Add to the final stage: {flags}{probe}{note_en}",
                     f"Añade a la etapa final: {flags}{probe}{note_es}")
    if shell_less:
        return T(f"The base {image or 'scratch'} has no shell, curl or Python: copy a static "
                 "probe binary into the image (grpc_health_probe for a gRPC server, or a "
                 "health subcommand of the program itself) and call it in exec form, "
                 f'{flags}["/bin/healthcheck"]; or leave health checking to the '
                 "orchestrator's probes (a Kubernetes readinessProbe/livenessProbe).",
                 f"La base {image or 'scratch'} no tiene shell, curl ni Python: copia un "
                 "binario de sonda estático en la imagen (grpc_health_probe para un servidor "
                 "gRPC, o un subcomando de salud del propio programa) y llámalo en forma exec, "
                 f'{flags}["/bin/healthcheck"]; o deja la comprobación a las sondas del '
                 "orquestador (readinessProbe/livenessProbe de Kubernetes).")
    install = ("apk add --no-cache curl" if in_list(image, "busybox_bases")
               else "apt-get install -y --no-install-recommends curl, or apk add --no-cache "
                    "curl")
    return T(f"Install curl in the final stage ({install}) and add {flags}curl -fsS {url} "
             f"|| exit 1{note_en}",
             f"Instala curl en la etapa final ({install.replace(', or ', ', o ')}) y añade "
             f"{flags}curl -fsS {url} || exit 1{note_es}")


def _probe_verdict(df: Dockerfile, final: Stage, argv: list[str], shell: bool,
                   path: str, line: int | None, level: int) -> Finding:
    root, image = base_of(df, final)
    if shell and (root.is_scratch or in_list(image, "shell_less_bases")):
        return failed(T(f"the health probe is in shell form but the base "
                        f"{image or 'scratch'} has no /bin/sh",
                        f"la sonda de salud está en forma shell pero la base "
                        f"{image or 'scratch'} no tiene /bin/sh"), path, line, level,
                      fix=T("Use exec form with a binary the image has. ",
                            "Usa forma exec con un binario que exista. ")
                      + healthcheck_fix(df, final, _exposed_port(df, final, [])))
    if not argv:
        return warned(T("the health probe command cannot be read",
                        "no se puede leer el comando de la sonda de salud"), path, line, level)
    program = PurePosixPath(argv[0]).name
    present, how = _binary_present(df, final, program)
    if present is False:
        return failed(T(f"the health probe calls {program}, which the final image lacks "
                        f"({how}): the check always fails and the container turns unhealthy",
                        f"la sonda de salud llama a {program}, que la imagen final no tiene "
                        f"({how}): la comprobación siempre falla y el contenedor queda "
                        "unhealthy"), path, line, level,
                      fix=T(f"Install {program} in the runtime stage, or probe with what "
                            "the image has. ",
                            f"Instala {program} en la etapa final, o sondea con lo que tenga "
                            "la imagen. ") + healthcheck_fix(df, final, _exposed_port(df, final,
                                                                                        [])))
    if present is None:
        return warned(T(f"the health probe calls {program}: {how} (cannot verify)",
                        f"la sonda de salud llama a {program}: {how} (no se puede verificar)"),
                      path, line, level)
    return passed(T(f"the probe binary {program} is in the final image ({how})",
                    f"el binario de la sonda {program} está en la imagen final ({how})"),
                  path, line, level)


HC_FLAGS = ("interval", "timeout", "start-period", "retries")


def _dock006_compose(df: Dockerfile, final: Stage, services: list[Service]) -> Iterator[Finding]:
    service = services[0]
    hc = healthcheck(service) or {}
    line = line_of(service.body, key="healthcheck") or service.line
    yield passed(T(f"no HEALTHCHECK in {df.path}, but compose service '{service.name}' "
                   f"({service.path}) that builds it has a healthcheck",
                   f"no hay HEALTHCHECK en {df.path}, pero el servicio compose "
                   f"'{service.name}' ({service.path}) que lo construye tiene healthcheck"),
                 service.path, line, level=2)
    missing = [k for k in ("interval", "timeout", "start_period", "retries") if k not in hc]
    if missing:
        yield failed(T(f"compose healthcheck of '{service.name}' does not set "
                       f"{', '.join(missing)}",
                       f"el healthcheck compose de '{service.name}' no fija {', '.join(missing)}"),
                     service.path, line, level=3,
                     fix=T("Set interval: 30s, timeout: 10s, start_period: 40s, retries: 3.",
                           "Fija interval: 30s, timeout: 10s, start_period: 40s, retries: 3."))
        return
    probe = _compose_probe(hc.get("test"))
    if probe is None:
        yield warned(T("the compose healthcheck test cannot be read",
                       "no se puede leer el test del healthcheck compose"),
                     service.path, line, level=3)
        return
    yield _probe_verdict(df, final, probe[0], probe[1], service.path, line, 3)


def _dock006(ctx: Context, df: Dockerfile, services: list[Service]) -> Iterator[Finding]:
    final = final_stage(df)
    ci_image = ci_job_image(ctx, df)
    if ci_image is not None:
        yield skipped(ci_image + T(": it runs job steps, not a long-lived service, so a "
                                   "HEALTHCHECK does not apply",
                                   ": ejecuta pasos de jobs, no un servicio de larga duración, "
                                   "así que un HEALTHCHECK no aplica"), df.path)
        return
    hc = df.effective(final, "HEALTHCHECK")
    if hc is None:
        yield from _without_healthcheck(ctx, df, final, services)
    else:
        yield from _with_healthcheck(df, final, hc)


def _without_healthcheck(ctx: Context, df: Dockerfile, final: Stage,
                         services: list[Service]) -> Iterator[Finding]:
    """No HEALTHCHECK reaches the final image: a compose healthcheck or Kubernetes probes
    may cover it, a job or an image that serves nothing needs none; else it fails."""
    linked = [s for s in services if s.dockerfile() == df.path and healthcheck(s)]
    if linked:
        yield from _dock006_compose(df, final, linked)
        return
    members = {s.index for s in df.lineage(final)}
    elsewhere = [i for s in df.stages if s.index not in members
                 for i in s.find("HEALTHCHECK")]
    deployed = deployments(ctx.repo, df)
    probed = kubernetes_probes(df, deployed)
    if probed is not None:
        yield from probed
        return
    port = _exposed_port(df, final, [s for s in services if s.dockerfile() == df.path])
    needless = _needs_none(ctx, df, final, deployed, port, bool(elsewhere))
    if needless is not None:
        yield needless
        return
    extra = extra_es = ""
    if elsewhere:
        extra = (f"; the HEALTHCHECK at line {elsewhere[-1].line} is in a builder stage and "
                 "does not reach the runtime image")
        extra_es = (f"; el HEALTHCHECK de la línea {elsewhere[-1].line} está en una etapa "
                    "builder y no llega a la imagen final")
    message = T(f"no HEALTHCHECK in the final {stage_at(final).en} and no compose healthcheck "
                f"for it{extra}",
                f"no hay HEALTHCHECK en la {stage_at(final).es} final ni healthcheck compose "
                f"para ella{extra_es}")
    listen = listening(ctx.repo, df, env_port(df, final), deployed)
    unprobed = [d for d in deployed if d.long_running and not probe_label(d)]
    if unprobed:
        message += run_by_kubernetes(unprobed)
        fix = kubernetes_probe_fix(unprobed[0], port or listen.port, listen)
    else:
        fix = _unlinked_fix(ctx, df, final, port, listen, bool(deployed))
    line = elsewhere[-1].line if elsewhere else final.line
    yield failed(message, df.path, line, level=2, fix=fix)
    yield failed(message, df.path, line, level=3, fix=fix)


def _unlinked_fix(ctx: Context, df: Dockerfile, final: Stage, port: str | None,
                  listen: Listening, deployed: bool) -> T:
    """The fix of an image no manifest is tied to: a nearby manifest's probes first (its
    port, said to be a guess), then the HEALTHCHECK."""
    guess = None if deployed else nearby_port(ctx.repo, df)
    if guess is None:
        return healthcheck_fix(df, final, port, listen)
    known = port or listen.port or guess[0]
    return T("If ", "Si ") + nearby_note(*guess) + T.same(": ") + kubernetes_probe_fix(
        guess[1], known, listen) + T(" Otherwise: ", " Si no: ") + healthcheck_fix(
        df, final, known, listen)


def _needs_none(ctx: Context, df: Dockerfile, final: Stage, deployed: list[Deployed],
                port: str | None, elsewhere: bool) -> Finding | None:
    """A skip when the image needs no HEALTHCHECK: its manifests run it only as jobs that
    run to completion, or nothing shows a server to probe; None otherwise."""
    if deployed and not any(d.long_running for d in deployed) and not elsewhere:
        d = deployed[0]
        return skipped(T(f"no HEALTHCHECK in the final {stage_at(final).en}, and none needed: its "
                         f"manifests run it as a {d.kind} ({d.where}; {d.how}), a job that "
                         "runs to completion, not a service to probe",
                         f"no hay HEALTHCHECK en la {stage_at(final).es} final, ni hace falta: sus "
                         f"manifiestos la ejecutan como {d.kind} ({d.where}; {d.how}), un "
                         "job que termina, no un servicio que sondear"), df.path)
    why = None if port is not None or elsewhere or serves(ctx, df, final) else (
        batch_image(ctx, df, final) or non_python_runtime(df, final))
    if why is None:
        return None
    return skipped(T(f"no HEALTHCHECK in the final {stage_at(final).en}, and nothing shows a "
                     "server to probe: no EXPOSE, no published compose port, no server "
                     "or port in its command or its code; ",
                     f"no hay HEALTHCHECK en la {stage_at(final).es} final, y nada indica un "
                     "servidor que sondear: sin EXPOSE, sin puerto publicado en compose, "
                     "sin servidor ni puerto en su comando ni en su código; ") + why,
                   df.path)


def _with_healthcheck(df: Dockerfile, final: Stage, hc: Instruction) -> Iterator[Finding]:
    """The HEALTHCHECK that reaches the final image: not NONE (L2); its timing flags and
    a probe binary the image has (L3)."""
    if hc.args.strip().upper().startswith("NONE"):
        message = T(f"HEALTHCHECK NONE at line {hc.line} disables the health check of the final "
                    "image",
                    f"HEALTHCHECK NONE en la línea {hc.line} desactiva el health check de la "
                    "imagen final")
        yield failed(message, df.path, hc.line, level=2)
        yield failed(message, df.path, hc.line, level=3)
        return
    origin = "" if hc in final.instructions else " (inherited from a parent stage)"
    origin_es = "" if hc in final.instructions else " (heredado de una etapa padre)"
    yield passed(T(f"HEALTHCHECK at line {hc.line}{origin}", f"HEALTHCHECK en la línea "
                   f"{hc.line}{origin_es}"), df.path, hc.line, level=2)
    missing = [f"--{f}" for f in HC_FLAGS if f not in hc.flags]
    if missing:
        yield failed(T(f"HEALTHCHECK at line {hc.line} does not set {', '.join(missing)} "
                       "(defaults: 30s interval, 30s timeout, 0s start period, 3 retries)",
                       f"HEALTHCHECK en la línea {hc.line} no fija {', '.join(missing)} "
                       "(por defecto: 30s, 30s, 0s de arranque, 3 reintentos)"),
                     df.path, hc.line, level=3,
                     fix=T("HEALTHCHECK --interval=30s --timeout=10s --start-period=40s "
                           "--retries=3 CMD …", "HEALTHCHECK --interval=30s --timeout=10s "
                           "--start-period=40s --retries=3 CMD …"))
    argv, shell = healthcheck_probe(hc)
    probe = _probe_verdict(df, final, argv, shell, df.path, hc.line, 3)
    if probe.status is not Status.PASS or not missing:
        yield probe  # a missing binary is worth saying even when flags are missing too


@rule("DOCK006")
def dockerfile_healthcheck(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK006: a HEALTHCHECK reaches the final image (or a compose healthcheck covers it)
    (L2); all four timing flags and a probe binary the image really has (L3)."""
    services = load_compose(ctx).services
    yield from each(ctx, lambda c, df: _dock006(c, df, services), (2, 3))
