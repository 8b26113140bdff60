"""CI systems other than GitHub Actions, found by their file names and, for Azure
Pipelines, by their content wherever they live; ``- template:`` (Azure) and
``include:`` (GitLab) files are followed within the repository."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint.globs import is_test_data
from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

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


def environment_jobs(repo: Repo, system: str, path: str) -> set[str]:
    """The GitLab CI jobs of ``path`` that deploy to an ``environment:`` (other than one
    that stops it); empty for other systems."""
    if system != "gitlab":
        return set()
    doc = repo.yaml(path)
    if not isinstance(doc, dict):
        return set()
    found = set()
    for name, job in doc.items():
        if not isinstance(job, dict) or "environment" not in job:
            continue
        env = job["environment"]
        action = env.get("action") if isinstance(env, dict) else None
        if action in (None, "start"):
            found.add(str(name))
    return found
