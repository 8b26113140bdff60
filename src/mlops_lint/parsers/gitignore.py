"""``.gitignore`` files read with git's own matching rules (pathspec's GitIgnoreSpec).

:func:`ignore_rules` gathers every ``.gitignore`` of the repository (the root one and
nested ones, such as those DVC writes next to tracked data) so a check can ask whether
a path would be ignored, without running git and without the user's global excludes,
which would make the answer depend on the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import pathspec

from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.repo import Repo


@dataclass(frozen=True)
class IgnoreFile:
    path: str
    base: str  # directory of the file, "" at the root
    spec: pathspec.GitIgnoreSpec
    lines: tuple[str, ...]


@dataclass(frozen=True)
class IgnoreRules:
    files: tuple[IgnoreFile, ...]
    errors: tuple[ParseError, ...]

    def ignored(self, path: str, is_dir: bool = False) -> bool:
        """Whether ``path`` (repository-relative) is ignored by some ``.gitignore``.

        Deeper files are asked first, as git does; a parent directory that is ignored
        ignores everything under it.
        """
        parts = PurePosixPath(path).parts
        for depth in range(1, len(parts)):
            if self._match("/".join(parts[:depth]), True):
                return True
        return self._match(path, is_dir)

    def _match(self, path: str, is_dir: bool) -> bool:
        for rules in self.files:
            if rules.base and not path.startswith(rules.base + "/"):
                continue
            sub = path[len(rules.base) + 1:] if rules.base else path
            result = rules.spec.check_file(sub + "/" if is_dir else sub)
            if result.include is not None:
                return bool(result.include)
        return False

    @property
    def root(self) -> IgnoreFile | None:
        return next((f for f in self.files if f.base == ""), None)


def parse_gitignore(text: str) -> list[str]:
    return text.splitlines()


def ignore_rules(repo: Repo) -> IgnoreRules:
    """Every ``.gitignore`` of the repository, deepest first (memoized)."""
    cached = repo.memo.get("gitignore:rules")
    if cached is not None:
        result: IgnoreRules = cached
        return result
    files = []
    errors = []
    for path in repo.glob(["**/.gitignore"]):
        lines = repo.parse(path, parse_gitignore)
        if isinstance(lines, ParseError):
            errors.append(lines)
            continue
        base = str(PurePosixPath(path).parent)
        base = "" if base == "." else base
        files.append(IgnoreFile(path, base, pathspec.GitIgnoreSpec.from_lines(lines),
                                tuple(lines)))
    files.sort(key=lambda f: (-f.base.count("/") - bool(f.base), f.base))
    result = IgnoreRules(tuple(files), tuple(errors))
    repo.memo["gitignore:rules"] = result
    return result
