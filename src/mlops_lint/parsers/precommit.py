"""``.pre-commit-config.yaml``: repositories and their hooks.

:meth:`PreCommitConfig.selects` applies pre-commit's own file selection (top-level and
hook ``files``/``exclude`` regexes searched in the path, then ``types``/``types_or``/
``exclude_types`` by file extension) to tell whether a hook would ever see a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt
from mlops_lint.untrusted import SEARCH_BUDGET_S, Budget, PatternTooSlow, UntrustedPattern

# A release tag: v1, 1.2.3, 24.1.0a1, v2.0.0-rc.1: a digit, then letters and digits where
# each "." or "-" is followed by a letter or digit. Written so no two parts can match the
# same character (the nested ``(\.\d+)*([.-]?[A-Za-z0-9]+)*`` it replaces backtracked
# exponentially on a long ``rev``).
_TAG = lazy_re.compile(r"^v?\d(?:[A-Za-z0-9]|[.-](?=[A-Za-z0-9]))*$")
_SHA = lazy_re.compile(r"^[0-9a-f]{40}$")
# identify's tags for the extensions the rules care about (a subset of its table)
_TAGS_BY_EXT: dict[str, frozenset[str]] = {
    ".py": frozenset({"file", "text", "python"}),
    ".pyi": frozenset({"file", "text", "pyi", "python"}),
    ".ipynb": frozenset({"file", "text", "jupyter", "json"}),
    ".yaml": frozenset({"file", "text", "yaml"}),
    ".yml": frozenset({"file", "text", "yaml"}),
    ".toml": frozenset({"file", "text", "toml"}),
    ".json": frozenset({"file", "text", "json"}),
    ".md": frozenset({"file", "text", "markdown"}),
}
# hooks whose published manifest restricts them to Python files (types/types_or)
_DEFAULT_TYPES: dict[str, tuple[str, ...]] = {
    "mypy": ("python", "pyi"), "ruff": ("python", "pyi", "jupyter"),
    "ruff-check": ("python", "pyi", "jupyter"), "ruff-format": ("python", "pyi", "jupyter"),
    "black": ("python", "pyi"), "isort": ("python", "pyi"), "flake8": ("python",),
    "bandit": ("python",),
}


_PLAIN = frozenset({"file", "text"})


def file_tags(path: str) -> frozenset[str]:
    """The identify-style tags pre-commit would give ``path`` (by extension only)."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return _TAGS_BY_EXT.get(name[dot:].lower(), _PLAIN) if dot > 0 else _PLAIN


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
    types_or: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()
    language: str | None = None
    pass_filenames: bool = True

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

    def selects(self, hook: Hook, paths: Iterable[str]) -> list[str] | str:
        """The ``paths`` the hook would run on, or why it cannot be told (a bad regex,
        or one too slow to evaluate within :data:`SEARCH_BUDGET_S`)."""
        try:
            top_files = UntrustedPattern(self.files or "")
            top_exclude = UntrustedPattern(self.exclude or "^$")
            files = UntrustedPattern(hook.files or "")
            exclude = UntrustedPattern(hook.exclude or "^$")
        except re.error as exc:
            return f"invalid regular expression: {exc}"
        try:
            return self._select(hook, paths, (top_files, top_exclude, files, exclude))
        except PatternTooSlow:
            return (f"the files/exclude regular expressions take more than "
                    f"{SEARCH_BUDGET_S:g} s to evaluate; not evaluated")

    def _select(self, hook: Hook, paths: Iterable[str],
                patterns: tuple[UntrustedPattern, ...]) -> list[str]:
        top_files, top_exclude, files, exclude = patterns
        budget = Budget()
        types = hook.types
        types_or = hook.types_or
        if not types and not types_or and hook.repo not in ("local", "meta"):
            types_or = _DEFAULT_TYPES.get(hook.id, ())
        chosen = []
        for path in paths:
            if not top_files.search(path, budget) or top_exclude.search(path, budget):
                continue
            if not files.search(path, budget) or exclude.search(path, budget):
                continue
            tags = file_tags(path)
            if types and not set(types) <= tags:
                continue
            if types_or and not set(types_or) & tags:
                continue
            if set(hook.exclude_types) & tags:
                continue
            chosen.append(path)
        return chosen


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
                types_or=_strs(hook.get("types_or")),
                exclude_types=_strs(hook.get("exclude_types")),
                language=str(hook["language"]) if "language" in hook else None,
                pass_filenames=hook.get("pass_filenames", True) is not False,
            ))
    files = data.get("files")
    exclude = data.get("exclude")
    return PreCommitConfig(tuple(hooks), str(files) if files else None,
                           str(exclude) if exclude else None)
