"""PY005: docstrings on public classes, functions and methods of the library code.

The share needed is a parameter of the rule; a docstring linter (Ruff's D rules,
pydocstyle, interrogate) configured for the project is reported with the share. A method
that overrides a documented method of a base class defined in the project (found by the
class's simple name) inherits its docstring, as ``inspect.getdoc`` shows it. The base
may live in another project of the same repository (a monorepo whose plugin packages
subclass the core package's documented classes): the class index then spans the
repository's non-test Python sources (parsed, never imported; at most
``MAX_REPO_FILES`` files), built only when an override is not credited within its project.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers.invocations import Tool, tool_runs
from mlops_lint.parsers.python_source import PythonIndex, is_test_path, python_index
from mlops_lint.rules import Params, rule
from mlops_lint.rules.python._shared import (
    decorator_names,
    dirs,
    library_indexes,
    name_list,
    pct,
    ruff_selection,
    unparsed_note,
)

ApiNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _public_api(index: PythonIndex) -> list[tuple[ApiNode, str, int]]:
    """(node, qualified name, line) of the public classes, functions and methods."""
    out: list[tuple[ApiNode, str, int]] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                dunder = node.name.startswith("__") and node.name.endswith("__")
                decorators = decorator_names(node)
                if (not node.name.startswith("_") and not dunder and "overload" not in decorators
                        and "setter" not in decorators and "deleter" not in decorators):
                    out.append((node, prefix + node.name, node.lineno))
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                out.append((node, prefix + node.name, node.lineno))
                visit(node.body, prefix + node.name + ".")
            elif isinstance(node, (ast.If, ast.Try)):
                visit([n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt)],
                      prefix)

    visit(index.tree.body, "")
    return out


@dataclass
class _ClassInfo:
    bases: list[str] = field(default_factory=list)  # simple names of the bases
    documented: set[str] = field(default_factory=set)  # methods with a docstring


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Subscript):  # Generic[T], Base[Model]
        node = node.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _classes(indexes: list[PythonIndex]) -> dict[str, list[_ClassInfo]]:
    """The project's classes by simple name: their bases and documented methods."""
    table: dict[str, list[_ClassInfo]] = {}
    for index in indexes:
        for node in index.of_type(ast.ClassDef):
            info = _ClassInfo([b for b in map(_base_name, node.bases) if b])
            info.documented = {m.name for m in node.body
                               if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                               and ast.get_docstring(m) is not None}
            table.setdefault(node.name, []).append(info)
    return table


MAX_REPO_FILES = 3000


def _repo_classes(ctx: Context) -> dict[str, list[_ClassInfo]]:
    """The classes of every non-test Python file of the repository (memoized per run)."""
    key = "py005:repo-classes"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        table: dict[str, list[_ClassInfo]] = cached
        return table
    indexes = []
    for path in ctx.repo.glob(["**/*.py"])[:MAX_REPO_FILES]:
        if is_test_path(path):
            continue
        parsed = python_index(ctx.repo, path)
        if isinstance(parsed, PythonIndex):
            indexes.append(parsed)
    table = _classes(indexes)
    ctx.repo.memo[key] = table
    return table


def _inherits_doc(classes: dict[str, list[_ClassInfo]], owner: str, method: str) -> bool:
    """Whether ``method`` of class ``owner`` overrides a documented method of a base
    class defined in the project (``inspect.getdoc`` shows the base's docstring)."""
    seen: set[str] = {owner}
    todo = [b for info in classes.get(owner, []) for b in info.bases]
    while todo and len(seen) < 50:
        base = todo.pop()
        if base in seen:
            continue
        seen.add(base)
        for info in classes.get(base, []):
            if method in info.documented:
                return True
            todo += info.bases
    return False


def _documented(node: ApiNode, name: str, classes: dict[str, list[_ClassInfo]]) -> bool:
    if ast.get_docstring(node) is not None:
        return True
    parts = name.split(".")
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and len(parts) >= 2 \
        and _inherits_doc(classes, parts[-2], parts[-1])


DOCSTRING_TOOLS = (
    Tool("pydocstyle", lambda s: s.program == "pydocstyle", frozenset({"pydocstyle"})),
    Tool("interrogate", lambda s: s.program == "interrogate", frozenset({"interrogate"})),
)


def _docstring_tools(ctx: Context) -> list[str]:
    tools = []
    selected = ruff_selection(ctx)
    if selected is not None and any(s == "ALL" or s == "D" or re.fullmatch(r"D\d+", s)
                                    for s in selected[0]):
        tools.append("ruff D")
    tools += [tool.name for tool in DOCSTRING_TOOLS if tool_runs(ctx.repo, tool, dirs(ctx))]
    return tools


def _api_items(ctx: Context, indexes: list[PythonIndex]) -> list[tuple[str, str, int, bool]]:
    """(path, name, line, documented) of the public API; an override inherits the
    docstring of a documented base in the project or, in a monorepo, in the repository."""
    classes = _classes(indexes)
    api = [(index.path, node, name, line)
           for index in indexes for node, name, line in _public_api(index)]
    items = [(path, name, line, _documented(node, name, classes))
             for path, node, name, line in api]
    if any(not ok and "." in name for *_, name, _, ok in items) and len(ctx.repo.projects) > 1:
        # an override of a documented method of another project's class (a monorepo)
        wide = _repo_classes(ctx)
        items = [(path, name, line, ok or _documented(node, name, wide))
                 for (path, node, name, line), (*_, ok) in zip(api, items, strict=True)]
    return items


class DocstringParams(Params):
    minimum: float = Field(0.8, ge=0, le=1, description="level-2 share of documented API")


@rule("PY005", DocstringParams)
def docstring_coverage(ctx: Context, params: DocstringParams) -> Iterator[Finding]:
    """PY005: docstrings on public classes, functions and methods."""
    indexes, errors = library_indexes(ctx)
    items = _api_items(ctx, indexes)
    if not items:
        yield skipped(T("no public classes or functions in the library code",
                        "no hay clases ni funciones públicas en el código de librería"))
        return
    documented = sum(1 for *_, ok in items if ok)
    missing = [(path, name, line) for path, name, line, ok in items if not ok]
    tools = _docstring_tools(ctx)
    bonus = T(f"; enforced by {', '.join(tools)}", f"; lo exige {', '.join(tools)}") if tools \
        else T("", "")
    summary = T(f"{pct(documented, len(items))} of public classes and functions have a "
                "docstring", f"{pct(documented, len(items))} de las clases y funciones "
                "públicas tienen docstring") + bonus + unparsed_note(errors, ctx)
    first = missing[0] if missing else None
    fix = T(f"add Google-style (Args:/Returns:) or NumPy-style docstrings, starting with "
            f"{name_list(f'{p}:{n}' for p, n, _ in missing)}",
            f"añade docstrings estilo Google (Args:/Returns:) o NumPy, empezando por "
            f"{name_list(f'{p}:{n}' for p, n, _ in missing)}")
    for level, needed in ((2, params.minimum), (3, 1.0)):
        ok = documented >= needed * len(items) if needed < 1 else not missing
        need = T(f" (needs {100 * needed:.0f} %)", f" (se necesita {100 * needed:.0f} %)")
        if ok:
            yield passed(summary + need, first[0] if first else None,
                         first[2] if first else None, level)
        else:
            yield failed(summary + need, first[0] if first else None,
                         first[2] if first else None, level, fix)
