"""Where a tool runs: CI steps, Makefile targets and pre-commit hooks.

A :class:`Tool` says how to recognise the tool in a shell command (``mypy``, ``ruff
check``) and which pre-commit hook ids run it. :func:`tool_runs` lists every place that
runs it, following CI commands through ``make <target>`` (recipes and prerequisites,
``$(VAR)`` expanded) and ``pre-commit run`` / ``pre-commit/action`` into the hooks.

Each :class:`Invocation` says whether a failure would fail the build (``blocking``:
not under ``continue-on-error``/``allow_failure``, ``|| true``, ``set +e`` or a ``-``
recipe prefix) and, for hooks, which files pre-commit would hand it: a hook whose
``files``/``exclude``/``types`` select none of the repository's files never runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Command, ci_commands, swallows_failure, workflows
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.precommit import Hook, PreCommitConfig, parse_precommit
from mlops_lint.parsers.shell import Simple, split_commands

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

PRECOMMIT_CONFIG = ".pre-commit-config.yaml"
MAKEFILE_NAMES = ("Makefile", "makefile", "GNUmakefile")
PYTHON_GLOBS = ("**/*.py", "**/*.pyi")


@dataclass(frozen=True)
class Tool:
    name: str  # identifies the matcher: results are memoized by it
    command: Callable[[Simple], bool]
    hook_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Invocation:
    where: str  # "ci", "pre-commit" or "make"
    path: str
    line: int | None
    argv: tuple[str, ...]
    blocking: bool
    via: str | None = None  # "make lint", "pre-commit run", "pre-commit/action"
    hook: Hook | None = None
    files: tuple[str, ...] | None = None  # files a hook would see; None = not a hook
    problem: str | None = None  # why a hook's selection cannot be told

    @property
    def checks_files(self) -> bool:
        """False for a hook whose file filters select none of the repository's files."""
        return self.hook is None or bool(self.files)

    @property
    def text(self) -> str:
        return " ".join(self.argv)

    def describe(self) -> str:
        where = {"ci": "CI", "pre-commit": "pre-commit", "make": "Makefile"}[self.where]
        via = f" (via {self.via})" if self.via else ""
        return f"{where} {self.path}{':' + str(self.line) if self.line else ''}{via}"


def _is_mypy(simple: Simple) -> bool:
    return simple.program == "mypy" or (simple.program == "dmypy" and "run" in simple.args)


MYPY = Tool("mypy", _is_mypy, frozenset({"mypy"}))


def _in_dir(directory: str, name: str) -> str:
    return name if directory in ("", ".") else directory.rstrip("/") + "/" + name


def precommit_config(repo: Repo, directory: str = ".") -> PreCommitConfig | ParseError | None:
    """The pre-commit configuration at the root, or that of a project folder (a project
    of a monorepo, e.g. a course's chapter, that is its own repository once copied out)."""
    path = _in_dir(directory, PRECOMMIT_CONFIG)
    if not repo.exists(path):
        return None
    return repo.parse(path, parse_precommit)


def makefile_at(repo: Repo, directory: str) -> tuple[str, Makefile] | None:
    prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
    for name in MAKEFILE_NAMES:
        path = prefix + name
        if repo.exists(path):
            parsed = repo.parse(path, parse_makefile)
            if isinstance(parsed, Makefile):
                return path, parsed
            return None
    return None


def hook_argv(hook: Hook) -> tuple[str, ...]:
    entry = hook.entry or hook.id
    return tuple(entry.split()) + hook.args


def _hook_runs_tool(hook: Hook, tool: Tool) -> bool:
    if hook.id in tool.hook_ids:
        return True
    if hook.entry:
        return any(tool.command(s) for s in split_commands(hook.entry))
    return False


def _python_files(repo: Repo, directory: str = ".") -> list[str]:
    """The repository's Python files, relative to ``directory`` (those under it)."""
    cached = repo.memo.get("invocations:python_files")
    if cached is None:
        cached = repo.glob(PYTHON_GLOBS)
        repo.memo["invocations:python_files"] = cached
    files: list[str] = cached
    if directory in ("", "."):
        return files
    prefix = directory.rstrip("/") + "/"
    return [f[len(prefix):] for f in files if f.startswith(prefix)]


def _hook_invocation(repo: Repo, config: PreCommitConfig, hook: Hook, where: str,
                     path: str, line: int | None, blocking: bool,
                     via: str | None, directory: str = ".") -> Invocation:
    key = f"invocations:selects:{directory}:{hook.repo}:{hook.id}:{hook.line}"
    selected = repo.memo.get(key)
    if selected is None:
        selected = config.selects(hook, _python_files(repo, directory))
        repo.memo[key] = selected
    if isinstance(selected, str):
        return Invocation(where, path, line, hook_argv(hook), blocking, via, hook, (),
                          selected)
    return Invocation(where, path, line, hook_argv(hook), blocking, via, hook,
                      tuple(selected))


def make_targets(args: Iterable[str]) -> tuple[str | None, list[str]]:
    """``make`` arguments: the ``-C`` directory and the targets named."""
    directory = None
    targets = []
    items = list(args)
    skip = False
    for index, arg in enumerate(items):
        if skip:
            skip = False
            continue
        if arg in ("-C", "--directory"):
            directory = items[index + 1] if index + 1 < len(items) else None
            skip = True
        elif arg.startswith("-C") and len(arg) > 2:
            directory = arg[2:]
        elif arg in ("-f", "--file", "-j", "--jobs", "-o", "-W"):
            skip = True
        elif not arg.startswith("-") and "=" not in arg:
            targets.append(arg)
    return directory, targets


def _through_make(repo: Repo, tool: Tool, simple: Simple, directories: list[str],
                  blocking: bool, seen: frozenset[str] = frozenset()) -> list[Invocation]:
    directory, targets = make_targets(simple.args)
    candidates = [directory] if directory else ["."] + [d for d in directories if d != "."]
    out: list[Invocation] = []
    for target in targets or ["all"]:
        for candidate in candidates:
            found = makefile_at(repo, candidate)
            if found is None or target not in found[1].targets:
                continue
            path, makefile = found
            key = f"{path}:{target}"
            if key in seen:
                break
            out.extend(_recipe_runs(repo, tool, path, makefile, target, directories, blocking,
                                    "ci", f"make {target}", seen | {key}))
            break
    return out


def _recipe_runs(repo: Repo, tool: Tool, path: str, makefile: Makefile, target: str,
                 directories: list[str], blocking: bool, where: str, via: str,
                 seen: frozenset[str]) -> list[Invocation]:
    out: list[Invocation] = []
    owners = {}
    for name in [target, *_prerequisites(makefile, target)]:
        for line, _ in makefile.targets[name].recipe if name in makefile.targets else []:
            owners[line] = name
    for line, recipe in makefile.commands(target):
        lenient = line in makefile.targets[owners.get(line, target)].lenient
        for inner in split_commands(makefile.expand(recipe)):
            inner_blocking = blocking and not inner.swallowed and not lenient
            if tool.command(inner):
                out.append(Invocation(where, path, line, inner.argv, inner_blocking, via))
            elif inner.program == "make":
                out.extend(_through_make(repo, tool, inner, directories, inner_blocking, seen))
    return out


def _prerequisites(makefile: Makefile, target: str, seen: frozenset[str] = frozenset()
                   ) -> list[str]:
    found = makefile.targets.get(target)
    if found is None or target in seen:
        return []
    out = []
    for name in found.prerequisites:
        out += [name, *_prerequisites(makefile, name, seen | {target})]
    return out


def _precommit_hooks(repo: Repo, tool: Tool, where: str, path: str, line: int | None,
                     blocking: bool, via: str, only: str | None) -> list[Invocation]:
    config = precommit_config(repo)
    if not isinstance(config, PreCommitConfig):
        return []
    return [_hook_invocation(repo, config, hook, where, path, line, blocking, via)
            for hook in config.hooks
            if (only is None or hook.id == only) and _hook_runs_tool(hook, tool)]


# `pre-commit run` options that take a value (the value is not the hook id)
_PRECOMMIT_VALUED = frozenset({
    "--hook-stage", "--from-ref", "-s", "--source", "--to-ref", "-o", "--origin", "-c",
    "--config", "--commit-msg-filename", "--remote-branch", "--local-branch",
    "--remote-name", "--remote-url", "--checkout-type", "--is-squash-merge",
    "--rewrite-command", "--prepare-commit-message-source", "--commit-object-name",
    "--color"})


def precommit_run(simple: Simple) -> tuple[bool, str | None, str | None]:
    """``pre-commit run``: (runs hooks over the repository, the single hook id asked for,
    the ``--hook-stage``). Option values (``--hook-stage commit``) and the file names after
    ``--files`` are not hook ids."""
    if simple.program != "pre-commit" or simple.args[:1] != ("run",):
        return False, None, None
    hook: str | None = None
    stage: str | None = None
    args = list(simple.args[1:])
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--files":
            i += 1
            while i < len(args) and not args[i].startswith("-"):
                i += 1
            continue
        if arg in _PRECOMMIT_VALUED:
            if arg == "--hook-stage" and i + 1 < len(args):
                stage = args[i + 1]
            i += 2
            continue
        if arg.startswith("--hook-stage="):
            stage = arg.split("=", 1)[1]
        elif not arg.startswith("-") and hook is None:
            hook = arg
        i += 1
    every = "--all-files" in args or "-a" in args or any(
        a.startswith(("--from-ref", "-s", "--source")) for a in args)
    return every, hook, stage


def _precommit_run(simple: Simple) -> tuple[bool, str | None]:
    """(runs hooks over the repository, the single hook id asked for)."""
    every, hook, _ = precommit_run(simple)
    return every, hook


def _ci_simples(repo: Repo) -> list[tuple[Command, Simple, bool]]:
    """Every simple command of every CI command, with whether its failure fails the job
    (split once per run: every tool and every project asks)."""
    cached = repo.memo.get("invocations:ci_simples")
    if cached is None:
        cached = []
        for command in ci_commands(repo):
            step_lenient = not command.blocking and not swallows_failure(command.text)
            for simple in split_commands(command.text):
                cached.append((command, simple, not step_lenient and not simple.swallowed))
        repo.memo["invocations:ci_simples"] = cached
    simples: list[tuple[Command, Simple, bool]] = cached
    return simples


# a tool's CI runs in command order: invocations known for every project, or a ``make``
# call (Command, Simple, blocking) to follow through the project's Makefiles
_CiRun: TypeAlias = "Invocation | tuple[Command, Simple, bool]"


def _ci_plan(repo: Repo, tool: Tool) -> list[_CiRun]:
    """The part of :func:`_ci_runs` that does not depend on the project (once per tool)."""
    key = f"invocations:ci_plan:{tool.name}"
    cached = repo.memo.get(key)
    if cached is None:
        cached = []
        for command, simple, blocking in _ci_simples(repo):
            if tool.command(simple):
                cached.append(Invocation("ci", command.path, command.line, simple.argv,
                                         blocking))
            elif simple.program == "make":
                cached.append((command, simple, blocking))
            else:
                whole, only = _precommit_run(simple)
                if whole or only:
                    cached.extend(_precommit_hooks(repo, tool, "ci", command.path,
                                                   command.line, blocking, "pre-commit run",
                                                   only))
        repo.memo[key] = cached
    plan: list[_CiRun] = cached
    return plan


def _ci_runs(repo: Repo, tool: Tool, dirs: list[str]) -> list[Invocation]:
    """Runs from CI commands: direct, through make, through ``pre-commit run``."""
    out: list[Invocation] = []
    for item in _ci_plan(repo, tool):
        if isinstance(item, Invocation):
            out.append(item)
        else:
            _, simple, blocking = item
            out.extend(_through_make(repo, tool, simple, dirs, blocking))
    return out


def _action_runs(repo: Repo, tool: Tool) -> list[Invocation]:
    """Runs through the ``pre-commit/action`` GitHub Action (every workflow walked once
    per tool, not once per project folder that asks)."""
    key = f"invocations:action_runs:{tool.name}"
    cached = repo.memo.get(key)
    if cached is None:
        cached = repo.memo[key] = _walk_action_runs(repo, tool)
    runs: list[Invocation] = cached
    return list(runs)


def _walk_action_runs(repo: Repo, tool: Tool) -> list[Invocation]:
    out: list[Invocation] = []
    for workflow in workflows(repo):
        if isinstance(workflow, ParseError):
            continue
        for job in workflow.jobs:
            for step in job.steps:
                if step.uses and step.uses.split("@")[0].lower() == "pre-commit/action":
                    blocking = not (step.continue_on_error or job.continue_on_error)
                    out.extend(_precommit_hooks(repo, tool, "ci", workflow.path, step.line,
                                                blocking, "pre-commit/action", None))
    return out


def _makefile_runs(repo: Repo, tool: Tool, dirs: list[str]) -> list[Invocation]:
    out: list[Invocation] = []
    for directory in dirs:
        found = makefile_at(repo, directory)
        if found is None:
            continue
        path, makefile = found
        for name, target in makefile.targets.items():
            for line, recipe in target.recipe:
                out.extend(Invocation("make", path, line, inner.argv,
                                      not inner.swallowed and line not in target.lenient,
                                      f"make {name}")
                           for inner in split_commands(makefile.expand(recipe))
                           if tool.command(inner))
    return out


def tool_runs(repo: Repo, tool: Tool, directories: Iterable[str] = (".",)) -> list[Invocation]:
    """Every place that runs ``tool``: CI (directly, via make, via pre-commit), the
    pre-commit hooks themselves, and Makefile targets in ``directories``.

    Memoized per repository by the tool's name, which must therefore identify its matcher.
    """
    dirs = list(dict.fromkeys([".", *directories]))
    key = f"invocations:{tool.name}:{'|'.join(dirs)}"
    cached = repo.memo.get(key)
    if cached is None:
        cached = _tool_runs(repo, tool, dirs)
        repo.memo[key] = cached
    result: list[Invocation] = cached
    return result


def _tool_runs(repo: Repo, tool: Tool, dirs: list[str]) -> list[Invocation]:
    out = _ci_runs(repo, tool, dirs) + _action_runs(repo, tool)
    for directory in dirs:
        config = precommit_config(repo, directory)
        if isinstance(config, PreCommitConfig):
            path = _in_dir(directory, PRECOMMIT_CONFIG)
            out.extend(_hook_invocation(repo, config, hook, "pre-commit", path,
                                        hook.line, True, None, directory)
                       for hook in config.hooks if _hook_runs_tool(hook, tool))
    return out + _makefile_runs(repo, tool, dirs)
