"""What the testing rules (TEST001-TEST009) share: the test inventory, collected the way
pytest collects it (:func:`suite`, computed once per project), the fixtures of a file, and
the findings said when there is no Python code, no model or no test."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cached_property
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.globs import matches
from mlops_lint.model import Finding, T, failed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.pytest_config import (
    ConfigFiles,
    read_configs,
)
from mlops_lint.parsers.python_source import PythonIndex, python_index
from mlops_lint.readers.python_project import NO_PYTHON, without_python
from mlops_lint.readers.served_model import served_model
from mlops_lint.readers.training import (
    FUNCTION_NODES,
    last,
    method,
    model_used,
    nodes_of,
    short,
    training,
)


@dataclass(frozen=True)
class Case:
    """One collected test function or method."""

    index: PythonIndex
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: str | None
    markers: frozenset[str]

    @property
    def path(self) -> str:
        return self.index.path

    @property
    def params(self) -> list[str]:
        args = self.node.args
        return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]

    @cached_property
    def nodes(self) -> list[ast.AST]:
        return list(ast.walk(self.node))

    @cached_property
    def all_calls(self) -> list[tuple[str, ast.Call]]:
        return [(self.index.qualname(node.func) or "", node) for node in self.nodes
                if isinstance(node, ast.Call)]

    def calls(self) -> list[tuple[str, ast.Call]]:
        return self.all_calls

    @cached_property
    def asserted(self) -> list[ast.AST]:
        out: list[ast.AST] = []
        for node in self.nodes:
            if isinstance(node, ast.Assert):
                out.append(node.test)
            elif isinstance(node, ast.Call):
                name = method(node) or last(self.index.qualname(node.func))
                if name.startswith("assert") or name in ("approx", "raises"):
                    out.extend(node.args)
        return out


@dataclass
class Suite:
    config: ConfigFiles
    files: list[PythonIndex] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    conftests: list[PythonIndex] = field(default_factory=list)
    missing_testpaths: list[str] = field(default_factory=list)
    # test functions with assertions in files the discovery patterns do not match
    uncollected: list[Case] = field(default_factory=list)
    patterns: tuple[str, ...] = ("test_*.py", "*_test.py")
    # the configuration's testpaths that lie in this project, project-relative ("." for
    # the whole project); testpaths of a parent's configuration may all lie elsewhere
    testpaths: tuple[str, ...] = ()

    @property
    def inherited(self) -> str | None:
        """The directory of the pytest configuration when it lies above the project."""
        cfg = self.config.pytest
        if cfg is None:
            return None
        folder = PurePosixPath(cfg.path).parent.as_posix()
        return folder if folder != self.project else None

    project: str = "."


def _markers(index: PythonIndex, decorators: Iterable[ast.expr]) -> set[str]:
    out = set()
    for deco in decorators:
        target = deco.func if isinstance(deco, ast.Call) else deco
        qual = index.qualname(target) or ""
        if qual.startswith("pytest.mark."):
            out.add(qual.split(".")[2])
    return out


def _module_markers(index: PythonIndex) -> set[str]:
    for node in index.tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) \
                else [node.value]
            return _markers(index, values)
    return set()


def _name_matches(name: str, patterns: tuple[str, ...]) -> bool:
    """pytest's python_functions/python_classes: name prefixes or glob patterns."""
    return any(fnmatch(name, p) if any(c in p for c in "*?[") else name.startswith(p)
               for p in patterns)


def _collect(index: PythonIndex, functions: tuple[str, ...],
             classes: tuple[str, ...]) -> list[Case]:
    cases: list[Case] = []
    module_marks = _module_markers(index)
    for node in index.tree.body:
        if isinstance(node, FUNCTION_NODES) and _name_matches(node.name, functions):
            cases.append(Case(index, node, None, frozenset(
                module_marks | _markers(index, node.decorator_list))))
        elif isinstance(node, ast.ClassDef):
            unittest = any((index.qualname(b) or "").endswith("TestCase") for b in node.bases)
            named = _name_matches(node.name, classes)
            has_init = any(isinstance(n, FUNCTION_NODES) and n.name == "__init__"
                           for n in node.body)
            if not (unittest or (named and not has_init)):
                continue
            class_marks = module_marks | _markers(index, node.decorator_list)
            for item in node.body:
                if isinstance(item, FUNCTION_NODES) and _name_matches(
                        item.name, ("test",) if unittest else functions):
                    cases.append(Case(index, item, node.name, frozenset(
                        class_marks | _markers(index, item.decorator_list))))
    return cases


def _under(local: str, root: str) -> bool:
    """Whether a project-relative path lies under a ``testpaths`` entry (a glob allowed)."""
    return local == root or local.startswith(root + "/") or fnmatch(local, root) or \
        matches(local, [root + "/**"])


def _add_file(ctx: Context, result: Suite, path: str, functions: tuple[str, ...],
              classes: tuple[str, ...]) -> None:
    index = python_index(ctx.repo, path)
    if isinstance(index, ParseError):
        result.errors.append(index)
    elif PurePosixPath(path).name == "conftest.py":
        result.conftests.append(index)
    else:
        result.files.append(index)
        result.cases.extend(_collect(index, functions, classes))


def _uncollected(ctx: Context, files: list[str], patterns: tuple[str, ...],
                 functions: tuple[str, ...], classes: tuple[str, ...]) -> list[Case]:
    """Test functions with assertions in files named like tests (``test.py``,
    ``tests.py``, ``model_tests.py``, or under a tests/ folder) that the discovery patterns
    do not match: written as tests, but never collected by pytest."""
    out: list[Case] = []
    for path in files:
        pure = PurePosixPath(path)
        if pure.name == "conftest.py" or any(fnmatch(pure.name, p) for p in patterns):
            continue
        if "test" not in pure.stem.lower() and not any(
                part in ("test", "tests") for part in pure.parts[:-1]):
            continue
        index = python_index(ctx.repo, path)
        if isinstance(index, PythonIndex):
            out.extend(c for c in _collect(index, functions, classes) if c.asserted)
    return out


def _project_testpaths(ctx: Context, config: str, testpaths: tuple[str, ...]
                       ) -> tuple[str, ...]:
    """``testpaths`` (relative to the configuration file's directory, as pytest reads them)
    that lie in the project, made project-relative; ``.`` for the whole project."""
    base = PurePosixPath(config).parent.as_posix()
    project = ctx.project.path
    out: list[str] = []
    for entry in testpaths:
        entry = entry.strip("/")
        full = base if entry in ("", ".") else entry if base == "." else f"{base}/{entry}"
        full = PurePosixPath(full).as_posix()
        if project == ".":
            out.append(full)
        elif full == project or (base != "." and full == base and
                                 project.startswith(base + "/")):
            out.append(".")
        elif full.startswith(project + "/"):
            out.append(full[len(project) + 1:])
    return tuple(out)


def suite(ctx: Context) -> Suite:
    """The project's collected tests and conftest files (computed once per project)."""
    key = f"phase3:suite:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: Suite = cached
        return result
    config = read_configs(ctx.repo, ctx.project.path)
    result = Suite(config)
    cfg = config.pytest
    patterns = cfg.python_files if cfg else ("test_*.py", "*_test.py")
    functions = cfg.python_functions if cfg else ("test",)
    classes = cfg.python_classes if cfg else ("Test",)
    result.project = ctx.project.path
    result.testpaths = _project_testpaths(ctx, cfg.path, cfg.testpaths) if cfg else ()
    roots = [p for p in result.testpaths if p != "."]
    files = ctx.files(["**/*.py"])
    local = {path: ctx.project.local(path) for path in files}
    result.missing_testpaths = [r for r in roots if not any(_under(v, r) for v in local.values())]
    for path in files:
        name = PurePosixPath(path).name
        collected = any(fnmatch(name, p) for p in patterns) and (
            not roots or any(_under(local[path], r) for r in roots))
        if name == "conftest.py" or collected:
            _add_file(ctx, result, path, functions, classes)
    result.patterns = tuple(patterns)
    if not result.cases:
        result.uncollected = _uncollected(ctx, files, tuple(patterns), functions, classes)
    ctx.repo.memo[key] = result
    return result


def no_python(ctx: Context) -> Finding | None:
    """A ``skip`` for the rules about a Python test suite when the project has neither
    Python modules nor tests (a documentation site, notebooks only): TEST001 reports the
    missing suite once; the others have no subject. Notebooks are named in the reason:
    pytest collects no test from them. With no Python at all (a Terraform module, a Go
    service) every testing rule, TEST001 too, is not applicable."""
    if suite(ctx).cases or ctx.files(["**/*.py"]):
        return None
    if without_python(ctx):  # no Python at all: TEST001 is not applicable either
        return skipped(NO_PYTHON)
    notebooks = ctx.files(["**/*.ipynb"])
    only = T(f" (only {len(notebooks)} notebook(s), where pytest collects no test)",
             f" (solo {len(notebooks)} notebook(s), de los que pytest no recoge tests)") \
        if notebooks else T("", "")
    return skipped(T("not applicable: no Python modules and no tests in this project",
                     "no aplica: no hay módulos Python ni tests en este proyecto") + only + T(
        " (TEST001 reports the missing test suite)",
        " (TEST001 informa de la falta de tests)"))


def no_model(ctx: Context, own: bool = False) -> Finding | None:
    """A ``skip`` for model tests when the project has no model: it trains none (in its
    modules or notebooks) and its modules neither load one nor predict with one, and no
    model server of the repository runs one. With ``own`` (model behaviour tests), a model
    that only a model server of the repository runs (a vLLM image, a KServe resource, a
    managed endpoint) is the server's to load: there is no model of the project's to train
    on a fixture and test, and the reason names that server (the data and end-to-end rules
    still judge the service around it)."""
    found = training(ctx)
    if found.anywhere or model_used(ctx) is not None:
        return None
    served = served_model(ctx.repo)
    if served is not None and not own:
        return None
    if served is not None:
        return skipped(T("not applicable: ", "no aplica: ") + found.absent() + T(
            f", its modules neither load a model nor predict with one, and the model the "
            f"repository serves is run by a model server ({served}), not trained or loaded "
            "by the project, so there is no model of its own to test",
            f", sus módulos no cargan ningún modelo ni predicen con él, y el modelo que sirve "
            f"el repositorio lo ejecuta un servidor de modelos ({served}), no lo entrena ni "
            "lo carga el proyecto, así que no hay modelo propio que probar"))
    return skipped(T("not applicable: ", "no aplica: ") + found.absent() + T(
        ", its modules neither load a model nor predict with one, and no manifest, image or "
        "Terraform of the repository serves one, so there is no model to test",
        ", sus módulos no cargan ningún modelo ni predicen con él, y ningún manifiesto, "
        "imagen o Terraform del repositorio sirve uno, así que no hay modelo que probar"))


def no_tests(level: int | None = None, needed: T | None = None) -> Finding:
    return failed(T("no Python tests: no test_*.py/*_test.py file with test functions",
                    "no hay tests de Python: ningún test_*.py/*_test.py con funciones de "
                    "test") + (needed or T("", "")), level=level,
                  fix=T("create tests/test_<module>.py with pytest test functions",
                        "crea tests/test_<módulo>.py con funciones de test de pytest"))


def fixture_functions(index: PythonIndex) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    out = []
    for node in nodes_of(index, ast.FunctionDef, ast.AsyncFunctionDef):
        if isinstance(node, FUNCTION_NODES):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if last(index.qualname(target)) == "fixture":
                    out.append(node)
                    break
    return out


def names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def short_case(case: Case) -> str:  # pragma: no cover - debugging aid
    return f"{case.path}:{case.node.lineno} {short(case.node)}"
