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

from mlops_lint.checks import check
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Job, Workflow, ci_commands, workflows
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.terraform import (
    Block,
    TfFile,
    backend_configs,
    is_literal,
    nested,
    terraform_files,
)

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
                target = posixpath.normpath(posixpath.join(directory.path, source))
                if target in dirs and target != directory.path:
                    dirs[target].module = True
    result = Config(dirs, errors)
    ctx.repo.memo["terraform:config"] = result
    return result


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
    files = [f.path for f in config.files] + [e.path for e in config.errors]
    outside = [f for f in files if _infra_top(f) is None]
    yield verdict(
        not outside,
        T("Terraform code lives under " + ", ".join(sorted({_infra_top(f) or "" for f in files})),
          "el código Terraform está bajo " + ", ".join(sorted({_infra_top(f) or ""
                                                               for f in files}))),
        T(f"Terraform files outside infra/ or terraform/: {', '.join(outside[:3])}"
          + (f" and {len(outside) - 3} more" if len(outside) > 3 else ""),
          f"archivos Terraform fuera de infra/ o terraform/: {', '.join(outside[:3])}"
          + (f" y {len(outside) - 3} más" if len(outside) > 3 else "")),
        outside[0] if outside else None, 1 if outside else None,
        fix=T("Move the Terraform code into infra/ (or terraform/).",
              "Mueve el código Terraform a infra/ (o terraform/)."))
    tops = sorted({_infra_top(d.path + "/x") or d.path for d in config.roots})
    for top in tops:
        dirs = [d.path for d in config.roots if (d.path + "/").startswith(top + "/")
                or d.path == top]
        prefix = "" if not top else top + "/"
        readmes = [f for f in ctx.repo.glob([prefix + "**/README*", prefix + "README*"],
                                            case_sensitive=False)
                   if posixpath.dirname(f) in ({top} | set(dirs))]
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
                   if not rules.ignored(base + name, is_dir)]
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


@check("terraform_remote_state")
def terraform_remote_state(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC002: remote backend + state out of git (L2); locking, encryption, keys (L3)."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    partial_files = [(p, d) for p, d in backend_configs(ctx.repo) if isinstance(d, dict)]
    workspaces = _uses_workspaces(config)
    keys: dict[str, list[str]] = {}
    pending: list[tuple[TfDir, str, int | None, list[str], list[str], list[str], list[str]]] = []
    for directory in config.roots:
        backends = directory.backends()
        path, line = directory.anchor
        if not backends:
            if _bootstrap(directory):
                yield skipped(T(f"{directory.shown}: bootstrap of the state backend (keeps "
                                "local state by design)",
                                f"{directory.shown}: arranque del backend de estado (mantiene "
                                "estado local a propósito)"), path)
                continue
            yield failed(T(f"{directory.shown}: no backend block: state stays local",
                           f"{directory.shown}: sin bloque backend: el estado queda local"),
                         path, line, fix=T(
                             'Add terraform { backend "s3" { bucket, key, region, '
                             "dynamodb_table, encrypt = true } } (or gcs/azurerm/remote).",
                             'Añade terraform { backend "s3" { bucket, key, region, '
                             "dynamodb_table, encrypt = true } } (o gcs/azurerm/remote)."))
            continue
        tf, block, kind, body = backends[0]
        line = tf.attribute_line(block, "backend") if kind != "cloud" else \
            tf.attribute_line(block, "cloud")
        if kind not in REMOTE_BACKENDS and kind != "cloud":
            yield failed(T(f"{directory.shown}: backend \"{kind}\" keeps the state on one "
                           "machine",
                           f"{directory.shown}: el backend \"{kind}\" deja el estado en una "
                           "máquina"), tf.path, line, level=2)
            continue
        yield passed(T(f"{directory.shown}: remote state in backend \"{kind}\"",
                       f"{directory.shown}: estado remoto en el backend \"{kind}\""),
                     tf.path, line, level=2)
        local = [(p, d) for p, d in partial_files if posixpath.dirname(p) == directory.path]
        used = local or ([] if _state_key(kind, body) else partial_files)
        settings = dict(body)
        for _, data in used:
            for k, v in data.items():
                settings.setdefault(k, v)
        en, es, notes_en, notes_es = _backend_l3(kind, settings, [p for p, _ in used])
        key_sources = [_state_key(kind, {**body, **d}) for _, d in used] or \
            [_state_key(kind, body)]
        for key in key_sources:
            if key:
                keys.setdefault(key, []).append(directory.shown)
        if not any(key_sources) and workspaces is None:
            en.append("no state key/prefix (set at init time? cannot verify one per "
                      "environment)")
            es.append("sin key/prefix del estado (¿definido en init? no se puede "
                      "verificar uno por entorno)")
        pending.append((directory, tf.path, line, en, es, notes_en, notes_es))
        for key in (k for k in key_sources if k):
            notes_en.append(f"key {key}")
            notes_es.append(f"key {key}")
    yield _state_hygiene(ctx, config)
    shared = {k: v for k, v in keys.items() if len(set(v)) > 1}
    for directory, path, line, en, es, notes_en, notes_es in pending:
        clash = [k for k, dirs in shared.items() if directory.shown in dirs]
        if clash:
            others = ", ".join(sorted(set(shared[clash[0]]) - {directory.shown}))
            en.append(f"state key {clash[0]} shared with {others}")
            es.append(f"key de estado {clash[0]} compartida con {others}")
        if workspaces is not None:
            notes_en.append("per-workspace state (terraform.workspace)")
            notes_es.append("estado por workspace (terraform.workspace)")
        where = f"{directory.shown}: "
        yield verdict(not en, T(where + "; ".join(notes_en), where + "; ".join(notes_es)),
                      T(where + "; ".join(en), where + "; ".join(es)), path, line, level=3)


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


def _hardcoded(config: Config) -> Iterator[Finding]:
    firewall = any(b.labels and b.labels[0] in ("google_compute_firewall",
                                                "azurerm_network_security_group",
                                                "aws_security_group")
                   for f in config.files for b in f.of("resource"))
    for tf in config.files:
        for block in tf.of("resource"):
            body = block.body
            rtype = block.labels[0] if block.labels else ""
            for attr in AMI_ATTRS:
                value = body.get(attr)
                if is_literal(value) and _AMI.match(str(value)):
                    yield failed(T(f"{block.address}: hardcoded AMI {value}",
                                   f"{block.address}: AMI fija {value}"),
                                 tf.path, tf.attribute_line(block, attr),
                                 fix=T('Look the AMI up with data "aws_ami" (filters on name '
                                       "and owner) or pass it as a variable.",
                                       'Busca la AMI con data "aws_ami" (filtros de nombre y '
                                       "propietario) o pásala como variable."))
            for attr in (*INSTANCE_TYPE_ATTRS, *(("size",) if "virtual_machine" in rtype
                                                  else ())):
                value = body.get(attr)
                if is_literal(value) and value:
                    yield warned(T(f"{block.address}: hardcoded {attr} {value}",
                                   f"{block.address}: {attr} fijo {value}"),
                                 tf.path, tf.attribute_line(block, attr),
                                 fix=T(f"Make {attr} a variable (with the per-environment "
                                       "value in a .tfvars file).",
                                       f"Convierte {attr} en una variable (con el valor de "
                                       "cada entorno en un .tfvars)."))
            if rtype in ("aws_instance", "aws_launch_template") and not any(
                    k in body for k in ("vpc_security_group_ids", "security_groups",
                                        "network_interface", "network_interfaces")):
                public = _as_true(body.get("associate_public_ip_address"))
                yield (failed if public else warned)(
                    T(f"{block.address}: no security group attached (the VPC default group "
                      "applies)" + (" on a public instance" if public else ""),
                      f"{block.address}: sin security group (aplica el grupo por defecto de "
                      "la VPC)" + (" en una instancia pública" if public else "")),
                    tf.path, block.line)
            if rtype == "google_compute_instance" and not firewall and any(
                    "access_config" in ni for _, ni in nested(body, "network_interface")):
                yield warned(T(f"{block.address}: public IP without a google_compute_firewall",
                               f"{block.address}: IP pública sin google_compute_firewall"),
                             tf.path, block.line)


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
    for directory in config.roots:
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


@check("terraform_modules")
def terraform_modules(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC004: modules/<name>/ with main/variables/outputs, called with a local source."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    local_calls = []
    remote_calls = []
    for tf in config.files:
        for block in tf.of("module"):
            source = block.body.get("source")
            if not isinstance(source, str):
                continue
            line = tf.attribute_line(block, "source")
            problem = _module_pin(source, block.body)
            if problem is not None:
                yield failed(T(f"module {block.labels[0]}: {problem[0]} ({source})",
                               f"módulo {block.labels[0]}: {problem[1]} ({source})"),
                             tf.path, line)
            if source.startswith(("./", "../")):
                target = posixpath.normpath(posixpath.join(tf.directory, source))
                local_calls.append((tf, block, target, line))
                if target not in config.dirs:
                    yield failed(T(f"module {block.labels[0]}: source {source} has no .tf "
                                   "files", f"módulo {block.labels[0]}: la fuente {source} no "
                                   "tiene archivos .tf"), tf.path, line)
            else:
                remote_calls.append((tf, block, line))
    modules = [d for _, d in sorted(config.dirs.items())
               if PurePosixPath(d.path).parent.name == "modules"]
    for module in modules:
        names = {PurePosixPath(f.path).name for f in module.files}
        lack = [n for n in ("main.tf", "variables.tf", "outputs.tf") if n not in names]
        called = any(target == module.path for _, _, target, _ in local_calls)
        en = ([f"missing {', '.join(lack)}"] if lack else []) + (
            [] if called else ["not called by any configuration"])
        es = ([f"falta(n) {', '.join(lack)}"] if lack else []) + (
            [] if called else ["ninguna configuración lo llama"])
        yield verdict(not en,
                      T(f"module {module.path}: main.tf, variables.tf, outputs.tf; called",
                        f"módulo {module.path}: main.tf, variables.tf, outputs.tf; llamado"),
                      T(f"module {module.path}: " + "; ".join(en),
                        f"módulo {module.path}: " + "; ".join(es)),
                      module.files[0].path, None)
    if local_calls:
        tf, block, target, line = local_calls[0]
        yield passed(T(f"module {block.labels[0]} called from {tf.path} (source {target})",
                       f"módulo {block.labels[0]} llamado desde {tf.path} (fuente {target})"),
                     tf.path, line)
    elif remote_calls:
        tf, block, line = remote_calls[0]
        yield warned(T(f"reuses external modules (module {block.labels[0]}) but defines no "
                       "modules/<name>/ of its own",
                       f"reutiliza módulos externos (módulo {block.labels[0]}) pero no define "
                       "modules/<nombre>/ propios"), tf.path, line)
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


@check("terraform_environments")
def terraform_environments(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC005: ≥2 environment folders with their own backend, or terraform.workspace."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    partial = [p for p, d in backend_configs(ctx.repo) if isinstance(d, dict)]
    envs: dict[str, list[TfDir]] = {}
    for directory in config.roots:
        env = _environment(directory.path)
        if env is not None:
            envs.setdefault(env, []).append(directory)
    workspaces = _uses_workspaces(config)
    if len(envs) >= 2:
        for env, dirs in sorted(envs.items()):
            for directory in dirs:
                has_backend = bool(directory.backends()) or any(
                    posixpath.dirname(p) == directory.path for p in partial)
                path, line = directory.anchor
                yield verdict(has_backend,
                              T(f"environment {env} ({directory.shown}) with its own backend",
                                f"entorno {env} ({directory.shown}) con su propio backend"),
                              T(f"environment {env} ({directory.shown}) has no backend of its "
                                "own", f"el entorno {env} ({directory.shown}) no tiene backend "
                                "propio"), path, line)
        return
    if workspaces is not None:
        yield passed(T("workspace-driven environments (terraform.workspace)",
                       "entornos por workspace (terraform.workspace)"), *workspaces)
        return
    tfvars = ctx.repo.glob(["**/*.tfvars", "**/*.tfvars.json"])
    by_env = sorted({e for e in (_environment(PurePosixPath(p).stem.split(".")[0])
                                 for p in tfvars) if e})
    env_backends = sorted({e for e in (_environment(PurePosixPath(p).stem.split(".")[0])
                                       for p in partial) if e})
    if len(by_env) >= 2 and len(env_backends) >= 2:
        yield passed(T(f"per-environment variables and backends: {', '.join(by_env)}",
                       f"variables y backends por entorno: {', '.join(by_env)}"), tfvars[0], None)
    elif len(by_env) >= 2:
        yield warned(T(f"per-environment .tfvars ({', '.join(by_env)}) but one shared state: "
                       "give each environment its own backend key or workspace",
                       f".tfvars por entorno ({', '.join(by_env)}) pero un único estado: da a "
                       "cada entorno su propia key de backend o workspace"), tfvars[0], None)
    else:
        only = ", ".join(sorted(envs)) or "none"
        yield failed(T(f"a single environment (environments found: {only}); no "
                       "terraform.workspace", f"un solo entorno (entornos encontrados: "
                       f"{only}); sin terraform.workspace"),
                     config.files[0].path if config.files else None, None,
                     fix=T("Split into environments/{dev,staging,prod}/ calling shared "
                           "modules, each with its own backend key, or drive the settings "
                           "from terraform.workspace.",
                           "Separa en environments/{dev,staging,prod}/ que llamen a módulos "
                           "compartidos, cada uno con su propia key de backend, o parametriza "
                           "con terraform.workspace."))


# -- IAC006 ------------------------------------------------------------------------------


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


@check("terraform_ci")
def terraform_ci(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC006: fmt/validate/plan on PRs (paths-filtered, plan uploaded); gated apply."""
    config = _config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    flows = [wf for wf in workflows(ctx.repo) if isinstance(wf, Workflow)
             and any(_terraform_job(j) for j in wf.jobs)]
    if not flows:
        others = [c for c in ci_commands(ctx.repo) if c.system != "github"
                  and re.search(r"\b(terraform|tofu)\s+(plan|validate)", c.text)]
        if others:
            yield warned(T(f"Terraform runs in {others[0].system} CI ({others[0].path}); "
                           "path filters, plan upload and apply approval not checked",
                           f"Terraform se ejecuta en CI de {others[0].system} "
                           f"({others[0].path}); no se comprueban filtros de rutas, subida del "
                           "plan ni aprobación del apply"), others[0].path, others[0].line)
            return
        yield failed(T("no CI workflow runs Terraform (fmt -check, validate, plan)",
                       "ningún workflow de CI ejecuta Terraform (fmt -check, validate, plan)"),
                     None, None, fix=T(
                         "Add .github/workflows/terraform.yml: on pull_request with paths "
                         "[infra/**] run terraform fmt -check, validate and plan (upload the "
                         "plan); apply on main only, in a protected environment.",
                         "Añade .github/workflows/terraform.yml: en pull_request con paths "
                         "[infra/**] ejecuta terraform fmt -check, validate y plan (sube el "
                         "plan); apply solo en main, en un environment protegido."))
        return
    tops = {t for t in (_infra_top(f.path) for f in config.files) if t} | {
        d.path for d in config.roots}
    jobs = [(wf, j) for wf in flows for j in wf.jobs if _terraform_job(j)]
    pr_flows = [wf for wf in flows if {"pull_request", "pull_request_target"} & set(wf.on)]
    pr_jobs = [j for wf, j in jobs if wf in pr_flows]
    done = {c: any(_does(j, c) for j in pr_jobs) for c in ("fmt", "validate", "plan")}
    uploaded = any(u.startswith(("actions/upload-artifact", "actions/github-script",
                                 "dflook/terraform-plan", "marocchino/sticky-pull-request"))
                   for _, j in jobs for u in _uses(j)) or any(
        re.search(r"gh\s+pr\s+comment|tfcmt", _runs(j)) for _, j in jobs)
    filtered = any(_paths_filtered(wf, tops) for wf in pr_flows)
    first = flows[0]
    hard_en: list[str] = []
    hard_es: list[str] = []
    soft_en: list[str] = []
    soft_es: list[str] = []
    if not pr_flows:
        hard_en.append("Terraform does not run on pull requests")
        hard_es.append("Terraform no se ejecuta en pull requests")
    elif not done["plan"]:
        hard_en.append("no terraform plan on pull requests")
        hard_es.append("sin terraform plan en pull requests")
    missing = [c for c in ("fmt", "validate") if not done[c]]
    if pr_flows and missing:
        soft_en.append("no " + " / ".join("fmt -check" if c == "fmt" else c for c in missing))
        soft_es.append("sin " + " / ".join("fmt -check" if c == "fmt" else c for c in missing))
    if pr_flows and not filtered:
        soft_en.append("not filtered on paths (infra/**)")
        soft_es.append("sin filtro de paths (infra/**)")
    if done["plan"] and not uploaded:
        soft_en.append("the plan is neither uploaded nor commented on the PR")
        soft_es.append("el plan no se sube ni se comenta en el PR")
    applies = [(wf, j) for wf, j in jobs if _does(j, "apply")]
    for wf, job in applies:
        gated = _main_only(wf, job)
        environment = job.raw.get("environment")
        problems_en = ([] if gated else ["not restricted to main"]) + (
            [] if environment else ["no environment: protection (manual approval)"])
        problems_es = ([] if gated else ["no restringido a main"]) + (
            [] if environment else ["sin environment: protegido (aprobación manual)"])
        if problems_en:
            hard_en.append(f"apply job {job.id}: " + ", ".join(problems_en))
            hard_es.append(f"job de apply {job.id}: " + ", ".join(problems_es))
    mechanisms: list[str] = []
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
    steps = [c for c in ("fmt", "validate", "plan") if done[c]]
    summary_en = (f"Terraform CI in {', '.join(wf.path for wf in flows)}: "
                  f"{', '.join(steps) or 'no checks'} on PRs"
                  + (", plan uploaded" if uploaded else "")
                  + (", paths-filtered" if filtered else "")
                  + (f", apply gated in {len(applies)} job(s)" if applies else
                     ", no apply in CI")
                  + (f", credentials via {', '.join(sorted(set(mechanisms)))}"
                     if mechanisms else ""))
    summary_es = (f"CI de Terraform en {', '.join(wf.path for wf in flows)}: "
                  f"{', '.join(steps) or 'sin comprobaciones'} en PRs"
                  + (", plan subido" if uploaded else "")
                  + (", filtrado por paths" if filtered else "")
                  + (f", apply protegido en {len(applies)} job(s)" if applies else
                     ", sin apply en CI")
                  + (f", credenciales vía {', '.join(sorted(set(mechanisms)))}"
                     if mechanisms else ""))
    if hard_en:
        yield failed(T("; ".join(hard_en + soft_en), "; ".join(hard_es + soft_es)),
                     first.path, first.jobs[0].line if first.jobs else None)
    elif soft_en:
        yield warned(T(f"{summary_en}; " + "; ".join(soft_en),
                       f"{summary_es}; " + "; ".join(soft_es)), first.path,
                     first.jobs[0].line if first.jobs else None)
    else:
        yield passed(T(summary_en, summary_es), first.path,
                     first.jobs[0].line if first.jobs else None)
