"""The repository's Terraform read once: its configuration directories, root and child
modules, the files that do not parse, and whether it is a reusable module library.

A *configuration directory* is a directory holding ``.tf`` files. It is a *child module*
when it lies under a ``modules/`` directory or another configuration calls it with a
local ``source``; every other configuration directory is a *root module* (something
``terraform init`` runs in: a stack, an environment).

The Terraform rules (IAC*) judge the configuration; other families ask only whether the
repository is a module library (HashiCorp's convention for reusable modules: no backend,
no committed dependency lock file, nothing deployed by the module itself).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.terraform import (
    Block,
    TfFile,
    backend_configs,
    init_backend_options,
    nested,
    terraform_files,
)
from mlops_lint.repo import Repo


@dataclass
class TfDir:
    path: str  # "" at the repository root
    files: list[TfFile] = field(default_factory=list)
    module: bool = False

    @property
    def shown(self) -> str:
        return self.path or "."

    def blocks(self, block_type: str) -> list[tuple[TfFile, Block]]:
        return [(f, b) for f in self.files for b in f.of(block_type)]

    @property
    def anchor(self) -> tuple[str, int | None]:
        terraform = self.blocks("terraform")
        if terraform:
            return terraform[0][0].path, terraform[0][1].line
        return self.files[0].path, 1

    def backends(self) -> list[tuple[TfFile, Block, str, dict[str, Any]]]:
        out = []
        for tf, block in self.blocks("terraform"):
            for label, body in nested(block.body, "backend"):
                out.append((tf, block, label or "?", body))
            for _, body in nested(block.body, "cloud"):
                out.append((tf, block, "cloud", body))
        return out


@dataclass
class Config:
    dirs: dict[str, TfDir]
    errors: list[ParseError]

    @property
    def roots(self) -> list[TfDir]:
        return [d for _, d in sorted(self.dirs.items()) if not d.module]

    @property
    def files(self) -> list[TfFile]:
        return [f for _, d in sorted(self.dirs.items()) for f in d.files]


def module_target(directory: str, source: str) -> str:
    """The directory a local module ``source`` names, spelt as :attr:`TfDir.path` ("" at
    the repository root; a path starting with ``..`` when it climbs out of it)."""
    target = posixpath.normpath(posixpath.join(directory, source))
    return "" if target == "." else target


def read_config(repo: Repo) -> Config | None:
    cached = repo.memo.get("terraform:config")
    if cached is not None:
        config: Config | None = cached or None
        return config
    parsed = terraform_files(repo)
    if not parsed:
        repo.memo["terraform:config"] = False
        return None
    dirs: dict[str, TfDir] = {}
    errors = []
    for item in parsed:
        if isinstance(item, ParseError):
            errors.append(item)
            continue
        dirs.setdefault(item.directory, TfDir(item.directory)).files.append(item)
    for directory in dirs.values():
        if "modules" in PurePosixPath(directory.path).parts:
            directory.module = True
        for _, block in directory.blocks("module"):
            source = block.body.get("source")
            if isinstance(source, str) and source.startswith(("./", "../")):
                target = module_target(directory.path, source)
                if target in dirs and target != directory.path:
                    dirs[target].module = True
    result = Config(dirs, errors)
    repo.memo["terraform:config"] = result
    return result


_EXAMPLE_DIRS = frozenset({"examples", "example"})


def is_example(path: str) -> bool:
    return not _EXAMPLE_DIRS.isdisjoint(PurePosixPath(path).parts)


def module_library(repo: Repo, config: Config | None = None) -> T | None:
    """Why the repository is a reusable module library rather than a deployment, or None:
    no configuration declares a backend (nor does any ``-backend-config`` file or
    ``terraform init -backend-config`` exist), and it has modules (the root module called
    by its examples, or ``modules/``) with usage examples or wrappers calling them."""
    if config is None:
        config = read_config(repo)
        if config is None:
            return None
    if any(d.backends() for d in config.dirs.values()):
        return None
    if backend_configs(repo) or init_backend_options(repo):
        return None
    modules = sorted(d.shown for d in config.dirs.values() if d.module)
    if not modules:
        return None
    callers = [d for d in config.roots if calls_local_module(d)]
    if not callers and not any(is_example(d.path) for d in config.roots):
        return None
    shown = ", ".join(modules[:3]) + (f" (+{len(modules) - 3})" if len(modules) > 3 else "")
    return T(f"a reusable module library: modules {shown}, no backend in any configuration",
             f"una biblioteca de módulos reutilizables: módulos {shown}, ningún backend en "
             "ninguna configuración")


def reusable_module(directory: TfDir) -> bool:
    """A configuration directory that is itself a reusable module although nothing in the
    repository calls it: it configures nothing (no backend, no ``provider`` block) and
    wraps a local module (a registry module's ``wrappers/``), or it lies under a
    ``wrappers/`` folder. Examples are root configurations, never this. Meaningful only in
    a module library (:func:`module_library`): in a deployment repository a stack may rely
    on the default provider configuration."""
    if is_example(directory.path) or directory.backends():
        return False
    if "wrappers" in PurePosixPath(directory.path).parts:
        return True
    return not directory.blocks("provider") and calls_local_module(directory)


def calls_local_module(directory: TfDir) -> bool:
    return any(isinstance(b.body.get("source"), str)
               and str(b.body["source"]).startswith(("./", "../"))
               for _, b in directory.blocks("module"))
