"""PY010: a Makefile (or justfile/noxfile/tasks.py) with the guide's targets.

A target counts under its aliases (:data:`TARGET_ALIASES`), prefixed or suffixed variants
of them (:data:`VARIANT_NAMES`), or, whatever its name, when its recipe runs the tool
that does the job (:data:`RECIPE_TOOLS`).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, verdict
from mlops_lint.parsers.invocations import makefile_at
from mlops_lint.parsers.python_source import PythonIndex, python_index
from mlops_lint.readers.training import training
from mlops_lint.rules import rule
from mlops_lint.rules.python._shared import dirs

TARGET_ALIASES: dict[str, tuple[str, ...]] = {
    "install": ("install", "setup", "install-dev", "requirements", "deps"),
    "test": ("test", "tests"),
    "lint": ("lint", "check"),
    "format": ("format", "fmt"),
    "train": ("train",),
    "serve": ("serve", "run", "api", "serve-api", "start", "dev"),
    "docker-build": ("docker-build", "docker_build", "build-docker", "docker-image",
                     "build-image", "docker"),
    "help": ("help",),
}
# prefixed or suffixed variants of these names do the job (lint-all, test-examples,
# ci-lint, demo-train); other aliases (run, check, docker) are too generic to vary
VARIANT_NAMES = frozenset({"install", "test", "tests", "lint", "format", "fmt", "train",
                           "serve"})
# a target whose recipe runs one of these does the job, whatever its name
RECIPE_TOOLS: dict[str, re.Pattern[str]] = {
    "install": lazy_re.compile(r"\bpip[ \t]+install[ \t][^\n]*(?:-r[ \t]|-e[ \t]|\.(?:\[|[ \t]|$))|"
                               r"\b(?:uv[ \t]+sync|poetry[ \t]+install|pdm[ \t]+(?:install|sync)|"
                               r"pipenv[ \t]+install|pixi[ \t]+install|conda[ \t]+env[ \t]+"
                               r"(?:create|update)|mamba[ \t]+env[ \t]+(?:create|update))\b",
                               re.MULTILINE),
    "test": lazy_re.compile(r"\b(?:pytest|py\.test|tox|nox|unittest)\b"),
    "lint": lazy_re.compile(r"\b(?:ruff[ \t]+check|flake8|pylint|black[ \t][^\n]*--check|mypy)\b"),
    "format": lazy_re.compile(r"\b(?:ruff[ \t]+format|black|isort|autopep8|yapf)\b"),
    "docker-build": lazy_re.compile(r"\b(?:docker|podman)[ \t]+(?:buildx[ \t]+|image[ \t]+)?"
                                    r"build\b|\bdocker[ \t]+compose[ \t]+build\b"),
}
# task scripts named by what they do (scripts/test.sh, hack/build-images.sh), one level
# below the project too (backend/scripts/lint.sh)
SCRIPT_GLOBS = ("scripts/*.sh", "hack/*.sh", "*/scripts/*.sh")
# a script a recipe calls (./hack/build.sh): its text is read as part of the recipe
_SCRIPT_CALL = lazy_re.compile(r"(?<![\w./-])(?:\./)?([\w][\w./-]{0,200}\.sh)\b")
# a lock file whose tool installs the environment in one command (uv sync, poetry install)
INSTALL_LOCKS = {"uv.lock": "uv sync", "poetry.lock": "poetry install",
                 "pdm.lock": "pdm install", "Pipfile.lock": "pipenv install",
                 "pixi.lock": "pixi install"}
MAX_SCRIPT = 50_000
_JUST_RECIPE = lazy_re.compile(r"^@?([A-Za-z_][\w-]*)(?:\s[^:=]*)?:(?!=)")


def parse_justfile(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1].isspace() or line.startswith(("#", "set ", "alias ", "export ")):
            continue
        match = _JUST_RECIPE.match(line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def _python_tasks(index: PythonIndex, decorator: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for node in index.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                qual = index.qualname(target) or ""
                if qual.rsplit(".", 1)[-1] == decorator:
                    name = node.name
                    if isinstance(dec, ast.Call):
                        for kw in dec.keywords:
                            if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                                name = str(kw.value.value)
                    found[name.replace("_", "-")] = node.lineno
                    found.setdefault(name, node.lineno)
    return found


def _variant_of(name: str, alias: str) -> bool:
    return alias in VARIANT_NAMES and name != alias and bool(
        re.fullmatch(rf"(?:{re.escape(alias)}[-_:.][\w.-]+|[\w.-]+[-_:.]{re.escape(alias)})",
                     name))


def _text(ctx: Context, path: str) -> str:
    text = ctx.repo.text(path)
    return text[:MAX_SCRIPT] if isinstance(text, str) else ""


def _with_scripts(ctx: Context, directory: str, recipe: str) -> str:
    """A recipe with the text of the shell scripts of the repository it calls."""
    prefix = "" if directory == "." else directory + "/"
    called = [m.group(1) for m in _SCRIPT_CALL.finditer(recipe)][:10]
    texts = [_text(ctx, prefix + p) for p in called if ctx.repo.exists(prefix + p)]
    return "\n".join([recipe, *texts])


def _scripts(ctx: Context, directory: str, recipes: dict[str, str] | None
             ) -> list[tuple[str, dict[str, int]]]:
    """Task scripts (``scripts/test.sh`` is the task ``test``) and ``package.json``
    scripts of ``directory``."""
    runners: list[tuple[str, dict[str, int]]] = []
    prefix = "" if directory == "." else directory + "/"
    paths = ctx.repo.glob([prefix + g for g in SCRIPT_GLOBS])
    by_folder: dict[str, dict[str, int]] = {}
    for path in sorted(paths):
        folder, _, name = path.rpartition("/")
        task = name.removesuffix(".sh")
        by_folder.setdefault(folder, {}).setdefault(task, 1)
        if recipes is not None:
            recipes.setdefault(task, _text(ctx, path))
    runners += [(f"{folder}/*.sh", tasks) for folder, tasks in by_folder.items()]
    if ctx.repo.exists(prefix + "package.json"):
        data = ctx.repo.parse(prefix + "package.json", _json_object)
        scripts = data.get("scripts") if isinstance(data, dict) else None
        if isinstance(scripts, dict) and scripts:
            runners.append((prefix + "package.json", dict.fromkeys(map(str, scripts), 1)))
            if recipes is not None:
                for name, command in scripts.items():
                    recipes.setdefault(str(name), str(command))
    return runners


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def _compose_build(ctx: Context) -> str | None:
    """A compose file whose services are built from the repository (``build:``):
    ``docker compose build`` builds them in one command."""
    for directory in dirs(ctx):
        prefix = "" if directory == "." else directory + "/"
        for name in COMPOSE_FILES:
            if not ctx.repo.exists(prefix + name):
                continue
            data = ctx.repo.yaml(prefix + name)
            services = data.get("services") if isinstance(data, dict) else None
            if isinstance(services, dict) and any(
                    isinstance(s, dict) and s.get("build") for s in services.values()):
                return f"docker compose build ({prefix}{name})"
    return None


def _installer(ctx: Context) -> str | None:
    """A lock file whose tool installs the environment in one command."""
    for directory in dirs(ctx):
        prefix = "" if directory == "." else directory + "/"
        for lock, command in INSTALL_LOCKS.items():
            if ctx.repo.exists(prefix + lock):
                return f"{command} ({prefix}{lock})"
    return None


def _task_runners(ctx: Context, recipes: dict[str, str] | None = None
                  ) -> list[tuple[str, dict[str, int]]]:
    """(path, {task: line}) of every task runner in the project or at the root; a
    Makefile's recipes (with those of their prerequisites and the scripts they call) go
    to ``recipes``."""
    runners: list[tuple[str, dict[str, int]]] = []
    for directory in dirs(ctx):
        found = makefile_at(ctx.repo, directory)
        if found is not None:
            runners.append((found[0], {n: t.line for n, t in found[1].targets.items()}))
            if recipes is not None:
                for name in found[1].targets:
                    recipes.setdefault(name, _with_scripts(ctx, directory, "\n".join(
                        found[1].expand(line) for _, line in found[1].commands(name))))
        prefix = "" if directory == "." else directory + "/"
        for name in ("justfile", "Justfile", ".justfile"):
            if ctx.repo.exists(prefix + name):
                parsed = ctx.repo.parse(prefix + name, parse_justfile)
                if isinstance(parsed, dict):
                    runners.append((prefix + name, parsed))
        for name, decorator in (("noxfile.py", "session"), ("tasks.py", "task")):
            if ctx.repo.exists(prefix + name):
                index = python_index(ctx.repo, prefix + name)
                if isinstance(index, PythonIndex):
                    runners.append((prefix + name, _python_tasks(index, decorator)))
        if runners:
            break
    for directory in dirs(ctx):  # task scripts add to a Makefile, in either folder
        runners += [r for r in _scripts(ctx, directory, recipes) if r not in runners]
    return runners


RUNNER_GLOBS = ("**/Makefile", "**/justfile", "**/Justfile", "**/noxfile.py", "**/tasks.py",
                "**/package.json")


def _elsewhere(ctx: Context) -> list[str]:
    """Task runners of the repository outside the project and its root: other samples'
    or tools' own (``ai-ml/agent/Makefile``, ``web/package.json``)."""
    mine = set(dirs(ctx))
    out = []
    for path in ctx.repo.glob(RUNNER_GLOBS):
        folder = path.rpartition("/")[0] or "."
        if folder not in mine and "node_modules" not in path.split("/"):
            out.append(path)
    return sorted(out)


def _no_runner(ctx: Context) -> Iterator[Finding]:
    """No task runner in the project or at the root: say where others are (they serve
    other folders, not this project), and ask for the project's own with the targets its
    levels name (train only when the project trains)."""
    here = T("in the project", "en el proyecto") if ctx.project.path == "." else T(
        f"in {ctx.project.path} or at the repository root",
        f"en {ctx.project.path} ni en la raíz del repositorio")
    message = T("no Makefile (or justfile, noxfile.py, tasks.py, task scripts such as "
                "scripts/test.sh, package.json scripts) ", "no hay Makefile (ni justfile, "
                "noxfile.py, tasks.py, scripts de tareas como scripts/test.sh, scripts de "
                "package.json) ") + here
    others = _elsewhere(ctx)
    if others:
        listed = ", ".join(others[:3]) + (f" (+{len(others) - 3})" if len(others) > 3 else "")
        message += T(f"; other folders have task runners of their own ({listed}), which do "
                     "not run this project's tasks",
                     f"; otras carpetas tienen sus propios ejecutores de tareas ({listed}), "
                     "que no ejecutan las tareas de este proyecto")
    where = "Makefile" if ctx.project.path == "." else f"{ctx.project.path}/Makefile"
    second = "format, train, serve" if training(ctx).anywhere else "format, serve"
    fix = T(f"Add {where} with the targets install, test and lint (level 1), then {second} "
            "and docker-build or help (level 2), as in the guide's TPL/Makefile.",
            f"Añade {where} con los targets install, test y lint (nivel 1), y después "
            f"{second} y docker-build o help (nivel 2), como en TPL/Makefile de la guía.")
    yield failed(message, fix=fix)


@rule("PY010")
def task_runner(ctx: Context, params: None) -> Iterator[Finding]:
    """PY010: a Makefile (or justfile/noxfile/tasks.py) with the guide's targets."""
    recipes: dict[str, str] = {}
    runners = _task_runners(ctx, recipes)
    if not runners:
        yield from _no_runner(ctx)
        return
    tasks: dict[str, tuple[str, int]] = {}
    for path, names in runners:
        for name, line in names.items():
            tasks.setdefault(name, (path, line))
    path = runners[0][0]

    def has(key: str) -> str | None:
        """The task that does ``key``: by name, by a prefixed/suffixed variant of the name,
        or (test, lint, format) by a recipe that runs the tool."""
        aliases = TARGET_ALIASES[key]
        exact = next((alias for alias in aliases if alias in tasks), None)
        if exact is not None:
            return exact
        variant = next((name for name in sorted(tasks)
                        if any(_variant_of(name, alias) for alias in aliases)), None)
        if variant is not None:
            return variant
        tool = RECIPE_TOOLS.get(key)
        if tool is not None:
            by_tool = next((name for name in sorted(recipes) if tool.search(recipes[name])),
                           None)
            if by_tool is not None:
                return by_tool
        return {"install": installer, "docker-build": compose}.get(key)

    installer = _installer(ctx)
    compose = _compose_build(ctx)
    trains = training(ctx).anywhere
    for level, every in ((1, ("install", "test", "lint")),
                         (2, ("install", "test", "lint", "format", "train", "serve"))):
        wanted = tuple(w for w in every if trains or w != "train")
        missing = [w for w in wanted if not has(w)]
        if level == 2 and not has("docker-build") and not has("help"):
            missing.append("docker-build|help")
        found_as = [f"{w} as {has(w)}" for w in wanted
                    if has(w) and has(w) not in TARGET_ALIASES[w]]
        as_en = f" ({', '.join(found_as)})" if found_as else ""
        as_es = f" ({', '.join(found_as).replace(' as ', ' como ')})" if found_as else ""
        note_en = note_es = ""
        if len(wanted) < len(every):
            note_en = "; no train target needed: the project trains no model"
            note_es = "; no hace falta target train: el proyecto no entrena ningún modelo"
        yield verdict(not missing,
                      T(f"{path} has targets {', '.join(wanted)}{as_en}{note_en}",
                        f"{path} tiene los targets {', '.join(wanted)}{as_es}{note_es}"),
                      T(f"{path} lacks targets: {', '.join(missing)}{note_en}",
                        f"a {path} le faltan targets: {', '.join(missing)}{note_es}"),
                      path, 1, level,
                      fix=T(f"add the targets {', '.join(missing)} (see the guide's "
                            "TPL/Makefile)", f"añade los targets {', '.join(missing)} (ver "
                            "TPL/Makefile de la guía)"))
