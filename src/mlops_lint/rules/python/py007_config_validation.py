"""PY007: constrained fields, no mutable defaults or bare containers, classmethod loaders.

Judged on the configuration models of the project's Pydantic inventory
(:mod:`mlops_lint.rules.python._pydantic`), shared with PY006. Private attributes (names
starting with ``_``, ``PrivateAttr(...)``) and ``ClassVar`` annotations are not fields.

No configuration model at all is PY006's finding: the engine turns this rule's failure
into a ``skip`` pointing at PY006 when PY006 reports it. Where PY006 is not applicable (a
published library with no configuration file of its own), neither is this rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.rules import rule
from mlops_lint.rules.python._pydantic import (
    YAML_LOADS,
    ModelClass,
    library_without_config,
    pydantic_inventory,
    typed_configs,
)
from mlops_lint.rules.python._shared import MAX_LISTED, decorator_names

CONSTRAINT_KWARGS = frozenset({"ge", "gt", "le", "lt", "min_length", "max_length", "pattern",
                               "regex", "multiple_of", "max_digits", "decimal_places",
                               "min_items", "max_items", "allow_inf_nan"})
CONSTRAINED_TYPES = frozenset({"constr", "conint", "confloat", "conlist", "conset", "condecimal",
                               "PositiveInt", "NegativeInt", "NonNegativeInt", "NonPositiveInt",
                               "PositiveFloat", "NegativeFloat", "NonNegativeFloat",
                               "NonPositiveFloat", "Literal", "HttpUrl", "AnyUrl", "EmailStr",
                               "DirectoryPath", "FilePath", "SecretStr", "StrictInt", "StrictStr",
                               "StrictFloat", "StrictBool", "FiniteFloat", "PostgresDsn"})
VALIDATORS = frozenset({"field_validator", "model_validator", "validator", "root_validator"})


def _annotation_names(node: ast.expr | None) -> set[str]:
    names = set()
    for sub in ast.walk(node) if node is not None else []:
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
    return names


def _bare_container(node: ast.expr | None) -> str | None:
    """``list``/``dict`` (or typing's ``List``/``Dict``) used without type arguments."""
    if node is None:
        return None
    subscripted = {id(n.value) for n in ast.walk(node) if isinstance(n, ast.Subscript)}
    for sub in ast.walk(node):
        name = sub.id if isinstance(sub, ast.Name) else (
            sub.attr if isinstance(sub, ast.Attribute) else None)
        if name in ("list", "dict", "List", "Dict") and id(sub) not in subscripted:
            return name
    return None


def _constrained_call(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            if name == "Field" and any(k.arg in CONSTRAINT_KWARGS for k in sub.keywords):
                return True
            if name in CONSTRAINED_TYPES:
                return True
    return False


def _mutable_default(value: ast.expr | None) -> bool:
    if isinstance(value, (ast.List, ast.Dict, ast.Set)):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else ""
        if name in ("list", "dict", "set") and not value.args and not value.keywords:
            return True
        if name == "Field" or (isinstance(func, ast.Attribute) and func.attr == "Field"):
            default = next((k.value for k in value.keywords if k.arg == "default"),
                           value.args[0] if value.args else None)
            return isinstance(default, (ast.List, ast.Dict, ast.Set))
    return False


def _calls_yaml(node: ast.AST, index: PythonIndex) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            qual = index.qualname(sub.func) or ""
            if qual in YAML_LOADS or qual.endswith(".safe_load"):
                return True
    return False


def _field_is_constrained(node: ast.AnnAssign) -> bool:
    names = _annotation_names(node.annotation)
    return ("Literal" in names or bool(names & CONSTRAINED_TYPES)
            or _constrained_call(node.annotation)
            or (node.value is not None and _constrained_call(node.value)))


def _field_defects(model: ModelClass, node: ast.AnnAssign) -> Iterator[Finding]:
    target = node.target.id if isinstance(node.target, ast.Name) else "?"
    name = f"{model.node.name}.{target}"
    if _mutable_default(node.value):
        # Pydantic copies a field's default for each instance, so this is not the shared
        # state of a plain class attribute: the guide's convention (EX1), hence a warning
        yield warned(T(f"{name} has a mutable default; Pydantic copies it for each instance, "
                       "so no state is shared, but the guide (EX1) asks for "
                       "Field(default_factory=list/dict)",
                       f"{name} tiene un valor por defecto mutable; Pydantic lo copia en cada "
                       "instancia, así que no se comparte estado, pero la guía (EX1) pide "
                       "Field(default_factory=list/dict)"), model.path, node.lineno,
                     fix=T("use Field(default_factory=list) (or dict) for the default",
                           "usa Field(default_factory=list) (o dict) como valor por defecto"))
    bare = _bare_container(node.annotation)
    if bare:
        yield failed(T(f"{name} is annotated with a bare '{bare}'; give the element types "
                       "(e.g. list[str], dict[str, float])",
                       f"{name} se anota con '{bare}' sin tipos; indica los tipos (p. ej. "
                       "list[str], dict[str, float])"), model.path, node.lineno)


def _instance_loader(model: ModelClass, node: ast.FunctionDef | ast.AsyncFunctionDef
                     ) -> Finding | None:
    decorators = decorator_names(node)
    first = node.args.args[0].arg if node.args.args else ""
    if first != "self" or decorators & {"classmethod", "staticmethod"} or not _calls_yaml(
            node, model.index):
        return None
    return failed(T(f"{model.node.name}.{node.name} loads YAML as an instance method; make it "
                    "a @classmethod that returns the model",
                    f"{model.node.name}.{node.name} carga YAML como método de instancia; "
                    "conviértelo en @classmethod que devuelva el modelo"),
                  model.path, node.lineno)


def _not_a_field(node: ast.AnnAssign) -> bool:
    """A private attribute (a name starting with ``_``, or ``PrivateAttr(...)``) or a
    ``ClassVar``: Pydantic neither validates nor loads it, it is no config field."""
    if isinstance(node.target, ast.Name) and node.target.id.startswith("_"):
        return True
    value = node.value
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else "")
        if name == "PrivateAttr":
            return True
    return "ClassVar" in _annotation_names(node.annotation)


def _model_findings(model: ModelClass) -> tuple[bool, list[Finding]]:
    """(has a constrained field or validator, defects) of one config model."""
    constrained = False
    defects: list[Finding] = []
    for node in model.node.body:
        if isinstance(node, ast.AnnAssign) and _not_a_field(node):
            continue
        if isinstance(node, ast.AnnAssign):
            constrained = constrained or _field_is_constrained(node)
            defects += _field_defects(model, node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            constrained = constrained or bool(decorator_names(node) & VALIDATORS)
            loader = _instance_loader(model, node)
            if loader is not None:
                defects.append(loader)
    return constrained, defects


@rule("PY007")
def config_validation(ctx: Context, params: None) -> Iterator[Finding]:
    """PY007: constrained fields, no mutable defaults or bare containers, classmethod loaders."""
    models = pydantic_inventory(ctx).config_models
    if not models:
        typed = typed_configs(ctx)
        library = None if typed else library_without_config(ctx)
        if library is not None:  # PY006 is not applicable either: say so, not a failure
            yield skipped(T("not applicable: ", "no aplica: ") + library + T(
                ", configured through the arguments of its functions: no configuration "
                "model to validate (see PY006)", ", configurada mediante los argumentos de "
                "sus funciones: ningún modelo de configuración que validar (ver PY006)"))
            return
        held = T(f"; the configuration is a typed {typed[0].kind} ({typed[0].name}), whose "
                 "values nothing validates", f"; la configuración es un {typed[0].kind} "
                 f"tipado ({typed[0].name}), cuyos valores nada valida") if typed else T("", "")
        yield failed(T("no Pydantic config models to validate (see PY006)",
                       "no hay modelos de configuración Pydantic que validar (ver PY006)")
                     + held, typed[0].path if typed else None, typed[0].line if typed else None,
                     see="PY006")
        return
    constrained = False
    defects: list[Finding] = []
    for model in models:
        has_constraint, found = _model_findings(model)
        constrained = constrained or has_constraint
        defects += found
    yield from defects
    names = ", ".join(m.node.name for m in models[:MAX_LISTED])
    first = models[0]
    if not constrained:
        yield failed(T(f"no constrained field in {names}: add Field(ge=/le=/min_length=/"
                       "pattern=), Literal[...] or a @field_validator",
                       f"ningún campo restringido en {names}: añade Field(ge=/le=/min_length=/"
                       "pattern=), Literal[...] o un @field_validator"),
                     first.path, first.node.lineno)
    elif not defects:
        yield passed(T(f"config models validate their values ({names})",
                       f"los modelos de configuración validan sus valores ({names})"),
                     first.path, first.node.lineno)
