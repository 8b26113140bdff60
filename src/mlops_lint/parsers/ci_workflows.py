"""GitHub Actions workflows as :class:`Workflow` models: triggers, jobs, steps with line
numbers, the actions they use (:class:`ActionRef`).

Workflows are read with the round-trip YAML loader (YAML 1.2, so ``on:`` stays a string;
the YAML 1.1 reading where ``on`` becomes ``True`` is accepted too). Hand-written files
are untrusted: wrong types (``needs: 3``, ``steps: {}``) are ignored, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlops_lint import lazy_re
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

WORKFLOW_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml")


_SWALLOW = lazy_re.compile(r"\|\|\s*(true|:|echo\b|exit\s+0)|\bset\s+\+e\b")


_SHA = lazy_re.compile(r"^[0-9a-fA-F]{40}$")


# v4, 4.1.2, v1.0.0-rc.1: the tail's class covers what a separate "(\.\d+)*" matched,
# which made the two backtrack against each other (quadratic in the ref's length)
_VERSION_REF = lazy_re.compile(r"^v?(\d+)(?:[-+.][0-9A-Za-z.-]+)?$")


FLOATING_REFS = frozenset({"master", "main", "head", "develop", "dev", "trunk", "latest",
                           "nightly", "edge", "stable"})


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


def as_bool(value: Any) -> bool:
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
        continue_on_error=as_bool(step.get("continue-on-error")),
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
            continue_on_error=as_bool(body.get("continue-on-error")),
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
