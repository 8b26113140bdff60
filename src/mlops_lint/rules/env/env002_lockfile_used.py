"""ENV002: a lockfile is committed and a CI install step consumes it.

A lockfile is one of :data:`LOCKFILES` or a fully ``==``-pinned requirements file, in the
project, at the root, then in each service's folder and each sub-folder package's. One
that git ignores fails. Without Python, the lock file of each other stack present
(Terraform, Node.js, Go, Rust) is asked for instead, except Terraform's in a reusable module
library (:mod:`mlops_lint.readers.project_kind`): HashiCorp's convention is to commit
``.terraform.lock.hcl`` for root configurations only, since the caller of a module
resolves its providers.

A requirements file installed under a guard (``if [ -f requirements.txt ]; then pip
install -r requirements.txt; fi``) is installed: the shell reader drops the reserved words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.globs import is_test_data
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import other_ci_files, workflows
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.invocations import Tool, tool_runs
from mlops_lint.parsers.requirements import RequirementsFile, parse_requirements
from mlops_lint.parsers.shell import Simple
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.python_project import package_dirs
from mlops_lint.rules import rule
from mlops_lint.rules.env._shared import (
    CONDA_NAME_GLOBS,
    dirs,
    glob_in,
    has_python,
    service_dirs,
)

LOCKFILES: dict[str, tuple[str, ...]] = {
    # lockfile name -> the CI commands that install from it
    "poetry.lock": ("poetry install", "poetry sync"),
    "uv.lock": ("uv sync", "uv pip sync"),
    "pdm.lock": ("pdm install", "pdm sync"),
    "Pipfile.lock": ("pipenv install", "pipenv sync"),
    "conda-lock.yml": ("conda-lock install",),
    "environment-lock.yml": ("conda env create -f", "mamba env create -f"),
    "environment.lock": ("conda env create -f",),
}
REQUIREMENT_GLOBS = ("requirements*.txt", "requirements/*.txt")


@dataclass(frozen=True)
class Lockfile:
    path: str
    kind: str  # a LOCKFILES key, or "requirements"


def _fully_pinned(parsed: RequirementsFile) -> bool:
    reqs = [r.requirement for r in parsed.requirements if r.requirement is not None]
    return bool(reqs) and all(r.pinned for r in reqs)


def find_lockfiles(ctx: Context) -> tuple[list[Lockfile], list[tuple[str, int, int]],
                                          list[str]]:
    """Lockfiles, requirements files that are not fully pinned (path, pinned, total), and
    lockfiles present on disk but left out of the inventory because git ignores them."""
    locks: list[Lockfile] = []
    partial: list[tuple[str, int, int]] = []
    ignored: list[str] = []
    # the project, the root, then (when neither has one) each service's own folder and
    # each sub-folder package's
    for directory in dict.fromkeys([*dirs(ctx), *service_dirs(ctx), *package_dirs(ctx)]):
        prefix = "" if directory == "." else directory + "/"
        for name in LOCKFILES:
            if ctx.repo.exists(prefix + name):
                locks.append(Lockfile(prefix + name, name))
            elif ctx.repo.is_git and ctx.repo.abspath(prefix + name).is_file():
                ignored.append(prefix + name)
        for path in glob_in(ctx, prefix, REQUIREMENT_GLOBS):
            parsed = ctx.repo.parse(path, parse_requirements)
            if isinstance(parsed, ParseError):
                continue
            if _fully_pinned(parsed):
                locks.append(Lockfile(path, "requirements"))
            elif parsed.requirements:
                reqs = [r.requirement for r in parsed.requirements if r.requirement]
                partial.append((path, sum(r.pinned for r in reqs), len(reqs)))
        if locks:
            break
    return locks, partial, ignored


def _requirement_files(args: list[str]) -> Iterator[str]:
    """The files given to pip with ``-r f``, ``-rf``, ``--requirement f`` or
    ``--requirement=f``."""
    for index, arg in enumerate(args):
        if arg in ("-r", "--requirement"):
            if index + 1 < len(args):
                yield args[index + 1]
        elif arg.startswith("--requirement="):
            yield arg.split("=", 1)[1]
        elif arg.startswith("-r") and len(arg) > 2:
            yield arg[2:]


def _lock_command(simple: Simple, kinds: set[str]) -> bool:
    """A command that installs from a lock of one of ``kinds`` (``poetry install``,
    ``conda env create -f environment.lock.yml``...)."""
    words = " ".join(simple.argv)
    for kind in kinds:
        for command in LOCKFILES.get(kind, ()):
            if words.startswith(command):
                return command.endswith("-f") is False or any(
                    PurePosixPath(a).name == kind for a in simple.args)
    return False


def _installs_from(locks: list[Lockfile]) -> Tool:
    names = {PurePosixPath(lock.path).name for lock in locks if lock.kind == "requirements"}
    kinds = {lock.kind for lock in locks}

    def named(values: Iterable[str]) -> bool:
        return any(value and PurePosixPath(value).name in names for value in values)

    def match(simple: Simple) -> bool:
        args = list(simple.args)
        if simple.program in ("pip", "pip3") or (simple.program == "uv" and args[:1] == ["pip"]):
            if named(_requirement_files(args)):
                return True
            if simple.program == "uv" and args[1:2] == ["sync"]:
                return named(args[2:])
        if simple.program == "pip-sync":
            return named(args) or not args
        return _lock_command(simple, kinds)

    return Tool("lockfile install:" + ",".join(sorted(names | kinds)), match)


# Other stacks' dependency locks: (stack, manifest globs, lockfile names). Their tools read
# the committed lock on every install (terraform init, npm ci, go build, cargo build).
STACK_LOCKS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Terraform", ("**/*.tf",), (".terraform.lock.hcl",)),
    ("Node.js", ("**/package.json",), ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
                                       "pnpm-lock.yaml", "bun.lockb")),
    ("Go", ("**/go.mod",), ("go.sum",)),
    ("Rust", ("**/Cargo.toml",), ("Cargo.lock",)),
)


def _stack_locks(ctx: Context) -> Iterator[Finding]:
    """ENV002 where there is no Python: the lock file of each other stack present."""
    stacks = [(stack, names) for stack, manifests, names in STACK_LOCKS if ctx.files(manifests)]
    if not stacks:
        yield skipped(T("not applicable: no Python code or dependency file, and no Terraform, "
                        "Node.js, Go or Rust manifest in the project",
                        "no aplica: no hay código ni archivos de dependencias Python, ni "
                        "manifiestos de Terraform, Node.js, Go o Rust en el proyecto"))
        return
    rules = ignore_rules(ctx.repo)
    library = project_kind(ctx.repo).module_library
    for stack, names in stacks:
        found = ctx.files([f"**/{name}" for name in names])
        if not found and stack == "Terraform" and library is not None:
            yield skipped(T("not applicable: ", "no aplica: ") + library + T(
                "; HashiCorp's convention is to commit .terraform.lock.hcl only for root "
                "configurations, since whoever calls a module resolves its providers",
                "; la convención de HashiCorp es subir .terraform.lock.hcl solo en las "
                "configuraciones raíz, ya que quien llama a un módulo resuelve sus "
                "proveedores"))
            continue
        if found:
            yield passed(T(f"{stack} dependencies are locked: {found[0]} is committed",
                           f"las dependencias de {stack} están fijadas: {found[0]} está en el "
                           "repositorio"), found[0])
            continue
        ignored = next((n for n in names if rules.ignored(ctx.path(n))), None)
        yield failed(T(f"no {stack} dependency lock file: {ignored} is listed in .gitignore",
                       f"no hay archivo de bloqueo de dependencias de {stack}: {ignored} está "
                       "en .gitignore") if ignored else
                     T(f"no {stack} dependency lock file ({', '.join(names)})",
                       f"no hay archivo de bloqueo de dependencias de {stack} "
                       f"({', '.join(names)})"),
                     fix=T(f"commit the lock file the {stack} tooling writes "
                           f"({names[0]}) so that every install resolves the same versions",
                           f"sube el archivo de bloqueo que escribe {stack} ({names[0]}) para "
                           "que cada instalación resuelva las mismas versiones"))


_CONDA_COMMAND = re.compile(r"\b(?:conda|mamba|micromamba)[ \t]+(?:env[ \t]+)?(?:create|update)\b")
_MAX_CONDA_SCAN = 100_000


def conda_environment(ctx: Context) -> str | None:
    """What shows the project's environment is conda's: a conda environment file (a
    top-level ``dependencies:`` list), or a ``conda env create`` in a Dockerfile or a
    shell script; None when nothing does."""
    for path in ctx.files([f"**/{g}" for g in CONDA_NAME_GLOBS]):
        if is_test_data(path):
            continue
        doc = ctx.repo.yaml(path)
        if isinstance(doc, dict) and isinstance(doc.get("dependencies"), list):
            return path
    for path in ctx.files(["**/Dockerfile", "**/*.Dockerfile", "**/Dockerfile.*", "**/*.sh"]):
        text = ctx.repo.text(path)
        if isinstance(text, str) and (match := _CONDA_COMMAND.search(text[:_MAX_CONDA_SCAN])):
            return f"{match.group(0)} in {path}"
    return None


def _no_lockfile_fix(ctx: Context) -> T:
    conda = conda_environment(ctx)
    if conda is None:
        return T("generate one (pip-compile requirements.in, uv lock, poetry lock) and commit "
                 "it", "genera uno (pip-compile requirements.in, uv lock, poetry lock) y "
                 "súbelo al repositorio")
    source = conda if conda.endswith((".yml", ".yaml")) else "environment.yml"
    return T(f"the environment is conda's ({conda}): lock it with conda-lock (conda-lock -f "
             f"{source} -p linux-64, installed with conda-lock install), or commit the "
             "output of conda env export --no-builds (or a micromamba lock) and create the "
             "environment from it",
             f"el entorno es de conda ({conda}): fíjalo con conda-lock (conda-lock -f "
             f"{source} -p linux-64, instalado con conda-lock install), o sube la salida de "
             "conda env export --no-builds (o un lock de micromamba) y crea el entorno "
             "desde ella")


def _no_lockfile(ctx: Context, partial: list[tuple[str, int, int]]) -> Finding:
    """No lockfile: the failure, naming the first requirements file pinned only in part."""
    detail = T("", "")
    if partial:
        path, pinned, total = partial[0]
        detail = T(f"; {path} pins only {pinned}/{total} entries with ==",
                   f"; {path} fija solo {pinned}/{total} entradas con ==")
    return failed(T("no lockfile (poetry.lock, uv.lock, pdm.lock, Pipfile.lock, "
                    "conda-lock.yml or a fully ==-pinned requirements.txt)",
                    "no hay lockfile (poetry.lock, uv.lock, pdm.lock, Pipfile.lock, "
                    "conda-lock.yml o un requirements.txt fijado con ==)") + detail,
                  partial[0][0] if partial else None, 1 if partial else None,
                  fix=_no_lockfile_fix(ctx))


def _committed(ctx: Context, locks: list[Lockfile]) -> list[Lockfile] | Finding:
    """The lockfiles git tracks (all of them without git), or the failure when git tracks
    none."""
    if not ctx.repo.is_git:
        return locks
    untracked = [lock for lock in locks if not ctx.repo.is_tracked(lock.path)]
    if len(untracked) == len(locks):
        return failed(T(f"{untracked[0].path} is not committed (ignored or never added)",
                        f"{untracked[0].path} no está en el repositorio (ignorado o sin "
                        "añadir)"), untracked[0].path, 1,
                      fix=T(f"remove it from .gitignore and git add {untracked[0].path}",
                            f"quítalo de .gitignore y haz git add {untracked[0].path}"))
    return [lock for lock in locks if lock not in untracked]


def _installed_in_ci(ctx: Context, locks: list[Lockfile]) -> Finding:
    """Whether a CI step installs from the committed lockfiles."""
    runs = [r for r in tool_runs(ctx.repo, _installs_from(locks), dirs(ctx)) if r.where == "ci"]
    lock = locks[0]
    if runs:
        return passed(T(f"{lock.path} is committed and CI installs from it "
                        f"({runs[0].describe()}: {runs[0].text})",
                        f"{lock.path} está en el repositorio y la CI instala desde él "
                        f"({runs[0].describe()}: {runs[0].text})"), runs[0].path, runs[0].line)
    has_ci = bool(workflows(ctx.repo)) or bool(other_ci_files(ctx.repo))
    return failed(T(f"{lock.path} is committed but no CI install step uses it"
                    if has_ci else f"{lock.path} is committed but there is no CI to install it",
                    f"{lock.path} está en el repositorio pero ningún paso de CI instala desde él"
                    if has_ci else f"{lock.path} está en el repositorio pero no hay CI que lo "
                    "instale"), lock.path, 1,
                  fix=T("install the locked environment in CI (pip install -r "
                        "requirements.txt, poetry install, uv sync, conda env create -f ...)",
                        "instala el entorno fijado en la CI (pip install -r requirements.txt, "
                        "poetry install, uv sync, conda env create -f ...)"))


@rule("ENV002")
def lockfile_used(ctx: Context, params: None) -> Iterator[Finding]:
    """ENV002: a lockfile is committed and a CI install step consumes it."""
    locks, partial, ignored = find_lockfiles(ctx)
    if not locks and ignored:
        yield failed(T(f"{ignored[0]} exists but git ignores it, so CI and colleagues never get "
                       "it", f"{ignored[0]} existe pero git lo ignora, así que ni la CI ni el "
                       "equipo lo reciben"),
                     fix=T(f"remove it from .gitignore and git add {ignored[0]}",
                           f"quítalo de .gitignore y haz git add {ignored[0]}"))
        return
    if not locks and not partial and not has_python(ctx):
        yield from _stack_locks(ctx)
        return
    if not locks:
        yield _no_lockfile(ctx, partial)
        return
    committed = _committed(ctx, locks)
    if isinstance(committed, Finding):
        yield committed
        return
    yield _installed_in_ci(ctx, committed)
