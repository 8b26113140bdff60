"""The project's compose files and their services: DOCK006 accepts the healthcheck of
the compose service that builds an image, DOCK011 judges the stack. A project in a
sub-folder gets its own compose files plus those elsewhere with a service built from its
directory; one with none of its own gets the files outside every project.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.globs import COMPOSE_FILES_ANYWHERE
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.dockerfile import own_paths
from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt
from mlops_lint.rules.docker._shared import inside

COMPOSE_GLOBS = COMPOSE_FILES_ANYWHERE


@dataclass(frozen=True)
class Service:
    name: str
    path: str  # compose file
    line: int | None
    body: dict[str, Any]

    def context(self) -> str | None:
        """Repository path of the build context, if the service builds an image."""
        build = self.body.get("build")
        if isinstance(build, str):
            context = build
        elif isinstance(build, dict):
            context = str(build.get("context", "."))
        else:
            return None
        if "://" in context or context.startswith("git@"):
            return None  # a remote context
        base = str(PurePosixPath(self.path).parent)
        return posixpath.normpath(posixpath.join(base, context))

    def dockerfile(self) -> str | None:
        """Repository path of the Dockerfile this service builds, if it builds one."""
        build = self.body.get("build")
        if build is None:
            return None
        context, name = ".", "Dockerfile"
        if isinstance(build, str):
            context = build
        elif isinstance(build, dict):
            context = str(build.get("context", "."))
            name = str(build.get("dockerfile", "Dockerfile"))
        base = str(PurePosixPath(self.path).parent)
        return posixpath.normpath(posixpath.join(base, context, name))


@dataclass
class Compose:
    files: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    broken: list[ParseError] = field(default_factory=list)
    top: dict[str, list[str]] = field(default_factory=dict)  # networks/volumes: names
    version: list[tuple[str, int | None]] = field(default_factory=list)


def _services_of(ctx: Context, path: str) -> list[Service]:
    data = ctx.repo.parse(path, load_yaml_rt)
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return []
    return [Service(str(name), path, line_of(services, key=name), body)
            for name, body in services.items() if isinstance(body, dict)]


def compose_paths(ctx: Context) -> list[str]:
    """The project's compose files: its own, plus the stacks elsewhere in the repository
    (a monorepo's root ``docker-compose.yml``) with a service built from the project's
    directory; a project with none of its own gets the files outside every project."""
    own = own_paths(ctx.files(COMPOSE_GLOBS, case_sensitive=False), ctx.repo)
    if ctx.project.path == ".":
        return own
    every = own_paths(ctx.repo.glob(COMPOSE_GLOBS, case_sensitive=False), ctx.repo)
    if not own:
        return [p for p in every
                if not any(inside(p, proj.path) for proj in ctx.repo.projects)]
    building = [p for p in every if p not in own and any(
        (context := s.context()) is not None
        and (context == ctx.project.path or inside(context, ctx.project.path))
        for s in _services_of(ctx, p))]
    return own + building


def load_compose(ctx: Context) -> Compose:
    out = Compose()
    for path in compose_paths(ctx):
        data = ctx.repo.parse(path, load_yaml_rt)
        if isinstance(data, ParseError):
            out.broken.append(data)
            continue
        out.files.append(path)
        if not isinstance(data, dict):
            continue
        if "version" in data:
            out.version.append((path, line_of(data, key="version")))
        services = data.get("services")
        if isinstance(services, dict):
            for name, body in services.items():
                if isinstance(body, dict):
                    out.services.append(Service(str(name), path, line_of(services, key=name),
                                                body))
        for key in ("networks", "volumes"):
            value = data.get(key)
            if isinstance(value, dict) and value:
                out.top.setdefault(key, []).extend(str(k) for k in value)
    return out


def healthcheck(service: Service) -> dict[str, Any] | None:
    value = service.body.get("healthcheck")
    if not isinstance(value, dict) or value.get("disable") is True:
        return None
    test = value.get("test")
    if isinstance(test, list) and test and str(test[0]).upper() == "NONE":
        return None
    return value if test else None
