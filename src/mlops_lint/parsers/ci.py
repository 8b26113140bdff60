"""CI configuration: GitHub Actions workflows, plus the commands of other CI systems.

GitHub workflows become :class:`Workflow` models (triggers, jobs, steps with line
numbers). Every CI system's shell commands are also flattened into :class:`Command`
rows (GitLab ``script``, Azure ``script``/``bash``, CircleCI ``run``, Cloud Build
``args``, Bitbucket ``script``), so command-based rules (tests, lint, coverage gate,
scans) read them all the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

WORKFLOW_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml")
OTHER_CI_FILES: dict[str, tuple[str, ...]] = {
    "gitlab": (".gitlab-ci.yml", ".gitlab-ci.yaml"),
    "azure": ("azure-pipelines.yml", "azure-pipelines.yaml", "azure-pipelines*.yml",
              ".azure-pipelines/*.yml", ".azure/pipelines/*.yml"),
    "circleci": (".circleci/config.yml", ".circleci/config.yaml"),
    "cloudbuild": ("cloudbuild.yaml", "cloudbuild.yml"),
    "bitbucket": ("bitbucket-pipelines.yml",),
    "jenkins": ("Jenkinsfile", "**/Jenkinsfile"),
    "travis": (".travis.yml",),
    "drone": (".drone.yml",),
}
_SWALLOW = re.compile(r"\|\|\s*(true|:|echo\b|exit\s+0)|\bset\s+\+e\b")


@dataclass(frozen=True)
class Step:
    name: str | None
    run: str | None
    uses: str | None
    with_: dict[str, Any]
    continue_on_error: bool
    if_: str | None
    line: int | None
    env: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    id: str
    name: str | None
    needs: tuple[str, ...]
    steps: tuple[Step, ...]
    strategy: dict[str, Any]
    continue_on_error: bool
    if_: str | None
    raw: dict[str, Any]
    line: int | None


@dataclass(frozen=True)
class Workflow:
    path: str
    on: dict[str, Any]  # trigger -> config (None values become {})
    jobs: tuple[Job, ...]
    raw: dict[str, Any]


@dataclass(frozen=True)
class Command:
    """A shell command run by CI: where it lives and whether a failure fails the build."""

    system: str  # github, gitlab, azure, ...
    path: str
    job: str
    text: str
    line: int | None
    blocking: bool  # False when continue-on-error / allow_failure / `|| true` etc.


def swallows_failure(command: str) -> bool:
    """``|| true``, ``|| echo``, ``|| :``, ``|| exit 0`` or ``set +e`` in a command."""
    return bool(_SWALLOW.search(command))


def _triggers(raw: dict[Any, Any]) -> dict[str, Any]:
    on = raw.get("on", raw.get(True))  # YAML 1.1 readers turn `on` into True
    if isinstance(on, str):
        return {on: {}}
    if isinstance(on, list):
        return {str(t): {} for t in on}
    if isinstance(on, dict):
        return {str(k): (v if isinstance(v, dict) else {} if v is None else v)
                for k, v in on.items()}
    return {}


def parse_workflow(text: str) -> dict[Any, Any]:
    data = load_yaml_rt(text)
    if not isinstance(data, dict):
        raise ValueError("a workflow must be a mapping")
    return data


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _as_bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def build_workflow(path: str, raw: dict[Any, Any]) -> Workflow:
    jobs_raw = raw.get("jobs") if isinstance(raw.get("jobs"), dict) else {}
    jobs = []
    for job_id, body in (jobs_raw or {}).items():
        if not isinstance(body, dict):
            continue
        steps_raw = body.get("steps") if isinstance(body.get("steps"), list) else []
        steps = []
        for i, step in enumerate(steps_raw or []):
            if not isinstance(step, dict):
                continue
            run = step.get("run")
            uses = step.get("uses")
            steps.append(Step(
                name=str(step["name"]) if "name" in step else None,
                run=str(run) if run is not None else None,
                uses=str(uses) if uses is not None else None,
                with_=_mapping(step.get("with")),
                continue_on_error=_as_bool(step.get("continue-on-error")),
                if_=str(step["if"]) if "if" in step else None,
                line=line_of(steps_raw, index=i),
                env=_mapping(step.get("env")),
            ))
        needs = body.get("needs")
        needs_t = (needs,) if isinstance(needs, str) else tuple(str(n) for n in needs or ())
        jobs.append(Job(
            id=str(job_id), name=str(body["name"]) if "name" in body else None,
            needs=needs_t, steps=tuple(steps),
            strategy=_mapping(body.get("strategy")),
            continue_on_error=_as_bool(body.get("continue-on-error")),
            if_=str(body["if"]) if "if" in body else None,
            raw=body, line=line_of(jobs_raw, key=job_id),
        ))
    return Workflow(path, _triggers(raw), tuple(jobs), raw)


def workflows(repo: Repo) -> list[Workflow | ParseError]:
    """Every GitHub workflow of the repository, parsed once per run."""
    cached = repo.memo.get("ci:workflows")
    if cached is None:
        cached = []
        for path in repo.glob(WORKFLOW_GLOBS):
            parsed = repo.parse(path, parse_workflow)
            cached.append(parsed if isinstance(parsed, ParseError)
                          else build_workflow(path, parsed))
        repo.memo["ci:workflows"] = cached
    out: list[Workflow | ParseError] = cached
    return out


def other_ci_files(repo: Repo) -> dict[str, list[str]]:
    """Files of non-GitHub CI systems, by system name."""
    found: dict[str, list[str]] = {}
    for system, globs in OTHER_CI_FILES.items():
        paths = repo.glob(globs)
        if paths:
            found[system] = paths
    return found


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def _yaml_commands(system: str, path: str, data: Any) -> list[Command]:
    """Shell commands of a non-GitHub YAML CI file, found by each system's keys."""
    out: list[Command] = []

    def visit(node: Any, job: str, allowed_failure: bool) -> None:
        if isinstance(node, dict):
            allow = allowed_failure or _as_bool(node.get("allow_failure")) or \
                _as_bool(node.get("continueOnError"))
            for key, value in node.items():
                key_s = str(key)
                if key_s in ("script", "before_script", "after_script", "bash", "run",
                             "pwsh", "powershell", "command", "args", "inlineScript"):
                    for text in _strings(value) or (
                            [str(value["command"])] if isinstance(value, dict)
                            and "command" in value else []):
                        out.append(Command(system, path, job, text, None,
                                           not allow and not swallows_failure(text)))
                else:
                    visit(value, job if job else key_s, allow)
        elif isinstance(node, list):
            for item in node:
                visit(item, job, allowed_failure)

    visit(data, "", False)
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
        for job in wf.jobs:
            for step in job.steps:
                if step.run:
                    blocking = not (step.continue_on_error or job.continue_on_error
                                    or swallows_failure(step.run))
                    commands.append(Command("github", wf.path, job.id, step.run, step.line,
                                            blocking))
    for system, paths in other_ci_files(repo).items():
        for path in paths:
            if system == "jenkins":
                text = repo.text(path)
                if isinstance(text, ParseError):
                    continue
                for number, line in enumerate(text.splitlines(), start=1):
                    match = re.search(r"\bsh\s*\(?\s*['\"]{1,3}(.+?)['\"]{1,3}", line)
                    if match:
                        cmd = match.group(1)
                        commands.append(Command(system, path, "", cmd, number,
                                                not swallows_failure(cmd)))
                continue
            data = repo.yaml(path)
            if isinstance(data, ParseError):
                continue
            commands.extend(_yaml_commands(system, path, data))
    repo.memo["ci:commands"] = commands
    return commands
