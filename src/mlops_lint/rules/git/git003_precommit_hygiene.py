"""GIT003: pre-commit hygiene hooks, a linter and a formatter, revs pinned to tags.

Without Python code, the linter and formatter of the stack in use (Terraform, Go, JS...)
count instead of ruff or black. Whether the hooks are installed on a clone cannot be
seen from the repository: a manual finding says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, manual, passed
from mlops_lint.parsers.invocations import PRECOMMIT_CONFIG
from mlops_lint.parsers.precommit import Hook
from mlops_lint.rules import rule
from mlops_lint.rules.git._shared import config_or_finding, hook_ids

# linters and formatters of other stacks, for repositories without Python code
STACK_LINTERS = frozenset({"terraform_tflint", "terraform_validate", "terraform_checkov",
                           "terraform_trivy", "tflint", "eslint", "golangci-lint", "go-vet",
                           "go-vet-mod", "shellcheck", "hadolint", "hadolint-docker",
                           "helmlint", "yamllint", "markdownlint", "markdownlint-cli2",
                           "clippy", "rubocop", "ktlint", "actionlint"})
STACK_FORMATTERS = frozenset({"terraform_fmt", "prettier", "go-fmt", "gofmt", "goimports",
                              "fmt", "rustfmt", "cargo-fmt", "shfmt", "clang-format",
                              "google-java-format", "rubocop", "ktlint", "mdformat"})
HYGIENE_HOOKS = ("trailing-whitespace", "end-of-file-fixer", "check-yaml",
                 "check-added-large-files", "check-merge-conflict")


def _maxkb(hooks: list[Hook]) -> int | None:
    for hook in hooks:
        for arg in hook.args:
            match = re.match(r"--maxkb=(\d+)", arg)
            if match:
                return int(match.group(1))
    return None


@rule("GIT003")
def precommit_hygiene(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT003: pre-commit hygiene hooks, a linter and a formatter, revs pinned to tags."""
    hooks = ", ".join(HYGIENE_HOOKS)
    config = config_or_finding(ctx, T(
        f"the hooks {hooks}, a linter and a formatter (ruff + ruff-format, or black + "
        "isort/flake8), revs pinned to tags",
        f"los hooks {hooks}, un linter y un formateador (ruff + ruff-format, o black + "
        "isort/flake8), revs fijados a tags"))
    if isinstance(config, Finding):
        yield config
        return
    ids = hook_ids(config)
    problems: list[T] = []
    missing = [h for h in HYGIENE_HOOKS if h not in ids]
    if missing:
        problems.append(T(f"missing pre-commit-hooks: {', '.join(missing)}",
                          f"faltan hooks de pre-commit-hooks: {', '.join(missing)}"))
    ruff = bool(ids & {"ruff", "ruff-check"})
    formatter = bool(ids & {"ruff-format", "black", "black-jupyter"})
    classic = bool(ids & {"black", "black-jupyter"}) and bool(ids & {"isort", "flake8"})
    if not ctx.files(["**/*.py"]):
        # no Python: the linter and formatter of the stack in use (Terraform, Go, JS...)
        if not (ids & STACK_LINTERS and ids & STACK_FORMATTERS):
            problems.append(T("no linter + formatter hooks for the code in the repository "
                              "(e.g. terraform_fmt + terraform_tflint, prettier + eslint, "
                              "gofmt + golangci-lint)", "faltan hooks de linter + formateador "
                              "para el código del repositorio (p. ej. terraform_fmt + "
                              "terraform_tflint, prettier + eslint, gofmt + golangci-lint)"))
    elif not ((ruff and formatter) or classic):
        problems.append(T("no linter + formatter hooks (ruff + ruff-format, or black + "
                          "isort/flake8)", "faltan hooks de linter + formateador (ruff + "
                          "ruff-format, o black + isort/flake8)"))
    unpinned = sorted({f"{h.repo}@{h.rev}" for h in config.hooks if not h.pinned})
    if unpinned:
        problems.append(T(f"rev not pinned to a release tag: {', '.join(unpinned)}",
                          f"rev no fijado a una etiqueta de versión: {', '.join(unpinned)}"))
    note = T("", "")
    maxkb = _maxkb(config.hook("check-added-large-files"))
    if maxkb is not None and maxkb > ctx.thresholds.large_file_kb:
        note = T(f" (check-added-large-files allows {maxkb} KB, above the "
                 f"{ctx.thresholds.large_file_kb} KB limit of GIT005)",
                 f" (check-added-large-files permite {maxkb} KB, más que el límite de "
                 f"{ctx.thresholds.large_file_kb} KB de GIT005)")
    line = config.hooks[0].line if config.hooks else 1
    if problems:
        yield failed(T.join(problems) + note, PRECOMMIT_CONFIG, line)
    else:
        yield passed(T("pre-commit runs the hygiene hooks, a linter and a formatter, with revs "
                       "pinned", "pre-commit ejecuta los hooks de higiene, un linter y un "
                       "formateador, con revs fijados") + note, PRECOMMIT_CONFIG, line)
    yield manual(T("whether the hooks are installed (pre-commit install) can only be checked "
                   "on each clone", "si los hooks están instalados (pre-commit install) solo se "
                   "puede comprobar en cada clon"), PRECOMMIT_CONFIG)
