"""Well-known equivalents of a compose stack for running a project's services locally
(levels.md point 2): Skaffold (``skaffold dev`` builds the images of ``build.artifacts``
and deploys them to a local cluster, minikube or kind), Tilt (a ``Tiltfile`` that builds
images and applies manifests or charts) and DevSpace (``devspace.yaml`` with ``images``
and ``deployments``). DOCK011 credits them where a project has no compose file.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.deployed_images import SKAFFOLD_GLOBS, skaffold_artifacts
from mlops_lint.rules.docker._shared import inside

TILT_GLOBS = ("Tiltfile", "**/Tiltfile")
DEVSPACE_GLOBS = ("devspace.yaml", "devspace.yml", "**/devspace.yaml", "**/devspace.yml")
_TILT_BUILD = lazy_re.compile(r"\b(?:docker_build|custom_build)\s{0,4}\(")
_TILT_DEPLOY = lazy_re.compile(r"\b(?:k8s_yaml|helm|k8s_resource|k8s_custom_deploy)\s{0,4}\(")
MAX_TILTFILE = 200_000


@dataclass(frozen=True)
class DevStack:
    tool: str  # "Skaffold", "Tilt", "DevSpace"
    path: str
    images: int  # images it builds (0 when not counted)


def _skaffold(ctx: Context) -> DevStack | None:
    own = set(ctx.files(SKAFFOLD_GLOBS))
    counts: dict[str, int] = {}
    for _, dockerfile, path in skaffold_artifacts(ctx.repo):
        if path in own or (not ctx.is_root and inside(dockerfile, ctx.project.path)):
            counts[path] = counts.get(path, 0) + 1
    if not counts:
        return None
    path = max(sorted(counts), key=lambda p: counts[p])
    return DevStack("Skaffold", path, counts[path])


def _tilt(ctx: Context) -> DevStack | None:
    for path in ctx.files(TILT_GLOBS):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            continue
        text = text[:MAX_TILTFILE]
        if _TILT_BUILD.search(text) and _TILT_DEPLOY.search(text):
            return DevStack("Tilt", path, 0)
    return None


def _devspace(ctx: Context) -> DevStack | None:
    for path in ctx.files(DEVSPACE_GLOBS):
        data = ctx.repo.yaml(path)
        if not isinstance(data, dict):
            continue
        images = data.get("images")
        if isinstance(images, dict) and images and isinstance(data.get("deployments"),
                                                               (dict, list)):
            return DevStack("DevSpace", path, len(images))
    return None


def dev_stack(ctx: Context) -> DevStack | None:
    """The project's local multi-service stack other than compose, if it has one."""
    return _skaffold(ctx) or _tilt(ctx) or _devspace(ctx)
