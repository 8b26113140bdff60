"""DEP002: a deployment descriptor wires the health route (level 2); a rollback procedure
(level 3).

Descriptors: long-running Kubernetes/Knative workloads and Helm values (probes), Helm
templates read as text, serverless.yml, ECS task definitions, compose services that build
an image, fly.toml/render.yaml/app.yaml, deploy steps of GitHub workflows and other CI
systems (a /health check or a smoke test after the deploy), and managed endpoints declared
as code. A managed service rolled out from CI (``anyscale service rollout``, ``serve
deploy`` of a Ray Serve config, ``sky serve up``, ``modal deploy``) is a deployment too: the
platform probes the service itself, so the service's own health route wires it, including
a ``GET /`` whose handler is named or documented as the health check. The rollback is a
Makefile target, an explicit command in the documents, or a rollback section with deploy
commands.

Not applicable at level 2 to a published library or a Terraform module library with no
descriptor (:mod:`mlops_lint.readers.project_kind`): it serves nothing, so there is no
health route to wire. Not applicable at either level to a published server package with
no descriptor (an inference server shipped as a wheel and an image): the platforms of its
users deploy it and wire its health probes, and roll it back.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import (
    CI_NAMES,
    Command,
    Workflow,
    ci_commands,
    environment_jobs,
    workflows,
)
from mlops_lint.parsers.kubernetes import HELM_TEMPLATE, TEMPLATE
from mlops_lint.readers.deployment import DEPLOY_COMMAND, deploy_job, deployment
from mlops_lint.readers.project_files import as_dict, as_list
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.serving import serving
from mlops_lint.readers.unread import manifests_noted, noted, reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.api._compose import compose_services
from mlops_lint.rules.api._endpoints import MAX_KIND_SCAN, managed_endpoints
from mlops_lint.rules.api._health_fix import health_fix, health_text
from mlops_lint.rules.api._rollback import rollback
from mlops_lint.rules.api._shared import server_package_skips
from mlops_lint.rules.api._smoke import SMOKE, after_deploy, smoke_after


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


@dataclass(frozen=True)
class Descriptor:
    kind: str
    path: str
    wired: bool | None  # True: /health wired; False: no health check; None: other probe
    detail: T
    line: int | None = None
    managed: bool = False  # a managed service platform that probes the service itself


# a managed model-serving platform rolled out from CI: it runs and probes the service
MANAGED_DEPLOY = lazy_re.compile(
    r"\banyscale\s+service\s+(rollout|deploy)\b|\bserve\s+deploy\b|\bsky\s+serve\s+up\b|"
    r"\bmodal\s+deploy\b", re.IGNORECASE)


def _d(en: str, es: str | None = None) -> T:
    return T(en, es if es is not None else en)


NO_HEALTH = T("no health check", "sin health check")


PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


def _probe_paths(node: Any) -> tuple[int, list[str]]:
    """(number of probes, their httpGet paths) anywhere under ``node`` (chart values)."""
    count, paths = 0, []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PROBES and isinstance(value, dict):
                count += 1
                get = value.get("httpGet")
                if isinstance(get, dict):
                    paths.append(str(get.get("path", "")))
            else:
                more, found = _probe_paths(value)
                count, paths = count + more, paths + found
    elif isinstance(node, list):
        for item in node:
            more, found = _probe_paths(item)
            count, paths = count + more, paths + found
    return count, paths


def _probe_descriptor(label: str, path: str, probes: int, paths: list[str],
                      line: int | None) -> Descriptor:
    if any(health_text(p) for p in paths):
        return Descriptor(label, path, True, _d(", ".join(sorted(set(paths)))), line)
    if probes:
        return Descriptor(label, path, None, _d("probes not on a health route",
                                                "sondas fuera de una ruta de salud"), line)
    return Descriptor(label, path, False, _d("no readiness/liveness probe",
                                             "sin sonda readiness/liveness"), line)


def _manifest_descriptors(ctx: Context) -> Iterator[Descriptor]:
    """Long-running Kubernetes/Knative workloads, Helm values and unrendered templates."""
    manifests = manifests_noted(ctx)
    for workload in manifests.workloads:
        if not workload.long_running:
            continue  # Jobs and CronJobs have no health endpoint
        serving = [c for c in workload.containers if not c.init]
        count, paths = _probe_paths([c.spec for c in serving])
        yield _probe_descriptor(workload.label, workload.path, count, paths, workload.line)
    for chart in manifests.charts:
        for path, data in chart.values:
            count, paths = _probe_paths(data) if not isinstance(data, ParseError) else (0, [])
            if count:
                yield _probe_descriptor(f"Helm chart {chart.name} values", path, count, paths,
                                        None)
    for unread in manifests.unread:
        if unread.reason not in (HELM_TEMPLATE, TEMPLATE):
            continue
        text = noted(ctx.repo.text(unread.path))
        if isinstance(text, str) and "Probe" in text:
            yield Descriptor("Helm template (read as text, not rendered)", unread.path,
                             health_text(text) or None, _d("probes", "sondas"))
        elif isinstance(text, str) and LONG_RUNNING_KIND.search(text[:MAX_KIND_SCAN]):
            yield Descriptor("Helm template (read as text, not rendered)", unread.path, False,
                             _d("a long-running workload without probes",
                                "una carga de larga duración sin sondas"))


def _serverless_descriptors(ctx: Context) -> Iterator[Descriptor]:
    for path in ctx.files(["**/serverless.yml", "**/serverless.yaml"]):
        doc = noted(ctx.repo.yaml(path))
        if isinstance(doc, dict):
            wired = any(health_text(s) for s in _strings(doc.get("functions")))
            yield Descriptor("serverless.yml", path, wired or False,
                             _d("http event on /health", "evento http en /health") if wired
                             else _d("no /health event", "sin evento /health"))


def _ecs_descriptors(ctx: Context) -> Iterator[Descriptor]:
    for path in ctx.files(["**/*.json"]):
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or "containerDefinitions" not in text:
            continue
        doc = noted(ctx.repo.parse(path, json.loads))
        if not isinstance(doc, dict):
            continue
        for container in as_list(doc.get("containerDefinitions")):
            if not isinstance(container, dict):
                continue
            check_cmd = " ".join(_strings(as_dict(container.get("healthCheck")).get("command")))
            yield Descriptor(f"ECS task definition {container.get('name', '')}".strip(), path,
                             health_text(check_cmd) if check_cmd else False,
                             _d("healthCheck") if check_cmd else _d("no healthCheck",
                                                                      "sin healthCheck"))


def _compose_descriptors(ctx: Context) -> Iterator[Descriptor]:
    """Compose services that build an image, over the stack's merged files (an override
    file inherits the base file's healthcheck)."""
    for service in compose_services(ctx):
        config = service.config
        if "build" not in config:
            continue
        test = " ".join(_strings(as_dict(config.get("healthcheck")).get("test")))
        merged = T(f" (merged from {' + '.join(service.files)})",
                   f" (combinado de {' + '.join(service.files)})") \
            if len(service.files) > 1 else T("", "")
        yield Descriptor(f"compose service {service.name}", service.path,
                         (health_text(test) or None) if test else False,
                         (_d("healthcheck") if test else _d("no healthcheck",
                                                            "sin healthcheck")) + merged)


def _platform_descriptors(ctx: Context) -> Iterator[Descriptor]:
    for path, key in (("fly.toml", "toml"), ("render.yaml", "yaml"), ("app.yaml", "yaml")):
        full = ctx.first(path)
        if full is None:
            continue
        doc = noted(ctx.repo.toml(full) if key == "toml" else ctx.repo.yaml(full))
        if isinstance(doc, ParseError):
            continue
        wired = any(health_text(s) for s in _strings(doc))
        yield Descriptor(path, full, wired or False,
                         _d("health check path", "ruta de health check") if wired else NO_HEALTH)


def _other_descriptors(ctx: Context) -> Iterator[Descriptor]:
    yield from _serverless_descriptors(ctx)
    yield from _ecs_descriptors(ctx)
    yield from _compose_descriptors(ctx)
    yield from _platform_descriptors(ctx)
    for wf in map(noted, workflows(ctx.repo)):
        if isinstance(wf, Workflow):
            yield from _workflow_descriptor(wf)
    yield from _other_ci_descriptors(ctx)


def _other_ci_descriptors(ctx: Context) -> Iterator[Descriptor]:
    """A deploy command in another CI system's pipeline (Azure Pipelines, GitLab CI…),
    with whether the same file checks /health afterwards."""
    by_file: dict[str, list[Command]] = {}
    for command in ci_commands(ctx.repo):
        if command.system != "github":
            by_file.setdefault(command.path, []).append(command)
    for path, commands in sorted(by_file.items()):
        found = next(((i, m) for i, c in enumerate(commands)
                      if (m := DEPLOY_COMMAND.search(c.text))), None)
        if found is None:
            yield from _deploy_job_descriptor(ctx, path, commands)
            continue
        index, match = found
        deploy = match.group(0)
        smoke = any(SMOKE.search(c.text) and health_text(c.text) for c in commands)
        # the file's commands come in document order: the deploy's rest, then later steps
        after = [commands[index].text[match.end():], *(c.text for c in commands[index + 1:])]
        other = None if smoke else smoke_after(after)
        system = CI_NAMES.get(commands[0].system, commands[0].system)
        yield Descriptor(f"{system} deploy ({' '.join(deploy.split())})", path,
                         *after_deploy(deploy, smoke, other))


def _deploy_job_descriptor(ctx: Context, path: str,
                           commands: list[Command]) -> Iterator[Descriptor]:
    """A job of another CI system that deploys by its own means (ssh, scp, a script): one
    named for a deployment, or a GitLab job with an ``environment:``."""
    system = commands[0].system
    environments = environment_jobs(ctx.repo, system, path)
    index = next((i for i, c in enumerate(commands) if c.job and (
        c.job in environments or deploy_job(c.job, " ".join(
            d.text for d in commands if d.job == c.job)))), None)
    if index is None:
        return
    job = commands[index].job
    after = [c.text for c in commands[index:]]
    smoke = any(SMOKE.search(t) and health_text(t) for t in after)
    other = None if smoke else smoke_after(after)
    how = "environment: " if job in environments else ""
    name = CI_NAMES.get(system, system)
    yield Descriptor(f"{name} deploy job {job}" + (f" ({how.strip(': ')})" if how else ""),
                     path, *after_deploy("", smoke, other))


LONG_RUNNING_KIND = lazy_re.compile(
    r"^kind:[ \t]*(Deployment|StatefulSet|DaemonSet|Rollout)[ \t]*$",
    re.MULTILINE)


def _workflow_descriptor(wf: Workflow) -> Iterator[Descriptor]:
    deploy = None
    smoke = False
    managed = False
    later: list[str] = []  # what runs after the deploy
    for job in wf.jobs:
        for step in job.steps:
            text = step.run or ""
            match = DEPLOY_COMMAND.search(text)
            if match is None and deploy is None:
                match = MANAGED_DEPLOY.search(text)
                managed = match is not None
            if deploy is not None:
                later.append(text)
            elif match:
                later.append(text[match.end():])
            if match and deploy is None:
                deploy = (match.group(0), step.line)
            if SMOKE.search(text) and health_text(text):
                smoke = True
            if (step.uses or "").startswith(("google-github-actions/deploy-cloudrun",
                                             "aws-actions/amazon-ecs-deploy")) and deploy is None:
                deploy = (str(step.uses), step.line)
    if deploy is not None:
        other = None if smoke else smoke_after(later)
        yield Descriptor(f"workflow deploy ({' '.join(deploy[0].split())})", wf.path,
                         *after_deploy(deploy[0], smoke, other), deploy[1], managed)


def _health_route(ctx: Context) -> str | None:
    """Where the service answers health checks: a route on a health path, or a ``GET /``
    whose handler is named or documented as the health check."""
    for route in serving(ctx).model.routes:
        if not route.allows("GET"):
            continue
        if health_text(route.path):
            return f"GET {route.path} ({route.file}:{route.line})"
        if route.path.strip("/") == "" and route.handler is not None:
            doc = ast.get_docstring(route.handler) or ""
            if "health" in route.handler_name.lower() or "health" in doc[:400].lower():
                return (f"GET {route.path or '/'} ({route.file}:{route.line}), documented as "
                        "the health check")
    return None


def _managed_health(ctx: Context, descriptors: list[Descriptor]) -> list[Descriptor]:
    """A managed service whose own health route the platform probes is wired."""
    if not any(d.managed and not d.wired for d in descriptors):
        return descriptors
    route = _health_route(ctx)
    if route is None:
        return descriptors
    detail = T(f"a managed service; the platform probes its health route {route}",
               f"un servicio gestionado; la plataforma sondea su ruta de salud {route}")
    return [replace(d, wired=True, detail=detail) if d.managed and not d.wired else d
            for d in descriptors]


@rule("DEP002")
@reports_unread
def deployment_config(ctx: Context, params: None) -> Iterator[Finding]:
    """DEP002: a deployment descriptor wires /health (L2); a rollback procedure (L3)."""
    descriptors = [*_manifest_descriptors(ctx), *_other_descriptors(ctx)]
    descriptors += [Descriptor(e.platform + (f" {e.what}" if e.what else ""), e.path, True,
                               T.same(e.health), e.line)
                    for e in managed_endpoints(ctx)
                    if not any(d.path == e.path and d.line == e.line for d in descriptors)]
    descriptors = _managed_health(ctx, descriptors)
    wired = [d for d in descriptors if d.wired]
    if wired:
        for d in wired:
            yield passed(_d(f"{d.kind}: ") + d.detail, d.path, d.line, level=2)
    elif descriptors:
        fix = health_fix(ctx)
        for d in descriptors:
            message = _d(f"{d.kind}: ") + d.detail
            if d.wired is None:
                yield warned(message, d.path, d.line, level=2, fix=fix)
            else:
                yield failed(message, d.path, d.line, level=2, fix=fix)
    elif (kind := project_kind(ctx.repo).runs_nothing()) is not None:
        yield skipped(T("not applicable: ", "no aplica: ") + kind + T(
            ", so it serves nothing and has no health route to wire",
            ", así que no sirve nada ni tiene ruta de salud que conectar"), level=2)
    elif (package := project_kind(ctx.repo).server_package) is not None:
        yield from server_package_skips(package)
        return
    else:
        yield failed(T("no deployment descriptor (Kubernetes manifest, serverless.yml, ECS "
                       "task definition, Cloud Run service or deploy workflow, compose) found",
                       "no hay descriptor de despliegue (manifiesto Kubernetes, serverless.yml, "
                       "task definition de ECS, servicio Cloud Run o workflow de despliegue, "
                       "compose)"), level=2, fix=health_fix(ctx))
    fact = deployment(ctx.repo)
    if not descriptors and not fact.deploys:
        yield skipped(fact.nothing_deployed(T(", so there is nothing to roll back",
                                              ", así que no hay nada que revertir")), level=3)
        return
    yield rollback(ctx)
