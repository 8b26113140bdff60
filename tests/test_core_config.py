from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint.config import Config, ConfigError, load_config


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_configured(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.thresholds.coverage == (70, 80, 85)
    assert config.thresholds.large_file_kb == 1000


def test_pyproject_section_with_hyphenated_keys(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", """
[tool.mlops-lint]
ignore = ["OBS008"]
min-level = {4 = 2, 6 = 1}
fail-under = 70
lang = "es"
exclude = ["notebooks/legacy/**"]

[tool.mlops-lint.waivers]
DATA001 = "docs/decisions/ADR-004-no-dvc.md"

[tool.mlops-lint.thresholds]
coverage = [60, 75, 90]
large-file-kb = 500
""")
    config = load_config(tmp_path)
    assert config.ignore == ("OBS008",)
    assert config.min_level == {4: 2, 6: 1}
    assert config.fail_under == 70
    assert config.lang == "es"
    assert config.waivers == {"DATA001": "docs/decisions/ADR-004-no-dvc.md"}
    assert config.thresholds.coverage == (60, 75, 90)
    assert config.thresholds.large_file_kb == 500
    assert config.source == "pyproject.toml [tool.mlops-lint]"


def test_unknown_key_names_the_key(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.mlops-lint]\nselectt = ['DOCK']\n")
    with pytest.raises(ConfigError, match="unknown configuration key 'selectt'"):
        load_config(tmp_path)


def test_unknown_threshold_names_the_dotted_key(tmp_path: Path) -> None:
    write(tmp_path / ".mlops-lint.yaml", "thresholds:\n  covrage: [1, 2, 3]\n")
    with pytest.raises(ConfigError, match=r"thresholds\.covrage"):
        load_config(tmp_path)


@pytest.mark.parametrize("body, fragment", [
    ("lang: fr\n", "lang"),
    ("min-level: 5\n", "min-level"),
    ("min-level: {9: 1}\n", "min-level"),
    ("thresholds:\n  coverage: [90, 80, 70]\n", "thresholds.coverage"),
    ("fail-under: 120\n", "fail-under"),
    ("- just\n- a list\n", "mapping"),
])
def test_bad_values_are_errors(tmp_path: Path, body: str, fragment: str) -> None:
    write(tmp_path / ".mlops-lint.yaml", body)
    with pytest.raises(ConfigError, match=fragment):
        load_config(tmp_path)


def test_yaml_config_and_empty_file(tmp_path: Path) -> None:
    write(tmp_path / ".mlops-lint.yaml", "")
    assert load_config(tmp_path) == Config(source=".mlops-lint.yaml")
    write(tmp_path / ".mlops-lint.yaml", "select: [DOCK, K8S]\nmin-level: 2\n")
    config = load_config(tmp_path)
    assert config.select == ("DOCK", "K8S")
    assert config.min_level == 2


def test_broken_yaml_config_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / ".mlops-lint.yaml", "select: [DOCK\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path)


def test_pyproject_wins_over_yaml_only_when_it_has_the_section(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    write(tmp_path / ".mlops-lint.yaml", "lang: es\n")
    assert load_config(tmp_path).lang == "es"


def test_broken_pyproject_is_not_a_config_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project\nname = \n")
    assert load_config(tmp_path) == Config()


def test_explicit_config_file(tmp_path: Path) -> None:
    explicit = write(tmp_path / "team.toml", "[tool.mlops-lint]\nlang = 'es'\n")
    assert load_config(tmp_path, explicit).lang == "es"
    plain = write(tmp_path / "plain.toml", "lang = 'es'\n")
    assert load_config(tmp_path, plain).lang == "es"
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path, tmp_path / "missing.toml")
    broken = write(tmp_path / "broken.toml", "lang = \n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path, broken)


def test_overrides_apply_and_validate() -> None:
    config = Config().with_overrides(lang="es", select=None, min_level={4: 2})
    assert config.lang == "es" and config.select == ("ALL",) and config.min_level == {4: 2}
    with pytest.raises(ConfigError, match="command line"):
        Config().with_overrides(min_level=7)


def test_union_member_tags_are_not_shown(tmp_path: Path) -> None:
    write(tmp_path / ".mlops-lint.yaml", "min-level: abc\n")
    with pytest.raises(ConfigError, match=r"'min-level':"):
        load_config(tmp_path)
