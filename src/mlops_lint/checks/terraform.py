"""Phase 6 checks: Terraform (IAC001-IAC006).

All of them are conditional: without ``*.tf`` files they are skipped as not applicable.
``.tf`` files are read with python-hcl2 (:mod:`mlops_lint.parsers.terraform`); a file that
does not parse is a failing IAC001 result with its path and line, and the other rules
read the files that do parse.

A *configuration directory* is a directory holding ``.tf`` files. It is a *child module*
when it lies under a ``modules/`` directory or another configuration calls it with a
local ``source``; every other configuration directory is a *root module* (something
``terraform init`` runs in: a stack, an environment).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Job, Step, Workflow, ci_commands, workflows
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.invocations import precommit_config
from mlops_lint.parsers.precommit import PreCommitConfig
from mlops_lint.parsers.terraform import (
    Block,
    InitOptions,
    TfFile,
    backend_configs,
    init_backend_options,
    is_literal,
    nested,
    terraform_files,
)
from mlops_lint.rules import check

NOT_APPLICABLE = T("not applicable: no Terraform (*.tf) files in the repository",
                   "no aplica: no hay archivos Terraform (*.tf) en el repositorio")
INFRA_DIRS = frozenset({"infra", "infrastructure", "terraform", "iac"})
REMOTE_BACKENDS = frozenset({"s3", "gcs", "azurerm", "remote", "http", "consul", "pg",
                             "kubernetes", "oss", "cos"})
NATIVE_LOCKING = frozenset({"gcs", "azurerm", "remote", "cloud", "consul", "pg", "kubernetes",
                            "oss", "cos"})
ENCRYPTED_AT_REST = {"gcs": "Google Cloud Storage encrypts at rest",
                     "azurerm": "Azure Storage encrypts at rest",
                     "remote": "HCP Terraform encrypts state", "cloud": "HCP Terraform "
                     "encrypts state"}
ENV_NAMES = frozenset({"dev", "development", "staging", "stage", "stg", "qa", "test", "uat",
                       "preprod", "prod", "production", "sandbox"})
INSTANCE_TYPE_ATTRS = ("instance_type", "instance_class", "machine_type", "vm_size",
                       "node_type")
AMI_ATTRS = ("ami", "image_id")
_AMI = re.compile(r"^ami-[0-9a-f]{8,17}$")
_REGISTRY_SOURCE = re.compile(r"^(?:[\w.-]+\.[a-z]{2,}/)?[\w-]+/[\w-]+/[\w-]+(?://.*)?$")
_CREDENTIAL_ENV = re.compile(r"^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|"
                             r"ARM_CLIENT_SECRET|ARM_ACCESS_KEY|GOOGLE_CREDENTIALS|"
                             r"GOOGLE_APPLICATION_CREDENTIALS_JSON|TF_TOKEN_\w+|"
                             r"DIGITALOCEAN_TOKEN)$")


# -- the configuration ----------------------------------------------------------------


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


def _config(ctx: Context) -> Config | None:
    cached = ctx.repo.memo.get("terraform:config")
    if cached is not None:
        config: Config | None = cached or None
        return config
    parsed = terraform_files(ctx.repo)
    if not parsed:
        ctx.repo.memo["terraform:config"] = False
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
    ctx.repo.memo["terraform:config"] = result
    return result


_EXAMPLE_DIRS = frozenset({"examples", "example"})


def _is_example(path: str) -> bool:
    return not _EXAMPLE_DIRS.isdisjoint(PurePosixPath(path).parts)


def module_library(ctx: Context, config: Config) -> T | None:
    """Why the repository is a reusable module library rather than a deployment, or None:
    no configuration declares a backend (nor does any ``-backend-config`` file or
    ``terraform init -backend-config`` exist), and it has modules (the root module called
    by its examples, or ``modules/``) with usage examples or wrappers calling them."""
    if any(d.backends() for d in config.dirs.values()):
        return None
    if backend_configs(ctx.repo) or init_backend_options(ctx.repo):
        return None
    modules = sorted(d.shown for d in config.dirs.values() if d.module)
    if not modules:
        return None
    callers = [d for d in config.roots if _calls_local_module(d)]
    if not callers and not any(_is_example(d.path) for d in config.roots):
        return None
    shown = ", ".join(modules[:3]) + (f" (+{len(modules) - 3})" if len(modules) > 3 else "")
    return T(f"a reusable module library: modules {shown}, no backend in any configuration",
             f"una biblioteca de módulos reutilizables: módulos {shown}, ningún backend en "
             "ninguna configuración")


def _calls_local_module(directory: TfDir) -> bool:
    return any(isinstance(b.body.get("source"), str)
               and str(b.body["source"]).startswith(("./", "../"))
               for _, b in directory.blocks("module"))


def _all_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _all_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _all_strings(item)


def _uses_workspaces(config: Config) -> tuple[str, int | None] | None:
    for tf in config.files:
        if any("terraform.workspace" in s for s in _all_strings(tf.data)):
            number = next((i for i, line in enumerate(tf.text.splitlines(), start=1)
                           if "terraform.workspace" in line), None)
            return tf.path, number
    return None


# -- IAC001 ------------------------------------------------------------------------------


def _constraint_problem(constraint: Any) -> tuple[str, str] | None:
    """None when the version constraint has an upper bound (~>, =, <, exact)."""
    if not isinstance(constraint, str) or not constraint.strip():
        return "no version constraint", "sin restricción de versión"
    text = constraint.strip()
    if "~>" in text or "<" in text or re.match(r"^=?\s*v?\d", text):
        return None
    return (f"open-ended constraint {text!r} (use ~> X.Y)",
            f"restricción abierta {text!r} (usa ~> X.Y)")


def _baseline(directory: TfDir) -> Finding:
    path, line = directory.anchor
    terraform = directory.blocks("terraform")
    en: list[str] = []
    es: list[str] = []
    soft_en: list[str] = []
    soft_es: list[str] = []
    version = next((b.body.get("required_version") for _, b in terraform
                    if b.body.get("required_version")), None)
    if not version:
        en.append("no required_version")
        es.append("sin required_version")
    providers: dict[str, Any] = {}
    for _, block in terraform:
        for _, body in nested(block.body, "required_providers"):
            providers.update(body)
    if not providers:
        en.append("no required_providers")
        es.append("sin required_providers")
    for name, spec in sorted(providers.items()):
        constraint = spec.get("version") if isinstance(spec, dict) else spec
        problem = _constraint_problem(constraint)
        if problem is None:
            continue
        if constraint:
            soft_en.append(f"provider {name}: {problem[0]}")
            soft_es.append(f"proveedor {name}: {problem[1]}")
        else:
            en.append(f"provider {name}: {problem[0]}")
            es.append(f"proveedor {name}: {problem[1]}")
    where = f"{directory.shown}: "
    if en:
        return failed(T(where + "; ".join(en + soft_en), where + "; ".join(es + soft_es)),
                      path, line)
    if soft_en:
        return warned(T(where + "; ".join(soft_en), where + "; ".join(soft_es)), path, line)
    pinned = ", ".join(f"{n} {s.get('version') if isinstance(s, dict) else s}"
                       for n, s in sorted(providers.items()))
    return passed(T(f"{where}required_version {version}; providers {pinned}",
                    f"{where}required_version {version}; proveedores {pinned}"), path, line)


def _infra_top(path: str) -> str | None:
    parts = PurePosixPath(path).parts
    for i, part in enumerate(parts):
        if part.lower() in INFRA_DIRS:
            return "/".join(parts[: i + 1])
    return None


def _location(config: Config) -> Finding:
    files = [f.path for f in config.files] + [e.path for e in config.errors]
    outside = [f for f in files if _infra_top(f) is None]
    inside = ", ".join(sorted({_infra_top(f) or "" for f in files}))
    more_en = f" and {len(outside) - 3} more" if len(outside) > 3 else ""
    more_es = f" y {len(outside) - 3} más" if len(outside) > 3 else ""
    return verdict(
        not outside,
        T(f"Terraform code lives under {inside}", f"el código Terraform está bajo {inside}"),
        T(f"Terraform files outside infra/ or terraform/: {', '.join(outside[:3])}{more_en}",
          f"archivos Terraform fuera de infra/ o terraform/: {', '.join(outside[:3])}{more_es}"),
        outside[0] if outside else None, 1 if outside else None,
        fix=T("Move the Terraform code into infra/ (or terraform/).",
              "Mueve el código Terraform a infra/ (o terraform/)."))


def _readmes(ctx: Context, config: Config) -> Iterator[Finding]:
    """A README in each infrastructure directory (or in its root modules' directories)."""
    for top in sorted({_infra_top(d.path + "/x") or d.path for d in config.roots}):
        dirs = {d.path for d in config.roots if (d.path + "/").startswith(top + "/")}
        # and every folder between the top and a root module (infra/terraform/ above
        # infra/terraform/aws/ and infra/terraform/gcp/)
        dirs |= {str(parent) for d in set(dirs) for parent in PurePosixPath(d).parents
                 if top and (str(parent) + "/").startswith(top + "/")}
        prefix = "" if not top else top + "/"
        readmes = [f for f in ctx.repo.glob([prefix + "**/README*"], case_sensitive=False)
                   if posixpath.dirname(f) in dirs | {top}]
        yield verdict(
            bool(readmes),
            T(f"infrastructure documented in {readmes[0] if readmes else ''}",
              f"infraestructura documentada en {readmes[0] if readmes else ''}"),
            T(f"no README in {top or '.'} (how to init, plan and apply; environments; state)",
              f"no hay README en {top or '.'} (cómo hacer init, plan y apply; entornos; "
              "estado)"),
            readmes[0] if readmes else None, None,
            fix=T(f"Add {prefix}README.md: prerequisites, terraform init/plan/apply, "
                  "environments and where the state lives.",
                  f"Añade {prefix}README.md: requisitos, terraform init/plan/apply, entornos "
                  "y dónde vive el estado."))


@check("terraform_baseline")
def terraform_baseline(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC001: parses; required_version + pinned providers; under infra/ with a README."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    for error in config.errors:
        yield failed(T(f"does not parse as HCL: {error.message}",
                       f"no se puede leer como HCL: {error.message}"), error.path, error.line,
                     fix=T("Fix the syntax (terraform fmt / terraform validate point at it).",
                           "Corrige la sintaxis (terraform fmt / terraform validate la "
                           "señalan)."))
    for directory in config.roots:
        yield _baseline(directory)
    yield _location(config)
    yield from _readmes(ctx, config)


# -- IAC002 ------------------------------------------------------------------------------


def _bootstrap(directory: TfDir) -> bool:
    """A configuration that creates the state backend itself (keeps local state)."""
    if "bootstrap" in PurePosixPath(directory.path).parts:
        return True
    return any(b.labels and b.labels[0] == "aws_dynamodb_table"
               and b.body.get("hash_key") == "LockID"
               for _, b in directory.blocks("resource"))


def _as_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


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
        if settings.get("dynamodb_table") or _as_true(settings.get("use_lockfile")):
            notes_en.append("locking " + ("DynamoDB" if settings.get("dynamodb_table")
                                          else "use_lockfile"))
            notes_es.append("bloqueo " + ("DynamoDB" if settings.get("dynamodb_table")
                                          else "use_lockfile"))
        else:
            en.append("no state locking (dynamodb_table or use_lockfile = true)")
            es.append("sin bloqueo del estado (dynamodb_table o use_lockfile = true)")
        if _as_true(settings.get("encrypt")):
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


def _no_backend(directory: TfDir) -> Finding:
    path, line = directory.anchor
    if _bootstrap(directory):
        return skipped(T(f"{directory.shown}: bootstrap of the state backend (keeps local "
                         "state by design)",
                         f"{directory.shown}: arranque del backend de estado (mantiene estado "
                         "local a propósito)"), path)
    return failed(T(f"{directory.shown}: no backend block: state stays local",
                    f"{directory.shown}: sin bloque backend: el estado queda local"),
                  path, line, fix=T(
                      'Add terraform { backend "s3" { bucket, key, region, dynamodb_table, '
                      "encrypt = true } } (or gcs/azurerm/remote).",
                      'Añade terraform { backend "s3" { bucket, key, region, dynamodb_table, '
                      "encrypt = true } } (o gcs/azurerm/remote)."))


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


def _state_check(directory: TfDir, kind: str, body: dict[str, Any], where: tuple[str, int | None],
                 partial_files: list[tuple[str, dict[str, Any]]], workspaces: bool,
                 inits: list[InitOptions] | None = None) -> _StateCheck:
    local = _local_partials(directory, partial_files, inits or [])
    if not local:
        # settings passed at init time where the directory cannot be told apart
        partial_files = partial_files + [(f"{i.path} (-backend-config)", dict(i.settings))
                                         for i in inits or []
                                         if i.directory is None and i.settings]
    used = local or ([] if _state_key(kind, body) else partial_files)
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


@check("terraform_remote_state")
def terraform_remote_state(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC002: remote backend + state out of git (L2); locking, encryption, keys (L3)."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    partial_files = [(p, d) for p, d in backend_configs(ctx.repo) if isinstance(d, dict)]
    inits = init_backend_options(ctx.repo)
    workspaces = _uses_workspaces(config) is not None
    checks: list[_StateCheck] = []
    library = module_library(ctx, config)
    for directory in config.roots:
        backends = directory.backends()
        if not backends and library is not None and (_is_example(directory.path)
                                                     or _calls_local_module(directory)):
            role = T("a usage example", "un ejemplo de uso") if _is_example(directory.path) \
                else T("a wrapper of the library's modules",
                       "un envoltorio de los módulos de la biblioteca")
            yield skipped(T.same(f"{directory.shown}: ") + role + T(" of ", " de ") + library
                          + T(": examples keep local state so users can copy them; nothing "
                              "here is deployed",
                              ": los ejemplos mantienen estado local para que se puedan "
                              "copiar; aquí no se despliega nada"), directory.anchor[0])
            continue
        if not backends:
            yield _no_backend(directory)
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


# -- IAC003 ------------------------------------------------------------------------------


def _parameters(directory: TfDir) -> Finding:
    path, line = directory.anchor
    variables = directory.blocks("variable")
    outputs = directory.blocks("output")
    en: list[str] = []
    es: list[str] = []
    if not variables:
        en.append("no variables (variables.tf)")
        es.append("sin variables (variables.tf)")
    untyped = [b.labels[0] for _, b in variables if "type" not in b.body]
    undescribed = [b.labels[0] for _, b in variables if not b.body.get("description")]
    if untyped:
        en.append(f"variables without type: {', '.join(untyped[:5])}")
        es.append(f"variables sin type: {', '.join(untyped[:5])}")
    if undescribed:
        en.append(f"variables without description: {', '.join(undescribed[:5])}")
        es.append(f"variables sin description: {', '.join(undescribed[:5])}")
    if not outputs:
        en.append("no outputs (outputs.tf)")
        es.append("sin outputs (outputs.tf)")
    if variables and (untyped or undescribed):
        path, line = variables[0][0].path, variables[0][1].line
    where = f"{directory.shown}: "
    return verdict(
        not en,
        T(f"{where}{len(variables)} typed and described variable(s), {len(outputs)} output(s)",
          f"{where}{len(variables)} variable(s) con tipo y descripción, {len(outputs)} "
          "output(s)"),
        T(where + "; ".join(en), where + "; ".join(es)), path, line)


def _ami_and_sizes(tf: TfFile, block: Block) -> Iterator[Finding]:
    body = block.body
    rtype = block.labels[0] if block.labels else ""
    for attr in AMI_ATTRS:
        value = body.get(attr)
        if is_literal(value) and _AMI.match(str(value)):
            yield failed(T(f"{block.address}: hardcoded AMI {value}",
                           f"{block.address}: AMI fija {value}"),
                         tf.path, tf.attribute_line(block, attr),
                         fix=T('Look the AMI up with data "aws_ami" (filters on name and '
                               "owner) or pass it as a variable.",
                               'Busca la AMI con data "aws_ami" (filtros de nombre y '
                               "propietario) o pásala como variable."))
    sizes = (*INSTANCE_TYPE_ATTRS, *(("size",) if "virtual_machine" in rtype else ()))
    for attr in sizes:
        value = body.get(attr)
        if is_literal(value) and value:
            yield warned(T(f"{block.address}: hardcoded {attr} {value}",
                           f"{block.address}: {attr} fijo {value}"),
                         tf.path, tf.attribute_line(block, attr),
                         fix=T(f"Make {attr} a variable (with the per-environment value in a "
                               ".tfvars file).",
                               f"Convierte {attr} en una variable (con el valor de cada "
                               "entorno en un .tfvars)."))


def _exposure(tf: TfFile, block: Block, firewall: bool) -> Iterator[Finding]:
    body = block.body
    rtype = block.labels[0] if block.labels else ""
    if rtype in ("aws_instance", "aws_launch_template") and not any(
            k in body for k in ("vpc_security_group_ids", "security_groups",
                                "network_interface", "network_interfaces")):
        public = _as_true(body.get("associate_public_ip_address"))
        yield (failed if public else warned)(
            T(f"{block.address}: no security group attached (the VPC default group applies)"
              + (" on a public instance" if public else ""),
              f"{block.address}: sin security group (aplica el grupo por defecto de la VPC)"
              + (" en una instancia pública" if public else "")),
            tf.path, block.line)
    if rtype == "google_compute_instance" and not firewall and any(
            "access_config" in ni for _, ni in nested(body, "network_interface")):
        yield warned(T(f"{block.address}: public IP without a google_compute_firewall",
                       f"{block.address}: IP pública sin google_compute_firewall"),
                     tf.path, block.line)


def _hardcoded(config: Config) -> Iterator[Finding]:
    firewall = any(b.labels and b.labels[0] in ("google_compute_firewall",
                                                "azurerm_network_security_group",
                                                "aws_security_group")
                   for f in config.files for b in f.of("resource"))
    for tf in config.files:
        for block in tf.of("resource"):
            yield from _ami_and_sizes(tf, block)
            yield from _exposure(tf, block, firewall)


@check("terraform_parameters")
def terraform_parameters(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC003: typed/described variables and outputs; no hardcoded AMIs or sizes; SGs."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    if not config.dirs:
        yield skipped(T("no .tf file parses (see IAC001)", "ningún .tf se puede leer (ver "
                        "IAC001)"))
        return
    library = module_library(ctx, config)
    for directory in config.roots:
        if library is not None and _is_example(directory.path):
            yield skipped(T.same(f"{directory.shown}: ") + T("a usage example of ",
                                                             "un ejemplo de uso de ")
                          + library + T(": it passes values to the modules instead of "
                                        "declaring an interface; the modules' variables and "
                                        "outputs are judged instead",
                                        ": pasa valores a los módulos en lugar de declarar "
                                        "una interfaz; se juzgan en su lugar las variables y "
                                        "outputs de los módulos"), directory.anchor[0])
            continue
        yield _parameters(directory)
    if library is not None:  # the library's interface: its modules' variables and outputs
        for _, directory in sorted(config.dirs.items()):
            if directory.module and not _is_example(directory.path):
                yield _parameters(directory)
    problems = list(_hardcoded(config))
    yield from problems
    if not problems:
        yield passed(T("no hardcoded AMI IDs or instance types; instances have security "
                       "groups", "sin AMIs ni tipos de instancia fijos; las instancias tienen "
                       "security groups"), config.files[0].path, None)


# -- IAC004 ------------------------------------------------------------------------------


def _module_pin(source: str, body: dict[str, Any]) -> tuple[str, str] | None:
    if source.startswith(("./", "../")):
        return None
    if source.startswith("git::") or "github.com/" in source or source.startswith("git@"):
        if "?ref=" not in source and "&ref=" not in source:
            return "git source without ?ref=", "fuente git sin ?ref="
        return None
    if _REGISTRY_SOURCE.match(source) and not body.get("version"):
        return "registry module without version", "módulo del registry sin version"
    return None


@dataclass(frozen=True)
class _Call:
    tf: TfFile
    block: Block
    source: str
    line: int | None

    @property
    def name(self) -> str:
        return self.block.labels[0] if self.block.labels else "?"

    @property
    def local(self) -> bool:
        return self.source.startswith(("./", "../"))

    @property
    def target(self) -> str:
        return module_target(self.tf.directory, self.source)


def _module_calls(config: Config) -> list[_Call]:
    return [_Call(tf, block, block.body["source"], tf.attribute_line(block, "source"))
            for tf in config.files for block in tf.of("module")
            if isinstance(block.body.get("source"), str)]


def _call_problems(config: Config, calls: list[_Call]) -> Iterator[Finding]:
    for call in calls:
        problem = _module_pin(call.source, call.block.body)
        if problem is not None:
            git = problem[0].startswith("git")
            yield failed(T(f"module {call.name}: {problem[0]} ({call.source})",
                           f"módulo {call.name}: {problem[1]} ({call.source})"),
                         call.tf.path, call.line,
                         fix=T(f"Pin module {call.name} to a tag: source = "
                               f"\"{call.source}?ref=<tag>\"." if git else
                               f"Pin module {call.name}: version = \"~> X.Y\" (the release "
                               "you tested).",
                               f"Fija el módulo {call.name} a una etiqueta: source = "
                               f"\"{call.source}?ref=<tag>\"." if git else
                               f"Fija el módulo {call.name}: version = \"~> X.Y\" (la versión "
                               "que probaste)."))
        if call.local and call.target not in config.dirs:
            yield failed(T(f"module {call.name}: source {call.source} has no .tf files",
                           f"módulo {call.name}: la fuente {call.source} no tiene archivos "
                           ".tf"), call.tf.path, call.line)


# the standard module structure: the blocks each file holds (output.tf and variable.tf
# are common spellings of the same convention)
_LAYOUT = (("variables.tf", "variable", ("variables.tf", "variable.tf")),
           ("outputs.tf", "output", ("outputs.tf", "output.tf")))


def _layout_gaps(module: TfDir) -> tuple[list[str], list[str], list[str], list[str]]:
    """(missing en/es: an interface the module does not declare at all; misplaced en/es:
    blocks declared outside their conventional file)."""
    missing_en: list[str] = []
    missing_es: list[str] = []
    misplaced_en: list[str] = []
    misplaced_es: list[str] = []
    for conventional, block, names in _LAYOUT:
        holders = sorted({PurePosixPath(f.path).name for f in module.files if f.of(block)})
        if not holders:
            missing_en.append(f"no {block} blocks ({conventional})")
            missing_es.append(f"sin bloques {block} ({conventional})")
        elif not any(h in names for h in holders):
            misplaced_en.append(f"its {block} blocks are declared in {', '.join(holders)}, not "
                                f"in {conventional}")
            misplaced_es.append(f"sus bloques {block} están en {', '.join(holders)}, no en "
                                f"{conventional}")
    if not any(PurePosixPath(f.path).name == "main.tf" for f in module.files):
        misplaced_en.append("no main.tf")
        misplaced_es.append("sin main.tf")
    return missing_en, missing_es, misplaced_en, misplaced_es


def _module_layout(config: Config, calls: list[_Call]) -> Iterator[Finding]:
    called = {c.target for c in calls if c.local}
    for _, module in sorted(config.dirs.items()):
        if PurePosixPath(module.path).parent.name != "modules":
            continue
        missing_en, missing_es, misplaced_en, misplaced_es = _layout_gaps(module)
        uncalled = module.path not in called
        head_en, head_es = f"module {module.path}: ", f"módulo {module.path}: "
        if missing_en or uncalled:
            en = missing_en + (["not called by any configuration"] if uncalled else [])
            es = missing_es + (["ninguna configuración lo llama"] if uncalled else [])
            yield failed(T(head_en + "; ".join(en + misplaced_en),
                           head_es + "; ".join(es + misplaced_es)), module.files[0].path, None,
                         fix=T(f"Declare the module's interface in {module.path}: variable "
                               "blocks in variables.tf and output blocks in outputs.tf, and "
                               "call it from a configuration (module \"<name>\" { source = "
                               "\"…\" }).",
                               f"Declara la interfaz del módulo en {module.path}: bloques "
                               "variable en variables.tf y output en outputs.tf, y llámalo desde "
                               "una configuración (module \"<nombre>\" { source = \"…\" })."))
        elif misplaced_en:
            yield warned(T(head_en + "; ".join(misplaced_en) + " (the standard module "
                           "structure keeps them apart)",
                           head_es + "; ".join(misplaced_es) + " (la estructura estándar de "
                           "módulos los separa)"), module.files[0].path, None,
                         fix=T(f"Move the blocks into their conventional files in "
                               f"{module.path} (variables.tf, outputs.tf, main.tf); a naming "
                               "convention, the module's interface is already declared.",
                               f"Mueve los bloques a sus archivos convencionales en "
                               f"{module.path} (variables.tf, outputs.tf, main.tf); es una "
                               "convención de nombres, la interfaz del módulo ya está "
                               "declarada."))
        else:
            yield passed(T(head_en + "variables and outputs declared in their own files; "
                           "called", head_es + "variables y outputs declarados en sus propios "
                           "archivos; llamado"), module.files[0].path, None)


@check("terraform_modules")
def terraform_modules(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC004: modules/<name>/ with main/variables/outputs, called with a local source."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    calls = _module_calls(config)
    yield from _call_problems(config, calls)
    yield from _module_layout(config, calls)
    local = [c for c in calls if c.local]
    if local:
        call = local[0]
        shown = call.target or "."
        yield passed(T(f"module {call.name} called from {call.tf.path} (source {shown})",
                       f"módulo {call.name} llamado desde {call.tf.path} (fuente "
                       f"{shown})"), call.tf.path, call.line)
    elif calls:
        call = calls[0]
        yield warned(T(f"reuses external modules (module {call.name}) but defines no "
                       "modules/<name>/ of its own",
                       f"reutiliza módulos externos (módulo {call.name}) pero no define "
                       "modules/<nombre>/ propios"), call.tf.path, call.line)
    elif config.files:
        yield failed(T("no module calls: every resource is declared inline",
                       "sin llamadas a módulos: todos los recursos se declaran en línea"),
                     config.files[0].path, None,
                     fix=T("Extract reusable parts into modules/<name>/ (main.tf, "
                           "variables.tf, outputs.tf) and call them with "
                           'module "<name>" { source = "../modules/<name>" }.',
                           "Extrae las partes reutilizables a modules/<nombre>/ (main.tf, "
                           "variables.tf, outputs.tf) y llámalas con "
                           'module "<nombre>" { source = "../modules/<nombre>" }.'))


# -- IAC005 ------------------------------------------------------------------------------


def _environment(path: str) -> str | None:
    for part in reversed(PurePosixPath(path).parts):
        if part.lower() in ENV_NAMES:
            return part.lower()
    return None


def _environment_dirs(config: Config, partial: list[str]) -> Iterator[Finding]:
    envs: dict[str, list[TfDir]] = {}
    for directory in config.roots:
        env = _environment(directory.path)
        if env is not None:
            envs.setdefault(env, []).append(directory)
    if len(envs) < 2:
        return
    for env, dirs in sorted(envs.items()):
        for directory in dirs:
            own = bool(directory.backends()) or any(
                posixpath.dirname(p) == directory.path for p in partial)
            path, line = directory.anchor
            yield verdict(own,
                          T(f"environment {env} ({directory.shown}) with its own backend",
                            f"entorno {env} ({directory.shown}) con su propio backend"),
                          T(f"environment {env} ({directory.shown}) has no backend of its own",
                            f"el entorno {env} ({directory.shown}) no tiene backend propio"),
                          path, line)


def _environment_files(ctx: Context, config: Config, partial: list[str]) -> Finding:
    """Per-environment .tfvars (and backend files) at one root, else a single environment."""
    tfvars = ctx.repo.glob(["**/*.tfvars", "**/*.tfvars.json"])

    def named(paths: list[str]) -> list[str]:
        return sorted({e for e in (_environment(PurePosixPath(p).stem.split(".")[0])
                                   for p in paths) if e})

    by_env, env_backends = named(tfvars), named(partial)
    init_keys = sorted({e for i in init_backend_options(ctx.repo) for v in i.settings.values()
                        for e in (_environment(v.replace("-", "/").replace("_", "/")),) if e})
    env_backends = sorted(set(env_backends) | set(init_keys))
    if len(by_env) >= 2 and len(env_backends) >= 2:
        return passed(T(f"per-environment variables and backends: {', '.join(by_env)}",
                        f"variables y backends por entorno: {', '.join(by_env)}"), tfvars[0])
    if len(env_backends) >= 2:
        where = next((p for p in partial if _environment(
            PurePosixPath(p).stem.split(".")[0])), partial[0] if partial else None)
        return passed(T(f"per-environment backends (one state per environment): "
                        f"{', '.join(env_backends)}",
                        f"backends por entorno (un estado por entorno): "
                        f"{', '.join(env_backends)}"), where)
    if len(by_env) >= 2:
        return warned(T(f"per-environment .tfvars ({', '.join(by_env)}) but one shared state: "
                        "give each environment its own backend key or workspace",
                        f".tfvars por entorno ({', '.join(by_env)}) pero un único estado: da a "
                        "cada entorno su propia key de backend o workspace"), tfvars[0])
    found = ", ".join(sorted({e for e in (_environment(d.path) for d in config.roots) if e}))
    return failed(T(f"a single environment (environments found: {found or 'none'}); no "
                    "terraform.workspace", f"un solo entorno (entornos encontrados: "
                    f"{found or 'ninguno'}); sin terraform.workspace"),
                  config.files[0].path if config.files else None, None,
                  fix=T("Split into environments/{dev,staging,prod}/ calling shared modules, "
                        "each with its own backend key, or drive the settings from "
                        "terraform.workspace.",
                        "Separa en environments/{dev,staging,prod}/ que llamen a módulos "
                        "compartidos, cada uno con su propia key de backend, o parametriza con "
                        "terraform.workspace."))


@check("terraform_environments")
def terraform_environments(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC005: ≥2 environment folders with their own backend, or terraform.workspace."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    partial = [p for p, d in backend_configs(ctx.repo) if isinstance(d, dict)]
    folders = list(_environment_dirs(config, partial))
    if folders:
        yield from folders
        return
    workspaces = _uses_workspaces(config)
    if workspaces is not None:
        yield passed(T("workspace-driven environments (terraform.workspace)",
                       "entornos por workspace (terraform.workspace)"), *workspaces)
        return
    yield _environment_files(ctx, config, partial)


# -- IAC006 ------------------------------------------------------------------------------


# pre-commit-terraform hooks and what each one does
TERRAFORM_HOOKS = {"terraform_fmt": "fmt", "tofu_fmt": "fmt", "terragrunt_fmt": "fmt",
                   "terraform_validate": "validate", "tofu_validate": "validate",
                   "terragrunt_validate": "validate", "terraform_tflint": "tflint",
                   "tofu_tflint": "tflint"}


def _precommit_terraform(ctx: Context) -> dict[str, str]:
    """The pre-commit-terraform hooks ``.pre-commit-config.yaml`` declares (id → what it
    does)."""
    config = precommit_config(ctx.repo)
    if not isinstance(config, PreCommitConfig):
        return {}
    return {h.id: TERRAFORM_HOOKS[h.id] for h in config.hooks if h.id in TERRAFORM_HOOKS}


def _runs_precommit(step: Step) -> str | None:
    """The text naming the hooks a step runs through pre-commit (``pre-commit run``, the
    ``pre-commit/action`` or a composite action named ``…/pre-commit``), or None."""
    uses = (step.uses or "").split("@", 1)[0].lower()
    if uses == "pre-commit/action" or "pre-commit" in uses.rsplit("/", 1)[-1]:
        return " ".join(str(v) for v in step.with_.values())
    if step.run and re.search(r"\bpre-commit\s+run\b", step.run):
        return step.run
    return None


def _hook_ops(job: Job, hooks: dict[str, str]) -> dict[str, list[str]]:
    """What the job does to Terraform through pre-commit hooks: {fmt/validate/tflint:
    [hook ids]} (only the hooks it names, when it names some)."""
    out: dict[str, list[str]] = {}
    if not hooks:
        return out
    for step in job.steps:
        text = _runs_precommit(step)
        if text is None:
            continue
        named = [h for h in hooks if re.search(rf"(?<![\w-]){h}(?![\w-])", text)]
        for hook in named or list(hooks):
            ids = out.setdefault(hooks[hook], [])
            if hook not in ids:
                ids.append(hook)
    return out


def _runs(job: Job) -> str:
    return "\n".join(s.run or "" for s in job.steps)


def _uses(job: Job) -> list[str]:
    return [s.uses or "" for s in job.steps]


def _terraform_job(job: Job) -> bool:
    return bool(re.search(r"\b(terraform|tofu|terragrunt)\s", _runs(job))) or any(
        u.startswith(("hashicorp/setup-terraform", "dflook/terraform-", "opentofu/setup-"))
        for u in _uses(job))


def _does(job: Job, command: str) -> bool:
    if command == "fmt":
        text = _runs(job)
        return bool(re.search(r"\b(terraform|tofu)\s+fmt\b[^\n]*-check", text)) or any(
            u.startswith("dflook/terraform-fmt-check") for u in _uses(job))
    return bool(re.search(rf"\b(terraform|tofu|terragrunt)\s+(run-all\s+)?{command}\b",
                          _runs(job))) or any(u.startswith(f"dflook/terraform-{command}")
                                              for u in _uses(job))


def _main_only(wf: Workflow, job: Job) -> bool:
    condition = job.if_ or ""
    if re.search(r"refs/heads/(main|master)|ref_name\s*==\s*'(main|master)'", condition):
        return True
    triggers = set(wf.on)
    if triggers - {"push", "workflow_dispatch"}:
        return False
    branches = wf.on.get("push", {}).get("branches") if isinstance(wf.on.get("push"),
                                                                    dict) else None
    return isinstance(branches, list) and bool(branches) and set(map(str, branches)) <= {
        "main", "master"}


def _paths_filtered(wf: Workflow, tops: set[str]) -> bool:
    for trigger in ("pull_request", "push", "pull_request_target"):
        config = wf.on.get(trigger)
        paths = config.get("paths") if isinstance(config, dict) else None
        for pattern in paths if isinstance(paths, list) else []:
            text = str(pattern)
            if ".tf" in text or any(text.startswith(top + "/") or text == top
                                    for top in tops if top):
                return True
    return False


def _credentials(wf: Workflow) -> tuple[list[tuple[str, int | None]], list[str]]:
    """(literal credentials with their lines, credential mechanisms seen)."""
    literal: list[tuple[str, int | None]] = []
    seen: list[str] = []
    envs: list[tuple[dict[str, Any], int | None]] = [
        ({str(k): v for k, v in (wf.raw.get("env") or {}).items()}
         if isinstance(wf.raw.get("env"), dict) else {}, None)]
    for job in wf.jobs:
        job_env = job.raw.get("env")
        envs.append(({str(k): v for k, v in job_env.items()} if isinstance(job_env, dict)
                     else {}, job.line))
        for step in job.steps:
            envs.append((step.env, step.line))
            envs.append((step.with_, step.line))
            if "role-to-assume" in step.with_ or "workload_identity_provider" in step.with_:
                seen.append("OIDC")
    for env, line in envs:
        for name, value in env.items():
            text = str(value)
            if "secrets." in text:
                seen.append("secrets.*")
            elif (_CREDENTIAL_ENV.match(name) or name in ("aws-secret-access-key",
                                                          "aws-access-key-id",
                                                          "credentials_json")) \
                    and text and "${{" not in text:
                literal.append((name, line))
    permissions = wf.raw.get("permissions")
    if isinstance(permissions, dict) and permissions.get("id-token") == "write":
        seen.append("OIDC")
    return literal, sorted(set(seen))


def _no_terraform_workflow(ctx: Context, library: T | None = None) -> Finding:
    others = [c for c in ci_commands(ctx.repo) if c.system != "github"
              and re.search(r"\b(terraform|tofu)\s+(plan|validate)", c.text)]
    if others:
        return warned(T(f"Terraform runs in {others[0].system} CI ({others[0].path}); "
                        "path filters, plan upload and apply approval not checked",
                        f"Terraform se ejecuta en CI de {others[0].system} "
                        f"({others[0].path}); no se comprueban filtros de rutas, subida del "
                        "plan ni aprobación del apply"), others[0].path, others[0].line)
    if library is not None:
        return failed(T("no CI workflow runs Terraform (fmt -check, validate); plan and apply "
                        "do not apply to ", "ningún workflow de CI ejecuta Terraform (fmt "
                        "-check, validate); plan y apply no aplican a ") + library, None, None,
                      fix=T("Run terraform fmt -check and terraform validate (or the "
                            "pre-commit-terraform hooks terraform_fmt and terraform_validate) "
                            "on every pull request, for the modules and each example.",
                            "Ejecuta terraform fmt -check y terraform validate (o los hooks "
                            "terraform_fmt y terraform_validate de pre-commit-terraform) en cada "
                            "pull request, para los módulos y cada ejemplo."))
    return failed(T("no CI workflow runs Terraform (fmt -check, validate, plan)",
                    "ningún workflow de CI ejecuta Terraform (fmt -check, validate, plan)"),
                  None, None, fix=T(
                      "Add .github/workflows/terraform.yml: on pull_request with paths "
                      "[infra/**] run terraform fmt -check, validate and plan (upload the "
                      "plan); apply on main only, in a protected environment.",
                      "Añade .github/workflows/terraform.yml: en pull_request con paths "
                      "[infra/**] ejecuta terraform fmt -check, validate y plan (sube el "
                      "plan); apply solo en main, en un environment protegido."))


PLAN_PUBLISHERS = ("actions/upload-artifact", "actions/github-script", "dflook/terraform-plan",
                   "marocchino/sticky-pull-request")


@dataclass(frozen=True)
class _Pipeline:
    """What the GitHub workflows that run Terraform do, read together."""

    flows: list[Workflow]
    pr_flows: list[Workflow]
    done: dict[str, bool]  # fmt / validate / plan on pull requests
    uploaded: bool
    filtered: bool
    applies: list[tuple[Workflow, Job]]
    hooks: list[str] = field(default_factory=list)  # pre-commit hooks that run Terraform
    library: T | None = None  # a module library: nothing to plan or apply

    @staticmethod
    def read(flows: list[Workflow], tops: set[str], hooks: dict[str, str],
             library: T | None = None) -> _Pipeline:
        jobs = [(wf, j) for wf in flows for j in wf.jobs
                if _terraform_job(j) or _hook_ops(j, hooks)]
        pr_flows = [wf for wf in flows if {"pull_request", "pull_request_target"} & set(wf.on)]
        pr_jobs = [j for wf, j in jobs if wf in pr_flows]
        uploaded = any(u.startswith(PLAN_PUBLISHERS) for _, j in jobs for u in _uses(j)) or \
            any(re.search(r"gh\s+pr\s+comment|tfcmt", _runs(j)) for _, j in jobs)
        through = [h for _, j in jobs for ids in _hook_ops(j, hooks).values() for h in ids]
        return _Pipeline(
            flows, pr_flows,
            {c: any(_does(j, c) or c in _hook_ops(j, hooks) for j in pr_jobs)
             for c in ("fmt", "validate", "plan")},
            uploaded, library is not None or any(_paths_filtered(wf, tops) for wf in pr_flows),
            [(wf, j) for wf, j in jobs if _does(j, "apply")], list(dict.fromkeys(through)),
            library)

    def hard(self) -> list[T]:
        """Problems that fail the rule."""
        out = []
        if not self.pr_flows:
            out.append(T("Terraform does not run on pull requests",
                         "Terraform no se ejecuta en pull requests"))
        elif not self.done["plan"] and self.library is None:
            out.append(T("no terraform plan on pull requests",
                         "sin terraform plan en pull requests"))
        for wf, job in self.applies:
            en = ([] if _main_only(wf, job) else ["not restricted to main"]) + (
                [] if job.raw.get("environment") else
                ["no environment: protection (manual approval)"])
            es = ([] if _main_only(wf, job) else ["no restringido a main"]) + (
                [] if job.raw.get("environment") else
                ["sin environment: protegido (aprobación manual)"])
            if en:
                out.append(T(f"apply job {job.id}: " + ", ".join(en),
                             f"job de apply {job.id}: " + ", ".join(es)))
        return out

    def soft(self) -> list[T]:
        """Refinements that are missing (a warning)."""
        out = []
        missing = " / ".join("fmt -check" if c == "fmt" else c for c in ("fmt", "validate")
                             if not self.done[c])
        if self.pr_flows and missing:
            out.append(T(f"no {missing}", f"sin {missing}"))
        if self.pr_flows and not self.filtered:
            out.append(T("not filtered on paths (infra/**)", "sin filtro de paths (infra/**)"))
        if self.done["plan"] and not self.uploaded:
            out.append(T("the plan is neither uploaded nor commented on the PR",
                         "el plan no se sube ni se comenta en el PR"))
        return out

    def summary(self, mechanisms: list[str]) -> T:
        steps = ", ".join(c for c in ("fmt", "validate", "plan") if self.done[c])
        paths = ", ".join(wf.path for wf in self.flows)
        how = ", ".join(sorted(set(mechanisms)))
        hooks = ", ".join(self.hooks)
        text = T(
            f"Terraform CI in {paths}: {steps or 'no checks'} on PRs"
            + (f" (pre-commit hooks {hooks})" if hooks else "")
            + (", plan uploaded" if self.uploaded else "")
            + (", paths-filtered" if self.filtered and self.library is None else "")
            + (f", apply gated in {len(self.applies)} job(s)" if self.applies else
               ", no apply in CI") + (f", credentials via {how}" if how else ""),
            f"CI de Terraform en {paths}: {steps or 'sin comprobaciones'} en PRs"
            + (f" (hooks de pre-commit {hooks})" if hooks else "")
            + (", plan subido" if self.uploaded else "")
            + (", filtrado por paths" if self.filtered and self.library is None else "")
            + (f", apply protegido en {len(self.applies)} job(s)" if self.applies else
               ", sin apply en CI") + (f", credenciales vía {how}" if how else ""))
        if self.library is not None and not self.done["plan"]:
            text = text + T("; plan and apply do not apply to ",
                            "; plan y apply no aplican a ") + self.library
        return text


def _literal_credentials(flows: list[Workflow], mechanisms: list[str]) -> Iterator[Finding]:
    for wf in flows:
        literal, seen = _credentials(wf)
        mechanisms.extend(seen)
        for name, line in literal:
            yield failed(T(f"literal cloud credential {name} in the workflow",
                           f"credencial cloud literal {name} en el workflow"), wf.path, line,
                         fix=T("Use OIDC (role-to-assume / workload_identity_provider) or "
                               "${{ secrets.* }}, and rotate the exposed credential.",
                               "Usa OIDC (role-to-assume / workload_identity_provider) o "
                               "${{ secrets.* }}, y rota la credencial expuesta."))


@check("terraform_ci")
def terraform_ci(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC006: fmt/validate/plan on PRs (paths-filtered, plan uploaded); gated apply."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    hooks = _precommit_terraform(ctx)
    flows = [wf for wf in workflows(ctx.repo) if isinstance(wf, Workflow)
             and any(_terraform_job(j) or _hook_ops(j, hooks) for j in wf.jobs)]
    library = module_library(ctx, config)
    if not flows:
        yield _no_terraform_workflow(ctx, library)
        return
    tops = {t for t in (_infra_top(f.path) for f in config.files) if t} | {
        d.path for d in config.roots}
    pipeline = _Pipeline.read(flows, tops, hooks, library)
    mechanisms: list[str] = []
    yield from _literal_credentials(flows, mechanisms)
    hard, soft = pipeline.hard(), pipeline.soft()
    where = (flows[0].path, flows[0].jobs[0].line if flows[0].jobs else None)
    if hard:
        yield failed(T.join(hard + soft), *where)
    elif soft:
        yield warned(T.join([pipeline.summary(mechanisms), *soft]), *where)
    else:
        yield passed(pipeline.summary(mechanisms), *where)
