"""Phase 2 environment checks: declared and versioned dependencies (ENV001), a committed
lockfile that CI installs from (ENV002), and one Python version everywhere (ENV003).

All three are project-scoped: a monorepo's projects each declare their own dependencies,
lockfile and ``requires-python``. Lockfiles and ``.python-version`` are looked for in the
project directory, then at the repository root (uv and Poetry workspaces lock at the
root); CI configuration is repository-wide.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.globs import is_test_data, matches
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import other_ci_files, workflows
from mlops_lint.parsers.dockerfile import DOCKERFILE_GLOBS, dockerfiles
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.invocations import Tool, tool_runs
from mlops_lint.parsers.mypy_config import toml_table_line
from mlops_lint.parsers.requirements import (
    RequirementsFile,
    parse_conda_dependency,
    parse_requirement,
    parse_requirements,
    poetry_versioned,
    satisfies,
    version_tuple,
)
from mlops_lint.parsers.shell import Simple
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.python_project import (
    NOT_SERVICE_DIRS,
    Declared,
    line_in,
    package_dirs,
    requires_python,
)
from mlops_lint.readers.templates import is_template, template_reason
from mlops_lint.rules import check, not_read

MAX_LISTED = 5


def _dirs(ctx: Context) -> list[str]:
    return list(dict.fromkeys([ctx.project.path, "."]))


def _in_dirs(ctx: Context, names: tuple[str, ...]) -> list[str]:
    """Existing files called ``names``: the project directory first, then the root."""
    found: list[str] = []
    for directory in _dirs(ctx):
        prefix = "" if directory == "." else directory + "/"
        found += [prefix + n for n in names if ctx.repo.exists(prefix + n)]
        if found:
            break
    return found


NO_PYTHON = T("not applicable: no Python code (.py files or notebooks) and no Python "
              "dependency file in the project",
              "no aplica: no hay código Python (archivos .py o notebooks) ni archivo de "
              "dependencias Python en el proyecto")


def has_python(ctx: Context) -> bool:
    """Whether the project has Python code: modules or notebooks."""
    return bool(ctx.files(("**/*.py", "**/*.ipynb")))


def _listed(items: list[str]) -> str:
    head = ", ".join(items[:MAX_LISTED])
    return head + (f" (+{len(items) - MAX_LISTED})" if len(items) > MAX_LISTED else "")


# -- ENV001 ----------------------------------------------------------------------------------


@dataclass
class Source:
    """One declaration of runtime dependencies: its entries and the bare ones."""

    path: str
    label: str
    line: int | None
    entries: int
    bare: list[tuple[str, int | None]]  # (name, line)
    problem: T | None = None


def _requirements_source(ctx: Context, path: str, seen: set[str]) -> list[Source]:
    seen.add(path)
    parsed = ctx.repo.parse(path, parse_requirements)
    if isinstance(parsed, ParseError):
        return [Source(path, path, parsed.line, 0, [], T(
            f"cannot read: {parsed.message}", f"no se puede leer: {parsed.message}"))]
    constrained = bool(parsed.includes("constraint"))
    bare: list[tuple[str, int | None]] = [(r.requirement.name, r.line) for r in parsed.requirements
            if r.requirement is not None and not r.requirement.versioned and not constrained]
    sources = [Source(path, path, 1, len(parsed.requirements), bare)]
    base = str(PurePosixPath(path).parent)
    for include in parsed.includes():
        target = include if base == "." else f"{base}/{include}"
        target = str(PurePosixPath(target))
        if ctx.repo.exists(target) and target not in seen:
            sources += _requirements_source(ctx, target, seen)
    return sources


def _pyproject_sources(ctx: Context, path: str, doc: dict[str, Any]) -> tuple[list[Source],
                                                                             list[str]]:
    """Sources declared in pyproject.toml, and requirement files it points at."""
    sources: list[Source] = []
    files: list[str] = []
    text = ctx.repo.text(path)
    deps = dig(doc, "project", "dependencies")
    if isinstance(deps, list):
        start = (toml_table_line(text, "project") or 1) if isinstance(text, str) else 1
        bare = []
        for entry in deps:
            req = parse_requirement(str(entry))
            if req is not None and not req.versioned:
                bare.append((req.name, line_in(text, f'"{entry}"', start)
                             or line_in(text, f"'{entry}'", start)))
        sources.append(Source(path, f"{path} [project].dependencies",
                              line_in(text, "dependencies", start), len(deps), bare))
    dynamic = dig(doc, "tool", "setuptools", "dynamic", "dependencies", "file")
    if isinstance(dynamic, (str, list)):
        base = str(PurePosixPath(path).parent)
        for name in [dynamic] if isinstance(dynamic, str) else dynamic:
            files.append(str(name) if base == "." else f"{base}/{name}")
    poetry = dig(doc, "tool", "poetry", "dependencies")
    if isinstance(poetry, dict):
        start = (toml_table_line(text, "tool.poetry.dependencies") or 1) if isinstance(
            text, str) else 1
        bare = []
        for name, value in poetry.items():
            if str(name).lower() == "python":
                continue
            versioned, _ = poetry_versioned(value)
            if not versioned:
                bare.append((str(name), line_in(text, str(name), start)))
        sources.append(Source(path, f"{path} [tool.poetry.dependencies]", start,
                              len([n for n in poetry if str(n).lower() != "python"]), bare))
    return sources, files


def _conda_source(ctx: Context, path: str) -> Source:
    data = ctx.repo.yaml(path)
    if isinstance(data, ParseError):
        return Source(path, path, data.line, 0, [], T(f"cannot read: {data.message}",
                                                      f"no se puede leer: {data.message}"))
    deps = data.get("dependencies") if isinstance(data, dict) else None
    text = ctx.repo.text(path)
    bare: list[tuple[str, int | None]] = []
    count = 0
    for entry in deps if isinstance(deps, list) else []:
        if isinstance(entry, dict):
            for item in entry.get("pip") or [] if isinstance(entry.get("pip"), list) else []:
                req = parse_requirement(str(item))
                count += 1
                if req is not None and not req.versioned:
                    bare.append((req.name, line_in(text, str(item))))
            continue
        name, versioned = parse_conda_dependency(str(entry))
        if name in ("python", "pip"):
            continue
        count += 1
        if not versioned:
            bare.append((name, line_in(text, str(entry))))
    return Source(path, path, 1, count, bare)


# conda environment files under other names (conda_dependencies.yml, environment-gpu.yml,
# ci_dependencies.yml): recognised by their content, a top-level dependencies: list
CONDA_NAME_GLOBS = ("environment*.yml", "environment*.yaml", "*conda*.yml", "*conda*.yaml",
                    "*dependencies*.yml", "*dependencies*.yaml", "*[-_]env.yml",
                    "*[-_]env.yaml")
SERVICE_REQUIREMENTS = ("requirements.in", "requirements.txt")
LOCK_NAMES = ("conda-lock", "-lock.", ".lock")


def is_conda_environment(data: Any) -> bool:
    """A conda environment file: a mapping whose ``dependencies`` is a list of package
    strings (``numpy=1.26``) or a ``{pip: [...]}`` entry."""
    if not isinstance(data, dict):
        return False
    deps = data.get("dependencies")
    return isinstance(deps, list) and bool(deps) and all(
        isinstance(d, str) or (isinstance(d, dict) and "pip" in d) for d in deps)


def conda_files(ctx: Context, directory: str) -> list[str]:
    """Conda environment files directly in ``directory``, whatever their name."""
    prefix = "" if directory == "." else directory + "/"
    out = []
    for path in _glob_in(ctx, prefix, CONDA_NAME_GLOBS):
        name = path[len(prefix):]
        if "/" in name or any(k in name.lower() for k in LOCK_NAMES):
            continue
        if name in ("environment.yml", "environment.yaml") or is_conda_environment(
                ctx.repo.yaml(path)):
            out.append(path)
    return out


def _root_sources(ctx: Context, directory: str, seen: set[str]) -> list[Source]:
    """The dependency declarations of one folder: requirements files and conda files."""
    prefix = "" if directory == "." else directory + "/"
    sources: list[Source] = []
    for name in SERVICE_REQUIREMENTS:
        if ctx.repo.exists(prefix + name) and prefix + name not in seen:
            sources += _requirements_source(ctx, prefix + name, seen)
    for path in conda_files(ctx, directory):
        if path not in seen:
            seen.add(path)
            sources.append(_conda_source(ctx, path))
    return sources


def service_dirs(ctx: Context) -> list[str]:
    """Folders below the project root that declare their own dependencies (a service's
    requirements.txt, a conda file with any name), outside tests, docs and examples."""
    names = set(SERVICE_REQUIREMENTS)
    found: set[str] = set()
    for path in ctx.project.files:
        local = ctx.project.local(path)
        parts = PurePosixPath(local).parts
        if len(parts) < 2 or is_test_data(local) or any(
                p.lower() in NOT_SERVICE_DIRS or p.startswith(".") for p in parts[:-1]):
            continue
        name = parts[-1]
        if name in names or (name.endswith((".yml", ".yaml"))
                             and matches(name, CONDA_NAME_GLOBS)):
            found.add(str(PurePosixPath(path).parent))
    return sorted(found)


def _pyproject_at(ctx: Context, pyproject: str, seen: set[str]) -> list[Source]:
    """The declarations of one pyproject.toml and of the requirement files it points at."""
    sources: list[Source] = []
    pointed: list[str] = []
    if ctx.repo.exists(pyproject):
        doc = ctx.repo.toml(pyproject)
        if isinstance(doc, ParseError):
            sources.append(Source(pyproject, pyproject, doc.line, 0, [], T(
                f"cannot read: {doc.message}", f"no se puede leer: {doc.message}")))
        else:
            found, pointed = _pyproject_sources(ctx, pyproject, doc)
            sources += found
    for path in pointed:
        if ctx.repo.exists(path) and path not in seen:
            sources += _requirements_source(ctx, path, seen)
    return sources


def runtime_sources(ctx: Context) -> list[Source]:
    seen: set[str] = set()
    sources = _pyproject_at(ctx, ctx.path("pyproject.toml"), seen)
    sources += _root_sources(ctx, ctx.project.path, seen)
    if not sources:
        # no declaration at the root: each service declares its own
        for directory in service_dirs(ctx):
            sources += _root_sources(ctx, directory, seen)
    if not sources:
        # nor per service: each sub-folder package's pyproject.toml
        for directory in package_dirs(ctx):
            sources += _pyproject_at(ctx, directory + "/pyproject.toml", seen)
    return sources


@check("dependencies_versioned")
def dependencies_versioned(ctx: Context, params: None) -> Iterator[Finding]:
    """ENV001: runtime dependencies declared, every entry with a version specifier."""
    sources = runtime_sources(ctx)
    if not sources and not has_python(ctx):
        yield skipped(NO_PYTHON)
        return
    if not sources:
        yield failed(T("no runtime dependency declaration ([project].dependencies, Poetry, "
                       "requirements.txt/.in or a conda environment file), neither at the "
                       "project root nor per service",
                       "no hay declaración de dependencias ([project].dependencies, Poetry, "
                       "requirements.txt/.in o un archivo de entorno conda), ni en la raíz "
                       "del proyecto ni por servicio"))
        return
    populated = [s for s in sources if s.entries or s.problem]
    if not populated:
        first = sources[0]
        yield warned(T(f"{first.label} declares no runtime dependencies",
                       f"{first.label} no declara dependencias de ejecución"),
                     first.path, first.line)
        return
    for source in populated:
        if source.problem and is_template(ctx.repo, source.path):
            yield skipped(template_reason(source.path), source.path)
        elif source.problem:
            yield failed(T(f"{source.label}: ", f"{source.label}: ") + source.problem,
                         source.path, source.line)
        elif source.bare:
            names = [n for n, _ in source.bare]
            yield failed(T(f"{source.label}: {len(names)} of {source.entries} entries have no "
                           f"version specifier: {_listed(names)}",
                           f"{source.label}: {len(names)} de {source.entries} entradas sin "
                           f"especificador de versión: {_listed(names)}"),
                         source.path, source.bare[0][1] or source.line,
                         fix=T(f"give each a range, e.g. {names[0]}>=X.Y,<X+1 (or ==X.Y.Z in a "
                               "lockfile)", f"da a cada una un rango, p. ej. "
                               f"{names[0]}>=X.Y,<X+1 (o ==X.Y.Z en un lockfile)"))
        else:
            yield passed(T(f"{source.label}: all {source.entries} entries have a version "
                           "specifier", f"{source.label}: las {source.entries} entradas tienen "
                           "especificador de versión"), source.path, source.line)


# -- ENV002 ------------------------------------------------------------------------------------

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


def _glob_in(ctx: Context, prefix: str, globs: tuple[str, ...]) -> list[str]:
    """``ctx.repo.glob([prefix + g for g in globs])``: the files under ``prefix`` are a
    contiguous run of the sorted inventory, so only they are tried (a monorepo asks this
    for every project, and a fresh pattern per project would scan every file)."""
    if not prefix:
        return ctx.repo.glob(globs)
    if any(c in prefix for c in "*?[{"):  # a directory name that is itself a glob
        return ctx.repo.glob([prefix + g for g in globs])
    files = ctx.repo.files
    out = []
    for index in range(bisect.bisect_left(files, prefix), len(files)):
        path = files[index]
        if not path.startswith(prefix):
            break
        if matches(path[len(prefix):], globs):
            out.append(path)
    return out


def find_lockfiles(ctx: Context) -> tuple[list[Lockfile], list[tuple[str, int, int]],
                                          list[str]]:
    """Lockfiles, requirements files that are not fully pinned (path, pinned, total), and
    lockfiles present on disk but left out of the inventory because git ignores them."""
    locks: list[Lockfile] = []
    partial: list[tuple[str, int, int]] = []
    ignored: list[str] = []
    # the project, the root, then (when neither has one) each service's own folder and
    # each sub-folder package's
    for directory in dict.fromkeys([*_dirs(ctx), *service_dirs(ctx), *package_dirs(ctx)]):
        prefix = "" if directory == "." else directory + "/"
        for name in LOCKFILES:
            if ctx.repo.exists(prefix + name):
                locks.append(Lockfile(prefix + name, name))
            elif ctx.repo.is_git and ctx.repo.abspath(prefix + name).is_file():
                ignored.append(prefix + name)
        for path in _glob_in(ctx, prefix, REQUIREMENT_GLOBS):
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


def _installs_from(locks: list[Lockfile]) -> Tool:
    names = {PurePosixPath(lock.path).name for lock in locks if lock.kind == "requirements"}
    kinds = {lock.kind for lock in locks}

    def match(simple: Simple) -> bool:
        words = " ".join(simple.argv)
        args = list(simple.args)
        if simple.program in ("pip", "pip3") or (simple.program == "uv" and args[:1] == ["pip"]):
            for index, arg in enumerate(args):
                value = args[index + 1] if arg in ("-r", "--requirement") and index + 1 < len(
                    args) else arg[2:] if arg.startswith("-r") and len(arg) > 2 else (
                    arg.split("=", 1)[1] if arg.startswith("--requirement=") else None)
                if value and PurePosixPath(value).name in names:
                    return True
            if simple.program == "uv" and args[1:2] == ["sync"]:
                return any(PurePosixPath(a).name in names for a in args[2:])
        if simple.program == "pip-sync":
            return any(PurePosixPath(a).name in names for a in args) or not args
        for kind in kinds:
            for command in LOCKFILES.get(kind, ()):
                if words.startswith(command):
                    return command.endswith("-f") is False or any(
                        PurePosixPath(a).name == kind for a in args)
        return False

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
    for stack, names in stacks:
        found = ctx.files([f"**/{name}" for name in names])
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


@check("lockfile_used")
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
        detail = T("", "")
        if partial:
            path, pinned, total = partial[0]
            detail = T(f"; {path} pins only {pinned}/{total} entries with ==",
                       f"; {path} fija solo {pinned}/{total} entradas con ==")
        yield failed(T("no lockfile (poetry.lock, uv.lock, pdm.lock, Pipfile.lock, "
                       "conda-lock.yml or a fully ==-pinned requirements.txt)",
                       "no hay lockfile (poetry.lock, uv.lock, pdm.lock, Pipfile.lock, "
                       "conda-lock.yml o un requirements.txt fijado con ==)") + detail,
                     partial[0][0] if partial else None, 1 if partial else None,
                     fix=T("generate one (pip-compile requirements.in, uv lock, poetry lock) "
                           "and commit it", "genera uno (pip-compile requirements.in, uv lock, "
                           "poetry lock) y súbelo al repositorio"))
        return
    if ctx.repo.is_git:
        untracked = [lock for lock in locks if not ctx.repo.is_tracked(lock.path)]
        if len(untracked) == len(locks):
            yield failed(T(f"{untracked[0].path} is not committed (ignored or never added)",
                           f"{untracked[0].path} no está en el repositorio (ignorado o sin "
                           "añadir)"), untracked[0].path, 1,
                         fix=T(f"remove it from .gitignore and git add {untracked[0].path}",
                               f"quítalo de .gitignore y haz git add {untracked[0].path}"))
            return
        locks = [lock for lock in locks if lock not in untracked]
    runs = [r for r in tool_runs(ctx.repo, _installs_from(locks), _dirs(ctx)) if r.where == "ci"]
    lock = locks[0]
    if runs:
        yield passed(T(f"{lock.path} is committed and CI installs from it "
                       f"({runs[0].describe()}: {runs[0].text})",
                       f"{lock.path} está en el repositorio y la CI instala desde él "
                       f"({runs[0].describe()}: {runs[0].text})"), runs[0].path, runs[0].line)
        return
    has_ci = bool(workflows(ctx.repo)) or bool(other_ci_files(ctx.repo))
    yield failed(T(f"{lock.path} is committed but no CI install step uses it"
                   if has_ci else f"{lock.path} is committed but there is no CI to install it",
                   f"{lock.path} está en el repositorio pero ningún paso de CI instala desde él"
                   if has_ci else f"{lock.path} está en el repositorio pero no hay CI que lo "
                   "instale"), lock.path, 1,
                 fix=T("install the locked environment in CI (pip install -r "
                       "requirements.txt, poetry install, uv sync, conda env create -f ...)",
                       "instala el entorno fijado en la CI (pip install -r requirements.txt, "
                       "poetry install, uv sync, conda env create -f ...)"))


# -- ENV003 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    version: str
    where: str  # human label
    path: str
    line: int | None
    yaml_float: bool = False


def _series_spec(version: str) -> str | None:
    """``3.9`` → ``==3.9.*`` (the whole series), ``3.9.7`` → ``==3.9.7``."""
    numbers = version_tuple(version)
    if numbers is None or len(numbers) < 2:
        return None
    text = ".".join(map(str, numbers[:3]))
    return f"=={text}.*" if len(numbers) == 2 else f"=={text}"


def _pipfile_python(ctx: Context) -> Declared | None:
    """Pipenv's ``[requires] python_full_version`` / ``python_version``."""
    for path in _in_dirs(ctx, ("Pipfile",)):
        doc = ctx.repo.toml(path)
        if isinstance(doc, ParseError):
            continue
        for key in ("python_full_version", "python_version"):
            value = dig(doc, "requires", key)
            spec = _series_spec(value) if isinstance(value, str) else None
            if spec:
                return Declared(spec, path, line_in(ctx.repo.text(path), key),
                                f"Pipfile [requires] {key} {value}")
    return None


def _declared_python(ctx: Context, pins: list[Pin]) -> Declared | None:
    """The project's declared interpreter: requires-python (or Poetry's constraint), else
    Pipenv's Pipfile [requires], else conda's environment.yml python=, else
    .python-version (the file those last two pins come from is the declaration)."""
    found = requires_python(ctx) or _pipfile_python(ctx)
    if found:
        return found
    for where in ("environment.yml", ".python-version"):
        for pin in pins:
            spec = _series_spec(pin.version) if pin.where == where else None
            if spec:
                return Declared(spec, pin.path, pin.line, f"{where} ({pin.version})")
    return None


def _versions(value: Any) -> list[tuple[str, bool]]:
    """Python versions of a matrix/with value: (text, was an unquoted YAML float)."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, float):
            out.append((repr(float(item)), True))
        elif isinstance(item, int):
            out.append((str(item), False))
        elif isinstance(item, str):
            out += [(part, False) for part in item.split()]
    return [(text, is_float) for text, is_float in out
            if len(version_tuple(text) or ()) >= 2]


def _ci_pins(ctx: Context) -> list[Pin]:
    """Python versions pinned in the repository's workflows (the same for every project:
    read once per run)."""
    cached: list[Pin] | None = ctx.repo.memo.get("env:ci_pins")
    if cached is None:
        cached = ctx.repo.memo["env:ci_pins"] = _read_ci_pins(ctx)
    return list(cached)


def _read_ci_pins(ctx: Context) -> list[Pin]:
    pins: list[Pin] = []
    for workflow in workflows(ctx.repo):
        if isinstance(workflow, ParseError):
            continue
        for job in workflow.jobs:
            matrix = job.strategy.get("matrix")
            if isinstance(matrix, dict):
                for key in ("python-version", "python_version", "python"):
                    for version, is_float in _versions(matrix.get(key)):
                        pins.append(Pin(version, f"CI matrix ({job.id})", workflow.path,
                                        job.line, is_float))
                include = matrix.get("include")
                for entry in include if isinstance(include, list) else []:
                    if isinstance(entry, dict):
                        for version, is_float in _versions(entry.get("python-version")):
                            pins.append(Pin(version, f"CI matrix include ({job.id})",
                                            workflow.path, job.line, is_float))
            for step in job.steps:
                if step.uses and "setup-python" in step.uses:
                    for version, is_float in _versions(step.with_.get("python-version")):
                        pins.append(Pin(version, f"setup-python ({job.id})", workflow.path,
                                        step.line, is_float))
    return pins


def _docker_pins(ctx: Context, problems: list[ParseError]) -> list[Pin]:
    pins = []
    for parsed in dockerfiles(ctx.repo, ctx.files(DOCKERFILE_GLOBS)):
        if isinstance(parsed, ParseError):
            problems.append(parsed)
            continue
        for stage in parsed.stages:
            image = stage.image
            if image is None or image.path.rsplit("/", 1)[-1] != "python" or not image.tag:
                continue
            tag = image.tag.split("-")[0]
            numbers = version_tuple(tag)
            if numbers is not None and len(numbers) >= 2:
                pins.append(Pin(".".join(map(str, numbers[:3])), "Dockerfile FROM",
                                parsed.path, stage.line))
    return pins


def _file_pins(ctx: Context) -> list[Pin]:
    pins = []
    for path in _in_dirs(ctx, (".python-version",)):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            token = line.split("#", 1)[0].strip()
            if token and token[0].isdigit() and version_tuple(token):
                pins.append(Pin(token, ".python-version", path, number))
    for name in ("environment.yml", "environment.yaml"):
        path = ctx.path(name)
        if not ctx.repo.exists(path):
            continue
        data = ctx.repo.yaml(path)
        deps = data.get("dependencies") if isinstance(data, dict) else None
        for entry in deps if isinstance(deps, list) else []:
            text = str(entry).split("::")[-1].replace(" ", "")
            if text.startswith(("python=", "python==")):
                version = text.split("=")[-1].rstrip("*").rstrip(".")
                if version_tuple(version):
                    pins.append(Pin(version, "environment.yml", path,
                                    line_in(ctx.repo.text(path), str(entry))))
    return pins


@check("python_version_consistency")
def python_version_consistency(ctx: Context, params: None) -> Iterator[Finding]:
    """ENV003: every CI, Docker and .python-version version satisfies requires-python."""
    problems: list[ParseError] = []
    pins = _ci_pins(ctx) + _docker_pins(ctx, problems) + _file_pins(ctx)
    yield from (not_read(problem) for problem in problems)
    declared = _declared_python(ctx, pins)
    if declared is not None and declared.label != "requires-python":
        # the declaration's own file is not compared with itself
        pins = [p for p in pins if p.path != declared.path]
    if not pins and declared is not None and declared.label != "requires-python":
        yield passed(T(f"the interpreter is declared by {declared.label}; no CI, Dockerfile "
                       "or other pin to compare", f"el intérprete lo declara {declared.label}; "
                       "ninguna versión de CI, Dockerfile u otra que comparar"),
                     declared.path, declared.line)
        return
    if not pins:
        yield skipped(T("no Python version pinned in CI, Dockerfiles, .python-version or "
                        "environment.yml: nothing to compare",
                        "ninguna versión de Python fijada en CI, Dockerfiles, .python-version "
                        "o environment.yml: nada que comparar"))
        return
    pyproject = ctx.path("pyproject.toml")
    unread = ctx.repo.toml(pyproject) if declared is None and ctx.repo.exists(pyproject) \
        else None
    if isinstance(unread, ParseError):
        # the declaration may be in the file that could not be read
        yield skipped(template_reason(pyproject) if is_template(ctx.repo, pyproject)
                      else T(f"{unread.where()} not read: {unread.message}; the declared "
                             "interpreter cannot be compared",
                             f"{unread.where()} no leído: {unread.message}; no se puede "
                             "comparar el intérprete declarado"), pyproject)
        return
    if declared is None:
        versions = sorted({p.version for p in pins})
        yield failed(T(f"no declared interpreter (requires-python, Poetry's python, Pipfile "
                       f"[requires], environment.yml python= or .python-version), so the "
                       f"versions used ({', '.join(versions)}) cannot be checked",
                       f"no hay intérprete declarado (requires-python, python de Poetry, "
                       f"[requires] del Pipfile, python= de environment.yml o "
                       f".python-version), así que las versiones usadas "
                       f"({', '.join(versions)}) no se pueden comprobar"),
                     ctx.path("pyproject.toml") if ctx.repo.exists(ctx.path("pyproject.toml"))
                     else None, 1 if ctx.repo.exists(ctx.path("pyproject.toml")) else None)
        return
    spec, spec_path, spec_line = declared.spec, declared.path, declared.line
    if declared.label == "requires-python":
        what = T(f"requires-python '{spec}'", f"requires-python '{spec}'")
    else:
        what = T(f"the interpreter declared by {declared.label}",
                 f"el intérprete declarado por {declared.label}")
    bad = []
    unknown = []
    for pin in pins:
        ok = satisfies(pin.version, spec)
        if ok is None:
            unknown.append(pin)
        elif not ok:
            bad.append(pin)
    if unknown and len(unknown) == len(pins):
        yield warned(T("cannot read ", "no se puede interpretar ") + what, spec_path, spec_line)
        return
    for pin in bad:
        hint = T(f" (an unquoted {pin.version}0 in YAML is read as {pin.version}: quote it)",
                 f" (un {pin.version}0 sin comillas en YAML se lee como {pin.version}: "
                 "entrecomíllalo)") if pin.yaml_float else T("", "")
        yield failed(T(f"{pin.where} uses Python {pin.version}, outside ",
                       f"{pin.where} usa Python {pin.version}, fuera de ") + what
                     + T(f" ({spec_path})", f" ({spec_path})") + hint, pin.path, pin.line,
                     fix=T("align it with ", "alinéalo con ") + what
                     + (T(" (or widen requires-python)", " (o amplía requires-python)")
                        if declared.label == "requires-python" else
                        T(" (or change the declaration)", " (o cambia la declaración)")))
    if not bad:
        versions = sorted({p.version for p in pins if p not in unknown},
                          key=lambda v: version_tuple(v) or ())
        yield passed(T(f"Python {', '.join(versions)} in CI/Docker/.python-version all satisfy ",
                       f"Python {', '.join(versions)} en CI/Docker/.python-version cumplen ")
                     + what, spec_path, spec_line)
