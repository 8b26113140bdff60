"""GIT007: the target is inside a git work tree.

A repository git cannot read (another user's checkout, ``safe.directory``) warns rather
than fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.rules import rule


@rule("GIT007")
def git_repository(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT007: the target is inside a git work tree."""
    info = ctx.repo.git_info
    if info is None and ctx.repo.git_problem:
        yield warned(T(f"git could not read the repository: {ctx.repo.git_problem}",
                       f"git no pudo leer el repositorio: {ctx.repo.git_problem}"),
                     fix=T("make the repository readable by the user running mlops-lint "
                           "(for a checkout owned by another user: git config --global "
                           "--add safe.directory <path>)",
                           "haz el repositorio legible para el usuario que ejecuta mlops-lint "
                           "(si otro usuario es el dueño: git config --global --add "
                           "safe.directory <ruta>)"))
        return
    if info is None:
        yield failed(T("not a git repository: history rules (GIT002, GIT006) are skipped",
                       "no es un repositorio git: las reglas de historial (GIT002, GIT006) se "
                       "omiten"), fix=T("git init && git add -A && git commit -m "
                                        "'chore: initial commit'", "git init && git add -A && "
                                        "git commit -m 'chore: initial commit'"))
        return
    shallow = T(" (shallow clone)", " (clon superficial)") if info.shallow else T("", "")
    yield passed(T(f"inside a git work tree; {len(info.tracked)} tracked files",
                   f"dentro de un repositorio git; {len(info.tracked)} archivos versionados")
                 + shallow)
