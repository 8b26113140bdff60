"""ENV003: one Python version everywhere.

The declared interpreter is ``requires-python`` (or Poetry's ``python``), else Pipenv's
``[requires]``, else conda's ``python=``, else ``.python-version``; every version pinned
in CI (matrix, ``setup-python``), in a ``python:`` Dockerfile base image and in
``.python-version``/``environment.yml`` must satisfy it. An unquoted ``3.10`` in YAML is
the float 3.1: the failure says so.

A documentation repository (:mod:`mlops_lint.readers.project_kind`) that declares no
interpreter is not applicable: its only Python is the CI job that builds the site, and
there is no project whose interpreter could be declared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import workflows
from mlops_lint.parsers.dockerfile import DOCKERFILE_GLOBS, dockerfiles
from mlops_lint.parsers.requirements import satisfies, version_tuple
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.python_project import Declared, line_in, requires_python
from mlops_lint.readers.templates import is_template, template_reason
from mlops_lint.rules import not_read, rule
from mlops_lint.rules.env._shared import dirs


def _in_dirs(ctx: Context, names: tuple[str, ...]) -> list[str]:
    """Existing files called ``names``: the project directory first, then the root."""
    found: list[str] = []
    for directory in dirs(ctx):
        prefix = "" if directory == "." else directory + "/"
        found += [prefix + n for n in names if ctx.repo.exists(prefix + n)]
        if found:
            break
    return found


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
    .python-version (the file those last two pins come from is the declaration); for a
    container-only service (no packaging metadata), the ``python:`` base image of its
    Dockerfile, as a series."""
    found = requires_python(ctx) or _pipfile_python(ctx)
    if found:
        return found
    for where in ("environment.yml", ".python-version"):
        for pin in pins:
            spec = _series_spec(pin.version) if pin.where == where else None
            if spec:
                return Declared(spec, pin.path, pin.line, f"{where} ({pin.version})")
    if _in_dirs(ctx, PACKAGING_FILES):
        return None  # a package declares its interpreter in its own metadata
    for pin in pins:
        numbers = version_tuple(pin.version) if pin.where == "Dockerfile FROM" else None
        if numbers is not None and len(numbers) >= 2:
            series = ".".join(map(str, numbers[:2]))
            return Declared(f"=={series}.*", pin.path, pin.line,
                            f"the base image python:{pin.version} of {pin.path}")
    return None


# files whose metadata declares a package's interpreter; a service without them runs
# only in its container, whose python: base image is its interpreter
PACKAGING_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


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


def _nothing_to_compare(ctx: Context, pins: list[Pin], declared: Declared | None
                        ) -> Declared | Finding:
    """The declaration the pins are compared with, or the finding that replaces the
    comparison: no pin, an unreadable pyproject.toml, or no declaration."""
    if not pins and declared is not None and declared.label != "requires-python":
        return passed(T(f"the interpreter is declared by {declared.label}; no CI, Dockerfile "
                        "or other pin to compare", f"el intérprete lo declara {declared.label}; "
                        "ninguna versión de CI, Dockerfile u otra que comparar"),
                      declared.path, declared.line)
    if not pins:
        return skipped(T("no Python version pinned in CI, Dockerfiles, .python-version or "
                         "environment.yml: nothing to compare",
                         "ninguna versión de Python fijada en CI, Dockerfiles, .python-version "
                         "o environment.yml: nada que comparar"))
    pyproject = ctx.path("pyproject.toml")
    unread = ctx.repo.toml(pyproject) if declared is None and ctx.repo.exists(pyproject) \
        else None
    if isinstance(unread, ParseError):
        # the declaration may be in the file that could not be read
        return skipped(template_reason(pyproject) if is_template(ctx.repo, pyproject)
                       else T(f"{unread.where()} not read: {unread.message}; the declared "
                              "interpreter cannot be compared",
                              f"{unread.where()} no leído: {unread.message}; no se puede "
                              "comparar el intérprete declarado"), pyproject)
    versions = sorted({p.version for p in pins})
    if declared is None and (documentation := project_kind(ctx.repo).no_code()) is not None:
        return skipped(T("not applicable: ", "no aplica: ") + documentation + T(
            f"; its Python ({', '.join(versions)}) only builds the documentation in CI, and "
            "there is no project interpreter to declare",
            f"; su Python ({', '.join(versions)}) solo construye la documentación en la CI, "
            "y no hay intérprete de proyecto que declarar"))
    if declared is None:
        return failed(T(f"no declared interpreter (requires-python, Poetry's python, Pipfile "
                        f"[requires], environment.yml python= or .python-version), so the "
                        f"versions used ({', '.join(versions)}) cannot be checked",
                        f"no hay intérprete declarado (requires-python, python de Poetry, "
                        f"[requires] del Pipfile, python= de environment.yml o "
                        f".python-version), así que las versiones usadas "
                        f"({', '.join(versions)}) no se pueden comprobar"),
                      ctx.path("pyproject.toml") if ctx.repo.exists(ctx.path("pyproject.toml"))
                      else None, 1 if ctx.repo.exists(ctx.path("pyproject.toml")) else None)
    return declared


def _outside(pin: Pin, declared: Declared, what: T) -> Finding:
    """The failure of a pin outside the declared interpreter."""
    hint = T(f" (an unquoted {pin.version}0 in YAML is read as {pin.version}: quote it)",
             f" (un {pin.version}0 sin comillas en YAML se lee como {pin.version}: "
             "entrecomíllalo)") if pin.yaml_float else T("", "")
    return failed(T(f"{pin.where} uses Python {pin.version}, outside ",
                    f"{pin.where} usa Python {pin.version}, fuera de ") + what
                  + T(f" ({declared.path})", f" ({declared.path})") + hint, pin.path, pin.line,
                  fix=T("align it with ", "alinéalo con ") + what
                  + (T(" (or widen requires-python)", " (o amplía requires-python)")
                     if declared.label == "requires-python" else
                     T(" (or change the declaration)", " (o cambia la declaración)")))


def _compared(pins: list[Pin], declared: Declared) -> Iterator[Finding]:
    """Every pin compared with the declared interpreter."""
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
        yield _outside(pin, declared, what)
    if not bad:
        versions = sorted({p.version for p in pins if p not in unknown},
                          key=lambda v: version_tuple(v) or ())
        yield passed(T(f"Python {', '.join(versions)} in CI/Docker/.python-version all satisfy ",
                       f"Python {', '.join(versions)} en CI/Docker/.python-version cumplen ")
                     + what, spec_path, spec_line)


@rule("ENV003")
def python_version_consistency(ctx: Context, params: None) -> Iterator[Finding]:
    """ENV003: every CI, Docker and .python-version version satisfies requires-python."""
    problems: list[ParseError] = []
    pins = _ci_pins(ctx) + _docker_pins(ctx, problems) + _file_pins(ctx)
    yield from (not_read(problem) for problem in problems)
    declared = _declared_python(ctx, pins)
    if declared is not None and declared.label != "requires-python":
        # the declaration's own file is not compared with itself
        pins = [p for p in pins if p.path != declared.path]
    found = _nothing_to_compare(ctx, pins, declared)
    if isinstance(found, Finding):
        yield found
        return
    yield from _compared(pins, found)
