"""pre-commit configuration: hooks, pinning and pre-commit's own file selection."""

from __future__ import annotations

import pytest

from mlops_lint.parsers.precommit import file_tags, parse_precommit

CONFIG = """\
files: ^(src|app)/
exclude: ^src/generated/
repos:
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v1.7.0
    hooks:
      - id: mypy
        files: ^src/
        args: [--strict]
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: main
    hooks:
      - id: ruff
      - id: ruff-format
        exclude_types: [jupyter]
  - repo: local
    hooks:
      - id: yaml-only
        name: yaml
        entry: yamllint
        language: system
        types: [yaml]
        pass_filenames: false
      - id: any-python
        entry: mypy
        language: system
        types_or: [python, pyi]
        stages: [pre-push]
  - not-a-mapping
  - repo: https://github.com/x/y
    rev: 0123456789abcdef0123456789abcdef01234567
    hooks:
      - {id: y, files: "("}
      - {name: no-id}
"""
FILES = ["src/pkg/a.py", "src/generated/b.py", "app/c.py", "tests/test_d.py", "src/e.ipynb"]


def test_hooks_and_pinning() -> None:
    config = parse_precommit(CONFIG)
    assert [h.id for h in config.hooks] == ["mypy", "ruff", "ruff-format", "yaml-only",
                                           "any-python", "y"]
    mypy = config.hook("mypy")[0]
    assert mypy.args == ("--strict",) and mypy.line == 7 and mypy.pinned
    assert not config.hook("ruff")[0].pinned  # rev: main is a branch
    assert config.hook("y")[0].pinned  # a full SHA
    local = config.hook("yaml-only")[0]
    assert local.pinned and local.language == "system" and not local.pass_filenames
    assert config.hook("any-python")[0].stages == ("pre-push",)


def test_file_selection() -> None:
    config = parse_precommit(CONFIG)
    assert config.selects(config.hook("mypy")[0], FILES) == ["src/pkg/a.py"]
    assert config.selects(config.hook("ruff")[0], FILES) == ["src/pkg/a.py", "app/c.py",
                                                             "src/e.ipynb"]
    assert config.selects(config.hook("ruff-format")[0], FILES) == ["src/pkg/a.py", "app/c.py"]
    assert config.selects(config.hook("yaml-only")[0], FILES) == []
    assert config.selects(config.hook("any-python")[0], FILES) == ["src/pkg/a.py", "app/c.py"]
    assert "invalid regular expression" in str(config.selects(config.hook("y")[0], FILES))


def test_file_tags() -> None:
    assert "python" in file_tags("a/b.py") and "pyi" in file_tags("x.pyi")
    assert file_tags("Makefile") == frozenset({"file", "text"})


@pytest.mark.parametrize("text", ["- a\n- b\n", "repos: nope\n"])
def test_bad_configs_raise(text: str) -> None:
    with pytest.raises(ValueError):
        parse_precommit(text)
