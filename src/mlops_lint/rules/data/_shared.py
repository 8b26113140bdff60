"""What the DVC rules (DATA001-DATA004) share: where the DVC repository is, its YAML files
read once with line numbers, and the paths its pointers and stages name."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.globs import is_test_data
from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt

DVC_CONFIG = ".dvc/config"


MAX_LISTED = 5


Stages = dict[str, tuple[dict[str, Any], int | None]]  # name -> (body, line)


def dvc_yaml(ctx: Context, path: str) -> Any:
    """A DVC YAML file (pointer, dvc.yaml, dvc.lock) read once, with line numbers."""
    return ctx.repo.parse(path, load_yaml_rt)


def join(base: str, path: str) -> str:
    joined = PurePosixPath(path) if base in ("", ".") else PurePosixPath(base) / path
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _dvc_files_beside(ctx: Context, base: str) -> bool:
    """Whether ``base`` holds a dvc.yaml, a dvc.lock or a *.dvc pointer."""
    prefix = base + "/"
    return any(ctx.repo.exists(prefix + name) for name in ("dvc.yaml", "dvc.lock")) or any(
        p.startswith(prefix) for p in ctx.repo.glob(["**/*.dvc"]))


def dvc_config(ctx: Context) -> str:
    """The DVC repository's config: the root's ``.dvc/config``; without one, the config of
    a DVC repository initialised in a sub-folder (``dvc init --subdir``), those with a
    pipeline or pointers beside them first, then the shallowest. Never one inside test
    data (a fixture). :data:`DVC_CONFIG` when there is none."""
    if ctx.repo.exists(DVC_CONFIG):
        return DVC_CONFIG
    found = [p for p in ctx.repo.glob(["**/.dvc/config"])
             if p != DVC_CONFIG and not is_test_data(p)]
    if not found:
        return DVC_CONFIG
    return min(found, key=lambda p: (not _dvc_files_beside(ctx, p[:-len("/" + DVC_CONFIG)]),
                                     p.count("/"), p))


def stage_entries(value: Any) -> list[tuple[str, dict[str, Any], int | None]]:
    """``deps``/``outs``/``metrics`` items: (path, options, line)."""
    out: list[tuple[str, dict[str, Any], int | None]] = []
    for index, item in enumerate(value if isinstance(value, list) else []):
        line = line_of(value, index=index)
        if isinstance(item, str):
            out.append((item, {}, line))
        elif isinstance(item, dict):
            for key, options in item.items():
                out.append((str(key), dict(options) if isinstance(options, dict) else {}, line))
    return out


def stage_bodies(data: Any) -> Stages:
    stages = data.get("stages") if isinstance(data, dict) else None
    out: dict[str, tuple[dict[str, Any], int | None]] = {}
    if not isinstance(stages, dict):
        return out
    for name, body in stages.items():
        if isinstance(body, dict) and isinstance(body.get("do"), dict):
            body = body["do"]  # foreach/do
        if isinstance(body, dict):
            out[str(name)] = (body, line_of(stages, key=name))
    return out
