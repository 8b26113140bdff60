"""One Python file of a project as a serving-model :class:`Module`: its import aliases
(relative ones resolved), its module-level symbols, the frameworks and dashboards its
imports name and the scoring entry points it defines. Analysed once per run."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import python_index
from mlops_lint.parsers.serving_nodes import DASHBOARDS, FRAMEWORKS, SCORING_SCRIPTS, Module

if TYPE_CHECKING:
    from mlops_lint.repo import Repo


def module_names(local: str) -> list[str]:
    """Dotted module names a file can be imported as (``src/`` layout handled)."""
    if not local.endswith(".py"):
        return []
    dotted = local[:-3].replace("/", ".")
    if dotted.endswith(".__init__"):
        dotted = dotted[: -len(".__init__")]
    elif dotted == "__init__":
        return []
    names = [dotted]
    if dotted.startswith("src."):
        names.insert(0, dotted[4:])
    return names


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If | ast.With | ast.AsyncWith):
            yield from _module_level(stmt.body)
            if isinstance(stmt, ast.If):
                yield from _module_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody,
                          *[h.body for h in stmt.handlers]):
                yield from _module_level(block)


def _symbols(tree: ast.Module) -> dict[str, ast.AST]:
    out: dict[str, ast.AST] = {}
    for stmt in _module_level(tree.body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out[stmt.name] = stmt
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
                and stmt.value is not None:
            out[stmt.target.id] = stmt.value
    return out


def _relative_aliases(froms: list[ast.ImportFrom], name: str,
                      is_package: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    package = name.split(".") if is_package else name.split(".")[:-1]
    for node in froms:
        if node.level > 0:
            keep = len(package) - (node.level - 1)
            if keep < 0:
                continue
            base = package[:keep]
            if node.module:
                base = [*base, *node.module.split(".")]
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = ".".join([*base, alias.name])
    return out


def _import_lines(imports: list[ast.Import], froms: list[ast.ImportFrom],
                  ) -> Iterator[tuple[str, int]]:
    for node in imports:
        for alias in node.names:
            yield alias.name, node.lineno
    for imported in froms:
        if imported.module and imported.level == 0:
            yield imported.module, imported.lineno
            for alias in imported.names:
                yield f"{imported.module}.{alias.name}", imported.lineno


def _recognised(imports: Iterable[tuple[str, int]]) -> Iterator[tuple[bool, str, int]]:
    """Frameworks and dashboards named by imports (once per module, not per model)."""
    for imported, line in imports:
        for prefix, label in FRAMEWORKS.items():
            if _matches(imported, prefix):
                yield False, label, line
        for prefix, label in DASHBOARDS.items():
            if _matches(imported, prefix):
                yield True, label, line


def _scoring_scripts(tree: ast.Module, local: str,
                     imports: Iterable[tuple[str, int]]) -> Iterator[tuple[bool, str, int]]:
    """Scoring entry points a platform calls: an Azure ML ``init()``/``run(data)`` script
    (with an ``azureml`` import, the ``AZUREML_MODEL_DIR`` variable or a ``score*.py``
    name) and a SageMaker ``model_fn``/``predict_fn`` handler."""
    top = {node.name: node for node in tree.body
           if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    for label, (required, one_of) in SCORING_SCRIPTS.items():
        if not required <= set(top) or (one_of and not one_of & set(top)):
            continue
        if "init" in required:
            run = top["run"]
            params = [a.arg for a in run.args.args]
            if not params or params[0] in ("mini_batch", "batch"):
                continue  # run(data) takes a request payload; run(mini_batch) is batch work
            name = local.rsplit("/", 1)[-1].lower()
            azure = any(_matches(i, "azureml") for i, _ in imports) or name.startswith(
                "score") or any(isinstance(n, ast.Constant) and n.value == "AZUREML_MODEL_DIR"
                                for n in ast.walk(top["init"]))
            if not azure:
                continue
        first = min(top[n].lineno for n in required)
        yield False, label, first


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def load_module(repo: Repo, path: str, local: str,
                ) -> tuple[Module, tuple[str, ...]] | ParseError:
    """The analysed module of ``path`` imported as ``local`` (cached for the run)."""
    key = f"fastapi_app:module:{path}:{local}"
    cached = repo.memo.get(key)
    if cached is None:
        index = python_index(repo, path)
        if isinstance(index, ParseError):
            cached = index
        else:
            names = tuple(module_names(local) or [local[:-3].replace("/", ".")])
            module = Module(names[0], path, index, dict(index.aliases), _symbols(index.tree))
            froms = module.nodes(ast.ImportFrom)
            module.aliases.update(_relative_aliases(froms, names[-1],
                                                    local.endswith("__init__.py")))
            module.imports = tuple(_import_lines(module.nodes(ast.Import), froms))
            module.recognised = tuple(_recognised(module.imports)) + tuple(
                _scoring_scripts(index.tree, local, module.imports))
            cached = (module, names)
        repo.memo[key] = cached
    result: tuple[Module, tuple[str, ...]] | ParseError = cached
    return result
