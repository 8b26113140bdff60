"""What the git rules (GIT001-GIT007) share: the history or why it cannot be judged, the
pre-commit configuration or the finding that replaces a verdict, the tracked files, and
what counts as data."""

from __future__ import annotations

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.gitlog import History, history
from mlops_lint.parsers.invocations import precommit_config
from mlops_lint.parsers.precommit import PreCommitConfig

MIN_COMMITS = 5
MAX_FILE_FINDINGS = 20
MAX_SCANNED = 2000  # files read to look for ML imports
DATA_SUFFIXES = frozenset({".csv", ".parquet", ".pkl", ".pickle", ".joblib", ".h5", ".hdf5",
                           ".onnx", ".pt", ".pth", ".ckpt", ".safetensors", ".keras", ".npy",
                           ".npz", ".feather", ".arrow", ".tfrecord", ".xlsx"})
TEST_DIRS = frozenset({"tests", "test", "testing", "fixtures"})


def tracked_files(ctx: Context) -> tuple[list[str], bool]:
    """Files in git (or, without git, the files .gitignore lets in) and whether git."""
    if ctx.repo.is_git and ctx.repo.git_info is not None:
        return sorted(f for f in ctx.repo.files if ctx.repo.is_tracked(f)), True
    return list(ctx.repo.files), False


def history_or_skip(ctx: Context) -> History | Finding:
    found = history(ctx.repo)
    if isinstance(found, str) and ctx.repo.git_problem:
        return skipped(T(f"git could not read the repository: {ctx.repo.git_problem}",
                         f"git no pudo leer el repositorio: {ctx.repo.git_problem}"))
    if isinstance(found, str):
        reason = {"not a git repository": T("not a git repository", "no es un repositorio git"),
                  "no commits yet": T("no commits yet", "todavía no hay commits")}[found]
        return skipped(reason)
    return found


SHALLOW = T("history too short (shallow clone?)", "historial demasiado corto (¿clon superficial?)")


def config_or_finding(ctx: Context, needed: T) -> PreCommitConfig | Finding:
    """The pre-commit configuration, or the finding that replaces the rule's verdict; a
    missing file names everything the rule will ask of it (``needed``), so that a user
    does not discover the requirements one run at a time."""
    config = precommit_config(ctx.repo)
    if config is None:
        return failed(T("no .pre-commit-config.yaml; needed: ",
                        "no hay .pre-commit-config.yaml; hace falta: ") + needed,
                      fix=T("add .pre-commit-config.yaml (the guide's 05 \"5.2\") and run "
                            "pre-commit install", "añade .pre-commit-config.yaml (05 \"5.2\" "
                            "de la guía) y ejecuta pre-commit install"))
    if isinstance(config, ParseError):
        return failed(T(f"cannot read .pre-commit-config.yaml: {config.message}",
                        f"no se puede leer .pre-commit-config.yaml: {config.message}"),
                      config.path, config.line)
    return config


def hook_ids(config: PreCommitConfig) -> set[str]:
    return {h.id for h in config.hooks}
