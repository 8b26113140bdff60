"""User configuration: ``[tool.mlops-lint]`` in pyproject.toml or ``.mlops-lint.yaml``.

Unknown keys and bad values raise :class:`ConfigError` naming the key, so the CLI can
exit with code 2 and a one-line message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mlops_lint.globs import check_glob
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

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with command-line options applied (``None`` leaves a value alone)."""
        data = self.model_dump(by_alias=False)
        data.update({k: v for k, v in changes.items() if v is not None})
        data["source"] = self.source
        try:
            return Config.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(_describe(exc, "command line")) from None


def _describe(exc: ValidationError, where: str) -> str:
    first = exc.errors()[0]
    parts = [str(p).replace("_", "-") for p in first["loc"] if not _UNION_TAG.match(str(p))]
    key = ".".join(parts) or "(root)"
    if first["type"] == "extra_forbidden":
        return f"{where}: unknown configuration key '{key}'"
    return f"{where}: invalid value for '{key}': {first['msg']}"


def _validate(data: object, where: str) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the configuration must be a table/mapping")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, where)) from None
    return config.model_copy(update={"source": where})


def _from_file(path: Path) -> Config:
    where = path.name
    if path.suffix == ".toml":
        try:
            document = load_toml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigError(f"{where}: cannot read: {exc}") from None
        if path.name == "pyproject.toml":
            section = document.get("tool", {}).get("mlops-lint", {})
            return _validate(section, f"{where} [tool.mlops-lint]")
        return _validate(document.get("tool", {}).get("mlops-lint", document), where)
    from mlops_lint.parsers.yaml_file import YamlError, load_yaml

    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YamlError) as exc:
        raise ConfigError(f"{where}: cannot read: {exc}") from None
    return _validate(data if data is not None else {}, where)


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Find and validate the configuration for the repository at ``root``."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file not found: {explicit}")
        return _from_file(explicit)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            document = load_toml(pyproject.read_text(encoding="utf-8", errors="replace"))
        except ValueError:
            document = {}  # a broken pyproject is a finding (PY001), not a config error
        if "mlops-lint" in document.get("tool", {}):
            return _from_file(pyproject)
    for name in (".mlops-lint.yaml", ".mlops-lint.yml"):
        if (root / name).is_file():
            return _from_file(root / name)
    return Config()
