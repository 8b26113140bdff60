"""What the Terraform rules (IAC001-IAC006) share: the configuration read once (its
directories, root and child modules, the files that do not parse), whether the repository
is a reusable module library, workspaces, and where the infrastructure code lives.

A *configuration directory* is a directory holding ``.tf`` files. It is a *child module*
when it lies under a ``modules/`` directory or another configuration calls it with a
local ``source``; every other configuration directory is a *root module* (something
``terraform init`` runs in: a stack, an environment).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import T
from mlops_lint.readers.terraform_config import (
    Config,
    TfDir,
    calls_local_module,
    is_example,
    module_target,
)
from mlops_lint.readers.terraform_config import module_library as _module_library
from mlops_lint.readers.terraform_config import read_config as _read_config

__all__ = ["Config", "TfDir", "calls_local_module", "is_example", "module_target"]

NOT_APPLICABLE = T("not applicable: no Terraform (*.tf) files in the repository",
                   "no aplica: no hay archivos Terraform (*.tf) en el repositorio")


INFRA_DIRS = frozenset({"infra", "infrastructure", "terraform", "iac"})


def read_config(ctx: Context) -> Config | None:
    return _read_config(ctx.repo)


def module_library(ctx: Context, config: Config) -> T | None:
    return _module_library(ctx.repo, config)


def _all_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _all_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _all_strings(item)


def uses_workspaces(config: Config) -> tuple[str, int | None] | None:
    for tf in config.files:
        if any("terraform.workspace" in s for s in _all_strings(tf.data)):
            number = next((i for i, line in enumerate(tf.text.splitlines(), start=1)
                           if "terraform.workspace" in line), None)
            return tf.path, number
    return None


def infra_top(path: str) -> str | None:
    parts = PurePosixPath(path).parts
    for i, part in enumerate(parts):
        if part.lower() in INFRA_DIRS:
            return "/".join(parts[: i + 1])
    return None


def as_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
