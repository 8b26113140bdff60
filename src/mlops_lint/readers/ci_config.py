"""The CI configuration, read once per run: the GitHub Actions workflows that parse, those
that do not, the files of other CI systems, and every workflow step by its line."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import CI_NAMES, Job, Step, Workflow, other_ci_files, workflows
from mlops_lint.repo import Repo


@dataclass
class CIState:
    workflows: list[Workflow]
    broken: list[ParseError]
    others: dict[str, list[str]]
    steps: dict[tuple[str, int | None], tuple[Workflow, Job, Step]] = field(
        default_factory=dict)

    @property
    def has_ci(self) -> bool:
        return bool(self.workflows or self.broken or self.others)

    def other_names(self) -> str:
        return ", ".join(f"{CI_NAMES.get(s, s)} ({', '.join(p)})"
                         for s, p in sorted(self.others.items()))


def ci_state(repo: Repo) -> CIState:
    cached = repo.memo.get("phase4:ci_state")
    if isinstance(cached, CIState):
        return cached
    good = [w for w in workflows(repo) if isinstance(w, Workflow)]
    broken = [w for w in workflows(repo) if isinstance(w, ParseError)]
    state = CIState(good, broken, other_ci_files(repo))
    for wf in good:
        for job in wf.jobs:
            for step in job.steps:
                state.steps[(wf.path, step.line)] = (wf, job, step)
    repo.memo["phase4:ci_state"] = state
    return state


# the CI systems a fix is written for, GitHub Actions first, then by how common they are
_FIX_ORDER = ("gitlab", "azure", "jenkins", "circleci", "bitbucket", "cloudbuild", "travis",
              "drone")


def ci_system(repo: Repo) -> tuple[str, list[str]] | None:
    """(system, its files) of the CI system the repository uses: ``github`` when it has
    workflows, else the first other system found (GitLab, Azure Pipelines, Jenkins…);
    None without CI."""
    state = ci_state(repo)
    if state.workflows or state.broken:
        return "github", [w.path for w in state.workflows]
    for system in _FIX_ORDER:
        if state.others.get(system):
            return system, list(state.others[system])
    return None


def ci_step_fix(repo: Repo, command: str, github: T, prefer: str = "docker") -> T:
    """A fix that adds a CI step running ``command`` after the image build, written for the
    CI system the repository uses: ``github`` (an action step) for GitHub Actions, a
    ``script:`` step for GitLab CI and Azure Pipelines, ``sh`` for Jenkins, ``run:`` for
    CircleCI, the command alone otherwise. The files named are those mentioning
    ``prefer`` (the image build) first."""
    found = ci_system(repo)
    if found is None:
        return T(f"Add a CI step after the image build that runs: {command}.",
                 f"Añade un paso de CI tras el build de la imagen que ejecute: {command}.")
    system, files = found
    if system == "github":
        return github
    name = CI_NAMES.get(system, system)

    def mentions(path: str) -> bool:
        text = repo.text(path)
        return isinstance(text, str) and prefer in text[:200_000].lower()

    files = sorted(files, key=lambda p: not mentions(p))
    where = ", ".join(files[:2]) + (", …" if len(files) > 2 else "")
    snippet = {"gitlab": f'script: ["{command}"]', "azure": f"- script: {command}",
               "jenkins": f"sh '{command}'", "circleci": f"- run: {command}",
               "bitbucket": f"script: - {command}"}.get(system)
    if snippet is None:
        return T(f"Add a step to the {name} pipeline ({where}) after the image build that "
                 f"runs: {command}.",
                 f"Añade un paso al pipeline de {name} ({where}) tras el build de la imagen "
                 f"que ejecute: {command}.")
    unit, unidad = {"gitlab": ("a job", "un job"), "jenkins": ("a stage", "una etapa")}.get(
        system, ("a step", "un paso"))
    return T(f"Add {unit} to the {name} pipeline ({where}) after the image build: {snippet}.",
             f"Añade {unidad} al pipeline de {name} ({where}) tras el build de la imagen: "
             f"{snippet}.")
