"""DATA001: DVC initialised, its config committed.

The DVC repository is the root's ``.dvc/config``, or one initialised in a sub-folder
(``dvc init --subdir``); see :func:`~mlops_lint.rules.data._shared.dvc_config`.
Without DVC, data versioned with a well-known equivalent in the project code (Azure ML
datasets, lakeFS, ClearML or W&B dataset artifacts; see
:func:`~mlops_lint.rules.data._equivalents.data_versioning`) passes, naming it.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.rules import rule
from mlops_lint.rules.data._equivalents import data_versioning
from mlops_lint.rules.data._shared import DVC_CONFIG, dvc_config, scaffold_data_only


def _beside(config: str, name: str) -> str:
    """``name`` in the folder of the DVC repository whose config is ``config``."""
    base = config[:-len(DVC_CONFIG)]
    return base + name


@rule("DATA001")
def dvc_initialised(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA001: .dvc/config exists (and .dvcignore), committed."""
    if (scaffold := scaffold_data_only(ctx)) is not None:
        yield scaffold
        return
    config = dvc_config(ctx)
    if not ctx.repo.exists(config):
        other = data_versioning(ctx)
        if other is not None:
            yield passed(T(f"data versioned with {other.name} instead of DVC",
                           f"datos versionados con {other.name} en lugar de DVC"),
                         other.path, other.line)
            return
        yield failed(T("DVC is not initialised (no .dvc/config)",
                       "DVC no está inicializado (no hay .dvc/config)"),
                     fix=T("dvc init && git add .dvc .dvcignore && git commit -m "
                           "'build: initialise DVC' (or waive the rule with an ADR)",
                           "dvc init && git add .dvc .dvcignore && git commit -m "
                           "'build: initialise DVC' (o exceptúa la regla con un ADR)"))
        return
    ignore = _beside(config, ".dvcignore")
    if ctx.repo.is_git and not ctx.repo.is_tracked(config):
        yield warned(T(f"{config} exists but is not committed",
                       f"{config} existe pero no está en el repositorio"), config, 1,
                     fix=T.same(f"git add {config} {ignore}"))
        return
    note = T("", "") if ctx.repo.exists(ignore) else T(
        f" ({ignore} is missing; dvc init creates it)",
        f" (falta {ignore}; dvc init lo crea)")
    yield passed(T(f"DVC is initialised ({config})", f"DVC está inicializado ({config})")
                 + note, config)
