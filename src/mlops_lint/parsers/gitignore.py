"""``.gitignore`` files read with git's own matching rules (pathspec's GitIgnoreSpec).

:func:`ignore_rules` gathers every ``.gitignore`` of the repository (the root one and
nested ones, such as those DVC writes next to tracked data) so a check can ask whether
a path would be ignored, without running git and without the user's global excludes,
which would make the answer depend on the machine.

A ``.gitignore`` is repository content, so its patterns must not be able to stall the
run. pathspec translates ``*`` to ``[^/]*`` and ``**`` to ``.+``, which backtracks
exponentially on ``*a*a*a*a*b`` or ``a/**/b/**/c/**/d`` against a path that almost
matches. :func:`gitignore_spec` keeps pathspec's reading of each line (negation,
anchoring, directory patterns, which lines are no-ops) and only rebuilds the regular
expression: every ``*`` but the last of a name and every ``**`` but the last of a
pattern match the leftmost place where the rest fits, inside an atomic lookahead
(see :mod:`mlops_lint.globs`). A line pathspec cannot read (a lone ``!``) is a no-op,
as it is for git.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import pathspec
from pathspec.patterns.gitignore import GitIgnorePatternError
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

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


_DIR_MARK = "(?P<ps_d>/)"
_ENDS = frozenset({".", "/", _DIR_MARK})  # pathspec's whole-pattern special cases
_GROUPS = itertools.count()


def _atomic(inner: str) -> str:
    name = f"a{next(_GROUPS)}"
    return f"(?=(?P<{name}>{inner}))(?P={name})"


def _name_pieces(segment: str) -> list[str]:
    """A name pattern cut at its ``*`` runs (escapes and ``[...]`` kept whole)."""
    pieces, current, i, n = [], "", 0, len(segment)
    while i < n:
        c = segment[i]
        if c == "\\":
            current += segment[i:i + 2]
            i += 2
        elif c == "[":
            j = i + 1
            if j < n and segment[j] in "!^":
                j += 1
            if j < n and segment[j] == "]":
                j += 1
            while j < n and segment[j] != "]":
                j += 1
            end = j + 1 if j < n else i + 1
            current += segment[i:end]
            i = end
        elif c == "*":
            pieces.append(current)
            current = ""
            while i < n and segment[i] == "*":
                i += 1
        else:
            current += c
            i += 1
    return [*pieces, current]


def _name(segment: str) -> str:
    if segment == "*":
        return "[^/]+"
    translate = GitIgnoreSpecPattern._translate_segment_glob
    # as in git, a negated class never matches "/" (pathspec's "[^a]" would)
    pieces = [translate(piece, "raise").replace("[^", "[^/")
              for piece in _name_pieces(segment)]
    if len(pieces) == 1:
        return pieces[0]
    middle = "".join(_atomic(f"[^/]*?{piece}") for piece in pieces[1:-1])
    return f"{pieces[0]}{middle}[^/]*{pieces[-1]}"


def _segments(pattern: str) -> tuple[list[str], bool]:
    """A gitignore line's path segments, anchored the way git reads it (a single name
    matches at any depth: ``**`` in front), and whether it names only directories."""
    if not pattern.endswith("\\ "):
        pattern = pattern.rstrip()
    segments = pattern.removeprefix("!").split("/")
    is_dir = not segments[-1]
    if not segments[0]:
        del segments[0]
    elif (len(segments) == 1 or (len(segments) == 2 and not segments[1])) \
            and segments[0] != "**":
        segments.insert(0, "**")
    if not segments[-1]:
        segments[-1] = "**"
    return segments, is_dir


def _safe_regex(pattern: str) -> str:
    """pathspec's regular expression for a gitignore line, without its backtracking."""
    segments, is_dir = _segments(pattern)
    groups: list[list[str]] = [[]]  # names between ``**`` segments
    for segment in segments:
        if segment != "**":
            groups[-1].append(_name(segment))
        elif groups[-1] or len(groups) == 1:
            groups.append([])
    leading = not groups[0]
    trailing = not groups[-1]
    names = [g for g in groups if g]
    out = "^"
    for index, group in enumerate(names):
        body = "/".join(group)
        if index > 0:
            out += "/"
        if index > 0 or leading:
            last = index == len(names) - 1
            out += f"(?:[^/]+/)*{body}" if last else _atomic(f"(?:[^/]+/)*?{body}")
        else:
            out += body
    if trailing:
        return out + (_DIR_MARK if is_dir else "/")
    return out + f"(?:{_DIR_MARK}|$)"


class SafeGitIgnorePattern(GitIgnoreSpecPattern):
    """pathspec's gitignore pattern with a regular expression that cannot backtrack
    badly; a line pathspec rejects is a no-op."""

    @classmethod
    def pattern_to_regex(cls, pattern: Any) -> tuple[Any, bool | None]:
        try:
            regex, include = super().pattern_to_regex(pattern)
        except GitIgnorePatternError:
            return None, None
        if not isinstance(regex, str) or regex in _ENDS:
            return regex, include
        return _safe_regex(pattern), include


def gitignore_spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """A GitIgnoreSpec of ``lines`` safe to match against any path."""
    return pathspec.GitIgnoreSpec.from_lines(lines, SafeGitIgnorePattern, backend="simple")


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
        files.append(IgnoreFile(path, base, gitignore_spec(lines),
                                tuple(lines)))
    files.sort(key=lambda f: (-f.base.count("/") - bool(f.base), f.base))
    result = IgnoreRules(tuple(files), tuple(errors))
    repo.memo["gitignore:rules"] = result
    return result
