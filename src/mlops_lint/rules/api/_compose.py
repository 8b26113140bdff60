"""Compose stacks: ``docker compose`` merges ``compose.override.yml`` (or
``docker-compose.override.yml``) onto ``compose.yml`` (``docker-compose.yml``) by default,
so a service's settings are those of both files, the override winning key by key.

Files given together with ``-f`` in a command are not followed: each is read on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.globs import COMPOSE_FILES_ANYWHERE
from mlops_lint.parsers.dockerfile import own_paths
from mlops_lint.readers.unread import noted

_OVERRIDE = lazy_re.compile(r"^(?P<stem>.{1,100})\.override\.(?P<ext>ya?ml)$")


@dataclass(frozen=True)
class ComposeService:
    name: str
    path: str  # the file that defines it (the base file of a merged stack)
    config: dict[str, Any]  # merged over the stack's files
    files: tuple[str, ...]  # the files that define it, base first


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Compose's merge of one service: mappings merged key by key, the rest replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _services(ctx: Context, path: str) -> dict[str, dict[str, Any]]:
    doc = noted(ctx.repo.yaml(path))
    services = doc.get("services") if isinstance(doc, dict) else None
    if not isinstance(services, dict):
        return {}
    return {str(k): v for k, v in services.items() if isinstance(v, dict)}


def _base_of(path: str, paths: set[str]) -> str | None:
    """The base file an override file is merged onto, when it is present."""
    pure = PurePosixPath(path)
    match = _OVERRIDE.match(pure.name)
    if match is None:
        return None
    for ext in ("yml", "yaml"):
        base = str(pure.with_name(f"{match.group('stem')}.{ext}"))
        if base in paths:
            return base
    return None


def compose_services(ctx: Context) -> list[ComposeService]:
    """The services of the project's compose files, each override merged onto its base."""
    paths = own_paths(ctx.files(COMPOSE_FILES_ANYWHERE), ctx.repo)
    present = set(paths)
    overrides: dict[str, list[str]] = {}
    for path in paths:
        base = _base_of(path, present)
        if base is not None:
            overrides.setdefault(base, []).append(path)
    merged_away = {p for group in overrides.values() for p in group}
    out: list[ComposeService] = []
    for path in paths:
        if path in merged_away:
            continue
        services = {name: (config, [path]) for name, config in _services(ctx, path).items()}
        for override in overrides.get(path, []):
            for name, config in _services(ctx, override).items():
                before, files = services.get(name, ({}, []))
                services[name] = (_merge(before, config), [*files, override])
        out += [ComposeService(name, files[0], config, tuple(files))
                for name, (config, files) in services.items()]
    return out
