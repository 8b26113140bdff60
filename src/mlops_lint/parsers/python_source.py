"""Python source read once per file: the AST plus import aliases resolved to full names.

``index.qualname(node)`` turns ``P`` (after ``from sklearn.pipeline import Pipeline as
P``) or ``mf.start_run`` (after ``import mlflow as mf``) into
``sklearn.pipeline.Pipeline`` and ``mlflow.start_run``. Nothing is imported or run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

TEST_DIR_NAMES = frozenset({"tests", "test", "testing"})


@dataclass
class PythonIndex:
    path: str
    tree: ast.Module
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> dotted origin
    calls: list[tuple[str, ast.Call]] = field(default_factory=list)  # (qualname, node)

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


def build_index(path: str, tree: ast.Module) -> PythonIndex:
    index = PythonIndex(path, tree)
    for node in ast.walk(tree):
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
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            qual = index.qualname(node.func)
            if qual:
                index.calls.append((qual, node))
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
