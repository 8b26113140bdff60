"""User configuration: ``[tool.mlops-lint]`` in pyproject.toml or ``.mlops-lint.yaml``.

Precedence is explicit: ``--config FILE`` wins; otherwise the repository may configure
mlops-lint in one place only: a ``[tool.mlops-lint]`` table with settings and a
``.mlops-lint.yaml`` with settings together are an error, as is a pyproject.toml that
cannot be parsed but holds a ``[tool.mlops-lint]`` table (its settings would be lost).

Unknown keys and bad values raise :class:`ConfigError` with a plain one-line message
naming the key, so the CLI can exit with code 2.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mlops_lint import lazy_re
from mlops_lint.globs import check_glob
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.toml_file import load_toml

_UNION_TAG = lazy_re.compile(
    r"^(int|float|str|bool|none|(dict|list|tuple)\[.*\]|function-.*|\[key\])$")
_HEADER = lazy_re.compile(r"^[ \t]*\[\[?([^\]#]{0,200})\]")
_KEY = lazy_re.compile(r"^[ \t]*([A-Za-z0-9_.\"'-][A-Za-z0-9_.\"' \t-]{0,199})=")
YAML_NAMES = (".mlops-lint.yaml", ".mlops-lint.yml")
PYPROJECT_SOURCE = "pyproject.toml [tool.mlops-lint]"
_MIN_LEVEL_ITEM = lazy_re.compile(r"^(?:([0-9]{1,2})[ \t]*=[ \t]*)?([0-9]{1,2})$")


class ConfigError(Exception):
    """A configuration file or option is invalid (exit code 2)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Thresholds(_Strict):
    """Numbers a team may tune. Defaults follow the guide."""

    coverage: tuple[int, int, int] = (70, 80, 85)
    large_file_kb: int = Field(1000, alias="large-file-kb", gt=0)
    k8s_require_cpu_limit: bool = Field(True, alias="k8s-require-cpu-limit")
    type_hint_ratio: float = Field(0.5, alias="type-hint-ratio", ge=0, le=1)
    max_complexity: int = Field(20, alias="max-complexity", gt=0)
    min_tests: tuple[int, int] = Field((10, 30), alias="min-tests")
    conventional_commits: tuple[float, float, float] = Field(
        (0.5, 0.8, 0.95), alias="conventional-commits")

    @field_validator("coverage")
    @classmethod
    def _ascending(cls, value: tuple[int, int, int]) -> tuple[int, int, int]:
        if list(value) != sorted(value) or not all(0 <= v <= 100 for v in value):
            raise ValueError("must be three ascending percentages, e.g. [70, 80, 85]")
        return value


class Config(_Strict):
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    min_level: int | dict[int, int] | None = Field(None, alias="min-level")
    fail_under: float | None = Field(None, alias="fail-under", ge=0, le=100)
    lang: Literal["en", "es"] = "en"
    exclude: tuple[str, ...] = ()
    rule_packs: tuple[str, ...] = Field((), alias="rule-packs")
    waivers: dict[str, str] = Field(default_factory=dict)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    coverage_report: str | None = Field(None, alias="coverage-report")
    source: str | None = Field(None, exclude=True)
    # the configuration came from the command line (--config), or the coverage report
    # was given there: such paths may point outside the repository
    trusted: bool = Field(False, exclude=True)
    coverage_report_trusted: bool = Field(False, exclude=True)

    @field_validator("exclude")
    @classmethod
    def _valid_globs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for glob in value:
            check_glob(glob)  # GlobError is a ValueError: reported as an invalid value
        return value

    @field_validator("min_level", mode="before")
    @classmethod
    def _min_level_strings(cls, value: object) -> object:
        """``"2"``, ``"4=2"``, ``"4=2,6=1"`` or a list of those, as on the command line."""
        if isinstance(value, str):
            return parse_min_level([value])
        if isinstance(value, (list, tuple)) and all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            return parse_min_level([str(v) for v in value])
        return value

    @field_validator("select", "ignore", mode="before")
    @classmethod
    def _comma_string(cls, value: object) -> object:
        """``"DOCK,K8S"`` as on the command line."""
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value

    @field_validator("min_level")
    @classmethod
    def _levels_in_range(cls, value: int | dict[int, int] | None) -> int | dict[int, int] | None:
        values = [value] if isinstance(value, int) else list((value or {}).values())
        phases = [] if isinstance(value, int) or value is None else list(value)
        if any(not 0 <= v <= 3 for v in values):
            raise ValueError("levels are 0-3")
        if any(not 1 <= p <= 7 for p in phases):
            raise ValueError("phases are 1-7")
        return value

    def coverage_report_path(self, root: Path) -> Path | None:
        """The coverage report the configuration names. One given on the command line
        (or in a ``--config`` file) is looked up from the working directory, then the
        repository root; one from the repository's own configuration only under the
        root. ``None`` when a command-line report does not exist."""
        if not self.coverage_report:
            return None
        given = Path(self.coverage_report)
        if not self.coverage_report_trusted:
            return root / given
        options = [given] if given.is_absolute() else [Path.cwd() / given, root / given]
        return next((o.resolve() for o in options if o.is_file()), None)

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with command-line options applied (``None`` leaves a value alone)."""
        data = self.model_dump(by_alias=False)
        data.update({k: v for k, v in changes.items() if v is not None})
        data["source"] = self.source
        data["trusted"] = self.trusted
        data["coverage_report_trusted"] = (self.coverage_report_trusted or self.trusted
                                           or changes.get("coverage_report") is not None)
        try:
            return Config.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(_describe(exc, "command line")) from None


def parse_min_level(values: Iterable[str]) -> int | dict[int, int] | None:
    """``N`` for every phase or ``PHASE=N``, each value possibly a comma- or
    space-separated list; a single ``N`` with ``PHASE=N`` items sets the other phases.
    Raises :class:`ValueError` naming the item it cannot read."""
    single: int | None = None
    per_phase: dict[int, int] = {}
    for value in values:
        for item in re.split(r"[,\s]+", value.strip()[:200]):
            if not item:
                continue
            match = _MIN_LEVEL_ITEM.match(item)
            if match is None:
                raise ValueError(f"expects N or PHASE=N (e.g. 2 or 4=2), got '{item}'")
            if match.group(1) is None:
                single = int(match.group(2))
            else:
                per_phase[int(match.group(1))] = int(match.group(2))
    if single is not None and per_phase:
        return {p: per_phase.get(p, single) for p in range(1, 8)}
    if single is None and not per_phase:
        return None
    return single if single is not None else per_phase


def _keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()
            if name != "source"]


def _plain(error: Any) -> str:
    """A pydantic error as a short sentence a user reads (no pydantic wording)."""
    kind, ctx, loc = error["type"], error.get("ctx") or {}, error["loc"]
    plain = {
        "int_parsing": "expected a whole number", "int_type": "expected a whole number",
        "int_from_float": "expected a whole number",
        "float_parsing": "expected a number", "float_type": "expected a number",
        "bool_parsing": "expected true or false", "bool_type": "expected true or false",
        "string_type": "expected a text string",
        "tuple_type": "expected a list", "list_type": "expected a list",
        "dict_type": "expected a table (key = value pairs)",
        "model_type": "expected a table (key = value pairs)",
    }
    if kind in plain:
        text = plain[kind]
    elif kind == "literal_error":
        text = f"expected {ctx.get('expected', 'another value')}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {"greater_than": ("more than", "gt"), "greater_than_equal": ("at least", "ge"),
                 "less_than": ("less than", "lt"), "less_than_equal": ("at most", "le")}[kind]
        limit = ctx.get(bound[1])
        text = f"must be {bound[0]} {limit:g}" if isinstance(limit, (int, float)) else \
            f"must be {bound[0]} {limit}"
    elif kind == "missing" and loc and isinstance(loc[-1], int):
        return f"too few values (item {loc[-1] + 1} is missing)"
    elif kind == "too_long":
        text = f"too many values (at most {ctx.get('max_length')})"
    elif kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    else:
        text = str(error["msg"]).split("\n", 1)[0]
    given = error.get("input")
    if isinstance(given, (str, int, float, bool)):
        shown = json.dumps(given, ensure_ascii=False)
        text += f", got {shown if len(shown) <= 40 else shown[:37] + '…'}"
    return text


def _describe(exc: ValidationError, where: str, echo: bool = True) -> str:
    if not echo:  # a file outside the repository: its keys and values are not repeated
        return (f"{where}: invalid configuration (details of a file outside the repository "
                "are not shown)")
    first = exc.errors()[0]
    loc = first["loc"]
    if first["type"] == "missing" and loc and isinstance(loc[-1], int):
        loc = loc[:-1]  # a missing list item: the key is the list
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif not _UNION_TAG.match(str(part)):
            key += ("." if key else "") + str(part).replace("_", "-")
    key = key or "(root)"
    if first["type"] == "extra_forbidden":
        known = _keys(Thresholds if key.startswith("thresholds.") else Config)
        close = difflib.get_close_matches(key.rsplit(".", 1)[-1], known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"{where}: unknown configuration key '{key}'{hint}"
    return f"{where}: invalid value for '{key}': {_plain(first)}"


def _validate(data: object, where: str, echo: bool = True) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the configuration must be a table/mapping")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, where, echo)) from None
    return config.model_copy(update={"source": where})


def _text(data: bytes | ParseError, where: str) -> str:
    if isinstance(data, ParseError):
        raise ConfigError(f"{where}: {data.message}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: cannot read: not UTF-8 text") from None


def _section(document: dict[str, Any]) -> object:
    """``[tool.mlops-lint]`` of a TOML document, or ``None``."""
    tool = document.get("tool")
    return tool.get("mlops-lint") if isinstance(tool, dict) else None


def _from_text(text: str, name: str, where: str, echo: bool) -> Config:
    """The configuration in ``text`` (file ``name``); ``echo`` False for a file outside
    the repository, whose content never appears in a message."""
    if name.endswith(".toml"):
        try:
            document = load_toml(text)
        except ValueError as exc:
            detail = f": {exc}" if echo else ""
            raise ConfigError(f"{where}: cannot read: invalid TOML{detail}") from None
        if name == "pyproject.toml":
            return _validate(_section(document) or {}, f"{where} [tool.mlops-lint]", echo)
        section = _section(document)
        return _validate(section if section is not None else document, where, echo)
    from mlops_lint.parsers.yaml_file import YamlError, load_yaml

    try:
        data = load_yaml(text)
    except YamlError as exc:
        detail = f": {exc}" if echo else ""
        raise ConfigError(f"{where}: cannot read: invalid YAML{detail}") from None
    return _validate(data if data is not None else {}, where, echo)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _read_yaml(root: Path, path: Path, where: str) -> object:
    """A configuration YAML of the repository: read only when its whole path resolves
    inside the root, through the capped safe read."""
    from mlops_lint.parsers.yaml_file import YamlError, load_yaml
    from mlops_lint.safe_read import read_inside

    text = _text(read_inside(root, path, path.name), where)
    try:
        return load_yaml(text)
    except YamlError as exc:
        raise ConfigError(f"{where}: cannot read: invalid YAML: {_one_line(exc)}") from None


def _configures_mlops_lint(text: str) -> bool:
    """Whether broken TOML text holds mlops-lint settings: a ``[tool.mlops-lint...]``
    header, a ``mlops-lint...`` key in the ``[tool]`` table, or a dotted
    ``tool.mlops-lint...`` key before any table."""
    table = ""
    for raw in text.splitlines():
        line = raw[:1000]
        header = _HEADER.match(line)
        if header:
            table = re.sub(r"[\s\"']", "", header.group(1))
            if table == "tool.mlops-lint" or table.startswith("tool.mlops-lint."):
                return True
            continue
        key = _KEY.match(line)
        if key is None:
            continue
        name = table + "." + re.sub(r"[\s\"']", "", key.group(1)) if table else \
            re.sub(r"[\s\"']", "", key.group(1))
        if name == "tool.mlops-lint" or name.startswith("tool.mlops-lint."):
            return True
    return False


def _pyproject_section(root: Path) -> object:
    """The ``[tool.mlops-lint]`` value of the repository's pyproject.toml, ``None`` when
    there is none. A pyproject.toml that cannot be parsed is a finding (PY001), not a
    configuration error, unless it holds mlops-lint settings: those would be lost."""
    from mlops_lint.safe_read import read_inside

    pyproject = root / "pyproject.toml"
    if not (pyproject.exists() or pyproject.is_symlink()):
        return None
    data = read_inside(root, pyproject, pyproject.name)
    if isinstance(data, ParseError):
        if data.message.startswith("cannot read"):
            raise ConfigError(f"{pyproject.name}: {data.message}")  # e.g. permissions
        return None  # outside the root, too large, a loop: not a configuration
    text = data.decode("utf-8", "replace")
    try:
        document = load_toml(text)
    except ValueError as exc:
        if _configures_mlops_lint(text):
            raise ConfigError(
                f"pyproject.toml cannot be parsed ({_one_line(exc)}), so its "
                "[tool.mlops-lint] settings cannot be read: fix it or pass --config FILE"
            ) from None
        return None
    tool = document.get("tool")
    return tool.get("mlops-lint") if isinstance(tool, dict) else None


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Find and validate the configuration for the repository at ``root``; its
    ``source`` says where it came from (``None``: no configuration, the defaults).

    An ``explicit`` file (``--config``) is trusted: it may live anywhere, and paths in
    it (rule packs, the coverage report) may point outside the repository. The files
    found in the repository are read only when their whole path resolves inside it.
    """
    from mlops_lint.safe_read import read_capped

    root = root.resolve()
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file not found: {explicit}")
        inside = explicit.resolve().is_relative_to(root)
        text = _text(read_capped(explicit, explicit.name), str(explicit))
        config = _from_text(text, explicit.name, str(explicit), echo=inside)
        return config.model_copy(update={"trusted": True})
    found: list[tuple[str, object]] = []
    section = _pyproject_section(root)
    if section is not None:
        found.append((PYPROJECT_SOURCE, section))
    for name in YAML_NAMES:
        path = root / name
        if path.exists() or path.is_symlink():
            found.append((name, _read_yaml(root, path, name)))
    configured = [(where, data) for where, data in found if data not in (None, {})]
    if len(configured) > 1:
        names = " and ".join(where for where, _ in configured)
        raise ConfigError(f"mlops-lint is configured in both {names}: keep one, "
                          "or choose one with --config FILE")
    chosen = configured or found
    if not chosen:
        return Config()
    where, data = chosen[0]
    return _validate(data if data is not None else {}, where)
