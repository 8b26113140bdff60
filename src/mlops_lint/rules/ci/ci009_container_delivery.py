"""CI009: the image is built after the tests, with a layer cache, and smoke-tested
(level 2); pushed only from main with SHA/semver tags, ``packages: write`` for GHCR, and
the deploy jobs after the push (level 3). GitHub Actions only; not applicable where the
repository deploys nothing (:mod:`mlops_lint.readers.deployment`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers.ci import Job, Step, Workflow, parse_action
from mlops_lint.parsers.shell import Simple, split_commands
from mlops_lint.readers.ci_config import CIState, ci_state
from mlops_lint.readers.ci_tools import ALL_TESTS
from mlops_lint.readers.deployment import deployment
from mlops_lint.readers.image_builds import DOCKER_BUILD_ACTIONS, builds_image
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import (
    after,
    github_only,
    job_key,
    runs_of,
)

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


# a throwaway registry on the runner or inside a local test cluster (kind, k3d, minikube,
# ko's local sideload): an end-to-end test's push, not a release
_LOCAL_REGISTRY = lazy_re.compile(r"(localhost|127\.0\.0\.1|0\.0\.0\.0|kind-registry|"
                                  r"registry\.localhost|kind\.local|ko\.local|k3d-[\w.-]{1,60})"
                                  r"(:\d{1,5})?(/|$)", re.IGNORECASE)


# actions and commands that create a throwaway cluster on the runner
_EPHEMERAL_CLUSTER_ACTIONS = ("helm/kind-action", "engineerd/setup-kind",
                              "container-tools/kind-action", "medyagh/setup-minikube",
                              "manusa/actions-setup-minikube", "absaoss/k3d-action",
                              "nolar/setup-k3d-k3s", "debianmaster/actions-k3s")


@dataclass(frozen=True)
class _Build:
    workflow: Workflow
    job: Job
    index: int
    step: Step
    cached: bool
    pushes: bool
    text: str
    targets: tuple[str, ...] = ()  # the image references pushed, when the text names them

    @property
    def local(self) -> bool:
        """Every pushed reference goes to a throwaway local registry."""
        return bool(self.targets) and all(_LOCAL_REGISTRY.match(t) for t in self.targets)


def _push_targets(simple: Simple) -> tuple[str, ...]:
    """The registry references a builder command pushes to (skaffold --default-repo)."""
    args = simple.args
    for i, arg in enumerate(args):
        if arg.startswith("--default-repo="):
            return (arg.split("=", 1)[1],)
        if arg == "--default-repo" and i + 1 < len(args):
            return (args[i + 1],)
    return ()


def _action_tags(step: Step) -> tuple[str, ...]:
    tags = str(step.with_.get("tags", ""))[:2000]
    return tuple(t for t in re.split(r"[\s,]+", tags) if t)


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


def _builder_pushes(simple: Simple) -> bool:
    """Builders that push what they build: skaffold build/run to a --default-repo (or
    with --push), ko (unless --local), pack build --publish, gcloud builds submit."""
    program, args = simple.program, simple.args
    if program == "skaffold":
        return "--push=false" not in args and (
            "--push" in args or "--push=true" in args
            or any(a == "--default-repo" or a.startswith("--default-repo=") for a in args))
    if program == "ko":
        return not ({"--local", "-L", "--push=false"} & set(args))
    if program == "pack":
        return "--publish" in args
    return program == "gcloud" and args[:2] == ("builds", "submit")


def _builder_cache(simple: Simple, job: Job, index: int) -> bool:
    """skaffold's artifact cache kept between runs (actions/cache of ~/.skaffold/cache
    before the build)."""
    if simple.program != "skaffold":
        return False
    return any(s.uses and parse_action(s.uses).name == "actions/cache"
               and "skaffold" in str(s.with_.get("path", "")) for s in job.steps[:index])


def _image_builds(state: CIState) -> list[_Build]:
    out: list[_Build] = []
    for wf in state.workflows:
        for job in wf.jobs:
            for index, step in enumerate(job.steps):
                if step.uses and parse_action(step.uses).name.startswith(DOCKER_BUILD_ACTIONS):
                    cached = "cache-from" in step.with_
                    push = str(step.with_.get("push", "false")).strip().lower()
                    out.append(_Build(wf, job, index, step, cached, push != "false",
                                      step.uses, _action_tags(step)))
                elif step.run:
                    for simple in split_commands(step.run):
                        if builds_image(simple):
                            cached = any(a.startswith("--cache-from") for a in simple.args) \
                                or _builder_cache(simple, job, index)
                            out.append(_Build(wf, job, index, step, cached,
                                              _builder_pushes(simple), simple.line.strip(),
                                              _push_targets(simple)))
                        elif simple.program in ("docker", "podman") and \
                                simple.args[:1] == ("push",) and out and out[-1].job is job:
                            last = out[-1]
                            pushed = tuple(a for a in simple.args[1:2] if not a.startswith("-"))
                            out[-1] = _Build(last.workflow, last.job, last.index, last.step,
                                             last.cached, True, last.text,
                                             last.targets + (pushed or ("",)))
    return out


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
    builds = _image_builds(state)
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

    def after_tests(build: _Build) -> bool:
        if after(build.workflow, build.job, tests, by_name):
            return True
        key = (build.workflow.path, build.job.id)
        earlier = build.job.steps[:build.index]
        return key in tests and any(r.job is build.job and r.step in earlier
                                    for r in runs_of(ctx.repo, ALL_TESTS))

    def l2_problems(build: _Build) -> list[T]:
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
    yield from _delivery_l3(builds)


def _never_pushed(builds: list[_Build], throwaway: list[_Build]) -> Finding:
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


def _push_problems(push: _Build) -> list[T]:
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


def _deploy_problems(builds: list[_Build]) -> tuple[list[T], T]:
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


def _delivery_l3(builds: list[_Build]) -> Iterator[Finding]:
    pushes = [b for b in builds if b.pushes and not b.local]
    throwaway = [b for b in builds if b.pushes and b.local]
    if not pushes:
        yield _never_pushed(builds, throwaway)
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
