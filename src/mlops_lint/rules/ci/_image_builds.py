"""The container image builds of GitHub workflows: build actions and ``docker build``/
builder commands, with their layer cache, whether they push and where to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.parsers.ci import Job, Step, Workflow, parse_action
from mlops_lint.parsers.shell import Simple, split_commands
from mlops_lint.readers.image_builds import DOCKER_BUILD_ACTIONS, builds_image

# a throwaway registry on the runner or inside a local test cluster (kind, k3d, minikube,
# ko's local sideload): an end-to-end test's push, not a release
LOCAL_REGISTRY = lazy_re.compile(r"(localhost|127\.0\.0\.1|0\.0\.0\.0|kind-registry|"
                                  r"registry\.localhost|kind\.local|ko\.local|k3d-[\w.-]{1,60})"
                                  r"(:\d{1,5})?(/|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Build:
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
        return bool(self.targets) and all(LOCAL_REGISTRY.match(t) for t in self.targets)


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


def image_builds(flows: list[Workflow]) -> list[Build]:
    out: list[Build] = []
    for wf in flows:
        for job in wf.jobs:
            for index, step in enumerate(job.steps):
                if step.uses and parse_action(step.uses).name.startswith(DOCKER_BUILD_ACTIONS):
                    cached = "cache-from" in step.with_
                    push = str(step.with_.get("push", "false")).strip().lower()
                    out.append(Build(wf, job, index, step, cached, push != "false",
                                      step.uses, _action_tags(step)))
                elif step.run:
                    for simple in split_commands(step.run):
                        if builds_image(simple):
                            cached = any(a.startswith("--cache-from") for a in simple.args) \
                                or _builder_cache(simple, job, index)
                            out.append(Build(wf, job, index, step, cached,
                                              _builder_pushes(simple), simple.line.strip(),
                                              _push_targets(simple)))
                        elif simple.program in ("docker", "podman") and \
                                simple.args[:1] == ("push",) and out and out[-1].job is job:
                            last = out[-1]
                            pushed = tuple(a for a in simple.args[1:2] if not a.startswith("-"))
                            out[-1] = Build(last.workflow, last.job, last.index, last.step,
                                             last.cached, True, last.text,
                                             last.targets + (pushed or ("",)))
    return out
