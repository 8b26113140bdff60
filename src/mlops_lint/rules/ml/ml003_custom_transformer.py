"""ML003: custom transformers follow scikit-learn's contract and are used in a pipeline.

The contract: ``fit`` returns ``self``, ``__init__`` stores its parameters unchanged and
does nothing else, ``transform`` does not modify its input in place (names aliasing the
input are followed). A custom transformer is a class deriving from ``TransformerMixin``
(or ``BaseEstimator`` with a ``transform``), or from another custom transformer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.training import (
    FUNCTION_NODES,
    config_errors,
    last,
    method,
    no_training,
    not_applicable_to,
    receiver,
    scope_walk,
    skips,
    training_errors,
)
from mlops_lint.rules import rule
from mlops_lint.rules.ml._shared import (
    COMPOSITES,
    Analysis,
    analysis,
    in_composite,
    source_errors,
    transformer_bases,
    uses,
)

MUTATING_METHODS = frozenset({"insert", "pop", "update", "sort", "fill", "resize", "put",
                              "itemset", "clear", "append", "extend", "setflags"})


ALIASING_CALLS = frozenset({"asarray", "asanyarray", "check_array", "validate_data",
                            "DataFrame", "atleast_2d"})


def _base(node: ast.expr) -> str | None:
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _aliases_input(value: ast.expr, aliases: set[str]) -> bool:
    """Whether ``value`` still refers to the input (``X``, ``X.values``, ``np.asarray(X)``)."""
    if isinstance(value, ast.Name):
        return value.id in aliases
    if isinstance(value, ast.Attribute) and value.attr in ("values", "T", "_values"):
        return _base(value) in aliases
    if isinstance(value, ast.Call):
        name = value.func.attr if isinstance(value.func, ast.Attribute) else \
            value.func.id if isinstance(value.func, ast.Name) else ""
        copy = literal(call_arg(value, "copy"))
        if name in ALIASING_CALLS and copy is not True:
            return any(isinstance(a, ast.Name) and a.id in aliases for a in value.args[:2])
    return False


def _assign_mutates(node: ast.Assign | ast.AnnAssign, aliases: set[str]) -> bool:
    """Item/attribute assignment on the input; plain names rebound update ``aliases``."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if any(isinstance(t, ast.Subscript | ast.Attribute) and _base(t) in aliases
           for t in targets):
        return True
    if node.value is not None:
        for target in targets:
            if isinstance(target, ast.Name):
                if _aliases_input(node.value, aliases):
                    aliases.add(target.id)
                else:
                    aliases.discard(target.id)
    return False


def _call_mutates(node: ast.Call, aliases: set[str]) -> bool:
    """``X.fillna(..., inplace=True)``, ``X.insert(...)``, ``np.copyto(X, ...)``."""
    obj = receiver(node)
    if obj is not None and _base(obj) in aliases and (
            literal(call_arg(node, "inplace")) is True or
            (method(node) in MUTATING_METHODS and isinstance(obj, ast.Name))):
        return True
    name = method(node) or (node.func.id if isinstance(node.func, ast.Name) else "")
    return name in ("copyto", "place", "put", "fill_diagonal", "putmask") and \
        bool(node.args) and _base(node.args[0]) in aliases


def _mutates(node: ast.AST, aliases: set[str]) -> bool:
    if isinstance(node, ast.Assign | ast.AnnAssign):
        return _assign_mutates(node, aliases)
    if isinstance(node, ast.AugAssign):
        return _base(node.target) in aliases
    if isinstance(node, ast.Delete):
        return any(isinstance(t, ast.Subscript | ast.Attribute) and _base(t) in aliases
                   for t in node.targets)
    return isinstance(node, ast.Call) and _call_mutates(node, aliases)


def input_mutation(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int | None:
    """Line where ``transform`` mutates its input argument, if it does (statements are
    read in source order; rebinding the input to a copy ends the tracking)."""
    params = [a.arg for a in func.args.posonlyargs + func.args.args]
    if len(params) < 2:
        return None
    aliases = {params[1]}
    nodes = sorted((n for n in scope_walk(func) if isinstance(
        n, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete | ast.Call)),
        key=lambda n: (n.lineno, n.col_offset))
    for node in nodes:
        if _mutates(node, aliases):
            return node.lineno
    return None


def _fit_problem(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int | None:
    """Line of a ``fit`` that does not return ``self`` (the ``def`` line when it never
    returns)."""
    returns = [n for n in scope_walk(func) if isinstance(n, ast.Return)]
    if not returns:
        if all(isinstance(s, ast.Raise) or (isinstance(s, ast.Expr) and isinstance(
                s.value, ast.Constant)) for s in func.body):
            return None  # abstract: only a docstring and/or raise
        return func.lineno
    for ret in returns:
        if not (isinstance(ret.value, ast.Name) and ret.value.id == "self"):
            return ret.lineno
    return None


def _init_problem(func: ast.FunctionDef | ast.AsyncFunctionDef) -> T | None:
    params = {a.arg for a in func.args.args[1:] + func.args.kwonlyargs}
    stored: set[str] = set()
    for statement in func.body:
        if isinstance(statement, ast.Pass) or (isinstance(statement, ast.Expr) and (
                isinstance(statement.value, ast.Constant) or (
                    isinstance(statement.value, ast.Call) and
                    isinstance(statement.value.func, ast.Attribute) and
                    statement.value.func.attr == "__init__"))):
            continue
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and \
                    target.value.id == "self" and isinstance(statement.value, ast.Name) and \
                    statement.value.id == target.attr and target.attr in params:
                stored.add(target.attr)
                continue
        return T(f"__init__ does more than store its parameters (line {statement.lineno}); "
                 "validate and derive in fit, or clone()/get_params() break",
                 f"__init__ hace más que guardar sus parámetros (línea {statement.lineno}); "
                 "valida y deriva en fit, o clone()/get_params() fallan")
    missing = sorted(params - stored)
    if missing:
        return T(f"__init__ does not store parameter(s) {', '.join(missing)} as attributes of "
                 "the same name; get_params() will fail",
                 f"__init__ no guarda el/los parámetro(s) {', '.join(missing)} como atributos "
                 "del mismo nombre; get_params() fallará")
    return None


def _methods(node: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {n.name: n for n in node.body if isinstance(n, FUNCTION_NODES)}


def _contract_problems(an: Analysis, index: PythonIndex,
                       node: ast.ClassDef) -> list[tuple[T, int]]:
    """Hard failures of a custom transformer: bases, fit returning self, input mutation."""
    name = node.name
    candidate, mixin, base = transformer_bases(index, node)
    local_parent = any(last(index.qualname(b)) in an.custom for b in node.bases)
    methods = _methods(node)
    problems: list[tuple[T, int]] = []
    if candidate and not (mixin and base) and not local_parent:
        problems.append((T(f"{name} must inherit both BaseEstimator and TransformerMixin",
                           f"{name} debe heredar BaseEstimator y TransformerMixin"),
                         node.lineno))
    fit = methods.get("fit")
    fit_line = _fit_problem(fit) if fit is not None else None
    if fit is None and not local_parent:
        problems.append((T(f"{name} defines no fit method", f"{name} no define fit"),
                         node.lineno))
    elif fit_line is not None:
        problems.append((T(f"{name}.fit does not return self (line {fit_line}); Pipeline.fit "
                           "chains on it", f"{name}.fit no devuelve self (línea {fit_line}); "
                           "Pipeline.fit depende de ello"), fit_line))
    transform = methods.get("transform")
    line = input_mutation(transform) if transform is not None else None
    if line is not None:
        problems.append((T(f"{name}.transform mutates its input (line {line}); start with "
                           "X = X.copy()", f"{name}.transform modifica su entrada (línea "
                           f"{line}); empieza con X = X.copy()"), line))
    return problems


@rule("ML003")
def custom_transformer(ctx: Context, params: None) -> Iterator[Finding]:
    """ML003: custom transformers follow sklearn's contract and are used in a pipeline."""
    an = analysis(ctx)
    yield from source_errors(an)
    yield from skips(config_errors(ctx))
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("no custom transformer is expected",
                                   "no se espera un transformador propio"))
    if untrained is not None and not an.custom:
        yield untrained
        return
    other = not_applicable_to(ctx, T("a scikit-learn custom transformer does not apply",
                                     "un transformador propio de scikit-learn no aplica"))
    if other is not None and not an.custom:
        yield other
        return
    if not an.custom:
        yield failed(T("no custom transformer (a class inheriting BaseEstimator and "
                       "TransformerMixin) in the project code",
                       "no hay transformador propio (una clase que herede BaseEstimator y "
                       "TransformerMixin) en el código del proyecto"))
        return
    for name, (index, node) in sorted(an.custom.items()):
        path = index.path
        methods = _methods(node)
        problems = _contract_problems(an, index, node)
        if problems:
            message, line = problems[0]
            for extra, _ in problems[1:]:
                message = message + T("; ", "; ") + extra
            yield failed(message, path, line)
            continue
        init = methods.get("__init__")
        init_issue = _init_problem(init) if init is not None else None
        used = any(in_composite(i, u, COMPOSITES)
                   for call_index, call in an.calls_named(name)
                   for i, u in uses(an, call_index, call))
        if init_issue is not None:
            yield warned(T(f"{name}: ", f"{name}: ") + init_issue, path,
                         init.lineno if init else node.lineno)
        elif not used:
            yield warned(T(f"{name} is correct but never used in a Pipeline or "
                           "ColumnTransformer", f"{name} es correcto pero no se usa en ningún "
                           "Pipeline ni ColumnTransformer"), path, node.lineno)
        else:
            yield passed(T(f"{name}: fit returns self, transform leaves its input intact, "
                           "__init__ only stores parameters, used in a pipeline",
                           f"{name}: fit devuelve self, transform no modifica su entrada, "
                           "__init__ solo guarda parámetros, se usa en un pipeline"),
                         path, node.lineno)
