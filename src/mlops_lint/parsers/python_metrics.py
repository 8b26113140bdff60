"""radon's cyclomatic complexity and Halstead volume, computed without ``ast.NodeVisitor``.

:func:`complexity_blocks` gives what ``radon.visitors.ComplexityVisitor.from_ast(tree)``
gives (its ``blocks`` as radon ``Function``/``Class`` tuples, and its
``total_complexity``); :func:`halstead_volume` gives
``radon.metrics.h_visit_ast(tree).total.volume``. The rules are radon's, line for line
(including its quirks: ``assert`` counts 1 and hides its operands, a function's
decorators and defaults are not visited, ``try*`` is not counted, a function's end line
comes from its last statement only); what changes is the walk: radon's
``NodeVisitor`` dispatch (a ``getattr`` and two generator frames per node) was the
bulk of the cost of PY011. ``tests/test_parsers_python_metrics.py`` compares both on
every module of the standard library.
"""

from __future__ import annotations

import ast
import math
from typing import Any

from radon.visitors import Class, Function

_BRANCH_TYPES: dict[type[ast.AST], str] = {
    ast.Try: "try", ast.BoolOp: "boolop", ast.If: "if", ast.IfExp: "if",
    ast.Match: "match", ast.For: "loop", ast.While: "loop", ast.AsyncFor: "loop",
    ast.comprehension: "comprehension",
}
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# Fields that never lead to a node either metric looks at: names and flags, and the
# operator / context singletons (``Load``, ``Add``, ``Eq``: no line, no children). Not
# descending into them changes no count and saves a call for every ``Name``.
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "name", "arg", "asname",
                             "module", "level", "kind", "type_comment", "is_async",
                             "conversion", "simple"})
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields
                                             if f not in _SKIPPED_FIELDS)
    return fields


class _Complexity:
    """radon's ``ComplexityVisitor``: same fields, same results."""

    __slots__ = ("classes", "classname", "complexity", "functions", "max_line", "off",
                 "to_method")

    def __init__(self, to_method: bool = False, classname: str | None = None,
                 off: bool = True) -> None:
        self.off = off
        self.complexity = 1 if off else 0
        self.functions: list[Any] = []
        self.classes: list[Any] = []
        self.to_method = to_method
        self.classname = classname
        self.max_line: float = float("-inf")

    @property
    def functions_complexity(self) -> int:
        total: int = sum(f.complexity for f in self.functions) - len(self.functions)
        return total

    @property
    def classes_complexity(self) -> int:
        total: int = sum(c.real_complexity for c in self.classes) - len(self.classes)
        return total

    @property
    def total_complexity(self) -> int:
        return (self.complexity + self.functions_complexity + self.classes_complexity
                + (not self.off))

    @property
    def blocks(self) -> list[Any]:
        blocks: list[Any] = list(self.functions)
        for cls in self.classes:
            blocks.append(cls)
            blocks.extend(cls.methods)
        return blocks

    def visit(self, node: ast.AST) -> None:
        kind = type(node)
        if kind is ast.Assert:
            self.complexity += 1  # radon's default (no_assert=False); operands not visited
            return
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            self.function(node)  # type: ignore[arg-type]
            return
        if kind is ast.ClassDef:
            self.class_def(node)  # type: ignore[arg-type]
            return
        line = getattr(node, "lineno", None)
        if line is not None and line > self.max_line:
            self.max_line = line
        branch = _BRANCH_TYPES.get(kind)
        if branch is not None:
            self.complexity += _decisions(branch, node)
        for name in _CHILD_FIELDS.get(kind) or _child_fields(kind):
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                self.visit(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        closures: list[Any] = []
        body_complexity = 1
        visitor = self
        for child in node.body:
            visitor = _Complexity(off=False)
            visitor.visit(child)
            closures.extend(visitor.functions)
            body_complexity += visitor.complexity
        self.functions.append(Function(
            node.name, node.lineno, node.col_offset, max(node.lineno, visitor.max_line),
            self.to_method, self.classname, closures, body_complexity))

    def class_def(self, node: ast.ClassDef) -> None:
        methods: list[Any] = []
        body_complexity = 1
        max_lines: list[float] = [node.lineno]
        inner: list[Any] = []
        for child in node.body:
            visitor = _Complexity(True, node.name, off=False)
            visitor.visit(child)
            methods.extend(visitor.functions)
            body_complexity += (visitor.complexity + visitor.functions_complexity
                                + len(visitor.functions))
            max_lines.append(visitor.max_line)
            inner.extend(visitor.classes)
        self.classes.append(Class(
            node.name, node.lineno, node.col_offset,
            max(max_lines + [m.endline for m in methods]), methods, inner, body_complexity))


def _decisions(branch: str, node: Any) -> int:
    if branch == "if":
        return 1
    if branch == "boolop":
        return len(node.values) - 1
    if branch == "try":
        return len(node.handlers) + bool(node.orelse)
    if branch == "loop":
        return bool(node.orelse) + 1
    if branch == "comprehension":
        return len(node.ifs) + 1
    # match: one per case, the catch-all (``case _`` or a bare capture) not counted
    catch_all = any(getattr(case.pattern, "pattern", False) is None for case in node.cases)
    return max(0, len(node.cases) - catch_all)


def complexity_blocks(tree: ast.AST) -> tuple[list[Any], int]:
    """``(visitor.blocks, visitor.total_complexity)`` of radon's ``ComplexityVisitor``."""
    visitor = _Complexity()
    visitor.visit(tree)
    return visitor.blocks, visitor.total_complexity


# -- Halstead ---------------------------------------------------------------------------


class _Halstead:
    __slots__ = ("operands", "operands_seen", "operators", "operators_seen")

    def __init__(self) -> None:
        self.operators = 0
        self.operands = 0
        self.operators_seen: set[str] = set()
        self.operands_seen: set[tuple[str | None, object]] = set()

    def operand(self, context: str | None, node: ast.AST) -> None:
        kind = type(node)
        if kind is ast.Name:
            value: object = node.id  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            value = node.attr  # type: ignore[attr-defined]
        elif kind is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
        else:
            value = node
        self.operands_seen.add((context, value))

    def visit(self, node: ast.AST, context: str | None) -> None:
        kind = type(node)
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            name = node.name  # type: ignore[attr-defined]
            for child in node.body:  # type: ignore[attr-defined]
                self.visit(child, name)
            return
        if kind is ast.BinOp:
            self.count(context, node.op, (node.left, node.right))  # type: ignore[attr-defined]
        elif kind is ast.UnaryOp:
            self.count(context, node.op, (node.operand,))  # type: ignore[attr-defined]
        elif kind is ast.BoolOp:
            self.count(context, node.op, node.values)  # type: ignore[attr-defined]
        elif kind is ast.AugAssign:
            self.count(context, node.op, (node.target, node.value))  # type: ignore[attr-defined]
        elif kind is ast.Compare:
            ops = node.ops  # type: ignore[attr-defined]
            self.operators += len(ops)
            self.operators_seen.update(type(op).__name__ for op in ops)
            operands = [*node.comparators, node.left]  # type: ignore[attr-defined]
            self.operands += len(operands)
            for operand in operands:
                self.operand(context, operand)
        for name in _CHILD_FIELDS.get(kind) or _child_fields(kind):
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                self.visit(value, context)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item, context)

    def count(self, context: str | None, op: ast.AST, operands: Any) -> None:
        self.operators += 1
        self.operators_seen.add(type(op).__name__)
        self.operands += len(operands)
        for operand in operands:
            self.operand(context, operand)


def halstead_volume(tree: ast.AST) -> float:
    """``radon.metrics.h_visit_ast(tree).total.volume``."""
    visitor = _Halstead()
    visitor.visit(tree, None)
    vocabulary = len(visitor.operators_seen) + len(visitor.operands_seen)
    length = visitor.operators + visitor.operands
    return length * math.log(vocabulary, 2) if vocabulary != 0 else 0
