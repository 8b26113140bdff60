"""Navigating the shared per-file AST index: nodes by type, parents, scopes, calls, assignments
and the values a name takes, literal paths."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.parsers.python_source import (
    PythonIndex,
    child_nodes,
)
from mlops_lint.readers.training._common import FUNCTION_NODES, SCOPE_NODES, A

# -- AST navigation -------------------------------------------------------------------


def _by_type(index: PythonIndex) -> dict[type[ast.AST], list[ast.AST]]:
    """Every node of the file by exact type, in ``ast.walk`` order (the index's one walk)."""
    return index.by_type


def nodes_of(index: PythonIndex, *types: type[A]) -> list[A]:
    """Every node of the given types in the file (the tree is walked once per file)."""
    table = _by_type(index)
    out: list[A] = []
    for kind in types:
        out.extend(table.get(kind, []))  # type: ignore[arg-type]
    if len(types) > 1:
        out.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
    return out


def parents(index: PythonIndex) -> dict[ast.AST, ast.AST]:
    """Child -> parent map of the file's AST (built once per file, shared by all checks)."""
    return index.parents


def every_call(index: PythonIndex) -> list[tuple[str, ast.Call]]:
    """Every call of the file with its resolved name (``""`` when the callee is not a
    dotted name, e.g. ``make().fit()``), unlike ``index.calls`` which skips those."""
    cached: list[tuple[str, ast.Call]] | None = getattr(index, "_phase3_calls", None)
    if cached is None:
        cached = sorted(((index.qualname(n.func) or "", n) for n in nodes_of(index, ast.Call)),
                        key=lambda item: (item[1].lineno, item[1].col_offset))
        index._phase3_calls = cached  # type: ignore[attr-defined]
    return cached


def scope_of(index: PythonIndex, node: ast.AST) -> ast.AST:
    """The innermost function (or the module) that contains ``node``."""
    up = parents(index)
    current = up.get(node)
    while current is not None and not isinstance(current, FUNCTION_NODES):
        current = up.get(current)
    return current if current is not None else index.tree


def scope_walk(scope: ast.AST) -> Iterator[ast.AST]:
    """Nodes of ``scope`` without descending into nested functions, classes or lambdas."""
    stack = child_nodes(scope)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPE_NODES):
            stack.extend(child_nodes(node))


def calls_in(scope: ast.AST) -> list[ast.Call]:
    return sorted((n for n in scope_walk(scope) if isinstance(n, ast.Call)),
                  key=lambda c: (c.lineno, c.col_offset))


def ancestors(index: PythonIndex, node: ast.AST) -> Iterator[ast.AST]:
    up = parents(index)
    current = up.get(node)
    while current is not None:
        yield current
        current = up.get(current)


def target_key(node: ast.expr) -> str | None:
    """``x`` or ``self.x`` as a key naming an assignment target."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def assigned_to(index: PythonIndex, node: ast.AST) -> list[str]:
    """Keys of the names a value is bound to (``x = node``, ``x: T = node``, walrus)."""
    parent = parents(index).get(node)
    keys: list[str] = []
    if isinstance(parent, ast.Assign) and parent.value is node:
        for target in parent.targets:
            key = target_key(target)
            if key:
                keys.append(key)
    elif isinstance(parent, ast.AnnAssign | ast.NamedExpr) and parent.value is node:
        key = target_key(parent.target)
        if key:
            keys.append(key)
    return keys


def assignments(scope: ast.AST, key: str) -> list[ast.expr]:
    """Values assigned to ``key`` in ``scope`` (source order; indexed once per scope)."""
    table: dict[str, list[ast.expr]] | None = getattr(scope, "_phase3_assigned", None)
    if table is None:
        found: dict[str, list[tuple[int, ast.expr]]] = {}
        for node in scope_walk(scope):
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(node, ast.Assign):
                targets, value = list(node.targets), node.value
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
                targets, value = [node.target], node.value
            if value is None:
                continue
            for target in targets:
                name = target_key(target)
                if name:
                    found.setdefault(name, []).append((getattr(node, "lineno", 0), value))
        table = {k: [v for _, v in sorted(items, key=lambda item: item[0])]
                 for k, items in found.items()}
        scope._phase3_assigned = table  # type: ignore[attr-defined]
    return table.get(key, [])


def values_of(index: PythonIndex, at: ast.AST, key: str) -> list[ast.expr]:
    """Values bound to ``key`` as seen from node ``at``: a plain name in its function (or
    module), an attribute such as ``self.model`` anywhere in the file."""
    if "." not in key:
        return assignments(scope_of(index, at), key)
    table: dict[str, list[ast.expr]] | None = getattr(index, "_phase3_attrs", None)
    if table is None:
        found: dict[str, list[tuple[int, ast.expr]]] = {}
        for node in nodes_of(index, ast.Assign, ast.AnnAssign):
            value: ast.expr | None
            if isinstance(node, ast.Assign):
                targets, value = list(node.targets), node.value
            elif isinstance(node, ast.AnnAssign):
                targets, value = [node.target], node.value
            else:  # pragma: no cover - nodes_of returns only the requested types
                continue
            if value is None:
                continue
            for target in targets:
                name = target_key(target) if isinstance(target, ast.Attribute) else None
                if name:
                    found.setdefault(name, []).append((node.lineno, value))
        table = {k: [v for _, v in sorted(items, key=lambda item: item[0])]
                 for k, items in found.items()}
        index._phase3_attrs = table  # type: ignore[attr-defined]
    return table.get(key, [])


def receiver(call: ast.Call) -> ast.expr | None:
    """``obj`` of ``obj.method(...)``."""
    return call.func.value if isinstance(call.func, ast.Attribute) else None


def method(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def string_constants(index: PythonIndex) -> Iterator[tuple[str, int]]:
    for node in nodes_of(index, ast.Constant):
        if isinstance(node.value, str):
            yield node.value, getattr(node, "lineno", 0)


def _fstring_prefix(node: ast.JoinedStr) -> str | None:
    out = ""
    for value in node.values:
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return out + "{}"
        out += value.value
    return out or None


def _joined_call(node: ast.Call) -> str | None:
    """``Path("a", "b")`` / ``os.path.join("a", x)`` as ``a/b`` / ``a/{}``."""
    pieces = [literal_path(a) for a in node.args]
    if not pieces or pieces[0] is None:
        return None
    out: list[str] = []
    for piece in pieces:
        out.append("{}" if piece is None else piece)
        if piece is None:
            break
    return "/".join(out)


def literal_path(node: ast.expr | None) -> str | None:
    """The literal start of a path expression: ``"data/x.csv"``, ``Path("data") / "x"``,
    ``os.path.join("data", f)``, ``f"data/{name}"``; ``None`` when it starts unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return _fstring_prefix(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left = literal_path(node.left)
        right = literal_path(node.right)
        if left is None:
            return None
        return f"{left}/{right}" if right is not None else f"{left}/{{}}"
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else \
            node.func.id if isinstance(node.func, ast.Name) else ""
        if name in ("Path", "PurePath", "PosixPath", "join"):
            return _joined_call(node)
    return None
