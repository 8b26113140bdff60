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


# --- precedence: one place configures mlops-lint, and the report says which ---------


def test_both_pyproject_and_yaml_with_settings_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.mlops-lint]\nlang = 'es'\n")
    write(tmp_path / ".mlops-lint.yaml", "min-level: 2\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert "pyproject.toml [tool.mlops-lint] and .mlops-lint.yaml" in message
    assert "--config" in message
    # an explicit file settles it
    assert load_config(tmp_path, tmp_path / ".mlops-lint.yaml").min_level == 2


def test_an_empty_table_or_file_does_not_compete(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.mlops-lint]\n")
    write(tmp_path / ".mlops-lint.yaml", "lang: es\n")
    config = load_config(tmp_path)
    assert config.lang == "es" and config.source == ".mlops-lint.yaml"
    write(tmp_path / "pyproject.toml", "[tool.mlops-lint]\nlang = 'es'\n")
    write(tmp_path / ".mlops-lint.yaml", "# nothing yet\n")
    assert load_config(tmp_path).source == "pyproject.toml [tool.mlops-lint]"


def test_yaml_and_yml_together_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / ".mlops-lint.yaml", "lang: es\n")
    write(tmp_path / ".mlops-lint.yml", "lang: en\n")
    with pytest.raises(ConfigError, match=r"\.mlops-lint\.yaml and \.mlops-lint\.yml"):
        load_config(tmp_path)


@pytest.mark.parametrize("text", [
    "[tool.mlops-lint]\nlang = 'es'\n[project\n",
    "[tool.mlops-lint.waivers]\nDATA001 = \n",
    "[tool]\nmlops-lint = {lang = 'es'\n",
    "tool.mlops-lint.lang = 'es'\n[broken\n",
])
def test_unparseable_pyproject_with_settings_is_an_error(tmp_path: Path, text: str) -> None:
    write(tmp_path / "pyproject.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "pyproject.toml cannot be parsed" in str(info.value)
    assert "[tool.mlops-lint] settings cannot be read" in str(info.value)
    assert "\n" not in str(info.value)


def test_unparseable_pyproject_naming_the_tool_elsewhere_is_not_an_error(
        tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml",
          "[project.scripts]\nmlops-lint = 'x'\n[project\ndependencies = ['mlops-lint']\n")
    write(tmp_path / ".mlops-lint.yaml", "lang: es\n")
    assert load_config(tmp_path).lang == "es"


@pytest.mark.parametrize("value, expected", [
    ("'2'", 2),
    ("'4=2'", {4: 2}),
    ("'4=2,6=1'", {4: 2, 6: 1}),
    ("'4=2 6=1'", {4: 2, 6: 1}),
    ("['4=2', '6=1']", {4: 2, 6: 1}),
    ("['1', '7=3']", {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 3}),
    ("{4 = 2}", {4: 2}),
    ("2", 2),
])
def test_min_level_accepts_the_command_line_forms(tmp_path: Path, value: str,
                                                  expected: object) -> None:
    write(tmp_path / "pyproject.toml", f"[tool.mlops-lint]\nmin-level = {value}\n")
    assert load_config(tmp_path).min_level == expected


@pytest.mark.parametrize("body, message", [
    ("min-level: '4=x'\n",
     "invalid value for 'min-level': expects N or PHASE=N (e.g. 2 or 4=2), got '4=x'"),
    ("min-level: '9=1'\n", "invalid value for 'min-level': phases are 1-7"),
    ("min-level: 2.5\n", "invalid value for 'min-level': expected a whole number, got 2.5"),
    ("lang: fr\n", "invalid value for 'lang': expected 'en' or 'es', got \"fr\""),
    ("fail-under: lots\n", "invalid value for 'fail-under': expected a number, got \"lots\""),
    ("fail-under: 120\n", "invalid value for 'fail-under': must be at most 100, got 120"),
    ("exclude: [1]\n", "invalid value for 'exclude[0]': expected a text string, got 1"),
    ("thresholds:\n  coverage: [70, 80]\n",
     "invalid value for 'thresholds.coverage': too few values (item 3 is missing)"),
    ("thresholds:\n  large-file-kb: 0\n",
     "invalid value for 'thresholds.large-file-kb': must be more than 0, got 0"),
    ("thresholds:\n  k8s-require-cpu-limit: maybe\n",
     "invalid value for 'thresholds.k8s-require-cpu-limit': expected true or false"),
    ("waivers: [DATA001]\n", "invalid value for 'waivers': expected a table (key = value pairs)"),
    ("selectt: [DOCK]\n", "unknown configuration key 'selectt' (did you mean 'select'?)"),
    ("thresholds:\n  coverge: [1, 2, 3]\n",
     "unknown configuration key 'thresholds.coverge' (did you mean 'coverage'?)"),
])
def test_messages_are_plain_and_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    write(tmp_path / ".mlops-lint.yaml", body)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    text = str(info.value)
    assert message in text, text
    assert text.startswith(".mlops-lint.yaml: ")
    assert "\n" not in text and "Input should" not in text and "Value error" not in text


def test_select_accepts_a_comma_string(tmp_path: Path) -> None:
    write(tmp_path / ".mlops-lint.yaml", "select: 'DOCK, K8S'\nignore: DOCK009\n")
    config = load_config(tmp_path)
    assert config.select == ("DOCK", "K8S") and config.ignore == ("DOCK009",)


def test_rendered_config_is_toml_that_reads_back(tmp_path: Path) -> None:
    import tomllib

    from mlops_lint.config_render import render_config

    write(tmp_path / "pyproject.toml", """
[tool.mlops-lint]
ignore = ["OBS008"]
min-level = "4=2,6=1"
exclude = ["a \\"quoted\\" dir/**"]
[tool.mlops-lint.waivers]
DATA001 = "docs/adr/ADR 1.md"
[tool.mlops-lint.thresholds]
coverage = [60, 75, 90]
""")
    config = load_config(tmp_path)
    text = render_config(config)
    assert text.splitlines()[0] == "# source: pyproject.toml [tool.mlops-lint]"
    assert "# fail-under: not set" in text
    again = tomllib.loads(text)["tool"]["mlops-lint"]
    assert Config.model_validate(again) == config.model_copy(update={"source": None})
    assert render_config(Config(lang="es"), options=True).splitlines()[:2] == [
        "# origen: valores por defecto (sin [tool.mlops-lint] en pyproject.toml ni "
        ".mlops-lint.yaml)", "# + opciones de la línea de órdenes"]
