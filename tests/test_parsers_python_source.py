"""The shared Python index: one walk per file, kept for every check."""

from __future__ import annotations

import ast
from pathlib import Path

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import (
    PythonIndex,
    build_index,
    child_nodes,
    python_index,
    walk,
)
from mlops_lint.repo import Repo

SOURCE = '''\
import os
import numpy as np
from sklearn.pipeline import Pipeline as P
from . import sibling


class Settings:
    token: str = os.environ["TOKEN"]

    def method(self, x: int = 1) -> int:
        return np.sum([x, 2]) + len(os.getenv("A", "b"))


async def handler(request):
    async with request as r:
        return [P(steps=[]) for _ in r]


lam = lambda v: v  # noqa: E731
'''


def test_walk_matches_ast_walk_order_and_nodes() -> None:
    tree = ast.parse(SOURCE)
    assert [id(n) for n in walk(tree)] == [id(n) for n in ast.walk(tree)]
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    assert [id(n) for n in walk(function)] == [id(n) for n in ast.walk(function)]
    for node in ast.walk(tree):
        assert child_nodes(node) == list(ast.iter_child_nodes(node))


def test_index_keeps_nodes_grouped_by_type() -> None:
    tree = ast.parse(SOURCE)
    index = build_index("m.py", tree)
    assert [id(n) for n in index.nodes] == [id(n) for n in ast.walk(tree)]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert index.of_type(ast.Call) == calls
    mixed = [n for n in ast.walk(tree) if isinstance(n, ast.Subscript | ast.ClassDef)]
    assert index.of_type(ast.Subscript, ast.ClassDef) == mixed
    # abstract classes match their subclasses, in walk order
    assert index.of_type(ast.stmt) == [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
    assert index.of_type(ast.Global) == []
    assert sum(len(group) for group in index.by_type.values()) == len(index.nodes)


def test_index_parents_and_names() -> None:
    tree = ast.parse(SOURCE)
    index = build_index("m.py", tree)
    expected = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
                if not isinstance(child, ast.expr_context)}
    parents = index.parents
    assert all(parents[child] is node for child, node in expected.items())
    assert tree not in parents
    assert index.parents is parents  # built once
    assert index.aliases["np"] == "numpy"
    assert index.aliases["P"] == "sklearn.pipeline.Pipeline"
    assert "sibling" not in index.aliases  # relative imports are not resolved here
    names = [q for q, _ in index.calls]
    assert names == ["numpy.sum", "len", "os.getenv", "sklearn.pipeline.Pipeline"]
    assert [q for q, _ in index.calls_to("Pipeline")] == ["sklearn.pipeline.Pipeline"]
    assert index.imports("sklearn") and not index.imports("torch")


def test_python_index_is_cached_and_reports_syntax_errors(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "bad.py").write_text("def broken(:\n", encoding="utf-8")
    repo = Repo(tmp_path)
    first = python_index(repo, "ok.py")
    assert isinstance(first, PythonIndex)
    assert python_index(repo, "ok.py") is first
    bad = python_index(repo, "bad.py")
    assert isinstance(bad, ParseError) and bad.line == 1
