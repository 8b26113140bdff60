"""Path globs used by the catalog: ``*``, ``?``, ``[...]``, ``{a,b}`` and ``**``.

A glob matches a whole repository-relative POSIX path. ``**/`` matches zero or more
directories, so ``**/Dockerfile`` matches ``Dockerfile`` at the root too; a trailing
``/**`` matches everything below a directory; ``**`` inside a name matches anything,
slashes included (``a**b`` is read as ``a*b`` or ``a*/**/*b``).

Globs come from the catalog but also from the repository (``exclude``, rule packs,
``.gitattributes``), so the regular expression a glob becomes must never backtrack
badly. A naive translation does: ``*a*a*a*b`` is ``[^/]*a[^/]*a[^/]*a[^/]*b``, and
``**/**/**/x`` nests ``(?:[^/]*/)*`` loops; both take exponential time on a path
that almost matches. Here every ``*`` but the last of a name, and every ``**`` but the
last of a glob, match the *leftmost* place where what follows them fits, inside an
atomic lookahead (``(?=(...))`` plus a back-reference, Python 3.10's atomic group), so
the engine never retries them. Leftmost is always right for wildcards between
fixed-length pieces: it leaves the most room for the rest. Matching is then linear in
the path for each piece of the glob.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import PurePosixPath

from mlops_lint import lazy_re

MAX_ALTERNATIVES = 256  # brace expansions of one glob: more is refused as too complex
MAX_GLOB_CHARS = 4096


class GlobError(ValueError):
    """A glob that cannot be used (an invalid character class, too many alternatives)."""


def _expand(glob: str) -> list[str]:
    """``a{b,c}d`` → ``[abd, acd]``: each ``{`` up to the next ``}``; an unclosed ``{``
    stays a literal character."""
    out = [""]
    done = 0
    while True:
        start = glob.find("{", done)
        end = glob.find("}", start + 1) if start != -1 else -1
        if end == -1:
            return [head + glob[done:] for head in out]
        options = glob[start + 1:end].split(",")
        out = [head + glob[done:start] + option for head in out for option in options]
        if len(out) > MAX_ALTERNATIVES:
            raise GlobError(f"glob {glob!r} expands to more than {MAX_ALTERNATIVES} "
                            "alternatives")
        done = end + 1


_INNER_STARS = lazy_re.compile(r"\*{2,}")


def _split_inner_stars(glob: str) -> list[str]:
    """``a**b`` inside a name → ``[a*b, a*/**/*b]``: the two ways ``**`` can match."""
    done: list[str] = []
    todo = [glob]
    while todo:
        current = todo.pop()
        segments = current.split("/")
        for index, segment in enumerate(segments):
            star = _INNER_STARS.search(segment) if segment.strip("*") else None
            if star is None:
                continue
            left, right = segment[:star.start()], segment[star.end():]
            head, tail = segments[:index], segments[index + 1:]
            todo.append("/".join([*head, f"{left}*", "**", f"*{right}", *tail]))
            todo.append("/".join([*head, f"{left}*{right}", *tail]))
            break
        else:
            done.append(current)
        if len(done) + len(todo) > MAX_ALTERNATIVES:
            raise GlobError(f"glob {glob!r} expands to more than {MAX_ALTERNATIVES} "
                            "alternatives")
    return done


def _alternatives(glob: str, braces: bool) -> list[str]:
    out: list[str] = []
    for option in _expand(glob) if braces else [glob]:
        out.extend(_split_inner_stars(option))
        if len(out) > MAX_ALTERNATIVES:
            raise GlobError(f"glob {glob!r} expands to more than {MAX_ALTERNATIVES} "
                            "alternatives")
    return out


def _pieces(segment: str) -> list[list[str]]:
    """A name pattern as fixed-length regex pieces separated by ``*`` runs."""
    pieces: list[list[str]] = [[]]
    i, n = 0, len(segment)
    while i < n:
        c = segment[i]
        if c == "*":
            while i < n and segment[i] == "*":
                i += 1
            pieces.append([])
            continue
        if c == "?":
            pieces[-1].append("[^/]")
        elif c == "[":
            end = segment.find("]", i + 2 if segment.startswith(("[!", "[^"), i) else i + 1)
            if end == -1:
                pieces[-1].append(re.escape(c))
            else:
                body = segment[i + 1:end]
                negate = body[:1] in ("!", "^")
                body = body[1:] if negate else body
                body = body.replace("\\", "\\\\").replace("[", "\\[")
                pieces[-1].append(("[^/" if negate else "[") + body + "]")
                i = end
        else:
            pieces[-1].append(re.escape(c))
        i += 1
    return pieces


class _Builder:
    def __init__(self) -> None:
        self.groups = 0

    def atomic(self, inner: str) -> str:
        """``inner`` matched once, at its first success, never retried."""
        self.groups += 1
        name = f"g{self.groups}"
        return f"(?=(?P<{name}>{inner}))(?P={name})"

    def name(self, segment: str) -> str:
        """One path component: the pieces between ``*`` runs, the middle ones leftmost."""
        pieces = ["".join(p) for p in _pieces(segment)]
        if len(pieces) == 1:
            return pieces[0]
        out = pieces[0]
        for piece in pieces[1:-1]:
            out += self.atomic(f"[^/]*?{piece}")
        return out + f"[^/]*{pieces[-1]}"

    def path(self, glob: str) -> str:
        segments = glob.split("/")
        collapsed: list[str] = []
        for segment in segments:
            if len(segment) > 1 and segment.strip("*") == "":
                segment = "**"  # a name of only stars is a directory wildcard
            if segment == "**" and collapsed and collapsed[-1] == "**":
                continue
            collapsed.append(segment)
        groups: list[list[str]] = [[]]
        for segment in collapsed:
            if segment == "**":
                groups.append([])
            else:
                groups[-1].append(self.name(segment))
        if len(groups) == 1:
            return "/".join(groups[0])
        out = "".join(name + "/" for name in groups[0])
        for group in groups[1:-1]:
            out += self.atomic("(?:[^/]*/)*?" + "".join(name + "/" for name in group))
        last = groups[-1]
        return out + ("(?:[^/]*/)*" + "/".join(last) if last else ".*")


def _translate(glob: str, braces: bool = True) -> str:
    builder = _Builder()
    options = [builder.path(option) for option in _alternatives(glob, braces)]
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


@lru_cache(maxsize=1024)
def compile_glob(glob: str, case_sensitive: bool = True,
                 braces: bool = True) -> re.Pattern[str]:
    """The glob as a regular expression; :class:`GlobError` when it cannot be one.
    ``braces=False`` reads ``{`` and ``}`` literally (``.dockerignore`` syntax)."""
    if len(glob) > MAX_GLOB_CHARS:
        raise GlobError(f"glob longer than {MAX_GLOB_CHARS} characters")
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        return re.compile(r"\A" + _translate(glob.lstrip("/"), braces) + r"\Z", flags)
    except re.error as exc:
        raise GlobError(f"invalid glob {glob!r}: {exc}") from None


def check_glob(glob: str) -> str:
    """``glob`` if it compiles, else :class:`GlobError` (for validating configuration)."""
    compile_glob(glob)
    return glob


def matches(path: str, globs: Iterable[str], case_sensitive: bool = True) -> bool:
    return any(compile_glob(g, case_sensitive).match(path) for g in globs)


_WILDCARDS = frozenset("*?[]{}\\")


@lru_cache(maxsize=1024)
def literal_tail(glob: str, case_sensitive: bool = True) -> str:
    """The text every path the glob matches ends with: what follows the last wildcard of
    its last segment (``.py`` for ``**/*.py``, ``Dockerfile`` for ``**/Dockerfile``);
    ``""`` when nothing is certain (a trailing ``**``, braces or an escape at the end).
    Ignoring case, only an ASCII tail is given, in lower case."""
    name = glob.rsplit("/", 1)[-1]
    tail = ""
    for char in reversed(name):
        if char in _WILDCARDS:
            break
        tail = char + tail
    if case_sensitive:
        return tail
    return tail.lower() if tail.isascii() else ""


def _may_end_with(path: str, tail: str) -> bool:
    """Ignoring case: whether ``path`` may end with the lower-case ASCII ``tail``. A
    non-ASCII ending is left to the expression (Unicode case rules match ``ſ`` to ``s``)."""
    piece = path[-len(tail):]
    return not piece.isascii() or piece.lower() == tail


def filter_paths(paths: Iterable[str], globs: Iterable[str],
                 case_sensitive: bool = True) -> list[str]:
    """The paths a glob matches, in their order. A path is tried against a glob's
    expression only when it ends with the glob's literal tail (a string comparison
    first: most paths of a repository end otherwise)."""
    compiled = [(compile_glob(g, case_sensitive).match, literal_tail(g, case_sensitive))
                for g in globs]
    out = []
    for path in paths:
        for match, tail in compiled:
            if tail and not (path.endswith(tail) if case_sensitive
                             else _may_end_with(path, tail)):
                continue
            if match(path):
                out.append(path)
                break
    return out


# The names Docker Compose reads (compose.yaml, docker-compose.yml and their override and
# per-environment variants): one list for every rule that looks for compose files; a rule
# decides where (the project's root, or anywhere).
COMPOSE_FILES = ("docker-compose*.yml", "docker-compose*.yaml", "compose.yml", "compose.yaml",
                 "compose.*.yml", "compose.*.yaml", "compose-*.yml", "compose-*.yaml")
COMPOSE_FILES_ANYWHERE = tuple("**/" + name for name in COMPOSE_FILES)


TEST_DATA_DIRS = frozenset({"tests", "test", "fixtures", "testdata", "test_data"})


def is_test_data(path: str) -> bool:
    """A file inside a test or fixture folder: sample data, never a project of its own."""
    return any(p in TEST_DATA_DIRS for p in PurePosixPath(path).parts[:-1])


_GLOB_SPECIAL = lazy_re.compile(r"[*?\[{\\]")


def literal_folder(globs: Iterable[str]) -> str:
    """The folder (``a/b/``, or ``""``) every glob of ``globs`` starts with literally,
    before any wildcard, class or brace: no path outside it can match them."""
    common: str | None = None
    for glob in globs:
        glob = glob.lstrip("/")
        special = _GLOB_SPECIAL.search(glob)
        literal = glob[:special.start()] if special else glob
        folder = literal[:literal.rfind("/") + 1]
        if common is None:
            common = folder
        else:
            while not folder.startswith(common):
                common = common[:common.rfind("/", 0, len(common) - 1) + 1]
    return common or ""
