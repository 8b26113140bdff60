"""Shell commands, INI files, mypy config discovery, .gitignore matching and the places a
tool runs (CI, make, pre-commit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.ini import as_flag, parse_ini
from mlops_lint.parsers.invocations import MYPY, Tool, tool_runs
from mlops_lint.parsers.mypy_config import MypyConfig, find_mypy_config, toml_table_line
from mlops_lint.parsers.shell import split_commands, unwrap
from mlops_lint.repo import Repo

# -- shell ------------------------------------------------------------------------------


def test_split_commands_unwraps_runners_and_sees_swallowing() -> None:
    script = ("pip install mypy && mypy --strict src || true\n"
              "poetry run python -m mypy src  # comment\n"
              "FOO=1 uv run --with x ruff check . ; ruff format --check .\n"
              "python -c \"import x; print(1)\" | tee out\n"
              "set +e\nblack .\nset -e\n"
              "conda run -n env pytest -q\n"
              "pre-commit run --all-files \\\n  --show-diff-on-failure\n"
              "echo \"unterminated\n# a comment line\n\n")
    rows = [(c.argv, c.swallowed) for c in split_commands(script)]
    assert rows[:2] == [(("pip", "install", "mypy"), True), (("mypy", "--strict", "src"), True)]
    assert (("mypy", "src"), False) in rows
    assert (("ruff", "check", "."), False) in rows
    assert (("ruff", "format", "--check", "."), False) in rows
    assert (("python", "-c", "import x; print(1)"), False) in rows
    assert (("black", "."), True) in rows
    assert (("pytest", "-q"), False) in rows
    assert (("pre-commit", "run", "--all-files", "--show-diff-on-failure"), False) in rows
    assert split_commands("mypy src || echo failed")[0].swallowed
    assert not split_commands("mypy src; pytest || echo failed")[0].swallowed


def test_unwrap() -> None:
    assert unwrap(["env", "A=1", "sudo", "time", "python3", "-m", "pytest"]) == ["pytest"]
    assert unwrap(["poetry", "install"]) == ["poetry", "install"]
    assert unwrap(["uvx", "ruff", "check"]) == ["ruff", "check"]
    assert unwrap([]) == []
    # the command a compound command's part runs, not its reserved word
    guarded = split_commands("if [ -f requirements.txt ]; then pip install -r "
                             "requirements.txt; fi")
    assert [c.argv for c in guarded][:2] == [("[", "-f", "requirements.txt", "]"),
                                             ("pip", "install", "-r", "requirements.txt")]


# -- INI and mypy config -----------------------------------------------------------------


def test_parse_ini() -> None:
    ini = parse_ini("[mypy]\nstrict = True\nDisallow_Untyped_Defs = yes\n\n"
                    "['remote \"s\"']\nurl = s3://b  # comment\n")
    assert ini.flag("mypy", "strict") and ini.flag("mypy", "disallow_untyped_defs")
    assert ini.line("mypy") == 1 and ini.line("'remote \"s\"'") == 5
    assert ini.get("'remote \"s\"'", "url") == "s3://b"
    assert ini.get("nope", "x") is None and not ini.flag("mypy", "missing")
    assert as_flag(True) and as_flag("on") and not as_flag("0") and not as_flag(None)


def test_toml_table_line() -> None:
    text = "[project]\nname='x'\n\n[tool.mypy]\nstrict=true\n[ tool . ruff . lint ]\n"
    assert toml_table_line(text, "tool.mypy") == 4
    assert toml_table_line(text, "tool.ruff") == 6
    assert toml_table_line(text, "tool.black") is None


def test_mypy_config_precedence(make_repo: Callable[..., Path]) -> None:
    root = make_repo({
        "pyproject.toml": "[tool.mypy]\nstrict = true\n",
        "mypy.ini": "[mypy]\ndisallow_untyped_defs = True\n",
        "setup.cfg": "[mypy]\nstrict = True\n",
        "sub/setup.cfg": "[flake8]\nmax-line-length = 88\n",
        "sub/.mypy.ini": "[mypy]\nstrict = True\n",
    })
    repo = Repo(root)
    found = find_mypy_config(repo, ["."])
    assert isinstance(found, MypyConfig)
    assert (found.path, found.strict, found.disallow_untyped_defs) == ("mypy.ini", False, True)
    assert found.shadowed == ("pyproject.toml", "setup.cfg")
    nested = find_mypy_config(repo, ["sub", "."])
    assert isinstance(nested, MypyConfig) and nested.path == "sub/.mypy.ini" and nested.strict


def test_mypy_config_absent_or_broken(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"pyproject.toml": "[tool.black]\n", "setup.cfg": "[flake8]\n"})
    assert find_mypy_config(Repo(root), ["."]) is None
    broken = make_repo({"mypy.ini": "[mypy\nstrict = True\n"})
    assert isinstance(find_mypy_config(Repo(broken), ["."]), ParseError)
    bad_toml = make_repo({"pyproject.toml": "[tool.mypy\n"})
    assert isinstance(find_mypy_config(Repo(bad_toml), ["."]), ParseError)


# -- .gitignore --------------------------------------------------------------------------


def test_gitignore_rules(make_repo: Callable[..., Path]) -> None:
    root = make_repo({
        ".gitignore": "*.pyc\n.env*\n!.env.example\nbuild/\n",
        "data/.gitignore": "/raw\n",
        "keep.txt": "",
    })
    rules = ignore_rules(Repo(root))
    assert rules.root is not None and rules.root.path == ".gitignore"
    assert rules.ignored("pkg/a.pyc") and rules.ignored(".env") and rules.ignored(".env.prod")
    assert not rules.ignored(".env.example")
    assert rules.ignored("build/x/y.txt")  # a parent directory is ignored
    assert rules.ignored("data/raw") and rules.ignored("data/raw/x.csv")
    assert not rules.ignored("raw/x.csv") and not rules.ignored("keep.txt")
    assert ignore_rules(Repo(make_repo({"a": ""}))).root is None


# -- invocations -------------------------------------------------------------------------

WORKFLOW = """\
name: ci
on: [push]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: mypy --strict src
      - run: mypy tests || true
      - run: make typecheck
      - run: pre-commit run --all-files
      - uses: pre-commit/action@v3.0.1
        continue-on-error: true
      - run: pre-commit run mypy
      - run: make -C missing typecheck
"""
PRECOMMIT = """\
repos:
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v1.7.0
    hooks:
      - id: mypy
        files: ^app/
  - repo: local
    hooks:
      - id: types
        name: types
        entry: dmypy run -- src
        language: system
        types: [python]
"""
MAKEFILE = "typecheck: inner\n\t-mypy src\ninner:\n\t$(MAKE) deeper\ndeeper:\n\tmypy --strict .\n"


def test_tool_runs_everywhere(make_repo: Callable[..., Path]) -> None:
    root = make_repo({".github/workflows/ci.yml": WORKFLOW, ".pre-commit-config.yaml": PRECOMMIT,
                      "Makefile": MAKEFILE, "src/pkg/a.py": "x = 1\n"})
    runs = tool_runs(Repo(root), MYPY)
    table = {(r.where, r.via, r.text, r.blocking, r.checks_files) for r in runs}
    assert ("ci", None, "mypy --strict src", True, True) in table
    assert ("ci", None, "mypy tests", False, True) in table
    assert ("ci", "make typecheck", "mypy src", False, True) in table  # '-' recipe prefix
    assert ("ci", "make deeper", "mypy --strict .", True, True) in table  # nested $(MAKE)
    assert ("ci", "pre-commit run", "mypy", True, False) in table  # files: ^app/ matches nothing
    assert ("ci", "pre-commit run", "dmypy run -- src", True, True) in table
    assert ("ci", "pre-commit/action", "dmypy run -- src", False, True) in table
    assert ("pre-commit", None, "mypy", True, False) in table
    assert ("make", "make typecheck", "mypy src", False, True) in table
    assert ("make", "make deeper", "mypy --strict .", True, True) in table
    only_mypy = [r for r in runs if r.via == "pre-commit run" and r.hook is not None
                 and r.hook.id == "mypy"]
    assert len(only_mypy) == 2  # `--all-files` and `run mypy`
    described = next(r for r in runs if r.where == "pre-commit").describe()
    assert described.startswith("pre-commit .pre-commit-config.yaml:")


def test_tool_runs_with_a_bad_hook_regex(make_repo: Callable[..., Path]) -> None:
    config = ("repos:\n  - repo: local\n    hooks:\n      - id: mypy\n        name: m\n"
              "        entry: mypy\n        language: system\n        files: '('\n")
    root = make_repo({".pre-commit-config.yaml": config, "a.py": ""})
    (run,) = tool_runs(Repo(root), MYPY)
    assert not run.checks_files and run.problem and "invalid regular expression" in run.problem


@pytest.mark.parametrize("broken", ["repos: [", ""])
def test_tool_runs_ignore_unreadable_configs(make_repo: Callable[..., Path],
                                             broken: str) -> None:
    root = make_repo({".pre-commit-config.yaml": broken, "Makefile": "x:\n\techo\n"})
    tool = Tool("echo", lambda s: s.program == "echo")
    assert [(r.where, r.text) for r in tool_runs(Repo(root), tool)] == [("make", "echo")]
