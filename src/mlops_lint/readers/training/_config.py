"""Hydra-style configuration (``_target_`` entries) read once, YAML and text read with their
errors kept, and the project name used in fix texts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.training._common import CONFIG_YAML, parse_skip

# -- Hydra-style configuration ---------------------------------------------------------


def _targets(data: object, out: list[tuple[str, dict[str, Any]]], depth: int = 0) -> None:
    if depth > 20 or len(out) > 500:
        return
    if isinstance(data, dict):
        target = data.get("_target_", data.get("class_path"))
        if isinstance(target, str) and len(target) < 300:
            init_args = data.get("init_args")
            out.append((target, init_args if isinstance(init_args, dict) else data))
        for value in data.values():
            _targets(value, out, depth + 1)
    elif isinstance(data, list):
        for value in data:
            _targets(value, out, depth + 1)


def config_mappings(ctx: Context) -> list[tuple[str, str, dict[str, Any]]]:
    """Objects declared by configuration files (Hydra ``_target_:``, Lightning CLI
    ``class_path:``) with their arguments:
    ``[(path, "lightning.pytorch.loggers.WandbLogger", {"project": ...}), ...]``."""
    key = f"phase3:targets:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: list[tuple[str, str, dict[str, Any]]] = cached
        return result
    result = []
    errors: list[ParseError] = []
    for path in ctx.files(CONFIG_YAML):
        data = ctx.repo.yaml(path)
        if isinstance(data, ParseError):
            errors.append(data)
            continue
        found: list[tuple[str, dict[str, Any]]] = []
        _targets(data, found)
        result.extend((path, target, body) for target, body in found)
    ctx.repo.memo[key] = result
    ctx.repo.memo[key + ":errors"] = errors
    return result


def config_errors(ctx: Context) -> list[ParseError]:
    """Configuration files :func:`config_mappings` could not read (checks that use it, or
    :func:`frameworks`, report them)."""
    config_mappings(ctx)
    errors: list[ParseError] = ctx.repo.memo.get(f"phase3:targets:{ctx.project.path}:errors",
                                                  [])
    return errors


def read_yaml(ctx: Context, path: str | None, errors: list[ParseError]) -> object:
    """``ctx.repo.yaml(path)``, with a read problem noted in ``errors`` (``None`` then)."""
    if path is None:
        return None
    data = ctx.repo.yaml(path)
    if isinstance(data, ParseError):
        errors.append(data)
        return None
    return data


def read_text(ctx: Context, path: str, errors: list[ParseError]) -> str | None:
    text = ctx.repo.text(path)
    if isinstance(text, ParseError):
        errors.append(text)
        return None
    return text


def skips(errors: Iterable[ParseError]) -> Iterator[Finding]:
    """One ``skip`` per unreadable file (each named once)."""
    seen: set[tuple[str, str]] = set()
    for error in errors:
        key = (error.path, error.message)
        if key not in seen:
            seen.add(key)
            yield parse_skip(error)


def config_targets(ctx: Context) -> list[tuple[str, str]]:
    """``[(path, class name), ...]`` of :func:`config_mappings`."""
    return [(path, target) for path, target, _ in config_mappings(ctx)]


# -- names for fix texts ----------------------------------------------------------------


def project_name(ctx: Context, errors: list[ParseError]) -> str:
    """The project's own name for fix texts: ``[project].name`` / Poetry name, else the
    directory name."""
    pyproject = ctx.first("pyproject.toml")
    if pyproject:
        document = ctx.repo.toml(pyproject)
        if isinstance(document, ParseError):
            errors.append(document)
        else:
            for keys in (("project", "name"), ("tool", "poetry", "name")):
                name = dig(document, *keys)
                if isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9][\w.-]{0,60}", name):
                    return name
    base = ctx.project.path if ctx.project.path != "." else ctx.repo.root.name
    name = PurePosixPath(base).name
    return name if re.fullmatch(r"[A-Za-z0-9][\w.-]{0,60}", name) else "model"
