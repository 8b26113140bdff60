"""PY003 type-hint coverage, PY004 mypy configured and enforced, PY005 docstrings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.config import Config, Thresholds
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

TYPED = '''\
"""Typed module."""
from typing import Any


class Model:
    """A model."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def fit(self, x: list[float]) -> "Model":
        """Fit."""
        return self

    @staticmethod
    def build(alpha: float) -> "Model":
        """Build."""
        return Model(alpha)

    @classmethod
    def default(cls) -> "Model":
        """Default."""
        return cls(1.0)


def train(*args: Any, **kwargs: Any) -> int:
    """Train."""
    def inner(y: int) -> int:
        return y
    return inner(1)
'''


def rows(results: list[Result]) -> list[tuple[int, str]]:
    return [(r.level, r.status.value) for r in results]


# -- PY003 ---------------------------------------------------------------------------------


def test_py003_fully_typed(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"src/pkg/__init__.py": "", "src/pkg/m.py": TYPED}), "PY003")
    assert rows(results) == [(1, "pass"), (2, "pass"), (3, "pass")]
    assert all("5/5 (100 %) of public functions" in r.message.en for r in results)
    # L1 some typing, L2 the configured ratio (50 %), L3 90 % (levels.md, phase 1).
    assert [r.message.en.split("(needs ")[1][:3] for r in results] == ["one", "50 ", "90 "]
    assert [(r.gate, r.weight) for r in results] == [(False, 1.0), (True, 2.0), (True, 2.0)]


def test_py003_definitions(make_repo: MakeRepo, results_for: Results) -> None:
    source = '''\
class A:
    def m(self, x):  # untyped param, no return
        ...
    @staticmethod
    def s(x: int) -> int:  # typed: static methods have no exempt first param
        return x
    @staticmethod
    def t(y) -> int:  # the first parameter of a staticmethod is not exempt
        return 1
    def __init__(self, a: int):  # __init__ needs no return annotation
        self.a = a

def f(*args, **kwargs) -> None:  # *args/**kwargs must be annotated
    ...

def _private(x: int):  # private: not counted
    def nested(y: int) -> int:
        return y
    return nested(x)

class _Hidden:
    def visible_name(self) -> None:  # method of a private class is private
        ...
'''
    root = make_repo({"src/pkg/__init__.py": "", "src/pkg/a.py": source,
                      "tests/test_a.py": "def test_untyped(x):\n    pass\n"})
    results = results_for(root, "PY003")
    # 2/5 public: some typing (L1), below 50 % (L2) and 90 % (L3)
    assert rows(results) == [(1, "pass"), (2, "fail"), (3, "fail")]
    assert all("2/5 (40 %)" in r.message.en for r in results)  # s and __init__; m, t, f not
    assert results[1].path == "src/pkg/a.py" and results[1].line == 2
    fix = results[1].fix.en
    assert "m(x, return)" in fix and "t(y)" in fix and "f(*args, **kwargs)" in fix


def test_py003_level2_threshold_and_worst_files(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({
        "src/pkg/good.py": "def a() -> None: ...\ndef b() -> None: ...\n",
        "src/pkg/bad.py": "def c(x): ...\ndef d(y): ...\ndef e(z): ...\n",
    })
    results = results_for(root, "PY003")
    assert rows(results)[1] == (2, "fail")  # 2/5 < 50 %
    assert "least typed: src/pkg/bad.py 0/3" in results[1].message.en
    lenient = Config(thresholds=Thresholds.model_validate({"type-hint-ratio": 0.4}))
    assert rows(results_for(root, "PY003", config=lenient))[1] == (2, "pass")


@pytest.mark.parametrize(("typed", "expected"), [
    (0, [(1, "fail"), (2, "fail"), (3, "fail")]),
    (1, [(1, "pass"), (2, "fail"), (3, "fail")]),
    (5, [(1, "pass"), (2, "pass"), (3, "fail")]),
    (8, [(1, "pass"), (2, "pass"), (3, "fail")]),  # 80 % < 90 %
    (9, [(1, "pass"), (2, "pass"), (3, "pass")]),
    (10, [(1, "pass"), (2, "pass"), (3, "pass")]),
])
def test_py003_levels_follow_the_rubric(make_repo: MakeRepo, results_for: Results, typed: int,
                                        expected: list[tuple[int, str]]) -> None:
    source = "".join(f"def f{i}(x: int) -> int: ...\n" if i < typed else f"def f{i}(x): ...\n"
                     for i in range(10))
    results = results_for(make_repo({"src/pkg/__init__.py": "", "src/pkg/m.py": source}),
                          "PY003")
    assert rows(results) == expected
    assert f"{typed}/10" in results[0].message.en


def test_py003_unparseable_files_are_visible(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({
        "src/pkg/ok.py": "def a() -> None: ...\n",
        "src/pkg/tmpl.py": "def {{ name }}():\n    pass\n",
        "src/pkg/old.py": "print 'python 2'\n",
    })
    results = results_for(root, "PY003")
    warns = [r for r in results if r.status.value == "warn"]
    assert {r.path for r in warns} == {"src/pkg/tmpl.py", "src/pkg/old.py"}
    assert all("left out of the type-hint ratio" in r.message.en for r in warns)
    passes = [r for r in results if r.status.value == "pass"]
    assert passes and all("1/1" in r.message.en for r in passes)


GRPC_STUB = """\
# Generated by the gRPC Python protocol compiler plugin. DO NOT EDIT!
import grpc


class PredictStub(object):
    def __init__(self, channel):
        self.Predict = channel.unary_unary('/x')


def add_PredictServicer_to_server(servicer, server):
    pass
"""


def test_generated_code_is_not_the_project_code(make_repo: MakeRepo,
                                                results_for: Results) -> None:
    root = make_repo({
        "src/pkg/m.py": TYPED,
        "src/pkg/demo_pb2_grpc.py": GRPC_STUB,
        "src/pkg/demo_pb2.py": "def helper(x):\n    return x\n",
        "src/pkg/migrations/0001_initial.py": "def forwards(apps, schema):\n    pass\n",
        "src/pkg/db/versions/ab12_add.py": "revision = 'ab12'\ndown_revision = None\n\n"
                                           "def upgrade():\n    pass\n",
        "src/pkg/client.py": "# Code generated by openapi-generator. DO NOT EDIT.\n"
                             "def call(x):\n    return x\n",
    })
    results = results_for(root, "PY003")
    assert rows(results) == [(1, "pass"), (2, "pass"), (3, "pass")], \
        [r.message.en for r in results]
    assert "5 generated file(s) left out" in results[0].message.en
    docs = results_for(root, "PY005")
    assert "demo_pb2_grpc" not in " ".join(r.message.en for r in docs)
    # a hand-written module that merely mentions the words in a docstring still counts
    own = make_repo({"src/pkg/m.py": TYPED,
                     "src/pkg/notes.py": 'def f(x):\n    """Do not edit by hand."""\n'})
    assert rows(results_for(own, "PY003"))[2] == (3, "fail")


def test_py003_no_functions_and_flat_layout(make_repo: MakeRepo, results_for: Results) -> None:
    assert statuses(results_for(make_repo({"src/pkg/c.py": "X = 1\n"}), "PY003")) == ["skip"] * 3
    flat = make_repo({"model.py": "def predict(x): ...\n", "scripts/run.py": "def go(): ...\n"})
    results = results_for(flat, "PY003")
    assert rows(results) == [(1, "fail"), (2, "fail"), (3, "fail")]
    assert "0/1" in results[0].message.en
    private_only = make_repo({"src/p/a.py": "def _a() -> None: ...\n"})
    assert rows(results_for(private_only, "PY003")) == [(1, "skip"), (2, "skip"), (3, "skip")]


# -- PY004 ---------------------------------------------------------------------------------

STRICT = "[tool.mypy]\nstrict = true\n"
CI_MYPY = """\
on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: pip install -e ".[dev]"
      - name: types
        run: mypy src
{extra}
"""
SRC = {"src/pkg/__init__.py": "", "src/pkg/a.py": "def a() -> None: ...\n"}


def test_py004_strict_and_blocking_ci(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"pyproject.toml": STRICT, **SRC,
                      ".github/workflows/ci.yml": CI_MYPY.format(extra="")})
    results = results_for(root, "PY004")
    assert rows(results) == [(2, "pass"), (3, "pass")]
    assert (results[0].path, results[0].line) == ("pyproject.toml", 1)
    assert results[1].path == ".github/workflows/ci.yml" and results[1].line == 7


def test_py004_continue_on_error_is_not_enforcement(make_repo: MakeRepo,
                                                     results_for: Results) -> None:
    ci = CI_MYPY.format(extra="").replace("run: mypy src", "run: mypy src\n"
                                          "        continue-on-error: true")
    results = results_for(make_repo({"pyproject.toml": STRICT, **SRC,
                                     ".github/workflows/ci.yml": ci}), "PY004")
    # Configured (L2), but the only run swallows its failures: not enforced (L3).
    assert rows(results) == [(2, "pass"), (3, "fail")]
    assert "failures are ignored" in results[1].message.en
    assert (results[1].path, results[1].line) == (".github/workflows/ci.yml", 7)


def test_py004_or_true_and_pre_commit(make_repo: MakeRepo, results_for: Results) -> None:
    ci = CI_MYPY.format(extra="").replace("run: mypy src", "run: mypy src || true")
    hook = ("repos:\n  - repo: https://github.com/pre-commit/mirrors-mypy\n    rev: v1.7.0\n"
            "    hooks:\n      - id: mypy\n")
    files = {"pyproject.toml": "[tool.mypy]\ndisallow_untyped_defs = true\n", **SRC,
             ".github/workflows/ci.yml": ci}
    results = results_for(make_repo(files), "PY004")
    assert rows(results) == [(2, "pass"), (3, "fail")]
    assert "failures are ignored" in results[1].message.en
    results = results_for(make_repo({**files, ".pre-commit-config.yaml": hook}), "PY004")
    # A pre-commit hook that matches files blocks: level 3; strict mode is advice.
    assert rows(results) == [(2, "pass"), (3, "pass")]
    assert results[1].message.en.startswith("mypy runs and blocks in pre-commit")
    assert "(not strict: strict = true or --strict checks more)" in results[1].message.en
    assert results[1].path == ".pre-commit-config.yaml"


def test_py004_hook_whose_files_match_nothing(make_repo: MakeRepo, results_for: Results) -> None:
    hook = ("repos:\n  - repo: https://github.com/pre-commit/mirrors-mypy\n    rev: v1.7.0\n"
            "    hooks:\n      - id: mypy\n        files: ^app/\n")
    root = make_repo({"pyproject.toml": STRICT, **SRC, ".pre-commit-config.yaml": hook})
    results = results_for(root, "PY004")
    assert rows(results) == [(2, "pass"), (3, "fail")]
    assert "never runs: files: ^app/ matches none of the repository's Python files" in \
        results[1].message.en
    assert results[1].path == ".pre-commit-config.yaml" and results[1].line == 5


def test_py004_a_makefile_target_alone_is_not_automatic(make_repo: MakeRepo,
                                                         results_for: Results) -> None:
    root = make_repo({"pyproject.toml": STRICT, **SRC, "Makefile": "lint:\n\tmypy src\n"})
    results = results_for(root, "PY004")
    assert rows(results) == [(2, "pass"), (3, "fail")]
    assert results[1].message.en == "mypy is not run automatically by CI or a pre-commit hook"
    assert [(r.gate, r.weight) for r in results] == [(False, 1.0), (True, 2.0)]


def test_py004_makefile_target_and_strict_flag(make_repo: MakeRepo, results_for: Results) -> None:
    makefile = "typecheck:\n\tmypy --strict src\n"
    ci = CI_MYPY.format(extra="").replace("run: mypy src", "run: make typecheck")
    root = make_repo({"mypy.ini": "[mypy]\ndisallow_untyped_defs = True\n", **SRC,
                      "Makefile": makefile, ".github/workflows/ci.yml": ci})
    results = results_for(root, "PY004")
    assert rows(results) == [(2, "pass"), (3, "pass")]
    assert "via make typecheck" in results[1].message.en


@pytest.mark.parametrize(("files", "status", "words"), [
    ({}, "fail", "no mypy configuration"),
    # A configuration without strict/disallow_untyped_defs is partial: a warning.
    ({"mypy.ini": "[mypy]\nwarn_return_any = True\n"}, "warn",
     "sets neither strict = true nor disallow_untyped_defs = true: untyped functions"),
    ({"setup.cfg": "[mypy\n"}, "fail", "does not parse"),
])
def test_py004_configuration_problems(make_repo: MakeRepo, results_for: Results,
                                      files: dict[str, str], status: str, words: str) -> None:
    results = results_for(make_repo({**files, **SRC, "Makefile": "lint:\n\tmypy src\n"}),
                          "PY004")
    assert [r.status.value for r in results if r.level == 2] == [status]
    assert words in results[0].message.en


def test_py004_config_of_a_sub_folder_package(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    # the only pyproject.toml sits in a sub-folder that is not a project of its own (no
    # src/ or tests/): mypy run there reads its [tool.mypy]
    pyproject = "[project]\nname = 'c'\n\n[tool.mypy]\ndisallow_untyped_calls = true\n"
    root = make_repo({"client/pyproject.toml": pyproject, "client/check.py": "",
                      "infra/main.tf": ""})
    results = results_for(root, "PY004")
    assert rows(results) == [(2, "warn"), (3, "fail")]
    assert results[0].message.en.startswith("[tool.mypy] in client/pyproject.toml sets neither")
    assert (results[0].path, results[0].line) == ("client/pyproject.toml", 4)
    # one under docs/ or examples/ is not the project's configuration
    root = make_repo({"examples/demo/pyproject.toml": STRICT, "a.py": ""})
    assert "no mypy configuration" in results_for(root, "PY004")[0].message.en


def test_py004_mypy_ini_shadows_pyproject(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"pyproject.toml": STRICT, "mypy.ini": "[mypy]\npython_version = 3.11\n",
                      **SRC, "Makefile": "lint:\n\tmypy src\n"})
    results = results_for(root, "PY004")
    assert rows(results)[0] == (2, "warn")
    assert "mypy.ini sets neither" in results[0].message.en


# -- PY005 ---------------------------------------------------------------------------------


def test_py005_levels(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"src/p/m.py": TYPED}), "PY005")
    assert rows(results) == [(2, "pass"), (3, "pass")]
    partial = TYPED.replace('        """Default."""\n', "")
    results = results_for(make_repo({"src/p/m.py": partial}), "PY005")
    assert rows(results) == [(2, "pass"), (3, "fail")]  # 4/5 >= 80 %
    assert "4/5" in results[1].message.en and "src/p/m.py:Model.default" in results[1].fix.en
    bare = "class A:\n    def f(self) -> None: ...\n\ndef g() -> None: ...\n"
    results = results_for(make_repo({"src/p/m.py": bare}), "PY005")
    assert rows(results) == [(2, "fail"), (3, "fail")]


def test_py005_skips_private_dunders_and_overloads(make_repo: MakeRepo,
                                                   results_for: Results) -> None:
    source = '''\
from typing import overload

def _helper() -> None: ...

class _Private:
    def x(self) -> None: ...

class Public:
    """Doc."""
    def __repr__(self) -> str: ...
    @property
    def value(self) -> int:
        """Doc."""
        return 1
    @value.setter
    def value(self, v: int) -> None: ...

@overload
def f(x: int) -> int: ...
def f(x: object) -> object:
    """Doc."""
    return x

if True:
    def g() -> None:
        """Doc."""
'''
    results = results_for(make_repo({"src/p/m.py": source}), "PY005")
    assert rows(results) == [(2, "pass"), (3, "pass")]
    assert "4/4" in results[0].message.en


def test_py005_nothing_public_and_enforcement_note(make_repo: MakeRepo,
                                                   results_for: Results) -> None:
    assert statuses(results_for(make_repo({"src/p/m.py": "X = 1\n"}), "PY005")) == ["skip"] * 2
    ruff = '[tool.ruff.lint]\nselect = ["E", "F", "D"]\n'
    results = results_for(make_repo({"src/p/m.py": TYPED, "pyproject.toml": ruff}), "PY005")
    assert "enforced by ruff D" in results[0].message.en
