"""CI configuration: GitHub Actions workflows (:mod:`~mlops_lint.parsers.ci_workflows`),
the files of other CI systems (:mod:`~mlops_lint.parsers.ci_other`), and every CI
system's shell commands flattened into :class:`Command` rows.

GitLab ``script``, Azure ``script``/``bash``, CircleCI ``run``, Cloud Build ``args``,
Bitbucket ``script``, Jenkinsfile ``sh`` and GitHub ``run`` steps all become commands, so
command-based rules (tests, lint, coverage gate, scans) read them all the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlops_lint import lazy_re
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci_other import (
    CI_NAMES,
    OTHER_CI_FILES,
    environment_jobs,
    looks_like_azure_pipeline,
    other_ci_files,
)
from mlops_lint.parsers.ci_workflows import (
    FLOATING_REFS,
    WORKFLOW_GLOBS,
    ActionRef,
    Job,
    Step,
    Workflow,
    as_bool,
    build_workflow,
    parse_action,
    parse_workflow,
    swallows_failure,
    workflows,
)

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

__all__ = [
    "CI_NAMES", "FLOATING_REFS", "OTHER_CI_FILES", "WORKFLOW_GLOBS", "ActionRef", "Command",
    "Job", "PathNames", "Step", "Workflow", "build_workflow", "ci_commands",
    "environment_jobs", "expand_variables", "jenkins_commands", "looks_like_azure_pipeline",
    "other_ci_files", "parse_action", "parse_workflow", "swallows_failure", "variables",
    "workflows",
]

# ``sh``, ``sh(`` or ``sh(script:`` up to an opening quote; the body up to the same quote
# is found with str.find (a lazy ``(.*?)\1`` rescanned the rest of the file from every
# unclosed step)
_JENKINS_STEP = lazy_re.compile(r"\b(?:sh|bat|pwsh)\s*(?:\(\s*)?(?:script\s*:\s*)?(?=['\"])")


_JENKINS_QUOTES = ("'''", '"""', "'", '"')


@dataclass(frozen=True)
class Command:
    """A shell command run by CI: where it lives and whether a failure fails the build."""

    system: str  # github, gitlab, azure, ...
    path: str
    job: str
    text: str
    line: int | None
    blocking: bool  # False when continue-on-error / allow_failure / `|| true` etc.
    cwd: str | None = None  # GitHub working-directory, when set
    shell: str | None = None  # GitHub shell, when set


_COMMAND_KEYS = frozenset({"script", "before_script", "after_script", "bash", "run", "pwsh",
                           "powershell", "command", "args", "inlineScript"})


# Azure task inputs name sub-commands (`command: init` of a Terraform task), not shell lines
_AZURE_COMMAND_KEYS = frozenset({"script", "bash", "pwsh", "powershell", "inlineScript"})


_ENV_REF = lazy_re.compile(r"\$\{\{\s{0,5}env\.([A-Za-z_]\w{0,99})\s{0,5}\}\}"
                           r"|\$\(([A-Za-z_][\w.]{0,99})\)"
                           r"|\$\{([A-Za-z_]\w{0,99})\}"
                           r"|\$([A-Za-z_]\w{0,99})")


MAX_EXPAND_CHARS = 100_000


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def _literal(value: Any) -> str | None:
    """A variable's value when it is a plain literal (not an expression or a reference)."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value)
    return None if "$" in text or "{{" in text or len(text) > 200 else text


def variables(node: Any) -> dict[str, str]:
    """``env:``/``variables:`` as {name: literal value}: a mapping (GitLab, GitHub) or the
    Azure list of ``{name, value}`` items; expressions and references are left out."""
    out: dict[str, str] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            literal = _literal(value)
            if literal is not None:
                out[str(key)] = literal
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                literal = _literal(item.get("value"))
                if literal is not None:
                    out[item["name"]] = literal
    return out


def expand_variables(text: str, env: dict[str, str]) -> str:
    """``$NAME``, ``${NAME}``, ``${{ env.NAME }}`` and Azure ``$(NAME)`` replaced by the
    literal values CI sets in ``env:``/``variables:``; unknown names are kept."""
    if not env or "$" not in text or len(text) > MAX_EXPAND_CHARS:
        return text

    def value(match: re.Match[str]) -> str:
        name = next(g for g in match.groups() if g is not None)
        return env.get(name, match.group(0))

    return _ENV_REF.sub(value, text)


def _azure_task(node: dict[Any, Any]) -> str | None:
    """The command an Azure Terraform task runs (``terraform init …``), from its inputs."""
    task = node.get("task")
    inputs = node.get("inputs")
    if not isinstance(task, str) or not isinstance(inputs, dict):
        return None
    name = task.rsplit(".", 1)[-1].lower()
    command = inputs.get("command")
    if not name.startswith(("terraform", "tofu")) or name.startswith("terraforminstaller") \
            or not isinstance(command, str):
        return None
    options = inputs.get("commandOptions")
    words = ["terraform", command.strip(), *([options.strip()] if isinstance(options, str)
                                             else [])]
    if command.strip() == "init":
        # the tasks' own inputs for the state key/prefix become -backend-config pairs
        for key, setting in (("backendAzureRmKey", "key"), ("backendAWSKey", "key"),
                             ("backendGCPPrefix", "prefix")):
            value = inputs.get(key)
            if isinstance(value, str | int) and str(value).strip():
                words.append(f"-backend-config={setting}={str(value).strip()}")
    return " ".join(words)


def _azure_directory(node: dict[Any, Any]) -> str | None:
    """A task's ``workingDirectory`` input, relative to the checkout."""
    inputs = node.get("inputs")
    value = inputs.get("workingDirectory") if isinstance(inputs, dict) else None
    if not isinstance(value, str):
        value = node.get("workingDirectory")
    if not isinstance(value, str) or not value.strip():
        return None
    clean = re.sub(r"^\$\((?:Build\.SourcesDirectory|System\.DefaultWorkingDirectory|"
                   r"Pipeline\.Workspace)\)/?", "", value.strip())
    return None if "$" in clean else (clean.strip("/") or ".")


def _job_name(node: dict[Any, Any]) -> str | None:
    for key in ("job", "deployment", "stage"):
        value = node.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return None


def _yaml_commands(system: str, path: str, data: Any) -> list[Command]:
    """Shell commands of a non-GitHub YAML CI file, found by each system's keys; the
    ``variables:``/``env:`` literals in scope are substituted into them."""
    out: list[Command] = []
    keys = _AZURE_COMMAND_KEYS if system == "azure" else _COMMAND_KEYS

    def add(text: str, job: str, allow: bool, env: dict[str, str],
            cwd: str | None = None) -> None:
        text = expand_variables(text, env)
        out.append(Command(system, path, job, text, None,
                           not allow and not swallows_failure(text), cwd))

    def visit(node: Any, job: str, allowed_failure: bool, env: dict[str, str],
              depth: int) -> None:
        if depth > 40:
            return
        if isinstance(node, dict):
            allow = allowed_failure or as_bool(node.get("allow_failure")) or \
                as_bool(node.get("continueOnError"))
            scope = {**env, **variables(node.get("variables")), **variables(node.get("env")),
                     **(variables(node.get("environment")) if system == "circleci" else {})}
            if system == "azure":
                job = _job_name(node) or job
                task = _azure_task(node)
                if task:
                    add(task, job, allow, scope, _azure_directory(node))
            for key, value in node.items():
                key_s = str(key)
                if key_s in keys:
                    for text in _strings(value) or (
                            [str(value["command"])] if isinstance(value, dict)
                            and "command" in value else []):
                        add(text, job, allow, scope)
                elif key_s not in ("variables", "env"):
                    visit(value, job if job else key_s, allow, scope, depth + 1)
        elif isinstance(node, list):
            for item in node:
                visit(item, job, allowed_failure, env, depth + 1)

    visit(data, "", False, {}, 0)
    return out


def jenkins_commands(path: str, text: str) -> list[Command]:
    """``sh '…'``, ``sh \"\"\"…\"\"\"`` and ``sh(script: '…')`` steps of a Jenkinsfile."""
    out = []
    unclosed: dict[str, int] = {}  # quote -> an offset after which it never occurs
    position = counted = 0
    line = 1
    while (match := _JENKINS_STEP.search(text, position)) is not None:
        position = match.end()
        for quote in _JENKINS_QUOTES:
            start = match.end() + len(quote)
            if not text.startswith(quote, match.end()) or start >= unclosed.get(quote, start + 1):
                continue
            end = text.find(quote, start)
            if end == -1:
                unclosed[quote] = start
                continue
            body = text[start:end]
            line += text.count("\n", counted, match.start())
            counted = match.start()
            out.append(Command("jenkins", path, "", body, line, not swallows_failure(body)))
            position = end + len(quote)
            break
    return out


def ci_commands(repo: Repo) -> list[Command]:
    """Every shell command any CI configuration of the repository runs."""
    cached = repo.memo.get("ci:commands")
    if cached is not None:
        result: list[Command] = cached
        return result
    commands: list[Command] = []
    for wf in workflows(repo):
        if isinstance(wf, ParseError):
            continue
        top = variables(wf.raw.get("env"))
        for job in wf.jobs:
            scope = {**top, **variables(job.raw.get("env"))}
            for step in job.steps:
                if step.run:
                    text = expand_variables(step.run, {**scope, **variables(step.env)})
                    blocking = not (step.continue_on_error or job.continue_on_error
                                    or swallows_failure(text))
                    commands.append(Command("github", wf.path, job.id, text, step.line,
                                            blocking, step.working_directory, step.shell))
    for system, paths in other_ci_files(repo).items():
        for path in paths:
            if system == "jenkins":
                source = repo.text(path)
                if not isinstance(source, ParseError):
                    commands.extend(jenkins_commands(path, source))
                continue
            data = repo.yaml(path)
            if isinstance(data, ParseError):
                continue
            commands.extend(_yaml_commands(system, path, data))
    repo.memo["ci:commands"] = commands
    return commands


# Characters after which a command may start naming a directory, and the ones that may
# end it: what ``(^|[\s/="'])\.?/?DIR(/|\s|$|["'])`` accepts around DIR.
_NAME_START = frozenset("/=\"'")


_NAME_END = frozenset("/\"'")


def _named_candidates(text: str) -> set[str]:
    """Every substring of ``text`` that the pattern above would accept as DIR: it starts
    at the beginning or after a boundary character (then an optional ``.`` and ``/``) and
    ends before ``/``, white space, a quote or the end."""
    starts: set[int] = {0}
    for index, char in enumerate(text):
        if char in _NAME_START or char.isspace():
            starts.add(index + 1)
    for start in list(starts):
        if text.startswith(".", start):
            starts.add(start + 1)
            if text.startswith("/", start + 1):
                starts.add(start + 2)
        if text.startswith("/", start):
            starts.add(start + 1)
    ends = [i for i, char in enumerate(text) if char in _NAME_END or char.isspace()]
    ends.append(len(text))
    found: set[str] = set()
    for start in starts:
        for end in ends:  # a run may hold "=" and "." but never white space or a quote
            if end <= start:
                continue
            found.add(text[start:end])
            if text[end:end + 1].isspace() or text[end:end + 1] in ("\"", "'"):
                break
    return found


class PathNames:
    """Which of a set of directories a command names: each preceded by the start, white
    space, ``/``, ``=`` or a quote (and optionally ``./``) and followed by ``/``, white
    space, a quote or the end — ``(^|[\\s/="'])\\.?/?DIR(/|\\s|$|["'])``. One pass over
    the text and a set lookup per candidate, however many directories (a regex per
    directory overflows ``re``'s cache once a monorepo has hundreds of projects); a
    directory holding white space or a quote, which the scan cannot see as one piece, is
    matched with the expression itself."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.order = {path: index for index, path in reversed(list(enumerate(paths)))}
        self.odd = [(path, re.compile(rf"(^|[\s/=\"'])\.?/?{re.escape(path)}"
                                      rf"(/|\s|$|[\"'])"))
                    for path in self.order
                    if not path or any(c.isspace() or c in ("\"", "'") for c in path)]

    def named(self, text: str) -> list[str]:
        """The directories ``text`` names, in the order they were given."""
        odd = {path for path, _ in self.odd}
        found = {path for path in _named_candidates(text)
                 if path in self.order and path not in odd}
        found.update(path for path, pattern in self.odd if pattern.search(text))
        return sorted(found, key=self.order.__getitem__)
