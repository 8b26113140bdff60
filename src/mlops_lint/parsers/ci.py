"""CI configuration: GitHub Actions workflows, plus the commands of other CI systems.

GitHub workflows become :class:`Workflow` models (triggers, jobs, steps with line
numbers). Every CI system's shell commands are also flattened into :class:`Command`
rows (GitLab ``script``, Azure ``script``/``bash``, CircleCI ``run``, Cloud Build
``args``, Bitbucket ``script``, Jenkinsfile ``sh``), so command-based rules (tests, lint,
coverage gate, scans) read them all the same way.

Workflows are read with the round-trip YAML loader (YAML 1.2, so ``on:`` stays a string;
the YAML 1.1 reading where ``on`` becomes ``True`` is accepted too). Hand-written files
are untrusted: wrong types (``needs: 3``, ``steps: {}``) are ignored, never raised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint.globs import is_test_data
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
    "jenkins": ("Jenkinsfile", "**/Jenkinsfile", "**/Jenkinsfile.*", "**/*.Jenkinsfile",
                "**/*.jenkinsfile"),
    "travis": (".travis.yml",),
    "drone": (".drone.yml",),
}
CI_NAMES = {"github": "GitHub Actions", "gitlab": "GitLab CI", "azure": "Azure Pipelines",
            "circleci": "CircleCI", "cloudbuild": "Cloud Build",
            "bitbucket": "Bitbucket Pipelines", "jenkins": "Jenkins", "travis": "Travis CI",
            "drone": "Drone"}
_SWALLOW = re.compile(r"\|\|\s*(true|:|echo\b|exit\s+0)|\bset\s+\+e\b")
_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
# v4, 4.1.2, v1.0.0-rc.1: the tail's class covers what a separate "(\.\d+)*" matched,
# which made the two backtrack against each other (quadratic in the ref's length)
_VERSION_REF = re.compile(r"^v?(\d+)(?:[-+.][0-9A-Za-z.-]+)?$")
FLOATING_REFS = frozenset({"master", "main", "head", "develop", "dev", "trunk", "latest",
                           "nightly", "edge", "stable"})
# ``sh``, ``sh(`` or ``sh(script:`` up to an opening quote; the body up to the same quote
# is found with str.find (a lazy ``(.*?)\1`` rescanned the rest of the file from every
# unclosed step)
_JENKINS_STEP = re.compile(r"\b(?:sh|bat|pwsh)\s*(?:\(\s*)?(?:script\s*:\s*)?(?=['\"])")
_JENKINS_QUOTES = ("'''", '"""', "'", '"')


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
    id: str | None = None
    shell: str | None = None  # the step's shell, else the job's or workflow's default
    working_directory: str | None = None  # likewise
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


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

    @property
    def uses(self) -> str | None:
        """The reusable workflow a job calls (``jobs.<id>.uses``)."""
        value = self.raw.get("uses")
        return str(value) if value is not None else None

    @property
    def matrix(self) -> dict[str, Any]:
        return _mapping(self.strategy.get("matrix"))

    def key_line(self, key: str) -> int | None:
        return line_of(self.raw, key=key) if key in self.raw else None


@dataclass(frozen=True)
class Workflow:
    path: str
    on: dict[str, Any]  # trigger -> config (None values become {})
    jobs: tuple[Job, ...]
    raw: dict[str, Any]

    @property
    def name(self) -> str | None:
        value = self.raw.get("name")
        return str(value) if value is not None else None

    def job(self, job_id: str) -> Job | None:
        for job in self.jobs:
            if job.id == job_id:
                return job
        return None

    def ancestors(self, job_id: str) -> set[str]:
        """Jobs that ``job_id`` waits for, directly or transitively (``needs:``)."""
        seen: set[str] = set()
        todo = [job_id]
        while todo:
            current = self.job(todo.pop())
            if current is None:
                continue
            for need in current.needs:
                if need not in seen:
                    seen.add(need)
                    todo.append(need)
        seen.discard(job_id)
        return seen

    def key_line(self, key: str) -> int | None:
        return line_of(self.raw, key=key) if key in self.raw else None


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


@dataclass(frozen=True)
class ActionRef:
    """A step's ``uses:``: ``owner/repo[/path]@ref``, a local action or a Docker image."""

    kind: str  # "action", "local" (./path) or "docker" (docker://image)
    name: str  # owner/repo[/path], lower case; the path or image for local/docker
    ref: str | None

    @property
    def repo(self) -> str:
        """``owner/repo`` without a sub-path."""
        return "/".join(self.name.split("/")[:2])

    @property
    def pinned(self) -> bool:
        """A full commit SHA pins the action; a tag can be moved."""
        return self.ref is not None and bool(_SHA.match(self.ref))

    @property
    def floating(self) -> bool:
        """No ref, or a branch such as ``master``/``main``: changes under your feet."""
        return self.kind == "action" and (
            not self.ref or self.ref.lower() in FLOATING_REFS)

    @property
    def major(self) -> int | None:
        """The major version of a tag ref (``v4``, ``v4.1.2``, ``4``); ``None`` for a
        commit SHA, a branch or no ref."""
        if self.pinned:
            return None
        match = _VERSION_REF.match(self.ref or "")
        return int(match.group(1)) if match else None


def parse_action(uses: str) -> ActionRef:
    text = uses.strip()
    if text.startswith("./") or text.startswith("../"):
        return ActionRef("local", text, None)
    if text.lower().startswith("docker://"):
        return ActionRef("docker", text[len("docker://"):], None)
    name, sep, ref = text.partition("@")
    return ActionRef("action", name.strip().lower(), ref.strip() if sep else None)


def swallows_failure(command: str) -> bool:
    """``|| true``, ``|| echo``, ``|| :``, ``|| exit 0`` or ``set +e`` in a command."""
    return bool(_SWALLOW.search(command))


def _triggers(raw: dict[Any, Any]) -> dict[str, Any]:
    on = raw.get("on", raw.get(True))  # YAML 1.1 readers turn `on` into True
    if isinstance(on, str):
        return {on: {}}
    if isinstance(on, list):
        return {str(t): {} for t in on if isinstance(t, str | int | float)}
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


def _defaults(node: Any) -> dict[str, Any]:
    run = _mapping(_mapping(_mapping(node).get("defaults")).get("run"))
    return run


def _opt_str(value: Any) -> str | None:
    return str(value) if value is not None and not isinstance(value, dict | list) else None


def _needs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(n) for n in value if isinstance(n, str | int))
    return ()


def _step(step: dict[Any, Any], line: int | None, defaults: dict[str, Any]) -> Step:
    run = step.get("run")
    uses = step.get("uses")
    return Step(
        name=_opt_str(step.get("name")),
        run=_opt_str(run),
        uses=_opt_str(uses),
        with_=_mapping(step.get("with")),
        continue_on_error=_as_bool(step.get("continue-on-error")),
        if_=_opt_str(step.get("if")),
        line=line,
        env=_mapping(step.get("env")),
        id=_opt_str(step.get("id")),
        shell=_opt_str(step.get("shell", defaults.get("shell"))),
        working_directory=_opt_str(step.get("working-directory",
                                            defaults.get("working-directory"))),
        raw=_mapping(step),
    )


def build_workflow(path: str, raw: dict[Any, Any]) -> Workflow:
    jobs_raw = raw.get("jobs") if isinstance(raw.get("jobs"), dict) else {}
    workflow_defaults = _defaults(raw)
    jobs = []
    for job_id, body in (jobs_raw or {}).items():
        if not isinstance(body, dict):
            continue
        defaults = {**workflow_defaults, **_defaults(body)}
        steps_raw = body.get("steps") if isinstance(body.get("steps"), list) else []
        steps = [_step(step, line_of(steps_raw, index=i), defaults)
                 for i, step in enumerate(steps_raw or []) if isinstance(step, dict)]
        jobs.append(Job(
            id=str(job_id), name=_opt_str(body.get("name")),
            needs=_needs(body.get("needs")), steps=tuple(steps),
            strategy=_mapping(body.get("strategy")),
            continue_on_error=_as_bool(body.get("continue-on-error")),
            if_=_opt_str(body.get("if")),
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


_NOT_JENKINSFILES = (".md", ".txt", ".rst", ".html", ".png", ".svg")
# Azure Pipelines: the top-level keys of a pipeline or of a stage/job/step template
_AZURE_TOP = frozenset({"trigger", "pr", "pool", "stages", "jobs", "steps", "extends"})
# the keys that make a step an Azure step (GitHub has run/uses, Cloud Build and Drone an image)
_AZURE_STEPS = frozenset({"script", "bash", "pwsh", "powershell", "task", "template"})
_AZURE_HINTS = tuple(f"- {k}:" for k in sorted(_AZURE_STEPS))
MAX_INCLUDE_DEPTH = 5
MAX_SNIFF_CHARS = 512 * 1024
MAX_SNIFF_LINE = 400


def _azure_steps(node: Any, depth: int = 0) -> bool:
    """A ``steps:`` list somewhere in ``node`` holds an Azure step (``script:``,
    ``task:``, ``bash:``, ``template:``…) and no step names a container image."""
    if depth > 12:
        return False
    if isinstance(node, dict):
        steps = node.get("steps")
        if isinstance(steps, list):
            items = [s for s in steps if isinstance(s, dict)]
            if any(_AZURE_STEPS & {str(k) for k in s} for s in items) and not any(
                    "image" in s or "args" in s or "uses" in s for s in items):
                return True
        return any(_azure_steps(v, depth + 1) for k, v in node.items() if k != "steps")
    if isinstance(node, list):
        return any(_azure_steps(item, depth + 1) for item in node)
    return False


def looks_like_azure_pipeline(data: Any) -> bool:
    """An Azure Pipelines file read by its content: top-level ``trigger``/``pool``/
    ``stages``/``jobs``/``steps``/``extends`` (no GitHub ``on:``, no Kubernetes ``kind:``)
    and steps that run ``script:``/``bash:``/``task:``/``template:``."""
    if not isinstance(data, dict):
        return False
    keys = {str(k) for k in data}
    if not keys & _AZURE_TOP or keys & {"on", "apiVersion", "kind", "image", "services"} \
            or True in data:
        return False
    return _azure_steps(data)


def _azure_hint(text: str) -> bool:
    """A cheap look at the text before parsing: some line is an Azure step."""
    if len(text) > MAX_SNIFF_CHARS:
        return False
    for line in text.splitlines():
        stripped = line[:MAX_SNIFF_LINE].strip()
        if stripped.startswith(_AZURE_HINTS):
            return True
    return False


def _normal(path: str) -> str | None:
    """A repository path with ``.``/``..`` folded; ``None`` when it leaves the repository."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) if parts else None


def _azure_templates(repo: Repo, path: str, data: Any) -> list[str]:
    """The files ``template:`` references of an Azure file point to (relative to the file,
    or to the repository root with a leading ``/``; ``file@other-repo`` and templated
    names are not followed)."""
    out: list[str] = []

    def visit(node: Any, depth: int) -> None:
        if depth > 40:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                if str(key) == "template" and isinstance(value, str):
                    ref = value.strip()
                    if ref and "@" not in ref and "$" not in ref and len(ref) < 300:
                        base = "" if ref.startswith("/") else str(PurePosixPath(path).parent)
                        target = _normal(f"{base}/{ref}")
                        if target and repo.exists(target):
                            out.append(target)
                else:
                    visit(value, depth + 1)
        elif isinstance(node, list):
            for item in node:
                visit(item, depth + 1)

    visit(data, 0)
    return out


def _gitlab_includes(repo: Repo, data: Any) -> list[str]:
    """Local files of a GitLab ``include:`` (``include: 'ci/test.yml'``, ``- local: …``,
    wildcards too); remote, project, template and component includes are not followed."""
    if not isinstance(data, dict):
        return []
    raw = data.get("include")
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        ref = item if isinstance(item, str) else (
            item.get("local") if isinstance(item, dict) else None)
        if not isinstance(ref, str) or "://" in ref or "$" in ref or len(ref) > 300:
            continue
        target = _normal(ref.strip())
        if target is None:
            continue
        if "*" in target:
            out.extend(repo.glob([target]))
        elif repo.exists(target):
            out.append(target)
    return out


def _follow(repo: Repo, system: str, entries: list[str]) -> list[str]:
    """``entries`` plus the files they include, transitively (depth-bounded, inside the
    repository only)."""
    include = _azure_templates if system == "azure" else None
    seen = list(dict.fromkeys(entries))
    frontier = list(seen)
    for _ in range(MAX_INCLUDE_DEPTH):
        found: list[str] = []
        for path in frontier:
            data = repo.yaml(path)
            if isinstance(data, ParseError):
                continue
            targets = include(repo, path, data) if include else _gitlab_includes(repo, data)
            found += [t for t in targets if t not in seen and t not in found]
        if not found:
            break
        seen += found
        frontier = found
    return seen


def other_ci_files(repo: Repo) -> dict[str, list[str]]:
    """Files of non-GitHub CI systems, by system name: the files each system reads by
    name, Azure Pipelines found by content wherever they live (``.pipelines/*.yml``), and
    the files they include (Azure ``template:``, GitLab ``include: local``)."""
    cached = repo.memo.get("ci:other-files")
    if cached is not None:
        result: dict[str, list[str]] = cached
        return result
    found: dict[str, list[str]] = {}
    for system, globs in OTHER_CI_FILES.items():
        paths = repo.glob(globs)
        if system == "jenkins":
            paths = [p for p in paths if not p.lower().endswith(_NOT_JENKINSFILES)]
        if paths:
            found[system] = paths
    named = {p for paths in found.values() for p in paths}
    azure = list(found.get("azure", []))
    for path in repo.glob(("**/*.yml", "**/*.yaml")):
        if path in named or path.startswith(".github/") or is_test_data(path):
            continue
        text = repo.text(path)
        if isinstance(text, ParseError) or not _azure_hint(text):
            continue
        if looks_like_azure_pipeline(repo.yaml(path)):
            azure.append(path)
    if azure:
        found["azure"] = _follow(repo, "azure", azure)
    if "gitlab" in found:
        found["gitlab"] = _follow(repo, "gitlab", found["gitlab"])
    repo.memo["ci:other-files"] = found
    return found


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


_COMMAND_KEYS = frozenset({"script", "before_script", "after_script", "bash", "run", "pwsh",
                           "powershell", "command", "args", "inlineScript"})
# Azure task inputs name sub-commands (`command: init` of a Terraform task), not shell lines
_AZURE_COMMAND_KEYS = frozenset({"script", "bash", "pwsh", "powershell", "inlineScript"})
_ENV_REF = re.compile(r"\$\{\{\s{0,5}env\.([A-Za-z_]\w{0,99})\s{0,5}\}\}"
                      r"|\$\(([A-Za-z_][\w.]{0,99})\)"
                      r"|\$\{([A-Za-z_]\w{0,99})\}"
                      r"|\$([A-Za-z_]\w{0,99})")
MAX_EXPAND_CHARS = 100_000


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
            allow = allowed_failure or _as_bool(node.get("allow_failure")) or \
                _as_bool(node.get("continueOnError"))
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
