"""IAC005: at least two environments, each with its own state: environment folders with
their own backend, ``terraform.workspace``, or per-environment ``.tfvars`` with
per-environment backends.

Per-environment variables over one shared state warn.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers.terraform import (
    backend_configs,
    init_backend_options,
)
from mlops_lint.rules import rule
from mlops_lint.rules.iac._shared import (
    NOT_APPLICABLE,
    Config,
    TfDir,
    read_config,
    uses_workspaces,
)

ENV_NAMES = frozenset({"dev", "development", "staging", "stage", "stg", "qa", "test", "uat",
                       "preprod", "prod", "production", "sandbox"})


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


@rule("IAC005")
def terraform_environments(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC005: ≥2 environment folders with their own backend, or terraform.workspace."""
    config = read_config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    partial = [p for p, d in backend_configs(ctx.repo) if isinstance(d, dict)]
    folders = list(_environment_dirs(config, partial))
    if folders:
        yield from folders
        return
    workspaces = uses_workspaces(config)
    if workspaces is not None:
        yield passed(T("workspace-driven environments (terraform.workspace)",
                       "entornos por workspace (terraform.workspace)"), *workspaces)
        return
    yield _environment_files(ctx, config, partial)
