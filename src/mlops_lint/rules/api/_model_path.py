"""Where the path of a model API006 finds loaded once comes from: a literal, an environment
variable or configuration. Only API006 reads it; it is a module of its own to keep the
rule's module short.
"""

from __future__ import annotations

import ast

from mlops_lint.parsers.fastapi_app import FunctionNode, Module, ServingModel
from mlops_lint.readers.serving import Caller

ENV_READS = ("os.getenv", "os.environ.get", "getenv", "environ.get")

PATH_HELPERS = frozenset({"Path", "PurePath", "PosixPath", "join", "str", "fspath", "resolve",
                          "joinpath", "absolute", "parent", "parents", "path", "os", "pathlib",
                          "with_suffix", "with_name", "expanduser", "home", "cwd", "dirname",
                          "abspath", "realpath"})


def _tail(model: ServingModel, module: Module, expr: ast.expr) -> str:
    """Last name of a dotted expression, also for methods of call results."""
    qual = model.qualname(module, expr)
    if qual:
        return qual.rsplit(".", 1)[-1]
    return expr.attr if isinstance(expr, ast.Attribute) else ""


def _argument(func: FunctionNode, name: str, call: ast.Call) -> ast.expr | None:
    """The expression ``call`` passes for parameter ``name`` of ``func`` (or its default)."""
    positional = [*func.args.posonlyargs, *func.args.args]
    names = [a.arg for a in positional]
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if name in names:
        offset = 1 if names and names[0] in ("self", "cls") else 0
        index = names.index(name) - offset
        if 0 <= index < len(call.args) and not isinstance(call.args[index], ast.Starred):
            return call.args[index]
        first_default = len(positional) - len(func.args.defaults)
        position = names.index(name)
        if position >= first_default:
            return func.args.defaults[position - first_default]
    for arg, default in zip(func.args.kwonlyargs, func.args.kw_defaults, strict=True):
        if arg.arg == name:
            return default
    return None


def _is_param(func: FunctionNode, name: str) -> bool:
    return name in {a.arg for a in (*func.args.posonlyargs, *func.args.args,
                                    *func.args.kwonlyargs)}


def _call_kind(model: ServingModel, module: Module, expr: ast.expr) -> str | None:
    """``env`` when ``expr`` reads the environment, else ``config`` when it calls anything
    but a path helper, else None."""
    kind = None
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            qual = model.qualname(module, node.func) or ""
            if qual in ENV_READS:
                return "env"
            if _tail(model, module, node.func) not in PATH_HELPERS:
                kind = "config"
        elif isinstance(node, ast.Subscript) and "environ" in ast.unparse(node.value):
            return "env"
    return kind


def _path_helper(model: ServingModel, module: Module, leaf: ast.Name | ast.Attribute) -> bool:
    """``__file__``, an imported path helper (os, Path) or a path method: not a source."""
    if isinstance(leaf, ast.Name):
        return leaf.id == "__file__" or (
            leaf.id in module.aliases and _tail(model, module, leaf) in PATH_HELPERS)
    return _tail(model, module, leaf) in PATH_HELPERS


def _assigned(func: FunctionNode, name: str) -> ast.expr | None:
    """The value last assigned to ``name`` in ``func``."""
    value: ast.expr | None = None
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = node.value
    return value


def _leaf_kind(model: ServingModel, module: Module, func: FunctionNode | None,
               leaf: ast.Name | ast.Attribute, depth: int, chain: tuple[Caller, ...]) -> str:
    """The source of one name in the path expression: its assignment in ``func``, the
    argument the caller passed for it, or the module constant it names."""
    value: ast.expr | None = None
    if isinstance(leaf, ast.Name) and func is not None:
        value = _assigned(func, leaf.id)
        if value is None and _is_param(func, leaf.id):
            if not chain:
                return "config"
            caller = chain[-1]
            return source_kind(model, caller.module, caller.func,
                               _argument(func, leaf.id, caller.call), depth + 1, chain[:-1])
    if value is None:
        found = model.symbol(module, leaf)
        if found is not None and isinstance(found[2], ast.expr):
            return source_kind(model, found[0], None, found[2], depth + 1)
        return "config"
    return source_kind(model, module, func, value, depth + 1, chain)


def source_kind(model: ServingModel, module: Module, func: FunctionNode | None,
                expr: ast.expr | None, depth: int = 0,
                chain: tuple[Caller, ...] = ()) -> str:
    """How a model path is given: ``literal``, ``env``, ``config`` (or unknown = config).

    Parameters are followed back to the argument at the call site that reached ``func``.
    """
    if expr is None or depth > 8:
        return "config"
    first = _call_kind(model, module, expr)
    if first == "env":
        return "env"
    kinds = {first} if first is not None else set()
    for leaf in ast.walk(expr):
        if isinstance(leaf, ast.Name | ast.Attribute) and not _path_helper(model, module, leaf):
            kinds.add(_leaf_kind(model, module, func, leaf, depth, chain))
    if "env" in kinds:
        return "env"
    if "config" in kinds:
        return "config"
    return "literal"
