"""Docker Compose files: services with their build context, ports, healthcheck, mounts.

Read with the round-trip YAML loader for line numbers. Paths (``build.context``,
``build.dockerfile``) are resolved against the compose file's directory into repository
paths. Hand-written files are untrusted: values of the wrong type are ignored.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

COMPOSE_GLOBS = ("**/docker-compose*.yml", "**/docker-compose*.yaml", "**/compose*.yml",
                 "**/compose*.yaml")


@dataclass(frozen=True)
class Mount:
    source: str | None
    target: str | None
    read_only: bool
    named: bool  # a named volume rather than a host path


@dataclass(frozen=True)
class Service:
    name: str
    line: int | None
    build: bool
    context: str | None  # repository path of the build context
    dockerfile: str | None  # repository path of the Dockerfile it builds
    image: str | None
    ports: tuple[str, ...]
    healthcheck: dict[str, Any] | None  # None when absent
    depends_on: dict[str, str | None]  # service -> condition
    mounts: tuple[Mount, ...]
    environment: dict[str, str | None]
    env_files: tuple[str, ...]
    profiles: tuple[str, ...]
    networks: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def has_healthcheck(self) -> bool:
        check = self.healthcheck
        if check is None:
            return False
        if check.get("disable") is True:
            return False
        test = check.get("test")
        return not (isinstance(test, list) and test[:1] == ["NONE"])

    def key_line(self, key: str) -> int | None:
        return line_of(self.raw, key=key) if key in self.raw else self.line


@dataclass(frozen=True)
class Compose:
    path: str
    services: tuple[Service, ...]
    networks: dict[str, Any]
    volumes: dict[str, Any]
    version_line: int | None  # line of the obsolete top-level ``version:`` key
    raw: dict[str, Any] = field(repr=False, compare=False)


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int | float))
    return ()


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _join(base: str, rel: str) -> str:
    joined = posixpath.normpath(posixpath.join(base, rel)) if base not in ("", ".") \
        else posixpath.normpath(rel)
    return joined


def _mount(entry: Any) -> Mount | None:
    if isinstance(entry, str):
        parts = entry.split(":")
        if len(parts) == 1:
            return Mount(None, parts[0], False, False)
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else ""
        named = not source.startswith((".", "/", "~", "$"))
        return Mount(source, target, "ro" in mode.split(","), named)
    if isinstance(entry, dict):
        value = entry.get("source")
        kind = entry.get("type")
        return Mount(str(value) if value is not None else None,
                     str(entry.get("target")) if entry.get("target") is not None else None,
                     entry.get("read_only") is True, kind == "volume")
    return None


def _environment(value: Any) -> dict[str, str | None]:
    if isinstance(value, dict):
        return {str(k): (None if v is None else str(v)) for k, v in value.items()}
    out: dict[str, str | None] = {}
    for item in _strs(value):
        name, sep, val = item.partition("=")
        out[name] = val if sep else None
    return out


def _depends(value: Any) -> dict[str, str | None]:
    if isinstance(value, dict):
        return {str(k): (str(_mapping(v).get("condition")) if _mapping(v).get("condition")
                         else None) for k, v in value.items()}
    return dict.fromkeys(_strs(value))


def _service(name: str, body: dict[str, Any], line: int | None, directory: str) -> Service:
    build = body.get("build")
    context = dockerfile = None
    if isinstance(build, str):
        context = _join(directory, build)
    elif isinstance(build, dict):
        ctx_value = build.get("context", ".")
        context = _join(directory, str(ctx_value)) if isinstance(ctx_value, str) else None
        file_value = build.get("dockerfile")
        if context is not None and isinstance(file_value, str):
            dockerfile = _join(context, file_value)
    if context is not None and dockerfile is None:
        dockerfile = _join(context, "Dockerfile")
    env_file = body.get("env_file")
    env_files = _strs(env_file) if not isinstance(env_file, list) else tuple(
        str(_mapping(e).get("path")) if isinstance(e, dict) else str(e) for e in env_file)
    networks = body.get("networks")
    return Service(
        name=name, line=line, build=build is not None, context=context, dockerfile=dockerfile,
        image=str(body["image"]) if isinstance(body.get("image"), str) else None,
        ports=tuple(str(p) for p in _list(body.get("ports"))),
        healthcheck=_mapping(body["healthcheck"]) if isinstance(body.get("healthcheck"),
                                                                 dict) else None,
        depends_on=_depends(body.get("depends_on")),
        mounts=tuple(m for m in (_mount(e) for e in _list(body.get("volumes"))) if m),
        environment=_environment(body.get("environment")),
        env_files=env_files,
        profiles=_strs(body.get("profiles")),
        networks=tuple(_mapping(networks)) if isinstance(networks, dict) else _strs(networks),
        raw=body,
    )


def parse_compose(text: str) -> dict[Any, Any]:
    data = load_yaml_rt(text)
    if not isinstance(data, dict):
        raise ValueError("a compose file must be a mapping")
    return data


def build_compose(path: str, raw: dict[Any, Any]) -> Compose:
    directory = str(PurePosixPath(path).parent)
    services_raw = raw.get("services") if isinstance(raw.get("services"), dict) else {}
    services = tuple(
        _service(str(name), body, line_of(services_raw, key=name), directory)
        for name, body in (services_raw or {}).items() if isinstance(body, dict))
    return Compose(path, services, _mapping(raw.get("networks")), _mapping(raw.get("volumes")),
                   line_of(raw, key="version") if "version" in raw else None, raw)


def compose_paths(repo: Repo) -> list[str]:
    return repo.glob(COMPOSE_GLOBS, case_sensitive=False)


def compose_files(repo: Repo, paths: list[str] | None = None) -> list[Compose | ParseError]:
    """Compose files of the repository (or ``paths``), parsed once per run."""
    out: list[Compose | ParseError] = []
    for path in paths if paths is not None else compose_paths(repo):
        key = f"compose:{path}"
        cached = repo.memo.get(key)
        if cached is None:
            parsed = repo.parse(path, parse_compose)
            cached = parsed if isinstance(parsed, ParseError) else build_compose(path, parsed)
            repo.memo[key] = cached
        out.append(cached)
    return out
