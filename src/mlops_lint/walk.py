"""Listing a directory without git: every file under the root, vendored and ignored
directories skipped (what ``git ls-files`` would leave out), nothing followed outside.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_lint.parsers import ParseError
from mlops_lint.safe_read import read_inside

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

VENDORED_DIRS = frozenset({
    ".git", "node_modules", ".venv", "venv", ".tox", ".nox", "site-packages",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs",
    ".ipynb_checkpoints", ".terraform", "bower_components", ".hg", ".svn",
})


def is_vendored(parts: Iterable[str]) -> bool:
    return any(p in VENDORED_DIRS or p.endswith(".egg-info") for p in parts)


def walk_files(root: Path) -> tuple[list[str], list[str]]:
    """Every file under the root, without git: iterative (a directory nested
    thousands of levels deep must not exhaust the stack), vendored and ignored
    directories skipped, symlinked directories not followed, unreadable
    directories returned second (``"dir: reason"``)."""
    found: list[str] = []
    unreadable: list[str] = []
    specs: list[tuple[str, GitIgnoreSpec]] = []

    def ignored(rel: str, is_dir: bool) -> bool:
        for base, spec in specs:
            if base and not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1:] if base else rel
            if spec.match_file(sub + "/" if is_dir else sub):
                return True
        return False

    stack = [""]
    while stack:
        rel_dir = stack.pop()
        directory = root / rel_dir if rel_dir else root
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            unreadable.append(f"{rel_dir or '.'}: {exc.strerror or type(exc).__name__}")
            continue
        if any(entry.name == ".gitignore" for entry in entries):
            from mlops_lint.parsers.gitignore import gitignore_spec

            data = read_inside(root, directory / ".gitignore", ".gitignore")
            if not isinstance(data, ParseError):
                lines = data.decode("utf-8", errors="replace").splitlines()
                specs.append((rel_dir, gitignore_spec(lines)))
        subdirs = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
            except OSError:
                is_dir = is_link = False
            if is_dir:
                if is_link or entry.name in VENDORED_DIRS \
                        or entry.name.endswith(".egg-info") or ignored(rel, True):
                    continue
                subdirs.append(rel)
            elif not ignored(rel, False):
                found.append(rel)
        stack.extend(reversed(subdirs))
    return found, unreadable
