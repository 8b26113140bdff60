"""Python source read once per file: the AST plus import aliases resolved to full names.

``index.qualname(node)`` turns ``P`` (after ``from sklearn.pipeline import Pipeline as
P``) or ``mf.start_run`` (after ``import mlflow as mf``) into
``sklearn.pipeline.Pipeline`` and ``mlflow.start_run``. Nothing is imported or run.

The tree is walked once per file and the walk is kept: ``index.nodes`` (every node, in
``ast.walk`` order), ``index.of_type(ast.Call, ...)`` (the nodes of some types, same
order) and ``index.parents`` (child -> parent, built on first use). Checks ask these
instead of calling ``ast.walk(index.tree)`` again: a repository's files are then walked
once per run, not once per check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

TEST_DIR_NAMES = frozenset({"tests", "test", "testing"})
A = TypeVar("A", bound=ast.AST)


@dataclass
class PythonIndex:
    path: str
    tree: ast.Module
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> dotted origin
    calls: list[tuple[str, ast.Call]] = field(default_factory=list)  # (qualname, node)
    # every node of the tree in ``ast.walk`` order, and the same nodes grouped by exact type
    nodes: list[ast.AST] = field(default_factory=list, repr=False)
    by_type: dict[type[ast.AST], list[ast.AST]] = field(default_factory=dict, repr=False)

    def of_type(self, *types: type[A]) -> list[A]:
        """The nodes that are instances of ``types``, in ``ast.walk`` order.

        Abstract classes work too (``ast.stmt``, ``ast.expr``). The list may be shared
        with other callers: do not change it.
        """
        kinds = [k for k in self.by_type if issubclass(k, types)]
        if not kinds:
            return []
        if len(kinds) == 1:
            found: list[A] = self.by_type[kinds[0]]  # type: ignore[assignment]
            return found
        wanted = frozenset(kinds)
        return [n for n in self.nodes if type(n) in wanted]  # type: ignore[misc]

    @cached_property
    def parents(self) -> dict[ast.AST, ast.AST]:
        """Child -> parent map of the tree (built on first use, then kept)."""
        up: dict[ast.AST, ast.AST] = {}
        for node in self.nodes:  # ast.iter_child_nodes, inlined
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, ast.AST):
                    up[value] = node
                elif isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.AST):
                            up[item] = node
        return up

    def qualname(self, node: ast.expr) -> str | None:
        """Dotted name of a Name/Attribute chain with its import alias resolved."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])

    def imports(self, module: str) -> bool:
        """Whether the file imports ``module`` or something under it."""
        return any(o == module or o.startswith(module + ".") for o in self.aliases.values())

    def calls_to(self, *names: str) -> Iterator[tuple[str, ast.Call]]:
        """Calls whose qualified name is one of ``names`` or ends with ``.name``."""
        for qual, call in self.calls:
            for name in names:
                if qual == name or qual.endswith("." + name):
                    yield qual, call
                    break


def walk(tree: ast.AST) -> list[ast.AST]:
    """Every node under ``tree`` (itself included) in the order of ``ast.walk``.

    Breadth first, children in field order, like ``ast.walk``; several times faster
    because it builds a list instead of chaining generators.
    """
    nodes = [tree]
    append = nodes.append
    for node in nodes:  # the list grows while it is read: a breadth-first queue
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        append(item)
    return nodes


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``, without the generator overhead."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            out.append(value)
        elif isinstance(value, list):
            out.extend(item for item in value if isinstance(item, ast.AST))
    return out


def build_index(path: str, tree: ast.Module) -> PythonIndex:
    nodes = walk(tree)
    index = PythonIndex(path, tree, nodes=nodes)
    by_type = index.by_type
    imports: list[ast.AST] = []
    for node in nodes:
        kind = type(node)
        group = by_type.get(kind)
        if group is None:
            by_type[kind] = [node]
        else:
            group.append(node)
        if kind is ast.Import or kind is ast.ImportFrom:
            imports.append(node)
    for node in imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    index.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    index.aliases.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    index.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for call in by_type.get(ast.Call, ()):
        qual = index.qualname(call.func)  # type: ignore[attr-defined]
        if qual:
            index.calls.append((qual, call))  # type: ignore[arg-type]
    index.calls.sort(key=lambda item: (item[1].lineno, item[1].col_offset))
    return index


def python_index(repo: Repo, path: str) -> PythonIndex | ParseError:
    """The cached index of ``path`` (parsed once per run)."""
    key = f"python_index:{path}"
    cached = repo.memo.get(key)
    if cached is None:
        tree = repo.python(path)
        cached = tree if isinstance(tree, ParseError) else build_index(path, tree)
        repo.memo[key] = cached
    result: PythonIndex | ParseError = cached
    return result


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    return (any(p in TEST_DIR_NAMES for p in parts[:-1]) or name.startswith("test_")
            or name.endswith("_test.py") or name == "conftest.py")


def call_arg(call: ast.Call, keyword: str, position: int | None = None) -> ast.expr | None:
    """The argument passed as ``keyword=`` (or at ``position``), if any."""
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and position < len(call.args):
        arg = call.args[position]
        if not isinstance(arg, ast.Starred):
            return arg
    return None


def literal(node: ast.expr | None) -> object:
    """``ast.literal_eval`` of ``node``, or ``None`` when it is not a literal."""
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
