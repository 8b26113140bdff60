"""``.pre-commit-config.yaml``: repositories and their hooks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt

_TAG = re.compile(r"^v?\d+(\.\d+)*([.-]?[A-Za-z0-9]+)*$")
_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Hook:
    id: str
    repo: str
    rev: str | None
    files: str | None
    exclude: str | None
    types: tuple[str, ...]
    stages: tuple[str, ...]
    args: tuple[str, ...]
    entry: str | None
    line: int | None

    @property
    def pinned(self) -> bool:
        """``rev:`` is a release tag or a full commit SHA (not a branch such as main)."""
        if self.repo in ("local", "meta"):
            return True
        rev = self.rev or ""
        return bool(_SHA.match(rev) or (_TAG.match(rev) and any(c.isdigit() for c in rev)))


@dataclass(frozen=True)
class PreCommitConfig:
    hooks: tuple[Hook, ...]
    files: str | None
    exclude: str | None

    def hook(self, *ids: str) -> list[Hook]:
        return [h for h in self.hooks if h.id in ids]


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def parse_precommit(text: str) -> PreCommitConfig:
    data = load_yaml_rt(text)
    if not isinstance(data, dict):
        raise ValueError("the pre-commit configuration must be a mapping")
    repos = data.get("repos")
    if not isinstance(repos, list):
        raise ValueError("'repos' must be a list")
    hooks: list[Hook] = []
    for repo in repos:
        if not isinstance(repo, dict):
            continue
        url = str(repo.get("repo", ""))
        rev = repo.get("rev")
        entries = repo.get("hooks") if isinstance(repo.get("hooks"), list) else []
        for index, hook in enumerate(entries or []):
            if not isinstance(hook, dict) or "id" not in hook:
                continue
            hooks.append(Hook(
                id=str(hook["id"]), repo=url, rev=str(rev) if rev is not None else None,
                files=str(hook["files"]) if "files" in hook else None,
                exclude=str(hook["exclude"]) if "exclude" in hook else None,
                types=_strs(hook.get("types")), stages=_strs(hook.get("stages")),
                args=_strs(hook.get("args")),
                entry=str(hook["entry"]) if "entry" in hook else None,
                line=line_of(entries, index=index),
            ))
    files = data.get("files")
    exclude = data.get("exclude")
    return PreCommitConfig(tuple(hooks), str(files) if files else None,
                           str(exclude) if exclude else None)
