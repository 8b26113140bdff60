"""Images CI jobs run in: a Dockerfile that a CI file builds under the repository name
of a container another job runs in (GitHub ``jobs.<id>.container``, GitLab ``image:``,
Azure ``resources.containers`` and ``container:``) is a CI job container, not a service
runtime; DOCK001, DOCK005 and DOCK006 judge it as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import other_ci_files, workflows
from mlops_lint.parsers.dockerfile import Dockerfile

_BOUNDARY_BEFORE = "/'\" \t=:(,["


_BOUNDARY_AFTER = "'\" \t:@),]\n"


_MAX_CI_TEXT = 500_000


def _image_repository(ref: str) -> str | None:
    """``mcr.microsoft.com/mlops/python:latest`` → ``mlops/python``: the repository path
    without registry host, tag or digest; None unless it has an owner part (a bare
    ``python`` names a public image, not one the repository builds)."""
    text = ref.strip().strip("'\"").split("@", 1)[0]
    if not text or len(text) > 300 or any(c.isspace() for c in text):
        return None
    if text.rfind(":") > text.rfind("/"):
        text = text[:text.rfind(":")]
    parts = text.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if len(parts) < 2 or not all(parts):
        return None
    return "/".join(parts)


def _mentions(text: str, needle: str) -> bool:
    """``needle`` occurs in ``text`` as a whole path or image name."""
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        if (start == 0 or text[start - 1] in _BOUNDARY_BEFORE) and (
                end == len(text) or text[end] in _BOUNDARY_AFTER):
            return True
        start = text.find(needle, start + 1)
    return False


def _container_values(node: Any, system: str, depth: int = 0) -> Iterator[str]:
    """Image references a CI file runs jobs in: GitLab ``image:`` (or ``image: {name}``),
    Azure ``resources.containers[].image`` and inline ``container:`` images."""
    if depth > 30:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            name = str(key)
            if name == "image" and system in ("gitlab", "azure"):
                if isinstance(value, str):
                    yield value
                elif isinstance(value, dict) and isinstance(value.get("name"), str):
                    yield value["name"]
            elif name == "container" and system == "azure" and isinstance(value, str) \
                    and ("/" in value or ":" in value):
                yield value
            else:
                yield from _container_values(value, system, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _container_values(item, system, depth + 1)


def ci_job_images(ctx: Context) -> list[tuple[str, str]]:
    """(image reference, CI file) of every container CI jobs run in: GitHub
    ``jobs.<id>.container``, GitLab ``image:``, Azure ``resources.containers`` and
    ``container:``."""
    cached = ctx.repo.memo.get("docker:ci-job-images")
    if cached is not None:
        result: list[tuple[str, str]] = cached
        return result
    found: list[tuple[str, str]] = []
    for wf in workflows(ctx.repo):
        if isinstance(wf, ParseError):
            continue
        for job in wf.jobs:
            container = job.raw.get("container")
            if isinstance(container, dict):
                container = container.get("image")
            if isinstance(container, str):
                found.append((container, wf.path))
    for system, paths in other_ci_files(ctx.repo).items():
        if system not in ("gitlab", "azure"):
            continue
        for path in paths:
            data = ctx.repo.yaml(path)
            if not isinstance(data, ParseError):
                found.extend((image, path) for image in _container_values(data, system))
    ctx.repo.memo["docker:ci-job-images"] = found
    return found


def _ci_texts(ctx: Context) -> list[tuple[str, str]]:
    """(path, text) of every CI file (GitHub workflows and the other systems')."""
    cached = ctx.repo.memo.get("docker:ci-texts")
    if cached is not None:
        result: list[tuple[str, str]] = cached
        return result
    paths = [wf.path for wf in workflows(ctx.repo) if not isinstance(wf, ParseError)]
    paths += [p for ps in other_ci_files(ctx.repo).values() for p in ps]
    texts = []
    for path in dict.fromkeys(paths):
        text = ctx.repo.text(path)
        if isinstance(text, str) and len(text) <= _MAX_CI_TEXT:
            texts.append((path, text))
    ctx.repo.memo["docker:ci-texts"] = texts
    return texts


_BUILDS = lazy_re.compile(r"docker\s+build|buildx\s+build|build-push-action|Docker@\d|"
                          r"kaniko|buildah\s+bud|podman\s+build")


def ci_job_image(ctx: Context, df: Dockerfile) -> T | None:
    """Why ``df`` builds an image CI jobs run in, or None: a CI file builds it (names its
    path) under the repository name of a container another job runs in."""
    images = [(ref, path, repo) for ref, path in ci_job_images(ctx)
              if (repo := _image_repository(ref))]
    if not images:
        return ci_template_image(ctx, df)
    for build_path, text in _ci_texts(ctx):
        named = _mentions(text, df.path) or (df.path == "Dockerfile" and _BUILDS.search(text))
        if not named:
            continue
        for ref, used_in, repository in images:
            if _mentions(text, repository):
                return T(f"{df.path} builds an image CI jobs run in: {build_path} builds it "
                         f"({repository}) and {used_in} runs jobs in {ref}; a CI job container, "
                         "not a service runtime",
                         f"{df.path} construye una imagen en la que corren jobs de CI: "
                         f"{build_path} la construye ({repository}) y {used_in} ejecuta jobs "
                         f"en {ref}; un contenedor de jobs de CI, no un servicio en ejecución")
    return ci_template_image(ctx, df)


# CI configuration files, templates of them included (``.gitlab-ci.yml.tpl``,
# ``cloudbuild.yaml.tpl``): a sample ships the pipeline its users install
_CI_NAME = lazy_re.compile(r"^(?:\.?gitlab-ci|cloudbuild|azure-pipelines|bitbucket-pipelines)"
                           r"[\w.-]{0,40}$|^\.gitlab-ci\.[\w.-]{0,40}$", re.IGNORECASE)
# ``image: <ref>``, ``image:`` then ``name: <ref>`` (GitLab), ``- name: <ref>`` (a Cloud
# Build step), one line each
_IMAGE_LINE = lazy_re.compile(r"^\s{0,40}(?:-\s{1,8})?(?:image|name)\s{0,8}:\s{0,8}"
                              r"['\"]?([^\s'\"#]{3,300})")
_MAX_CI_FILES = 40


def _template_images(ctx: Context, folder: str) -> Iterator[tuple[str, str]]:
    """(image reference, CI file) of the jobs or steps the CI files and CI templates under
    ``folder`` run in."""
    prefix = "" if folder in ("", ".") else folder + "/"
    paths = [p for p in ctx.repo.files if p.startswith(prefix) and
             _CI_NAME.match(PurePosixPath(p).name)][:_MAX_CI_FILES]
    for path in paths:
        text = ctx.repo.text(path)
        if not isinstance(text, str) or len(text) > _MAX_CI_TEXT:
            continue
        for line in text.splitlines():
            found = _IMAGE_LINE.match(line)
            if found and _image_repository(found.group(1)):
                yield found.group(1), path


def _program_names(df: Dockerfile) -> set[str]:
    """Names the image gives its own program: the file names COPY/ADD put in a bin
    directory of the final stage (``/usr/local/bin/report-tool``)."""
    names: set[str] = set()
    final = df.final
    for inst in final.instructions if final is not None else df.instructions:
        if inst.cmd in ("COPY", "ADD"):
            target = inst.value.split()[-1] if inst.value.split() else ""
            if "/bin/" in target and not target.endswith("/"):
                names.add(PurePosixPath(target).name)
    return {n for n in names if len(n) >= 4}


def ci_template_image(ctx: Context, df: Dockerfile) -> T | None:
    """Why ``df`` builds an image CI jobs run in, read from the CI files and templates of
    its own folder: a job or step runs in an image named after the program the Dockerfile
    installs (``COPY ... /usr/local/bin/<name>``, image ``.../<name>:v1``)."""
    programs = _program_names(df)
    if not programs:
        return None
    folder = PurePosixPath(df.path).parent.as_posix()
    for ref, used_in in _template_images(ctx, folder):
        repository = _image_repository(ref) or ""
        name = repository.rsplit("/", 1)[-1]
        if name in programs:
            return T(f"{df.path} builds an image CI jobs run in: it installs {name}, and "
                     f"{used_in} runs a job or step in {ref}; a CI job container, not a "
                     "service runtime",
                     f"{df.path} construye una imagen en la que corren jobs de CI: instala "
                     f"{name}, y {used_in} ejecuta un job o paso en {ref}; un contenedor de "
                     "jobs de CI, no un servicio en ejecución")
    return None
