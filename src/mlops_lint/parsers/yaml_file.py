"""YAML documents, read with ruamel.yaml's safe loader (C-backed when available).

Duplicate keys are errors, as for every YAML 1.2 reader.

Plain Python data comes out: dicts, lists, strings, numbers, booleans. YAML 1.2 rules
apply (``on:`` stays a string), but callers that accept hand-written files also accept
the YAML 1.1 reading where ``on`` is ``True``.

Hostile input is refused with a :class:`YamlError` instead of being loaded: nesting
deeper than :data:`MAX_DEPTH` (very deep flow collections make the C parser recurse until
the process crashes), documents whose aliases expand to more than :data:`MAX_NODES`
nodes ("billion laughs") and recursive aliases (``&a [*a]``), which would send any
recursive walker into an endless loop.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLFutureWarning, YAMLWarning

from mlops_lint import lazy_re

try:  # the C-backed parser: several times faster on large manifests
    from ruamel.yaml.cyaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
    from ruamel.yaml.loader import SafeLoader as _SafeLoader  # type: ignore[assignment]

# ruamel warns on stderr about quirks of the target's files (YAML 1.1 floats, reused
# anchors): noise in a linter's output, and never an error
warnings.filterwarnings("ignore", category=YAMLWarning)
warnings.filterwarnings("ignore", category=YAMLFutureWarning)

MAX_DEPTH = 200  # nesting accepted in loaded data; real configuration stays under ~30
MAX_NODES = 250_000  # nodes after alias expansion; a 5 MiB file without aliases has fewer
REFUSE_DEPTH = 1000  # estimated nesting refused before the parser sees the text
_WALK_DEPTH = 64  # below this estimate the loaded data cannot exceed MAX_DEPTH
_ANCHOR = lazy_re.compile(r"&[^\s&,\[\]{}]")
_BRACKET = lazy_re.compile(r"[\[\]{}]")
_CONTAINERS = (dict, list, tuple, set, frozenset)
_DEEP_WALK = lazy_re.compile(r"[ \t?:-]{" + str(_WALK_DEPTH) + "}")
_DEEP_REFUSE = lazy_re.compile(r"[ \t?:-]{" + str(REFUSE_DEPTH) + "}")
_DEEP_WALK_NL = lazy_re.compile(r"\n[ \t?:-]{" + str(_WALK_DEPTH) + "}")
_DEEP_REFUSE_NL = lazy_re.compile(r"\n[ \t?:-]{" + str(REFUSE_DEPTH) + "}")


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


# ruamel's duplicate-key problem; the fast loader shows a mapping or a sequence value as
# "{}" / "[]" (not constructed yet), the round-trip one as its Python repr
_DUPLICATE = lazy_re.compile(r'found duplicate key "([^"\n]{0,200})" with value "([^\n]{0,2000}?)" '
                             r'\(original value: "([^\n]{0,2000}?)"\)')


def _shown(value: str) -> str:
    """A duplicate key's value for the message: a scalar as written (shortened), a
    mapping or a sequence by its kind, not as an empty or Python-looking ``{}``."""
    if value.startswith("{"):
        return "a mapping"
    if value.startswith("["):
        return "a list"
    return f'"{value[:40]}…"' if len(value) > 40 else f'"{value}"'


def _duplicate_message(message: str) -> str:
    match = _DUPLICATE.fullmatch(message)
    if match is None:
        return message
    key, value, original = match.groups()
    return f'found duplicate key "{key}" with value {_shown(value)} ' \
           f'(original value: {_shown(original)})'


def _convert(exc: Exception) -> YamlError:
    if isinstance(exc, YamlError):
        return exc
    line = None
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        line = exc.problem_mark.line + 1
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, MarkedYAMLError) and exc.problem:
        message = _duplicate_message(str(exc.problem))
    return YamlError(message, line)


def _deep_line(text: str, first: re.Pattern[str], other: re.Pattern[str]) -> int | None:
    """Offset of a line starting with many indentation or indicator characters."""
    match = first.match(text) or other.search(text)
    return None if match is None else match.start()


def _flow_depth(text: str) -> tuple[int, int]:
    """Upper estimate of flow (``[``/``{``) nesting and the offset where it peaks."""
    if text.count("[") + text.count("{") < _WALK_DEPTH:
        return 0, 0
    depth = best = where = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > best:
                best, where = depth, match.start()
        elif depth:
            depth -= 1
    return best, where


def _precheck(text: str) -> bool:
    """Refuse text nested too deeply to parse safely; say whether the loaded data
    needs :func:`_check_shape` (aliases, or nesting that may exceed MAX_DEPTH)."""
    flow, where = _flow_depth(text)
    if flow > REFUSE_DEPTH:
        raise YamlError(f"nested more than {REFUSE_DEPTH} levels deep; not read",
                        text.count("\n", 0, where) + 1)
    deep = _deep_line(text, _DEEP_REFUSE, _DEEP_REFUSE_NL)
    if deep is not None:
        raise YamlError(f"a line is indented more than {REFUSE_DEPTH} columns; not read",
                        text.count("\n", 0, deep + 1) + 1)
    return (flow >= _WALK_DEPTH or _deep_line(text, _DEEP_WALK, _DEEP_WALK_NL) is not None
            or _ANCHOR.search(text) is not None)


def _check_shape(data: Any) -> None:
    """Raise :class:`YamlError` for data nested deeper than MAX_DEPTH, expanding to more
    than MAX_NODES nodes through aliases, or containing itself. Iterative, and each
    shared (aliased) container is measured once."""
    if not isinstance(data, _CONTAINERS):
        return
    done: dict[int, tuple[int, int]] = {}  # id -> (height, expanded node count)
    active: set[int] = set()
    frames: list[list[Any]] = []  # [node, children, next child, height, node count]

    def enter(node: Any) -> None:
        if id(node) in active:
            raise YamlError("a YAML alias refers to a node that contains it "
                            "(recursive document); not read", None)
        if len(frames) >= MAX_DEPTH:
            raise YamlError(f"nested more than {MAX_DEPTH} levels deep; not read", None)
        active.add(id(node))
        kids = [*node.keys(), *node.values()] if isinstance(node, dict) else list(node)
        frames.append([node, kids, 0, 0, 1])

    def add(frame: list[Any], height: int, count: int) -> None:
        frame[3] = max(frame[3], height + 1)
        frame[4] += count
        if len(frames) + height >= MAX_DEPTH:
            raise YamlError(f"nested more than {MAX_DEPTH} levels deep; not read", None)
        if frame[4] > MAX_NODES:
            raise YamlError(f"YAML aliases expand to more than {MAX_NODES:,} nodes "
                            "(an alias bomb?); not read", None)

    enter(data)
    while frames:
        frame = frames[-1]
        if frame[2] < len(frame[1]):
            kid = frame[1][frame[2]]
            frame[2] += 1
            if not isinstance(kid, _CONTAINERS):
                add(frame, 0, 1)
            elif id(kid) in done:
                add(frame, *done[id(kid)])
            else:
                enter(kid)
            continue
        frames.pop()
        active.discard(id(frame[0]))
        done[id(frame[0])] = (frame[3], frame[4])
        if frames:
            add(frames[-1], frame[3], frame[4])


def _documents(text: str) -> Iterator[Any]:
    walk = _precheck(text)
    loader = _SafeLoader(text)
    try:
        while loader.check_data():
            document = loader.get_data()
            if walk:
                _check_shape(document)
            yield document
    finally:
        loader.dispose()


def load_yaml(text: str) -> Any:
    """Parse a single YAML document (the first one of a stream)."""
    try:
        for document in _documents(text):
            return document
        return None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _convert(exc) from None


def load_yaml_all(text: str) -> list[Any]:
    """Parse every document of a (possibly multi-document) YAML stream."""
    try:
        return list(_documents(text))
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _convert(exc) from None


def load_yaml_rt(text: str) -> Any:
    """Parse one document with the round-trip loader, which keeps line numbers.

    Mappings and sequences behave like ``dict`` and ``list``; use :func:`line_of` for
    positions. Slower than :func:`load_yaml`: use it for small files that need lines.
    """
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        walk = _precheck(text)
        document = yaml.load(text)
        if walk:
            _check_shape(document)
        return document
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _convert(exc) from None


def line_of(node: Any, key: Any = None, index: int | None = None) -> int | None:
    """1-based line of a round-trip node, of its ``key`` or of its item ``index``."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is not None:
            return int(lc.key(key)[0]) + 1
        if index is not None:
            return int(lc.item(index)[0]) + 1
        return int(lc.line) + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
