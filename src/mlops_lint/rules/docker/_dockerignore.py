"""Docker's ``.dockerignore`` matching (Go ``filepath.Match`` plus ``**``; a pattern
excludes a path or any of its parents; the last matching rule wins), read by DOCK002."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from mlops_lint.globs import GlobError, compile_glob


def _ignore_regex(pattern: str) -> re.Pattern[str] | None:
    """A .dockerignore pattern (Go filepath.Match plus ``**``) as a regex on a path, or
    ``None`` for a pattern Docker would refuse (an invalid ``[...]`` class)."""
    try:
        return compile_glob(pattern, braces=False)
    except GlobError:
        return None


@dataclass(frozen=True)
class IgnoreRule:
    pattern: str
    negate: bool
    regex: re.Pattern[str]


def parse_dockerignore(text: str) -> list[IgnoreRule]:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate:
            line = line[1:].strip()
        line = posixpath.normpath(line.lstrip("/")) if line.strip("/") else ""
        if not line or line == ".":
            continue
        regex = _ignore_regex(line)
        if regex is not None:
            rules.append(IgnoreRule(line, negate, regex))
    return rules


def ignored(rules: list[IgnoreRule], path: str) -> bool:
    """Docker's matching: a pattern excludes a path or any of its parent directories;
    the last matching rule wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for entry in rules:
        if any(entry.regex.match(c) for c in candidates):
            result = not entry.negate
    return result
