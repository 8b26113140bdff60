"""Where CI runs a tool (:func:`ci_runs`), and whether its failure fails the build.

Each command is read as argument vectors (``python -m``, ``poetry run``, ``uv run``
unwrapped), following ``make <target>`` into the Makefile recipes, ``bash script.sh``
into the script, ``ray job submit``/``anyscale job submit`` into what they submit, and
``pre-commit run``/``pre-commit/action`` into the hooks, plus the Marketplace actions that
wrap the tool. Each run says whether its failure fails the build and, if not, why:
``continue-on-error``, GitLab ``allow_failure``, ``|| true``/``|| echo``/``set +e``, a
flag such as ``--exit-zero``, or a pipe into another program under GitHub's default
shell, which has no ``pipefail``.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, replace
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import (
    ActionRef,
    Command,
    Job,
    Step,
    Workflow,
    ci_commands,
    parse_action,
    swallows_failure,
)
from mlops_lint.parsers.invocations import (
    make_targets,
    makefile_at,
    precommit_config,
    precommit_run,
)
from mlops_lint.parsers.precommit import PreCommitConfig
from mlops_lint.parsers.shell import Simple, split_commands, unwrap
from mlops_lint.readers.ci_config import ci_state
from mlops_lint.readers.ci_tools import ToolSpec, action_blocking, exit_zero, snyk_action_family
from mlops_lint.readers.precommit_hooks import (
    action_selection,
    hook_blocking,
    hook_runs,
    hook_text,
)
from mlops_lint.repo import Repo


@dataclass(frozen=True)
class Run:
    """One place where CI runs a tool."""

    tool: ToolSpec
    path: str  # the CI file (or the Makefile the recipe is in)
    line: int | None
    text: str  # the command or ``uses:``
    blocking: bool
    reason: T | None  # why a failure would not fail the build
    via: str | None = None  # "make test", "pre-commit run", "pre-commit/action", "action"
    system: str = "github"
    workflow: Workflow | None = None
    job: Job | None = None
    step: Step | None = None
    argv: tuple[str, ...] = ()
    action: ActionRef | None = None

    def where(self) -> str:
        at = f"{self.path}:{self.line}" if self.line else self.path
        job = f" (job {self.job.id})" if self.job else ""
        via = f" via {self.via}" if self.via and self.via != "action" else ""
        return f"{at}{job}{via}"


def _pipelines(line: str) -> list[list[list[str]]]:
    """Command lists of one shell line: each list of pipelines is cut at ``&&``/``||``/
    ``;``/``&``, each pipeline at ``|``; tokens as shlex reads them."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:
        return []
    out: list[list[list[str]]] = [[[]]]
    for token in tokens:
        if token in ("&&", "||", ";", "&", ";;"):
            out.append([[]])
        elif token in ("|", "|&"):
            out[-1].append([])
        else:
            out[-1][-1].append(token)
    return out


def _masked_by_pipe(simple: Simple) -> str | None:
    """The program ``simple`` is piped into (its exit status is lost without pipefail)."""
    for pipeline in _pipelines(simple.line):
        stages = [s for s in pipeline if s]
        for index, stage in enumerate(stages[:-1]):
            if tuple(unwrap(list(stage))) == simple.argv:
                nxt = unwrap(list(stages[index + 1]))
                return nxt[0].rsplit("/", 1)[-1] if nxt else "?"
    return None


def _has_pipefail(script: str) -> bool:
    return bool(re.search(r"set\s+-[a-z]*o\s*pipefail|set\s+-o\s+pipefail|"
                          r"set\s+-[a-z]*e[a-z]*o\s+pipefail", script))


def _lenient_reason(command: Command, step: Step | None, job: Job | None) -> T:
    if step is not None and step.continue_on_error:
        return T("continue-on-error: true on the step", "continue-on-error: true en el paso")
    if job is not None and job.continue_on_error:
        return T("continue-on-error: true on the job", "continue-on-error: true en el job")
    if command.system == "gitlab":
        return T("allow_failure: true", "allow_failure: true")
    return T("the CI marks it as allowed to fail", "la CI lo marca como permitido fallar")


@dataclass(frozen=True)
class _Origin:
    command: Command
    workflow: Workflow | None
    job: Job | None
    step: Step | None


def _direct_run(spec: ToolSpec, origin: _Origin, simple: Simple, blocking: bool,
                reason: T | None, via: str | None, pipefail: bool) -> Run:
    """The run of a command that is the tool itself: blocking unless a flag makes it exit
    0 or a pipe without pipefail hides its exit status."""
    command = origin.command
    zero = exit_zero(simple)
    piped = _masked_by_pipe(simple) if not pipefail else None
    if blocking and zero:
        blocking = False
        reason = zero + T(": it never fails", ": nunca falla")
    elif blocking and piped:
        blocking = False
        reason = T(
            f"piped into {piped} without pipefail (GitHub's default shell is bash -e, "
            f"make and Jenkins use sh): only {piped}'s exit status counts",
            f"redirigido con | a {piped} sin pipefail (el shell por defecto de GitHub "
            f"es bash -e, make y Jenkins usan sh): solo cuenta el estado de salida "
            f"de {piped}")
    return Run(spec, command.path, command.line, shlex.join(simple.argv),
               blocking, reason, via, command.system,
               origin.workflow, origin.job, origin.step, simple.argv)


def _followed(repo: Repo, spec: ToolSpec, origin: _Origin, simple: Simple, blocking: bool,
              reason: T | None, directories: list[str], depth: int) -> list[Run]:
    """The runs inside what a command runs: a make target, a shell script, a job
    submission, pre-commit hooks."""
    if simple.program in ("make", "gmake") and depth < 4:
        return _through_make(repo, spec, origin, simple, blocking, reason, directories,
                             depth)
    if _script_path(simple) and depth < 4:
        return _through_script(repo, spec, origin, simple, blocking, reason, directories,
                               depth)
    if depth < 4 and (submitted := _submitted(repo, simple, origin.command.cwd)):
        label, entry = submitted
        return _runs_in(repo, spec, origin, entry, blocking, reason, label, directories,
                        depth + 1)
    every, only, stage = precommit_run(simple)
    if every or only:
        return _through_precommit(repo, spec, origin, blocking, reason, "pre-commit run",
                                  only, stage)
    return []


def _runs_in(repo: Repo, spec: ToolSpec, origin: _Origin, script: str, blocking: bool,
             reason: T | None, via: str | None, directories: list[str],
             depth: int = 0) -> list[Run]:
    command = origin.command
    out: list[Run] = []
    # bash with pipefail: GitHub's explicit `shell: bash`, GitLab and CircleCI runners
    pipefail = _has_pipefail(script) or command.system in ("gitlab", "circleci") or (
        via is None and origin.step is not None and origin.step.shell == "bash")
    for simple in split_commands(script):
        simple_blocking, simple_reason = blocking, reason
        if simple_blocking and simple.swallowed:
            simple_blocking = False
            simple_reason = T(f"'{simple.line.strip()[:80]}' swallows its failure "
                              "(|| true, || echo, set +e)",
                              f"'{simple.line.strip()[:80]}' ignora su fallo "
                              "(|| true, || echo, set +e)")
        if spec.command(simple):
            out.append(_direct_run(spec, origin, simple, simple_blocking, simple_reason, via,
                                   pipefail))
        else:
            out.extend(_followed(repo, spec, origin, simple, simple_blocking, simple_reason,
                                 directories, depth))
    return out


def _submitted(repo: Repo, simple: Simple, cwd: str | None) -> tuple[str, str] | None:
    """(label, command) of what a job submission runs on a cluster: ``ray job submit …
    -- <command>``, or the ``entrypoint:`` of the job file ``anyscale job(s) submit
    <file.yaml>`` names."""
    program, args = simple.program, simple.args
    if program == "ray" and args[:2] == ("job", "submit") and "--" in args:
        rest = args[args.index("--") + 1:]
        return ("ray job submit", shlex.join(rest)) if rest else None
    if program != "anyscale" or args[:2] not in (("job", "submit"), ("jobs", "submit")):
        return None
    files = [a for a in args[2:] if a.endswith((".yaml", ".yml")) and not a.startswith("-")]
    if not files:
        return None
    path = posixpath.normpath(posixpath.join(cwd or ".", files[0].removeprefix("./")))
    if path.startswith("../") or not repo.exists(path):
        return None
    data = repo.yaml(path)
    entry = data.get("entrypoint") if isinstance(data, dict) else None
    return (path, entry[:4000]) if isinstance(entry, str) else None


_ERREXIT = lazy_re.compile(r"^[ \t]*set[ \t]+(?:-[a-zA-Z]*e|-o[ \t]+errexit)", re.MULTILINE)


def _script_path(simple: Simple) -> str | None:
    """The shell script a command runs: ``bash x.sh``, ``sh -e x.sh``, ``./x.sh``."""
    if simple.program in ("bash", "sh"):
        operands = [a for a in simple.args if not a.startswith("-")]
        first = operands[0] if operands else ""
        return first if first.endswith(".sh") and "-c" not in simple.args else None
    first = simple.argv[0] if simple.argv else ""
    return first if first.endswith(".sh") else None


def _through_script(repo: Repo, spec: ToolSpec, origin: _Origin, simple: Simple,
                    blocking: bool, reason: T | None, directories: list[str],
                    depth: int) -> list[Run]:
    """A repository shell script run by CI: its commands are CI's. Without ``set -e`` only
    the script's last command decides its exit status."""
    name = _script_path(simple) or ""
    cwd = origin.command.cwd or "."
    path = posixpath.normpath(posixpath.join(cwd, name.removeprefix("./")))
    if path.startswith("../") or not repo.exists(path):
        return []
    text = repo.text(path)
    if isinstance(text, ParseError):
        return []
    first = text.splitlines()[0] if text else ""
    errexit = bool(_ERREXIT.search(text)) or (first.startswith("#!") and " -e" in first)
    runs = _runs_in(repo, spec, origin, text, blocking, reason, path, directories, depth + 1)
    if errexit or not runs:
        return runs
    last = list(split_commands(text))[-1:]
    lenient = T(f"{path} has no set -e: only its last command decides its exit status",
                f"{path} no tiene set -e: solo su último comando decide su estado de salida")
    return [r if last and r.argv == last[0].argv else
            replace(r, blocking=False, reason=lenient) for r in runs]


def _through_make(repo: Repo, spec: ToolSpec, origin: _Origin, simple: Simple,
                  blocking: bool, reason: T | None, directories: list[str],
                  depth: int) -> list[Run]:
    directory, targets = make_targets(simple.args)
    cwd = origin.command.cwd
    candidates = [directory] if directory else (
        [cwd] if cwd else []) + ["."] + [d for d in directories if d != "."]
    out: list[Run] = []
    for target in targets or [""]:
        for candidate in candidates:
            found = makefile_at(repo, candidate)
            if found is None:
                continue
            _, makefile = found
            name = target or next(iter(makefile.targets), "")
            if name not in makefile.targets:
                continue
            lenient_lines = set()
            for member in [name, *_prerequisites(makefile.targets, name)]:
                if member in makefile.targets:
                    lenient_lines |= set(makefile.targets[member].lenient)
            for line, recipe in makefile.commands(name):
                inner_blocking, inner_reason = blocking, reason
                if inner_blocking and line in lenient_lines:
                    inner_blocking = False
                    inner_reason = T("the recipe line starts with '-' (make ignores its "
                                     "failure)", "la línea de la receta empieza por '-' (make "
                                     "ignora su fallo)")
                for run in _runs_in(repo, spec, origin, makefile.expand(recipe),
                                    inner_blocking, inner_reason, f"make {name}",
                                    directories, depth + 1):
                    out.append(Run(run.tool, origin.command.path, origin.command.line,
                                   run.text, run.blocking, run.reason, run.via,
                                   run.system, run.workflow, run.job, run.step, run.argv))
            break
    return out


def _prerequisites(targets: dict[str, Any], name: str, seen: frozenset[str] = frozenset()
                   ) -> list[str]:
    found = targets.get(name)
    if found is None or name in seen:
        return []
    out: list[str] = []
    for pre in found.prerequisites:
        out += [pre, *_prerequisites(targets, pre, seen | {name})]
    return out


def _through_precommit(repo: Repo, spec: ToolSpec, origin: _Origin, blocking: bool,
                       reason: T | None, via: str, only: str | frozenset[str] | None,
                       stage: str | None = None) -> list[Run]:
    config = precommit_config(repo)
    if not isinstance(config, PreCommitConfig):
        return []
    ids = frozenset({only}) if isinstance(only, str) else only
    out: list[Run] = []
    for hook in config.hooks:
        if (ids is None or hook.id in ids) and hook_runs(hook, spec) and (
                "manual" not in hook.stages or stage == "manual"):
            run_blocking, run_reason = hook_blocking(hook, blocking, reason)
            out.append(Run(spec, origin.command.path, origin.command.line, hook_text(hook),
                           run_blocking, run_reason, via, origin.command.system,
                           origin.workflow, origin.job, origin.step,
                           tuple(hook_text(hook).split())))
    return out


def _command_runs(repo: Repo, spec: ToolSpec, directories: list[str]) -> list[Run]:
    """The runs of ``spec``'s tool in the commands of every CI system."""
    state = ci_state(repo)
    out: list[Run] = []
    for command in ci_commands(repo):
        located = state.steps.get((command.path, command.line)) if command.system == \
            "github" else None
        wf, job, step = located if located else (None, None, None)
        if step is not None and step.shell not in (None, "bash", "sh"):
            continue  # python/pwsh scripts are not shell command lines
        lenient = not command.blocking and not swallows_failure(command.text)
        reason = _lenient_reason(command, step, job) if lenient else None
        out.extend(_runs_in(repo, spec, _Origin(command, wf, job, step), command.text,
                            not lenient, reason, None, directories))
    return out


def _step_runs(repo: Repo, spec: ToolSpec, wf: Workflow, job: Job, step: Step) -> list[Run]:
    """The runs of ``spec``'s tool in a step that uses an action: the hooks
    ``pre-commit/action`` runs, or an action that wraps the tool."""
    if not step.uses:
        return []
    action = parse_action(step.uses)
    lenient = step.continue_on_error or job.continue_on_error
    reason = _lenient_reason(Command("github", wf.path, job.id, "", step.line,
                                     False), step, job) if lenient else None
    if action.kind == "action" and action.name.startswith("pre-commit/action"):
        origin = _Origin(Command("github", wf.path, job.id, step.uses, step.line,
                                 not lenient), wf, job, step)
        only, stage = action_selection(step, job)
        return _through_precommit(repo, spec, origin, not lenient, reason,
                                  "pre-commit/action", only, stage)
    if action.kind != "action" or not (any(
            action.name == a or action.name.startswith(a + "/")
            for a in spec.actions) or (spec.snyk
                                       and snyk_action_family(action, step) == spec.family)):
        return []
    blocking = not lenient
    why = action_blocking(action, step)
    if blocking and why:
        blocking = False
        reason = T.same(f"{step.uses}: ") + why + T(", it never fails",
                                                     ", nunca falla")
    return [Run(spec, wf.path, step.line, step.uses, blocking, reason,
                "action", "github", wf, job, step, (), action)]


def ci_runs(repo: Repo, spec: ToolSpec) -> list[Run]:
    """Every place CI runs ``spec``'s tool (all CI systems; actions for GitHub)."""
    key = f"phase4:runs:{spec.name}"
    cached = repo.memo.get(key)
    if cached is not None:
        result: list[Run] = cached
        return result
    state = ci_state(repo)
    directories = [p.path for p in repo.projects]
    out = _command_runs(repo, spec, directories)
    for wf in state.workflows:
        for job in wf.jobs:
            for step in job.steps:
                out.extend(_step_runs(repo, spec, wf, job, step))
    repo.memo[key] = out
    return out
