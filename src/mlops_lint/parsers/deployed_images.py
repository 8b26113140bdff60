"""Where the repository runs the image a Dockerfile builds, and what its code listens on.

Used by the Docker rules (rules/docker/) so that a finding about an image states
what the repository really does with it (the port and routes its code serves, the
Kubernetes containers that run it) instead of the guide's defaults (port 8000,
``/health``, uvicorn).

A Dockerfile is linked to the containers of the repository's Kubernetes manifests that
run its image when one of these holds:

* a Skaffold ``build.artifacts`` entry builds it (``context`` + ``docker.dockerfile``)
  under an image name the container uses (``image: orders``);
* the container's image name ends in the Dockerfile's folder name (``…/order-api:v1``
  for ``order_api/Dockerfile``; ``-`` and ``_`` alike), and the manifest lies
  beside that folder (under its parent directory);
* the manifest lies in the Dockerfile's own folder, the folder has one Dockerfile, and
  the container's image is a placeholder filled at deploy time (``${IMAGE_URI}``).

Nothing here executes or imports the repository; reads are bounded.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint import lazy_re
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.dockerfile import Dockerfile, dockerfile_paths
from mlops_lint.parsers.kubernetes import read_manifests

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

SKAFFOLD_GLOBS = ("skaffold.yaml", "skaffold.yml", "**/skaffold.yaml", "**/skaffold.yml",
                  "skaffold*.yaml", "**/skaffold*.yaml")
BATCH = frozenset({"Job", "CronJob", "JobSet", "PyTorchJob", "TFJob", "MPIJob", "RayJob",
                   "Workflow", "CronWorkflow", "WorkflowTemplate"})
_PLACEHOLDER = lazy_re.compile(r"\$\{|\$\(|<[^>]*>|\{\{|^[A-Z][A-Z0-9_]*$")
_GENERIC_FOLDERS = frozenset({"", ".", "src", "app", "apps", "docker", "build", "image",
                              "images", "server", "service", "services", "api", "deploy",
                              "container", "containers", "code", "source"})
_MAX_DEPTH = 14


@dataclass(frozen=True)
class Deployed:
    """A container of a manifest that runs a Dockerfile's image."""

    path: str  # the manifest
    line: int | None
    kind: str  # the top-level object's kind
    name: str  # the object's name
    container: str
    spec: dict[str, Any]  # the container
    pod: dict[str, Any]  # the pod spec holding it
    how: str  # how the link was made, for messages

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @property
    def long_running(self) -> bool:
        if self.kind in BATCH:
            return False
        return str(self.pod.get("restartPolicy", "Always")) == "Always"


def _norm(name: str) -> str:
    return name.lower().replace("_", "-")


def image_repository(ref: str) -> str:
    """``reg.io/team/app:v1@sha256:…`` → ``reg.io/team/app``."""
    text = ref.strip().split("@", 1)[0]
    if text.rfind(":") > text.rfind("/"):
        text = text[:text.rfind(":")]
    return text


def _last(ref: str) -> str:
    return _norm(image_repository(ref).rsplit("/", 1)[-1])


def skaffold_artifacts(repo: Repo) -> list[tuple[str, str, str]]:
    """(image name, Dockerfile path, skaffold file) of every Skaffold build artifact."""
    cached = repo.memo.get("docker:skaffold")
    if cached is not None:
        result: list[tuple[str, str, str]] = cached
        return result
    found: list[tuple[str, str, str]] = []
    for path in repo.glob(SKAFFOLD_GLOBS):
        docs = repo.yaml_all(path)
        if isinstance(docs, ParseError):
            continue
        base = str(PurePosixPath(path).parent)
        for doc in docs:
            if not isinstance(doc, dict) or not str(doc.get("apiVersion", "")).startswith(
                    "skaffold/"):
                continue
            build = doc.get("build")
            artifacts = build.get("artifacts") if isinstance(build, dict) else None
            for item in artifacts if isinstance(artifacts, list) else []:
                if not isinstance(item, dict) or not isinstance(item.get("image"), str):
                    continue
                context = str(item.get("context", "."))
                docker = item.get("docker")
                name = str(docker.get("dockerfile", "Dockerfile")) if isinstance(
                    docker, dict) else "Dockerfile"
                dockerfile = posixpath.normpath(posixpath.join(base, context, name))
                found.append((item["image"], dockerfile, path))
    repo.memo["docker:skaffold"] = found
    return found


def _pod_specs(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every mapping with a ``containers`` list (a pod spec), at any depth."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, dict):
        if isinstance(node.get("containers"), list):
            yield node
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _pod_specs(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _pod_specs(item, depth + 1)


def _all_containers(repo: Repo) -> list[Deployed]:
    """Every (non-init) container of the repository's manifests, unlinked (``how`` empty)."""
    cached = repo.memo.get("docker:k8s-containers")
    if cached is not None:
        result: list[Deployed] = cached
        return result
    manifests = read_manifests(repo)
    lines: dict[tuple[str, int, str], int | None] = {}
    for workload in manifests.workloads:
        for container in workload.containers:
            lines.setdefault((workload.path, workload.obj.doc_index, container.name),
                             container.line)
    found: list[Deployed] = []
    for obj in manifests.objects:
        for pod in _pod_specs(obj.doc):
            for item in pod["containers"]:
                if not isinstance(item, dict) or not isinstance(item.get("image"), str):
                    continue
                name = str(item.get("name", ""))
                line = lines.get((obj.path, obj.doc_index, name), obj.line)
                found.append(Deployed(obj.path, line, obj.kind, obj.name, name, item, pod, ""))
    repo.memo["docker:k8s-containers"] = found
    return found


def _container_facts(repo: Repo) -> list[tuple[Deployed, str, str, str, str]]:
    """(container, image, image repository, last name of the image, manifest folder) of
    every container: what :func:`deployments` compares, computed once per run."""
    cached = repo.memo.get("docker:container-facts")
    if cached is not None:
        result: list[tuple[Deployed, str, str, str, str]] = cached
        return result
    folders: dict[str, str] = {}
    found = []
    for c in _all_containers(repo):
        image = str(c.spec["image"]).strip()
        folder = folders.get(c.path)
        if folder is None:
            folder = folders[c.path] = str(PurePosixPath(c.path).parent)
        found.append((c, image, image_repository(image), _last(image), folder))
    repo.memo["docker:container-facts"] = found
    return found


def _dockerfiles_per_folder(repo: Repo) -> dict[str, int]:
    cached = repo.memo.get("docker:dockerfiles-per-folder")
    if cached is not None:
        result: dict[str, int] = cached
        return result
    counts: dict[str, int] = {}
    for path in dockerfile_paths(repo):
        folder = str(PurePosixPath(path).parent)
        counts[folder] = counts.get(folder, 0) + 1
    repo.memo["docker:dockerfiles-per-folder"] = counts
    return counts


@dataclass(frozen=True)
class _Origin:
    """Where an image is built: its Dockerfile's folder, what names tie a container to it."""

    folder: str
    folder_name: str  # normalised; "" at the root
    parent: str
    skaffold: dict[str, str]  # image repository -> the skaffold file that builds it so
    alone: bool  # the only Dockerfile of its folder
    named: bool  # a folder name specific enough to match an image name

    def link(self, c: Deployed, image: str, repository: str, last: str,
             manifest_dir: str) -> str:
        """How the container runs this image, or "" when it does not."""
        for name, skaffold in self.skaffold.items():
            if repository == name or repository.endswith("/" + name):
                return f"{skaffold} builds it as {name}"
        if self.named and last == self.folder_name and (
                self.parent == "." or manifest_dir == self.parent
                or manifest_dir.startswith(self.parent + "/")):
            return f"its image {image} is named after {self.folder}/"
        if self.folder != "." and self.alone and manifest_dir == self.folder and \
                _PLACEHOLDER.search(image):
            return f"{c.path} lies beside it and fills the image in at deploy time ({image})"
        return ""


def _origin(repo: Repo, df: Dockerfile) -> _Origin:
    folder = str(PurePosixPath(df.path).parent)
    folder_name = _norm(PurePosixPath(folder).name) if folder != "." else ""
    parent = str(PurePosixPath(folder).parent) if folder != "." else "."
    if parent != "." and _norm(PurePosixPath(parent).name) in _GENERIC_FOLDERS:
        # <project>/docker/<image>/Dockerfile with <project>/manifests/…: the folder of
        # images is no scope of its own, the project around it is
        parent = str(PurePosixPath(parent).parent)
    return _Origin(
        folder, folder_name,
        parent,
        {image_repository(image): skaffold for image, dockerfile, skaffold
         in skaffold_artifacts(repo) if dockerfile == df.path},
        _dockerfiles_per_folder(repo).get(folder, 0) == 1,
        folder_name not in _GENERIC_FOLDERS)


def deployments(repo: Repo, df: Dockerfile) -> list[Deployed]:
    """The manifest containers that run the image ``df`` builds (see the module doc)."""
    key = f"docker:deployed:{df.path}"
    cached = repo.memo.get(key)
    if cached is not None:
        result: list[Deployed] = cached
        return result
    containers = _container_facts(repo)
    out: list[Deployed] = []
    if containers:
        origin = _origin(repo, df)
        for c, image, repository, last, manifest_dir in containers:
            how = origin.link(c, image, repository, last, manifest_dir)
            if how:
                out.append(Deployed(c.path, c.line, c.kind, c.name, c.container, c.spec,
                                    c.pod, how))
    repo.memo[key] = out
    return out


def nearby(repo: Repo, df: Dockerfile) -> list[Deployed]:
    """Long-running containers of the manifests in the Dockerfile's folder or the folder
    above it that :func:`deployments` does not tie to its image (a registry path or a
    name unlike the folder's): they may run it, which a fix can say, never assume."""
    folder = str(PurePosixPath(df.path).parent)
    places = {folder, str(PurePosixPath(folder).parent)} if folder != "." else {"."}
    linked = {(d.path, d.line, d.container) for d in deployments(repo, df)}
    out = []
    for c, _, _, _, manifest_dir in _container_facts(repo):
        if manifest_dir in places and c.long_running and \
                (c.path, c.line, c.container) not in linked:
            how = "beside it" if manifest_dir == folder else "in the folder above it"
            out.append(Deployed(c.path, c.line, c.kind, c.name, c.container, c.spec, c.pod,
                                how))
    return out


# -- what a deployment says -----------------------------------------------------------


def run_as_user(d: Deployed) -> int | None:
    """The uid the container runs as when its securityContext sets one (container first,
    then the pod)."""
    for holder in (d.spec, d.pod):
        context = holder.get("securityContext")
        if isinstance(context, dict):
            value = context.get("runAsUser")
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return None


PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


def probe_label(d: Deployed) -> str | None:
    """``readinessProbe grpc :50051, livenessProbe grpc :50051`` or None without probes."""
    parts = []
    for key in PROBES:
        probe = d.spec.get(key)
        if not isinstance(probe, dict):
            continue
        kind = next((k for k in ("httpGet", "grpc", "tcpSocket", "exec") if k in probe), None)
        if kind is None:
            continue
        body = probe[kind]
        detail = ""
        if isinstance(body, dict):
            if body.get("port") is not None:
                detail = f" :{body['port']}"
            if kind == "httpGet" and isinstance(body.get("path"), str):
                detail += str(body["path"])[:60]
        parts.append(f"{key} {kind}{detail}")
    return ", ".join(parts) or None


def container_ports(d: Deployed) -> list[str]:
    ports = d.spec.get("ports")
    out = []
    for item in ports if isinstance(ports, list) else []:
        if isinstance(item, dict) and isinstance(item.get("containerPort"), int):
            out.append(str(item["containerPort"]))
    return out


# kinds whose operator starts the containers with its own command (KubeRay runs
# ``ray start`` in every head and worker container, whatever the image's CMD)
OPERATOR_COMMANDS = {"RayCluster": ("KubeRay", "ray start"),
                     "RayJob": ("KubeRay", "ray start"),
                     "RayService": ("KubeRay", "ray start")}


def command_of(d: Deployed) -> str | None:
    """The command (or args) the container spec gives, as text."""
    for key in ("command", "args"):
        value = d.spec.get(key)
        if isinstance(value, list) and value:
            return " ".join(str(v) for v in value)[:100]
        if isinstance(value, str) and value.strip():
            return value.strip()[:100]
    return None


def operator_command(d: Deployed) -> tuple[str, str] | None:
    """(operator, command) when an operator starts the container with its own command
    (a RayCluster's head and workers), else None."""
    return OPERATOR_COMMANDS.get(d.kind)
