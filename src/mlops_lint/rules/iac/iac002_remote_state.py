"""IAC002: a remote backend and the state out of git (level 2); state locking, encryption and
one state key per root module (level 3).

A partial backend configuration is read from ``-backend-config`` files beside the root
module and from ``terraform init -backend-config`` where CI or a Makefile runs it. A
configuration that bootstraps the state backend keeps local state by design (a skip);
the examples and wrappers of a reusable module library are skipped too.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.terraform import (
    InitOptions,
    backend_configs,
    init_backend_options,
    nested,
)
from mlops_lint.rules import rule
from mlops_lint.rules.iac._shared import (
    NOT_APPLICABLE,
    Config,
    TfDir,
    as_true,
    calls_local_module,
    is_example,
    module_library,
    module_target,
    read_config,
    uses_workspaces,
)

REMOTE_BACKENDS = frozenset({"s3", "gcs", "azurerm", "remote", "http", "consul", "pg",
                             "kubernetes", "oss", "cos"})


NATIVE_LOCKING = frozenset({"gcs", "azurerm", "remote", "cloud", "consul", "pg", "kubernetes",
                            "oss", "cos"})


ENCRYPTED_AT_REST = {"gcs": "Google Cloud Storage encrypts at rest",
                     "azurerm": "Azure Storage encrypts at rest",
                     "remote": "HCP Terraform encrypts state", "cloud": "HCP Terraform "
                     "encrypts state"}


def _bootstrap(directory: TfDir) -> bool:
    """A configuration that creates the state backend itself (keeps local state)."""
    if "bootstrap" in PurePosixPath(directory.path).parts:
        return True
    return any(b.labels and b.labels[0] == "aws_dynamodb_table"
               and b.body.get("hash_key") == "LockID"
               for _, b in directory.blocks("resource"))


def _state_hygiene(ctx: Context, config: Config) -> Finding:
    rules = ignore_rules(ctx.repo)
    en: list[str] = []
    es: list[str] = []
    for directory in config.roots:
        base = f"{directory.path}/" if directory.path else ""
        lacking = [name for name, is_dir in (("terraform.tfstate", False),
                                             ("terraform.tfstate.backup", False),
                                             (".terraform", True))
                   if not rules.ignored(base + name, is_dir) and not (
                       # `**/.terraform/*` ignores every file in it: git then tracks nothing
                       is_dir and rules.ignored(f"{base}{name}/modules/modules.json", False))]
        if lacking:
            en.append(f"{directory.shown}: {', '.join(lacking)} not gitignored")
            es.append(f"{directory.shown}: {', '.join(lacking)} no está(n) en .gitignore")
    note_en = note_es = ""
    if ctx.repo.git_info is not None:
        tracked = sorted(p for p in ctx.repo.git_info.tracked
                         if ".terraform" in PurePosixPath(p).parts[:-1]
                         or re.search(r"\.tfstate(\.|$)", PurePosixPath(p).name))
        if tracked:
            en.append(f"state committed to git: {', '.join(tracked[:3])}")
            es.append(f"estado versionado en git: {', '.join(tracked[:3])}")
    else:
        note_en = " (not a git repository: tracked files not checked)"
        note_es = " (no es un repositorio git: no se comprueban los archivos versionados)"
    where = rules.root.path if rules.root else None
    return verdict(
        not en,
        T("*.tfstate* and .terraform/ are gitignored and untracked" + note_en,
          "*.tfstate* y .terraform/ están en .gitignore y sin versionar" + note_es),
        T("; ".join(en) + note_en, "; ".join(es) + note_es), where, None, level=2,
        fix=T("Add *.tfstate, *.tfstate.* and .terraform/ to .gitignore and "
              "`git rm --cached` any committed state (then rotate the secrets it holds).",
              "Añade *.tfstate, *.tfstate.* y .terraform/ a .gitignore y quita del índice "
              "(`git rm --cached`) el estado versionado (y rota los secretos que contiene)."))


def _backend_l3(kind: str, settings: dict[str, Any], partial: list[str]
                ) -> tuple[list[str], list[str], list[str], list[str]]:
    """(problems en, es, notes en, es) for locking and encryption."""
    en: list[str] = []
    es: list[str] = []
    notes_en: list[str] = []
    notes_es: list[str] = []
    if kind == "s3":
        if settings.get("dynamodb_table") or as_true(settings.get("use_lockfile")):
            notes_en.append("locking " + ("DynamoDB" if settings.get("dynamodb_table")
                                          else "use_lockfile"))
            notes_es.append("bloqueo " + ("DynamoDB" if settings.get("dynamodb_table")
                                          else "use_lockfile"))
        else:
            en.append("no state locking (dynamodb_table or use_lockfile = true)")
            es.append("sin bloqueo del estado (dynamodb_table o use_lockfile = true)")
        if as_true(settings.get("encrypt")):
            notes_en.append("encrypt = true")
            notes_es.append("encrypt = true")
        else:
            en.append("encrypt = true not set")
            es.append("falta encrypt = true")
    elif kind == "http":
        if not settings.get("lock_address"):
            en.append("no lock_address (no state locking)")
            es.append("sin lock_address (sin bloqueo del estado)")
    elif kind in NATIVE_LOCKING:
        notes_en.append(f"{kind} locks natively")
        notes_es.append(f"{kind} bloquea de forma nativa")
    if kind in ENCRYPTED_AT_REST:
        notes_en.append(ENCRYPTED_AT_REST[kind])
        notes_es.append({"gcs": "Google Cloud Storage cifra en reposo",
                         "azurerm": "Azure Storage cifra en reposo"}.get(
                             kind, "HCP Terraform cifra el estado"))
    if partial:
        notes_en.append(f"partial configuration from {', '.join(partial)}")
        notes_es.append(f"configuración parcial de {', '.join(partial)}")
    return en, es, notes_en, notes_es


def _state_key(kind: str, settings: dict[str, Any]) -> str | None:
    if kind in ("s3", "azurerm", "consul", "oss", "cos"):
        value = settings.get("key") or settings.get("path") or settings.get("prefix")
    elif kind == "gcs":
        value = settings.get("prefix")
    elif kind in ("remote", "cloud"):
        spaces = settings.get("workspaces")
        spaces = spaces[0] if isinstance(spaces, list) and spaces else spaces
        value = (spaces.get("name") or spaces.get("prefix") or spaces.get("tags")) \
            if isinstance(spaces, dict) else None
    elif kind == "http":
        value = settings.get("address")
    else:
        value = settings.get("secret_suffix") or settings.get("schema_name")
    return str(value) if value else None


@dataclass
class _StateCheck:
    """The level-3 verdict of one root module's backend, finished once every key is known."""

    directory: TfDir
    path: str
    line: int | None
    keys: list[str]
    problems: list[T] = field(default_factory=list)
    notes: list[T] = field(default_factory=list)


_CLOUD_PROVIDERS = {"aws": "aws", "google": "google", "google-beta": "google",
                    "azurerm": "azurerm"}


def _clouds(directory: TfDir, config: Config | None = None) -> set[str]:
    """The public clouds a root module provisions: the providers it requires or
    configures and the prefixes of its resources and data sources (``google_…``), its
    local child modules' included."""
    dirs = [directory]
    if config is not None:
        for _, block in directory.blocks("module"):
            source = block.body.get("source")
            if isinstance(source, str) and source.startswith(("./", "../")):
                target = config.dirs.get(module_target(directory.path, source))
                if target is not None and target is not directory:
                    dirs.append(target)
    names: set[str] = set()
    for item in dirs:
        for _, block in item.blocks("terraform"):
            for _, body in nested(block.body, "required_providers"):
                names.update(body)
        for kind in ("provider", "resource", "data"):
            for _, block in item.blocks(kind):
                if block.labels:
                    label = block.labels[0]
                    names.add(label if kind == "provider" else label.split("_", 1)[0])
    return {_CLOUD_PROVIDERS[n] for n in names if n in _CLOUD_PROVIDERS}


_BACKEND_FIX = {
    "aws": T('Add terraform { backend "s3" { bucket, key, region, use_lockfile = true '
             "(or dynamodb_table), encrypt = true } }.",
             'Añade terraform { backend "s3" { bucket, key, region, use_lockfile = true '
             "(o dynamodb_table), encrypt = true } }."),
    "google": T('Add terraform { backend "gcs" { bucket, prefix } } (a versioned Cloud '
                "Storage bucket; gcs locks and encrypts the state natively).",
                'Añade terraform { backend "gcs" { bucket, prefix } } (un bucket de Cloud '
                "Storage con versionado; gcs bloquea y cifra el estado de forma nativa)."),
    "azurerm": T('Add terraform { backend "azurerm" { resource_group_name, '
                 "storage_account_name, container_name, key } } (Azure Storage locks and "
                 "encrypts the state natively).",
                 'Añade terraform { backend "azurerm" { resource_group_name, '
                 "storage_account_name, container_name, key } } (Azure Storage bloquea y "
                 "cifra el estado de forma nativa)."),
}


def _backend_fix(clouds: set[str]) -> T:
    """The backend to add, for the one cloud the module provisions; a neutral list when it
    provisions none or several."""
    if len(clouds) == 1:
        return _BACKEND_FIX[next(iter(clouds))]
    return T('Add a remote backend in the terraform {} block: "gcs" (Google Cloud), '
             '"s3" with use_lockfile = true and encrypt = true (AWS), "azurerm" (Azure) or '
             '"remote"/cloud {} (HCP Terraform).',
             'Añade un backend remoto en el bloque terraform {}: "gcs" (Google Cloud), '
             '"s3" con use_lockfile = true y encrypt = true (AWS), "azurerm" (Azure) o '
             '"remote"/cloud {} (HCP Terraform).')


def _no_backend(directory: TfDir, config: Config | None = None) -> Finding:
    path, line = directory.anchor
    if _bootstrap(directory):
        return skipped(T(f"{directory.shown}: bootstrap of the state backend (keeps local "
                         "state by design)",
                         f"{directory.shown}: arranque del backend de estado (mantiene estado "
                         "local a propósito)"), path)
    return failed(T(f"{directory.shown}: no backend block: state stays local",
                    f"{directory.shown}: sin bloque backend: el estado queda local"),
                  path, line, fix=_backend_fix(_clouds(directory, config)))


def _beside(path: str, directory: str) -> bool:
    """A backend file of ``directory``: in it, or in a ``backend*/`` folder of it."""
    parent = posixpath.dirname(path)
    return parent == directory or (
        posixpath.dirname(parent) == directory
        and posixpath.basename(parent).lower().startswith("backend"))


def _same_dir(init: InitOptions, directory: str) -> bool:
    return init.directory is not None and \
        posixpath.normpath(init.directory or ".") == posixpath.normpath(directory or ".")


def _local_partials(directory: TfDir, partial_files: list[tuple[str, dict[str, Any]]],
                    inits: list[InitOptions]) -> list[tuple[str, dict[str, Any]]]:
    """The partial backend configuration of one root module: the files beside it, and
    what ``terraform init -backend-config`` passes when CI or a Makefile runs it there."""
    local = [(p, d) for p, d in partial_files if _beside(p, directory.path)]
    for init in inits:
        if not _same_dir(init, directory.path):
            continue
        local += [(p, d) for p, d in partial_files if p in init.files and (p, d) not in local]
        if init.settings:
            local.append((f"{init.path} (-backend-config)", dict(init.settings)))
    return local


def _used_partials(directory: TfDir, kind: str, body: dict[str, Any],
                   partial_files: list[tuple[str, dict[str, Any]]],
                   inits: list[InitOptions]) -> list[tuple[str, dict[str, Any]]]:
    """The partial backend configuration a root module uses: its own; else, when its
    backend block names no state key, every one the repository has."""
    local = _local_partials(directory, partial_files, inits)
    if not local:
        # settings passed at init time where the directory cannot be told apart
        partial_files = partial_files + [(f"{i.path} (-backend-config)", dict(i.settings))
                                         for i in inits
                                         if i.directory is None and i.settings]
    return local or ([] if _state_key(kind, body) else partial_files)


def _state_check(directory: TfDir, kind: str, body: dict[str, Any], where: tuple[str, int | None],
                 partial_files: list[tuple[str, dict[str, Any]]], workspaces: bool,
                 inits: list[InitOptions] | None = None) -> _StateCheck:
    used = _used_partials(directory, kind, body, partial_files, inits or [])
    settings = dict(body)
    for _, data in used:
        for k, v in data.items():
            settings.setdefault(k, v)
    en, es, notes_en, notes_es = _backend_l3(kind, settings, [p for p, _ in used])
    keys = [k for k in ([_state_key(kind, {**body, **d}) for _, d in used]
                        or [_state_key(kind, body)]) if k]
    result = _StateCheck(directory, where[0], where[1], keys,
                         [T(e, s) for e, s in zip(en, es, strict=True)],
                         [T(e, s) for e, s in zip(notes_en, notes_es, strict=True)])
    result.notes.extend(T.same(f"key {k}") for k in keys)
    if not keys and not workspaces:
        result.problems.append(T(
            "no state key/prefix (set at init time? cannot verify one per environment)",
            "sin key/prefix del estado (¿definido en init? no se puede verificar uno por "
            "entorno)"))
    return result


def _finish(checks: list[_StateCheck], workspaces: bool) -> Iterator[Finding]:
    owners: dict[str, set[str]] = {}
    for item in checks:
        for key in item.keys:
            owners.setdefault(key, set()).add(item.directory.shown)
    for item in checks:
        me = item.directory.shown
        clash = next((k for k in item.keys if len(owners[k]) > 1), None)
        if clash is not None:
            others = ", ".join(sorted(owners[clash] - {me}))
            item.problems.append(T(f"state key {clash} shared with {others}",
                                   f"key de estado {clash} compartida con {others}"))
        if workspaces:
            item.notes.append(T("per-workspace state (terraform.workspace)",
                                "estado por workspace (terraform.workspace)"))
        head = T.same(f"{me}: ")
        yield verdict(not item.problems, head + T.join(item.notes),
                      head + T.join(item.problems), item.path, item.line, level=3)


@rule("IAC002")
def terraform_remote_state(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC002: remote backend + state out of git (L2); locking, encryption, keys (L3)."""
    config = read_config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    partial_files = [(p, d) for p, d in backend_configs(ctx.repo) if isinstance(d, dict)]
    inits = init_backend_options(ctx.repo)
    workspaces = uses_workspaces(config) is not None
    checks: list[_StateCheck] = []
    library = module_library(ctx, config)
    for directory in config.roots:
        backends = directory.backends()
        if not backends and library is not None and (is_example(directory.path)
                                                     or calls_local_module(directory)):
            role = T("a usage example", "un ejemplo de uso") if is_example(directory.path) \
                else T("a wrapper of the library's modules",
                       "un envoltorio de los módulos de la biblioteca")
            yield skipped(T.same(f"{directory.shown}: ") + role + T(" of ", " de ") + library
                          + T(": examples keep local state so users can copy them; nothing "
                              "here is deployed",
                              ": los ejemplos mantienen estado local para que se puedan "
                              "copiar; aquí no se despliega nada"), directory.anchor[0])
            continue
        if not backends:
            yield _no_backend(directory, config)
            continue
        tf, block, kind, body = backends[0]
        line = tf.attribute_line(block, "cloud" if kind == "cloud" else "backend")
        if kind not in REMOTE_BACKENDS and kind != "cloud":
            yield failed(T(f"{directory.shown}: backend \"{kind}\" keeps the state on one "
                           "machine",
                           f"{directory.shown}: el backend \"{kind}\" deja el estado en una "
                           "máquina"), tf.path, line)
            continue
        yield passed(T(f"{directory.shown}: remote state in backend \"{kind}\"",
                       f"{directory.shown}: estado remoto en el backend \"{kind}\""),
                     tf.path, line, level=2)
        checks.append(_state_check(directory, kind, body, (tf.path, line), partial_files,
                                   workspaces, inits))
    yield _state_hygiene(ctx, config)
    yield from _finish(checks, workspaces)
