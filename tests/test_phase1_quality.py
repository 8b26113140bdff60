"""PY008 lint/format stack, PY009 production hygiene, PY011 complexity."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.config import Config, Thresholds
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

RUFF = '[tool.ruff]\nline-length = 88\n[tool.ruff.lint]\nselect = ["E", "F", "I", "B"]\n'
HOOKS = """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.1.6
    hooks:
{hooks}
"""
CI = "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n{steps}\n"
PY = {"src/p/a.py": "x = 1\n"}


def hooks(*ids: str) -> str:
    return HOOKS.format(hooks="\n".join(f"      - id: {i}" for i in ids))


def steps(*runs: str) -> str:
    return CI.format(steps="\n".join(f"      - run: {r}" for r in runs))


# -- PY008 ---------------------------------------------------------------------------------


def test_py008_ruff_in_pre_commit(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"pyproject.toml": RUFF, **PY,
                      ".pre-commit-config.yaml": hooks("ruff", "ruff-format")})
    results = results_for(root, "PY008")
    assert statuses(results) == ["pass"]
    assert (results[0].path, results[0].line) == ("pyproject.toml", 1)


def test_py008_ruff_in_ci_via_make(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"ruff.toml": 'line-length = 120\n[lint]\nextend-select = ["I"]\n', **PY,
                      "Makefile": "lint:\n\truff check .\n\truff format --check .\n",
                      ".github/workflows/ci.yml": steps("make lint")})
    results = results_for(root, "PY008")
    assert statuses(results) == ["pass"]  # default E4/E7/E9/F plus I
    assert "line-length 120 is outside the guide's 88-100" in results[0].message.en


@pytest.mark.parametrize(("files", "words"), [
    ({"pyproject.toml": '[tool.ruff.lint]\nselect = ["E", "F"]\n'}, "'I' in ruff's select"),
    ({"pyproject.toml": "[tool.ruff]\n"}, "'I' in ruff's select"),
    ({"pyproject.toml": RUFF, ".pre-commit-config.yaml": hooks("ruff")},
     "ruff format (or black)"),
    ({".pre-commit-config.yaml": hooks("ruff", "ruff-format")}, "ruff config"),
])
def test_py008_incomplete_ruff(make_repo: MakeRepo, results_for: Results,
                               files: dict[str, str], words: str) -> None:
    # Some linting in place is the practice started: a partial stack warns (half credit).
    results = results_for(make_repo({**files, **PY}), "PY008")
    assert statuses(results) == ["warn"] and words in results[0].message.en
    assert results[0].message.en.startswith("Ruff stack incomplete")


def test_py008_ruff_all_and_black_formatter(make_repo: MakeRepo, results_for: Results) -> None:
    config = '[tool.ruff.lint]\nselect = ["ALL"]\n'
    root = make_repo({"pyproject.toml": config, **PY,
                      ".github/workflows/ci.yml": steps("ruff check . || true", "black --check .")})
    results = results_for(root, "PY008")
    assert statuses(results) == ["pass"]
    assert "ignores failures" in results[0].message.en and "CI007" in results[0].message.en


def test_py008_classic_trio(make_repo: MakeRepo, results_for: Results) -> None:
    files = {"pyproject.toml": "[tool.black]\nline-length = 88\n[tool.isort]\nprofile = 'black'\n",
             "setup.cfg": "[flake8]\nmax-line-length = 88\n", **PY,
             ".github/workflows/ci.yml": steps("black --check .", "isort --check .",
                                               "flake8 src")}
    assert statuses(results_for(make_repo(files), "PY008")) == ["pass"]
    partial = {**files, ".github/workflows/ci.yml": steps("black --check .", "isort --check .")}
    results = results_for(make_repo(partial), "PY008")
    assert statuses(results) == ["warn"]
    assert "Black + isort + Flake8 stack incomplete: missing flake8 in CI or pre-commit" in \
        results[0].message.en


def test_py008_nothing(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo(PY), "PY008")
    assert statuses(results) == ["fail"]
    assert results[0].path is None


# -- PY009 ---------------------------------------------------------------------------------

HYGIENE = '''\
import logging

logger = logging.getLogger(__name__)


def load(path):
    try:
        return open(path).read()
    except Exception:
        pass


def parse(text):
    try:
        return int(text)
    except:
        return 0


def ok(text):
    try:
        return int(text)
    except Exception:
        logger.exception("bad")
        return 0


def also_ok(text):
    try:
        return int(text)
    except (ValueError, BaseException) as exc:
        raise RuntimeError(text) from exc


def narrow(text):
    try:
        return int(text)
    except ValueError:
        return 0


def report(x):
    print(x)


if __name__ == "__main__":
    print(report(1))
'''


def test_py009_findings(make_repo: MakeRepo, results_for: Results) -> None:
    # the package imports the module: library code, though it has a main block
    results = results_for(make_repo({"src/p/__init__.py": "from p.m import report\n",
                                     "src/p/m.py": HYGIENE}), "PY009")
    found = [(r.status.value, r.line, r.message.en.split(";")[0]) for r in results]
    assert found == [
        ("fail", 9, "'except Exception:' swallows the error (pass/continue) without logging or "
                    "re-raising"),
        ("warn", 16, "'except:' handles the error without logging or re-raising it"),
        ("fail", 43, "print() in library code"),
    ]


def test_py009_cli_modules_tests_and_clean_code(make_repo: MakeRepo, results_for: Results) -> None:
    cli = "import click\n\n@click.command()\ndef main():\n    print('hi')\n"
    root = make_repo({"src/p/cli.py": cli, "src/p/__main__.py": "print('x')\n",
                      "tests/test_a.py": "def test_a():\n    print('debug')\n"})
    results = results_for(root, "PY009")
    assert statuses(results) == ["pass"] and "2 library file(s)" in results[0].message.en
    assert statuses(results_for(make_repo({"README.md": ""}), "PY009")) == ["skip"]


def test_py009_finds_handlers_in_nested_blocks(make_repo: MakeRepo, results_for: Results) -> None:
    source = ("def f(cmd):\n    match cmd:\n        case 'go':\n            for _ in range(2):\n"
              "                try:\n                    pass\n                except Exception:\n"
              "                    continue\n")
    results = results_for(make_repo({"src/p/m.py": source}), "PY009")
    assert [(r.status.value, r.line) for r in results] == [("fail", 7)]


def test_py009_caps_the_list(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"src/p/m.py": "print(1)\n" * 25}), "PY009")
    assert len(results) == 21
    assert [r.path for r in results if "and 5 more" in r.message.en] == [None]


# -- PY011 ---------------------------------------------------------------------------------


def branches(name: str, count: int) -> str:
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(count))
    return f"def {name}(x):\n{body}    return -1\n"


def test_py011_simple_code_passes_both_levels(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"src/p/m.py": '"""Doc."""\n\n\ndef f(x):\n    return x + 1\n'})
    results = results_for(root, "PY011")
    assert [(r.level, r.status.value) for r in results] == [(2, "pass"), (3, "pass")]


def test_py011_complex_function_fails(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"src/p/m.py": branches("tangled", 22) + branches("ok", 2),
                      "tests/test_m.py": branches("test_big", 40)})
    results = results_for(root, "PY011")
    assert [(r.level, r.status.value) for r in results] == [(2, "fail"), (3, "fail")]
    assert results[0].line == 1 and "tangled has cyclomatic complexity 23 (grade D" in \
        results[0].message.en
    assert "mean complexity" in results[1].message.en
    lenient = Config(thresholds=Thresholds.model_validate({"max-complexity": 30}))
    assert statuses(results_for(root, "PY011", config=lenient), 2) == ["pass"]


def test_py011_maintainability_index(make_repo: MakeRepo, results_for: Results) -> None:
    body = "".join(f"    if x == {i}:\n        y = x * {i} + {i} - (x // {i + 1}) ** 2\n"
                   for i in range(15))
    dense = "".join(f"def f{j}(x):\n{body}    return -1\n" for j in range(12))
    root = make_repo({"src/p/dense.py": dense, "src/p/tiny.py": "def g(x):\n    return x\n"})
    results = results_for(root, "PY011")
    level3 = [r for r in results if r.level == 3]
    assert [r.status.value for r in level3] == ["fail"]
    assert "maintainability index below grade A (20) in src/p/dense.py 0" in level3[0].message.en
    assert (level3[0].path, level3[0].line) == ("src/p/dense.py", 1)


def test_py011_methods_closures_and_no_code(make_repo: MakeRepo, results_for: Results) -> None:
    nested = "class A:\n    def m(self, x):\n" + "".join(
        f"        def inner{i}(y):\n            return y if y else {i}\n" for i in range(2)) \
        + "        return x\n"
    results = results_for(make_repo({"src/p/m.py": nested + branches("big", 21)}), "PY011")
    assert statuses(results, 2) == ["fail"] and "big has" in results[0].message.en
    assert statuses(results_for(make_repo({"src/p/m.py": "X = 1\n"}), "PY011")) == ["skip"] * 2
