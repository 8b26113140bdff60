"""Container image builds in CI: the commands and actions that build an image from a
Dockerfile (so CI runs its RUN steps). Shared by the CI rules (job graph, container
delivery) and ENV002 (a lockfile installed by a Dockerfile CI builds)."""

from __future__ import annotations

from mlops_lint.parsers.shell import Simple
from mlops_lint.readers.ci_tools import ToolSpec

DOCKER_BUILD_ACTIONS = ("docker/build-push-action",)


def builds_image(simple: Simple) -> bool:
    program, args = simple.program, simple.args
    if program in ("docker", "podman") and (
            args[:1] == ("build",) or args[:2] in (("buildx", "build"), ("image", "build"),
                                                   ("compose", "build"), ("buildx", "bake"))):
        return True
    if program == "docker-compose" and args[:1] == ("build",):
        return True
    # image builders that wrap the Dockerfile build: skaffold, ko, Cloud Native Buildpacks
    if program == "skaffold" and args[:1] in (("build",), ("run",), ("dev",)):
        return True
    if (program == "ko" and args[:1] in (("build",), ("publish",), ("apply",), ("resolve",))) \
            or (program == "pack" and args[:1] == ("build",)):
        return True
    return program in ("buildah", "kaniko", "executor") or (
        program == "gcloud" and args[:2] == ("builds", "submit"))


# a container image built in CI (a Dockerfile's RUN steps run there)
IMAGE_BUILD = ToolSpec("docker build", "build", builds_image, frozenset(),
                       (*DOCKER_BUILD_ACTIONS, "redhat-actions/buildah-build"))
