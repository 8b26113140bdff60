"""What PY006 and PY007 share: the project's Pydantic models (directly or through another
model of the project), the YAML loads and the calls that feed a model, and the other typed
configuration objects (dataclasses, attrs classes, NamedTuples, TypedDicts).
Both inventories are memoised on the repository per project.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.readers.project_kind import beside_package, project_kind
from mlops_lint.rules.python._shared import decorator_names, library_indexes, statements

PYDANTIC_BASES = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel",
                            "pydantic.v1.BaseModel", "pydantic_settings.BaseSettings",
                            "pydantic.BaseSettings", "pydantic.v1.BaseSettings",
                            "pydantic_settings.main.BaseSettings"})
SETTINGS_BASES = frozenset(b for b in PYDANTIC_BASES if b.endswith("BaseSettings"))
YAML_LOADS = ("yaml.safe_load", "yaml.safe_load_all", "yaml.load", "yaml.full_load",
              "omegaconf.OmegaConf.load", "ruamel.yaml.YAML")
CONFIG_NAME = lazy_re.compile(r"(Config|Settings|Params|Parameters|Conf|Configuration)$")


@dataclass(frozen=True)
class ModelClass:
    index: PythonIndex
    node: ast.ClassDef
    settings: bool

    @property
    def path(self) -> str:
        return self.index.path

    @property
    def is_config(self) -> bool:
        name = PurePosixPath(self.path).stem
        return (self.settings or bool(CONFIG_NAME.search(self.node.name))
                or name.startswith(("config", "settings")) or "/config/" in self.path)


@dataclass
class PydanticInventory:
    models: list[ModelClass] = field(default_factory=list)
    yaml_loads: list[tuple[str, int, str]] = field(default_factory=list)
    validations: list[tuple[str, int]] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)

    @property
    def config_models(self) -> list[ModelClass]:
        configs = [m for m in self.models if m.is_config]
        return configs or self.models


def _pydantic_models(classes: list[tuple[PythonIndex, ast.ClassDef]]) -> list[ModelClass]:
    """Classes deriving from a Pydantic base, directly or through another model here."""
    known: dict[str, bool] = {}  # class name -> is settings
    models: list[ModelClass] = []
    changed = True
    while changed:
        changed = False
        for index, node in classes:
            if node.name in known:
                continue
            for base in node.bases:
                qual = index.qualname(base) or ""
                simple = qual.rsplit(".", 1)[-1]
                if qual in PYDANTIC_BASES or simple in known:
                    known[node.name] = qual in SETTINGS_BASES or known.get(simple, False)
                    models.append(ModelClass(index, node, known[node.name]))
                    changed = True
                    break
    return models


def _feeds_a_model(qual: str, call: ast.Call, names: set[str]) -> bool:
    """``Model.model_validate(...)``, ``Model(**data)`` or ``Model.from_yaml(...)``."""
    tail = qual.rsplit(".", 1)[-1]
    owner = qual.rsplit(".", 2)[-2] if "." in qual else ""
    if tail in ("model_validate", "parse_obj", "model_validate_json"):
        return True
    if tail in names and any(k.arg is None for k in call.keywords):
        return True
    return owner in names and tail in ("from_yaml", "load", "from_file")


def pydantic_inventory(ctx: Context) -> PydanticInventory:
    key = f"py:pydantic:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        inventory: PydanticInventory = cached
        return inventory
    indexes, errors = library_indexes(ctx)
    classes: list[tuple[PythonIndex, ast.ClassDef]] = []
    yaml_files: list[tuple[str, int, str]] = []
    for index in indexes:
        classes += [(index, n) for n in statements(index.tree) if isinstance(n, ast.ClassDef)]
        yaml_files += [(index.path, call.lineno, "yaml_file") for _, call in index.calls
                       if any(k.arg == "yaml_file" for k in call.keywords)]
    inv = PydanticInventory(_pydantic_models(classes), yaml_loads=yaml_files, errors=errors)
    names = {m.node.name for m in inv.models}
    for index in indexes:
        for qual, call in index.calls:
            if qual in YAML_LOADS or qual.endswith(".safe_load"):
                inv.yaml_loads.append((index.path, call.lineno, qual))
            if _feeds_a_model(qual, call, names):
                inv.validations.append((index.path, call.lineno))
    ctx.repo.memo[key] = inv
    return inv


TYPED_CONFIG_DECORATORS = frozenset({"dataclass", "define", "frozen", "attrs", "s"})
TYPED_CONFIG_BASES = frozenset({"NamedTuple", "TypedDict"})
TYPED_CONFIG_NAME = lazy_re.compile(
    r"(Config|Settings|Params|Parameters|Conf|Configuration|Env|Environment|EnvVars|"
    r"Options|Hyperparameters|HParams)$")
TYPED_CONFIG_FILE = lazy_re.compile(r"(config|settings|conf|env|params|options)", re.I)


@dataclass(frozen=True)
class TypedConfig:
    path: str
    line: int
    name: str
    kind: str  # "frozen dataclass", "dataclass", "attrs class", "NamedTuple"...
    fields: int


def _typed_config(index: PythonIndex, node: ast.ClassDef) -> TypedConfig | None:
    """A class holding configuration in typed fields without pydantic: a dataclass, an
    attrs class, a NamedTuple or TypedDict named or placed like configuration."""
    fields = sum(1 for n in node.body if isinstance(n, ast.AnnAssign))
    if fields < 2:
        return None
    decorators = decorator_names(node)
    bases = {(index.qualname(b) or "").rsplit(".", 1)[-1] for b in node.bases}
    if decorators & TYPED_CONFIG_DECORATORS:
        frozen = any(isinstance(d, ast.Call) and any(
            k.arg == "frozen" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in d.keywords) for d in node.decorator_list) or "frozen" in decorators
        kind = ("attrs class" if decorators & {"define", "attrs", "s"} else "dataclass")
        kind = f"frozen {kind}" if frozen else kind
    elif bases & TYPED_CONFIG_BASES:
        kind = next(iter(sorted(bases & TYPED_CONFIG_BASES)))
    else:
        return None
    if not (TYPED_CONFIG_NAME.search(node.name)
            or TYPED_CONFIG_FILE.search(PurePosixPath(index.path).stem)):
        return None
    return TypedConfig(index.path, node.lineno, node.name, kind, fields)


def typed_configs(ctx: Context) -> list[TypedConfig]:
    indexes, _ = library_indexes(ctx)
    found = []
    for index in indexes:
        for node in statements(index.tree):
            if isinstance(node, ast.ClassDef):
                config = _typed_config(index, node)
                if config is not None:
                    found.append(config)
    return found


CONFIG_FILE_GLOBS = ("configs/**/*.y*ml", "config/**/*.y*ml", "conf/**/*.y*ml",
                     "config.y*ml", "*config*.y*ml", "settings.y*ml", "params.y*ml")
NOT_CONFIG_FILES = (".pre-commit-config.yaml", "mkdocs.yml", "mkdocs.yaml")


def config_files(ctx: Context) -> list[str]:
    return [f for f in ctx.files(CONFIG_FILE_GLOBS)
            if PurePosixPath(f).name not in NOT_CONFIG_FILES
            and not f.startswith((".github/", ctx.path(".github/")))]


def library_without_config(ctx: Context) -> T | None:
    """Why the project is a published library with no configuration file of its own (YAML
    settings outside its docs, examples and tests): configured through the arguments of
    its functions, it has no application configuration for a model to load (PY006) or
    validate (PY007). None otherwise."""
    library = project_kind(ctx.repo).library
    if library is None or [f for f in config_files(ctx) if not beside_package(f)]:
        return None
    return library
