"""CI009: the image is built after the tests, with a layer cache, and smoke-tested
(level 2); pushed only from main with SHA/semver tags, ``packages: write`` for GHCR, and
the deploy jobs after the push (level 3). GitHub Actions only; not applicable where the
repository deploys nothing (:mod:`mlops_lint.readers.deployment`).

Level 3 is not applicable to a template repository whose own CI builds images only for an
end-to-end test (pushed to a throwaway local registry) while the delivery workflow it ships
for generated projects (a workflow under ``templates/``) pushes to a release registry: it
has no image of its own to release.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers.ci import Job, Step, Workflow, parse_action
from mlops_lint.parsers.shell import Simple, split_commands
from mlops_lint.readers.ci_config import ci_state
from mlops_lint.readers.ci_tools import ALL_TESTS
from mlops_lint.readers.deployment import deployment
from mlops_lint.rules import rule
from mlops_lint.rules.ci._image_builds import Build, image_builds
from mlops_lint.rules.ci._shared import (
    after,
    github_only,
    job_key,
    runs_of,
)
from mlops_lint.rules.ci._templates import template_workflows

_MAIN_GUARD = lazy_re.compile(r"refs/heads/(main|master)|refs/tags|github\.event_name\s*==\s*"
                              r"['\"](push|release|workflow_dispatch)['\"]|event_name\s*!=\s*"
                              r"['\"]pull_request['\"]|startsWith\(\s*github\.ref", re.IGNORECASE)
_DEPLOY = lazy_re.compile(r"\b(kubectl\s+(apply|set\s+image|rollout)|helm\s+(upgrade|install)|"
                          r"gcloud\s+run\s+deploy|gcloud\s+app\s+deploy|aws\s+ecs\s+update-service|"
                          r"serverless\s+deploy|sls\s+deploy|fly\s+deploy|flyctl\s+deploy|"
                          r"az\s+(webapp|containerapp)|railway\s+up|heroku\s+container)")
_DEPLOY_ACTIONS = ("google-github-actions/deploy-cloudrun", "aws-actions/amazon-ecs-deploy",
                   "azure/webapps-deploy", "azure/k8s-deploy", "superfly/flyctl-actions",
                   "akhileshns/heroku-deploy", "appleboy/ssh-action")


def _push_guarded(wf: Workflow, job: Job, step: Step | None) -> bool:
    guards = " ".join(g for g in (job.if_, step.if_ if step else None) if g)
    if _MAIN_GUARD.search(guards):
        return True
    if step is not None:
        push = str(step.with_.get("push", ""))
        if _MAIN_GUARD.search(push):
            return True
    on = wf.on
    if "pull_request" in on or "pull_request_target" in on:
        return False
    push_cfg = on.get("push")
    if isinstance(push_cfg, dict):
        branches = push_cfg.get("branches")
        if isinstance(branches, list) and set(map(str, branches)) <= {"main", "master"}:
            return True
        if "tags" in push_cfg and "branches" not in push_cfg:
            return True
    return bool(on) and set(on) <= {"release", "workflow_dispatch", "workflow_run"}


def _is_deploy(job: Job) -> bool:
    text = f"{job.id} {job.name or ''}".lower()
    if re.search(r"deploy|release", text):
        return True
    for step in job.steps:
        if step.run and _DEPLOY.search(step.run):
            return True
        if step.uses and parse_action(step.uses).name.startswith(_DEPLOY_ACTIONS):
            return True
    return False


def _smokes(simple: Simple) -> bool:
    """Whether a command runs the image or checks it running."""
    if (simple.program == "docker" and simple.args[:1] == ("run",)) or (
            simple.program in ("docker", "docker-compose") and "up" in simple.args[:2]):
        return True
    if simple.program in ("container-structure-test", "dgoss", "goss"):
        return True
    # the image deployed and checked running: pods ready, rollout done, a health URL
    return bool((simple.program == "kubectl" and (
            simple.args[:2] == ("rollout", "status") or (
                simple.args[:1] == ("wait",) and any(
                    a.startswith("--for=condition=") and a.split("=")[-1].lower() in
                    ("available", "ready") for a in simple.args)))) or (
            simple.program == "helm" and simple.args[:1] == ("test",)) or (
            simple.program in ("curl", "wget") and any(
                "health" in a.lower() for a in simple.args)))


def _smoke_after(wf: Workflow, job: Job, index: int) -> str | None:
    """A smoke test of the image after step ``index`` of ``job``, or in a later job."""
    candidates = [(job, s) for s in job.steps[index + 1:]]
    for other in wf.jobs:
        if job.id in wf.ancestors(other.id):
            candidates += [(other, s) for s in other.steps]
    for owner, step in candidates:
        if not step.run:
            continue
        for simple in split_commands(step.run):
            if _smokes(simple):
                return f"{owner.id}: {simple.line.strip()[:60]}"
    return None


# actions and commands that create a throwaway cluster on the runner
_EPHEMERAL_CLUSTER_ACTIONS = ("helm/kind-action", "engineerd/setup-kind",
                              "container-tools/kind-action", "medyagh/setup-minikube",
                              "manusa/actions-setup-minikube", "absaoss/k3d-action",
                              "nolar/setup-k3d-k3s", "debianmaster/actions-k3s")


def _ephemeral_cluster(job: Job) -> str | None:
    """The step that creates a throwaway cluster (kind, minikube, k3d) in ``job``."""
    for step in job.steps:
        if step.uses and parse_action(step.uses).name.startswith(_EPHEMERAL_CLUSTER_ACTIONS):
            return parse_action(step.uses).name
        for simple in split_commands(step.run or ""):
            if (simple.program == "kind" and simple.args[:2] == ("create", "cluster")) or (
                    simple.program == "minikube" and simple.args[:1] == ("start",)) or (
                    simple.program == "k3d" and simple.args[:2] == ("cluster", "create")):
                return simple.line.strip()[:60]
    return None


@rule("CI009")
def ci_container_delivery(ctx: Context, params: None) -> Iterator[Finding]:
    """CI009: the image is built after the tests with a layer cache and smoke-tested (L2);
    pushed only from main with SHA/semver tags, packages: write for GHCR, deploy jobs
    behind an environment (L3)."""
    found = github_only(ctx, T("Image delivery jobs", "Los jobs de entrega de imagen"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    state = ci_state(ctx.repo)
    builds = image_builds(state.workflows)
    if not builds:
        fact = deployment(ctx.repo)
        if not fact.deploys:
            yield skipped(fact.nothing_deployed(T(", so there is no image to build",
                                                  ", así que no hay imagen que construir")))
            return
        if not fact.of(["image"]):
            yield skipped(T("not applicable: the repository has no Dockerfile of its own, so "
                            "there is no image for CI to build (DOCK001 judges the missing "
                            "Dockerfile)", "no aplica: el repositorio no tiene un Dockerfile "
                            "propio, así que la CI no tiene imagen que construir (DOCK001 "
                            "juzga la falta de Dockerfile)"), see="DOCK001")
            return
        yield failed(T("CI never builds the container image (docker/build-push-action or "
                       "docker build)", "la CI nunca construye la imagen del contenedor "
                       "(docker/build-push-action o docker build)"),
                     state.workflows[0].path, 1,
                     fix=T("add a docker job (needs: test) with docker/build-push-action and "
                           "cache-from: type=gha", "añade un job docker (needs: test) con "
                           "docker/build-push-action y cache-from: type=gha"))
        return
    tests = {k for r in runs_of(ctx.repo, ALL_TESTS) if (k := job_key(r))}
    by_name = {wf.name: wf.path for wf in state.workflows if wf.name}

    def after_tests(build: Build) -> bool:
        if after(build.workflow, build.job, tests, by_name):
            return True
        key = (build.workflow.path, build.job.id)
        earlier = build.job.steps[:build.index]
        return key in tests and any(r.job is build.job and r.step in earlier
                                    for r in runs_of(ctx.repo, ALL_TESTS))

    def l2_problems(build: Build) -> list[T]:
        problems = []
        if not after_tests(build):
            problems.append(T("it does not run after the tests (needs: test)",
                              "no se ejecuta después de los tests (needs: test)"))
        if not build.cached:
            problems.append(T("no layer cache (cache-from: type=gha)",
                              "sin caché de capas (cache-from: type=gha)"))
        if _smoke_after(build.workflow, build.job, build.index) is None:
            problems.append(T("no smoke test of the image (docker run … /health)",
                              "sin prueba de humo de la imagen (docker run … /health)"))
        return problems

    ranked = sorted(builds, key=lambda b: len(l2_problems(b)))
    best = ranked[0]
    head = T(f"{best.job.id}: {best.text[:60]}", f"{best.job.id}: {best.text[:60]}")
    problems = l2_problems(best)
    if problems:
        yield failed(head + T(": ", ": ") + T.join(problems), best.workflow.path,
                     best.step.line, level=2,
                     fix=T("build in a job with 'needs: test', cache-from/cache-to: type=gha, "
                           "then 'docker run --rm <image> python -c ...' or curl /health",
                           "construye en un job con 'needs: test', cache-from/cache-to: "
                           "type=gha, y luego 'docker run --rm <imagen> python -c ...' o curl "
                           "/health"))
    else:
        smoke = _smoke_after(best.workflow, best.job, best.index)
        yield passed(head + T(f" after the tests, cached, smoke test {smoke}",
                              f" después de los tests, con caché, prueba de humo {smoke}"),
                     best.workflow.path, best.step.line, level=2)
    yield from _delivery_l3(ctx, builds)


def _never_pushed(builds: list[Build], throwaway: list[Build]) -> Finding:
    best = throwaway[0] if throwaway else builds[0]
    message = T("CI never pushes the image to a registry",
                "la CI nunca publica la imagen en un registro")
    if throwaway:
        host = best.targets[0].split("/", 1)[0][:60]
        message = T(f"CI pushes the image only to a throwaway local registry ({host} in "
                    f"{best.workflow.path}, an end-to-end test), never to a release "
                    "registry", f"la CI publica la imagen solo en un registro local "
                    f"desechable ({host} en {best.workflow.path}, una prueba de extremo a "
                    "extremo), nunca en un registro de publicación")
    return failed(message, best.workflow.path, best.step.line, level=3,
                  fix=T("push from main only: if: github.ref == 'refs/heads/main', tags "
                        "from docker/metadata-action (type=sha, type=semver)",
                        "publica solo desde main: if: github.ref == 'refs/heads/main', "
                        "etiquetas de docker/metadata-action (type=sha, type=semver)"))


def _push_problems(push: Build) -> list[T]:
    """What the push lacks: a guard limiting it to main, SHA/semver tags, the
    ``packages: write`` permission GHCR needs."""
    wf, job = push.workflow, push.job
    problems: list[T] = []
    if not _push_guarded(wf, job, push.step):
        problems.append(T("the push is not limited to main (if: github.ref == "
                          "'refs/heads/main')", "la publicación no se limita a main (if: "
                          "github.ref == 'refs/heads/main')"))
    meta = [s for s in job.steps if s.uses and
            parse_action(s.uses).name == "docker/metadata-action"]
    tags_text = " ".join(str(s.with_.get("tags", "")) for s in meta) + " " + str(
        push.step.with_.get("tags", "")) + " " + (push.text if push.step.run else "")
    if not (meta and re.search(r"type=(sha|semver)", tags_text)) and \
            "github.sha" not in tags_text.lower() and "github_sha" not in tags_text.lower():
        problems.append(T("no SHA/semver tags (docker/metadata-action with type=sha, "
                          "type=semver)", "sin etiquetas SHA/semver (docker/metadata-action con "
                          "type=sha, type=semver)"))
    ghcr = "ghcr.io" in str(job.raw) or "ghcr.io" in str(wf.raw.get("env", ""))
    if ghcr:
        perms = job.raw.get("permissions", wf.raw.get("permissions"))
        if not (isinstance(perms, dict) and str(perms.get("packages", "")) == "write") and \
                perms != "write-all":
            problems.append(T("pushes to GHCR without 'permissions: packages: write'",
                              "publica en GHCR sin 'permissions: packages: write'"))
    return problems


def _deploy_problems(builds: list[Build]) -> tuple[list[T], T]:
    """The deploy jobs without an ``environment:``, and a note naming those that deploy
    to a throwaway cluster (not judged)."""
    deploys = [j for w in {b.workflow.path: b.workflow for b in builds}.values()
               for j in w.jobs if _is_deploy(j) and "environment" not in j.raw]
    # a deploy to a cluster created on the runner (kind, minikube, k3d) is a test, not a release
    ephemeral = [(j.id, c) for j in deploys if (c := _ephemeral_cluster(j))]
    unprotected = [j for j in deploys if not _ephemeral_cluster(j)]
    problems = [T(f"deploy job {deploy.id} has no 'environment:' (no protection rules "
                  "or approval)", f"el job de despliegue {deploy.id} no tiene "
                  "'environment:' (sin reglas de protección ni aprobación)")
                for deploy in unprotected]
    note = T("", "")
    if ephemeral:
        listed = ", ".join(f"{name} ({how})" for name, how in ephemeral[:3])
        note = T(f" (not judged as releases: deploys to a throwaway cluster: {listed})",
                 f" (no se juzgan como publicaciones: despliegan en un clúster desechable: "
                 f"{listed})")
    return problems, note


def _template_release(ctx: Context, throwaway: list[Build]) -> Finding | None:
    """``skipped`` when the only pushes go to a throwaway registry and a workflow template
    the repository ships pushes the generated project's image to a release registry."""
    if not throwaway:
        return None
    shipped = [b for b in image_builds(template_workflows(ctx.repo))
               if b.pushes and not b.local]
    if not shipped:
        return None
    test, release = throwaway[0], shipped[0]
    host = test.targets[0].split("/", 1)[0][:60]
    return skipped(T(f"not applicable: the repository's own CI pushes images only to a "
                     f"throwaway local registry ({host} in {test.workflow.path}, an "
                     "end-to-end test), so it has no image of its own to release; the "
                     "delivery it ships for generated projects is the workflow template "
                     f"{release.workflow.path} (job {release.job.id} pushes the image)",
                     f"no aplica: la CI del propio repositorio publica imágenes solo en un "
                     f"registro local desechable ({host} en {test.workflow.path}, una prueba "
                     "de extremo a extremo), así que no tiene imagen propia que publicar; la "
                     "entrega que ofrece a los proyectos generados es la plantilla de "
                     f"workflow {release.workflow.path} (el job {release.job.id} publica la "
                     "imagen)"), release.workflow.path, level=3)


def _delivery_l3(ctx: Context, builds: list[Build]) -> Iterator[Finding]:
    pushes = [b for b in builds if b.pushes and not b.local]
    throwaway = [b for b in builds if b.pushes and b.local]
    if not pushes:
        yield _template_release(ctx, throwaway) or _never_pushed(builds, throwaway)
        return
    push = pushes[0]
    wf, job = push.workflow, push.job
    deploy_problems, note = _deploy_problems(builds)
    problems = _push_problems(push) + deploy_problems
    head = T(f"{job.id} pushes the image", f"{job.id} publica la imagen")
    if problems:
        yield failed(head + T(": ", ": ") + T.join(problems) + note, wf.path, push.step.line,
                     level=3)
    else:
        yield passed(head + T(" from main only, with SHA/semver tags",
                              " solo desde main, con etiquetas SHA/semver") + note, wf.path,
                     push.step.line, level=3)
