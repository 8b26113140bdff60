"""PY006: a Pydantic settings model, fed from an external YAML file.

Pydantic declared by another project of the same repository that this one depends on
counts (a monorepo's plug-in gets it through its parent package); a pin to Pydantic 1
fails. pydantic-settings reading the environment is a well-known equivalent of a YAML
file loaded with ``safe_load``. Without a Pydantic model, another typed configuration
(dataclass, attrs, NamedTuple) warns.

A published library (:mod:`mlops_lint.readers.project_kind`) with no configuration
file of its own (YAML settings outside its docs, examples and tests) and no model is not
applicable: it is configured through the arguments of its functions, so there is no
application configuration to load into a model.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.requirements import (
    normalize_name,
    parse_requirement,
    parse_requirements,
    satisfies,
)
from mlops_lint.parsers.toml_file import dig
from mlops_lint.rules import rule
from mlops_lint.rules.python._pydantic import (
    ModelClass,
    PydanticInventory,
    config_files,
    library_without_config,
    pydantic_inventory,
    typed_configs,
)
from mlops_lint.rules.python._shared import read_pyproject, unparsed_note


def _runtime_requirements(ctx: Context) -> dict[str, str]:
    """Runtime dependency name -> specifier, from pyproject, Poetry or requirements."""
    out: dict[str, str] = {}
    _, doc = read_pyproject(ctx)
    if isinstance(doc, dict):
        entries = dig(doc, "project", "dependencies")
        for entry in entries if isinstance(entries, list) else []:
            req = parse_requirement(str(entry))
            if req is not None:
                out[req.name] = req.specifier
        poetry = dig(doc, "tool", "poetry", "dependencies")
        if isinstance(poetry, dict):
            for name, value in poetry.items():
                spec = value if isinstance(value, str) else str(dig(value, "version") or "")
                out[normalize_name(str(name))] = spec
    for path in ctx.files(["requirements.txt", "requirements.in", "requirements/*.txt",
                           "requirements/*.in"]):
        parsed = ctx.repo.parse(path, parse_requirements)
        if not isinstance(parsed, ParseError):
            for line in parsed.requirements:
                if line.requirement is not None:
                    out.setdefault(line.requirement.name, line.requirement.specifier)
    return out


def _declared_by_sibling(ctx: Context, deps: dict[str, str], names: tuple[str, ...]
                        ) -> tuple[str, dict[str, str]] | None:
    """(package, its runtime requirements among ``names``) of another project of the same
    repository that this project depends on (by its package name) and that declares one of
    ``names``: a runtime plug-in of a monorepo gets pydantic through its parent package."""
    for project in ctx.repo.projects:
        if project.path == ctx.project.path:
            continue
        pctx = Context(ctx.repo, project, ctx.config, ctx.rule_id)
        _, doc = read_pyproject(pctx)
        if not isinstance(doc, dict):
            continue
        name = dig(doc, "project", "name") or dig(doc, "tool", "poetry", "name")
        if not isinstance(name, str) or normalize_name(name) not in deps:
            continue
        theirs = _runtime_requirements(pctx)
        found = {n: theirs[n] for n in names if n in theirs}
        if found:
            return name, found
    return None


PYDANTIC_1 = ("1.8", "1.9", "1.10")
PYDANTIC_2 = tuple(f"2.{minor}" for minor in range(30))


def _pydantic_major(spec: str) -> int | None:
    """2 when the specifier admits only pydantic 2+, 1 when only 1.x, else None."""
    if not spec.strip():
        return None
    v1 = any(satisfies(v, spec) for v in PYDANTIC_1)
    v2 = any(satisfies(v, spec) for v in PYDANTIC_2)
    if v1 == v2:
        return None
    return 2 if v2 else 1


def _no_model(ctx: Context, inv: PydanticInventory) -> Finding:
    """Without a Pydantic model: a typed configuration object warns, nothing fails."""
    typed = typed_configs(ctx)
    if typed:
        first = typed[0]
        others = T(f" (+{len(typed) - 1} more)", f" (+{len(typed) - 1} más)") \
            if len(typed) > 1 else T("", "")
        return warned(T(f"configuration is a typed {first.kind}, {first.name} "
                        f"({first.path}:{first.line}, {first.fields} typed fields), not a "
                        "Pydantic model: types are declared but values are not validated "
                        "when loaded",
                        f"la configuración es un {first.kind} tipado, {first.name} "
                        f"({first.path}:{first.line}, {first.fields} campos tipados), no un "
                        "modelo Pydantic: los tipos se declaran pero los valores no se "
                        "validan al cargarse") + others + unparsed_note(inv.errors, ctx),
                      first.path, first.line,
                      fix=T(f"advice: make {first.name} a pydantic BaseModel (or "
                            "pydantic-settings BaseSettings for environment variables) so "
                            "that bad values fail at load time; keep the values in a YAML "
                            "file loaded with yaml.safe_load + model_validate",
                            f"consejo: convierte {first.name} en un BaseModel de pydantic (o "
                            "BaseSettings de pydantic-settings para variables de entorno) "
                            "para que los valores erróneos fallen al cargarse; guarda los "
                            "valores en un YAML cargado con yaml.safe_load + "
                            "model_validate"))
    library = library_without_config(ctx)
    if library is not None:
        return skipped(T("not applicable: ", "no aplica: ") + library + T(
            ", configured through the arguments of its functions: no configuration file "
            "(YAML settings) for a model to load",
            ", configurada mediante los argumentos de sus funciones: ningún archivo de "
            "configuración (ajustes YAML) que cargar en un modelo"))
    config_file = ctx.first("src/config.py", "config.py", "settings.py")
    return failed(T("no Pydantic BaseModel/BaseSettings and no typed configuration object "
                    "(dataclass, attrs, NamedTuple) in the library code",
                    "no hay BaseModel/BaseSettings de Pydantic ni objeto de configuración "
                    "tipado (dataclass, attrs, NamedTuple) en el código de librería")
                  + unparsed_note(inv.errors, ctx),
                  config_file, 1 if config_file else None)


def _dependency(ctx: Context, problems: list[T], partial: list[T]
                ) -> tuple[str, dict[str, str]] | None:
    """How the project depends on Pydantic (its problems and gaps added to ``problems``
    and ``partial``), and the package of the same repository that brings it, if any."""
    deps = _runtime_requirements(ctx)
    inherited = None if "pydantic" in deps or "pydantic-settings" in deps else \
        _declared_by_sibling(ctx, deps, ("pydantic", "pydantic-settings"))
    if inherited is not None:  # a package of the same repository it depends on brings it
        deps = {**inherited[1], **deps}
    if "pydantic-settings" in deps:
        major: int | None = 2
    elif "pydantic" in deps:
        major = _pydantic_major(deps["pydantic"])
    else:
        major = None
        partial.append(T("pydantic is not declared in the runtime dependencies",
                         "pydantic no está declarado en las dependencias de ejecución"))
    if major == 1:
        problems.append(T(f"pydantic is pinned to version 1 ({deps.get('pydantic')}); the guide "
                          "uses Pydantic v2", f"pydantic está fijado a la versión 1 "
                          f"({deps.get('pydantic')}); la guía usa Pydantic v2"))
    return inherited


def _yaml_gaps(inv: PydanticInventory, config_files: list[str], from_env: ModelClass | None,
               partial: list[T]) -> None:
    """What is missing between an external YAML file and the model (added to
    ``partial``)."""
    if not config_files and from_env is None:
        partial.append(T("no external YAML config file (configs/*.yaml or config.yaml)",
                         "no hay archivo YAML de configuración externo (configs/*.yaml o "
                         "config.yaml)"))
    if from_env is not None and not inv.yaml_loads:
        pass
    elif not inv.yaml_loads:
        partial.append(T("no YAML loading (yaml.safe_load) in the library code",
                         "no se carga YAML (yaml.safe_load) en el código de librería"))
    elif all(q in ("yaml.load", "yaml.full_load") for _, _, q in inv.yaml_loads):
        partial.append(T("YAML is read with yaml.load/full_load; use yaml.safe_load",
                         "el YAML se lee con yaml.load/full_load; usa yaml.safe_load"))
    if inv.yaml_loads and not inv.validations and not any(q == "yaml_file"
                                                         for *_, q in inv.yaml_loads):
        partial.append(T("the loaded YAML is not fed to a model (Model(**data) or "
                         "Model.model_validate(data))",
                         "el YAML cargado no se pasa a un modelo (Model(**data) o "
                         "Model.model_validate(data))"))


@rule("PY006")
def pydantic_config(ctx: Context, params: None) -> Iterator[Finding]:
    """PY006: a Pydantic settings model, fed from an external YAML file."""
    inv = pydantic_inventory(ctx)
    if not inv.models:
        yield _no_model(ctx, inv)
        return
    model = inv.config_models[0]
    where = (model.path, model.node.lineno)
    problems: list[T] = []
    partial: list[T] = []
    inherited = _dependency(ctx, problems, partial)
    configs = config_files(ctx)
    # pydantic-settings reads the values from the environment (and .env files): a
    # well-known equivalent of an external YAML file loaded with safe_load
    from_env = next((m for m in inv.config_models if m.settings), None)
    _yaml_gaps(inv, configs, from_env, partial)
    label = f"{model.node.name} ({model.path}:{model.node.lineno})"
    via = T("", "") if inherited is None else T(
        f"; pydantic comes with {inherited[0]}, a package of this repository it depends on",
        f"; pydantic llega con {inherited[0]}, un paquete de este repositorio del que depende")
    if problems:
        yield failed(T.join(problems), *where)
    elif not partial and not configs and from_env is not None:
        yield passed(T(f"Pydantic settings {from_env.node.name} ({from_env.path}:"
                       f"{from_env.node.lineno}) read and validate the configuration from "
                       "environment variables (pydantic-settings BaseSettings, a well-known "
                       "equivalent of a YAML file loaded with safe_load)",
                       f"la configuración Pydantic {from_env.node.name} ({from_env.path}:"
                       f"{from_env.node.lineno}) lee y valida los valores de variables de "
                       "entorno (BaseSettings de pydantic-settings, un equivalente conocido de "
                       "un YAML cargado con safe_load)") + via, from_env.path,
                     from_env.node.lineno)
    elif partial:
        yield warned(T(f"Pydantic config {label} found, but ", f"config Pydantic {label} "
                       "encontrada, pero ") + T.join(partial), *where)
    else:
        yield passed(T(f"Pydantic config {label} validated from {configs[0]}",
                       f"config Pydantic {label} validada desde {configs[0]}") + via,
                     *where)
