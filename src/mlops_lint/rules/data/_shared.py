"""What the DVC rules (DATA001-DATA004) share: where the DVC repository is, its YAML files
read once with line numbers, the paths its pointers and stages name, and whether the
repository's only data paths are a scaffold's (a project template generator's
``{{ cookiecutter.repo_name }}/data/raw/.gitkeep``), which makes them not applicable."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.globs import is_test_data
from mlops_lint.model import Finding, T, skipped
from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt
from mlops_lint.readers.templates import templated_path
from mlops_lint.repo import SCAFFOLD_DIRS

DVC_CONFIG = ".dvc/config"

# the data paths that make DATA001-DATA004 applicable: the ``applies_if`` of their
# metadata (tests/test_phase2_data.py keeps the two the same)
DATA_PATHS = ("{,*/}{data,datasets}/**/*.{csv,tsv,parquet,feather,jsonl,xlsx,xls,arrow,h5,npy,"
              "npz,pkl,zip,gz}", "{,*/}{data,datasets}/**/.gitkeep",
              "*.{csv,tsv,parquet,feather,xlsx}", "**/*.dvc", "**/dvc.yaml", ".dvc/config")


def _scaffold_path(path: str) -> bool:
    """A file of a scaffold: a template placeholder in its path, or under ``templates/``."""
    return templated_path(path) or any(
        part.lower() in SCAFFOLD_DIRS for part in PurePosixPath(path).parts[:-1])


def _dvc_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return name in ("dvc.yaml", "config") or name.endswith(".dvc")


def scaffold_data_only(ctx: Context) -> Finding | None:
    """``skipped`` when every data path of the repository belongs to a scaffold that uses
    no DVC (data folders kept with ``.gitkeep``): a project template generator has no data
    of its own to version. A scaffold that ships a DVC pipeline or pointers is judged as
    the generated project's (DATA004 reads a template pipeline)."""
    found = ctx.files(DATA_PATHS)
    if not found or not all(_scaffold_path(p) and not _dvc_file(p) for p in found):
        return None
    shown = ", ".join(found[:3]) + (", …" if len(found) > 3 else "")
    return skipped(T(f"not applicable: the only data paths belong to a project template "
                     f"that uses no DVC ({shown}), copied into the projects generated from "
                     "this repository; it has no data of its own to version",
                     f"no aplica: las únicas rutas de datos pertenecen a una plantilla de "
                     f"proyecto que no usa DVC ({shown}), que se copian en los proyectos "
                     "generados a partir de este repositorio; no tiene datos propios que "
                     "versionar"))


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
