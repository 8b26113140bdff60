"""User configuration: ``[tool.mlops-lint]`` in pyproject.toml or ``.mlops-lint.yaml``.

Unknown keys and bad values raise :class:`ConfigError` naming the key, so the CLI can
exit with code 2 and a one-line message.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mlops_lint.globs import check_glob
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.toml_file import load_toml

_UNION_TAG = re.compile(r"^(int|float|str|bool|none|(dict|list|tuple)\[.*\]|function-.*)$")


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


def _describe(exc: ValidationError, where: str, echo: bool = True) -> str:
    if not echo:  # a file outside the repository: its keys and values are not repeated
        return (f"{where}: invalid configuration (details of a file outside the repository "
                "are not shown)")
    first = exc.errors()[0]
    parts = [str(p).replace("_", "-") for p in first["loc"] if not _UNION_TAG.match(str(p))]
    key = ".".join(parts) or "(root)"
    if first["type"] == "extra_forbidden":
        return f"{where}: unknown configuration key '{key}'"
    return f"{where}: invalid value for '{key}': {first['msg']}"


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


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Find and validate the configuration for the repository at ``root``.

    An ``explicit`` file (``--config``) is trusted: it may live anywhere, and paths in
    it (rule packs, the coverage report) may point outside the repository. The files
    found in the repository are read only when their whole path resolves inside it.
    """
    from mlops_lint.repo import read_capped, read_inside

    root = root.resolve()
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file not found: {explicit}")
        inside = explicit.resolve().is_relative_to(root)
        text = _text(read_capped(explicit, explicit.name), explicit.name)
        config = _from_text(text, explicit.name, explicit.name, echo=inside)
        return config.model_copy(update={"trusted": True})
    pyproject = root / "pyproject.toml"
    if pyproject.exists() or pyproject.is_symlink():
        data = read_inside(root, pyproject, pyproject.name)
        if isinstance(data, ParseError) and data.message.startswith("cannot read"):
            raise ConfigError(f"{pyproject.name}: {data.message}")  # e.g. permissions
        # refused (outside the root, too large, a loop) or broken: a finding of the
        # checks (PY001), not a configuration
        text = "" if isinstance(data, ParseError) else data.decode("utf-8", "replace")
        document: object = {}
        with contextlib.suppress(ValueError):
            document = load_toml(text)
        if isinstance(document, dict) and _section(document) is not None:
            return _from_text(text, pyproject.name, pyproject.name, echo=True)
    for name in (".mlops-lint.yaml", ".mlops-lint.yml"):
        path = root / name
        if path.exists() or path.is_symlink():
            return _from_text(_text(read_inside(root, path, name), name), name, name,
                              echo=True)
    return Config()
