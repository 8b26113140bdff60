"""What a check sees: the repository, the project being checked, the configuration."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mlops_lint.config import Config, Thresholds
from mlops_lint.globs import filter_paths
from mlops_lint.projects import Project
from mlops_lint.repo import Repo


@dataclass(frozen=True)
class Context:
    repo: Repo
    project: Project
    config: Config
    rule_id: str

    @property
    def thresholds(self) -> Thresholds:
        return self.config.thresholds

    @property
    def is_root(self) -> bool:
        return self.project.path == "."

    def path(self, local: str) -> str:
        """Repository path of a path given relative to the project directory."""
        return self.project.rel(local)

    def files(self, globs: Iterable[str], case_sensitive: bool = True) -> list[str]:
        """Project files (repository paths) whose project-relative path matches a glob
        (the answer is kept for the run: rules ask the same globs of a project many
        times)."""
        key = (self.project.path, tuple(globs), case_sensitive)
        found = self.repo.project_globbed.get(key)
        if found is None:
            if self.is_root:
                found = filter_paths(self.project.files, key[1], case_sensitive)
            else:
                local = {self.project.local(f): f for f in self.project.files}
                found = [local[m] for m in filter_paths(local, key[1], case_sensitive)]
            self.repo.project_globbed[key] = found
        return list(found)

    def first(self, *candidates: str) -> str | None:
        """The first of the project-relative ``candidates`` that exists."""
        for candidate in candidates:
            full = self.path(candidate)
            if self.repo.exists(full):
                return full
        return None
