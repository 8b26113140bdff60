"""Accuracy of the phase-1 Python rules (PY001-PY011, DES001) on real stacks: rules about
Python code are not applicable where there is none, templates are templates, and the
well-known equivalents of a practice earn it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

PY_RULES = ("PY001", "PY002", "PY003", "PY004", "PY005", "PY006", "PY007", "PY008",
            "PY009", "PY010", "PY011")


# -- no Python code: not applicable -----------------------------------------------------------


def test_python_rules_skip_a_repository_without_python(make_repo: MakeRepo,
                                                       results_for: Results) -> None:
    # a documentation repository: Markdown and a template named *.toml, no .py
    root = make_repo({"README.md": "# guide\n", "docs/index.md": "# x\n",
                      "docs/templates/pyproject_template.toml": "[project]\nname = 'x'\n"})
    for rule in PY_RULES:
        results = results_for(root, rule)
        assert set(statuses(results)) == {"skip"}, rule
        assert "not applicable: no Python code" in results[0].message.en, rule


def test_python_rules_apply_to_python_code(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"src/pkg/__init__.py": "", "src/pkg/train.py": "def f(x):\n    return x\n"})
    assert statuses(results_for(root, "PY004")) == ["fail", "fail"]
    assert statuses(results_for(root, "PY001")) == ["fail"]
    # a pyproject.toml alone (no .py yet) is still judged by PY001
    only = make_repo({"pyproject.toml": "[tool.black]\n"})
    assert statuses(results_for(only, "PY001")) == ["fail"]
    # a Makefile alone is judged by PY010 (its targets are language-neutral)
    make = make_repo({"Makefile": "build:\n\tterraform fmt\n"})
    assert "skip" not in statuses(results_for(make, "PY010"))


# -- Jinja templates --------------------------------------------------------------------------

TEMPLATE = """\
[project]
name = {{ cookiecutter.module_name|tojson }}
{% if cookiecutter.mypy %}
[tool.mypy]
strict = true
{% endif %}
"""


def test_templated_pyproject_is_a_template(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"pyproject.toml": TEMPLATE, "app.py": "x = 1\n"})
    results = results_for(root, "PY001")
    assert statuses(results) == ["skip"] and "Jinja template" in results[0].message.en
    py004 = [r for r in results_for(root, "PY004") if r.level == 2]
    assert statuses(py004) == ["skip"] and "Jinja template" in py004[0].message.en
    broken = make_repo({"pyproject.toml": "[project\n", "app.py": "x = 1\n"})
    assert "does not parse" in results_for(broken, "PY001")[0].message.en


# -- PY006/PY007: a typed configuration object is described as what it is ---------------------

DATACLASS_ENV = """\
import os
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Env:
    workspace_name: Optional[str] = os.environ.get("WORKSPACE_NAME")
    max_nodes: int = int(os.environ.get("MAX_NODES", 4))
"""


def test_py006_typed_dataclass_config_warns(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"ml_service/util/env_variables.py": DATACLASS_ENV,
                      "ml_service/params.json": "{}"})
    results = results_for(root, "PY006")
    assert statuses(results) == ["warn"]
    finding = results[0]
    assert (finding.path, finding.line) == ("ml_service/util/env_variables.py", 7)
    assert "typed frozen dataclass, Env" in finding.message.en
    assert "dicts" not in finding.message.en
    assert finding.fix.en.startswith("advice:") and "pydantic" in finding.fix.en
    py007 = results_for(root, "PY007")
    assert statuses(py007) == ["fail"] and "typed frozen dataclass (Env)" in py007[0].message.en


def test_py006_typed_config_edges(make_repo: MakeRepo, results_for: Results) -> None:
    named_tuple = ("from typing import NamedTuple\n\nclass TrainParams(NamedTuple):\n"
                   "    lr: float\n    epochs: int\n")
    results = results_for(make_repo({"src/p/train.py": named_tuple}), "PY006")
    assert statuses(results) == ["warn"] and "typed NamedTuple, TrainParams" in \
        results[0].message.en
    # a dataclass that is not configuration (a data record) does not count
    record = ("from dataclasses import dataclass\n\n@dataclass\nclass Prediction:\n"
              "    label: str\n    score: float\n")
    results = results_for(make_repo({"src/p/schema.py": record}), "PY006")
    assert statuses(results) == ["fail"]
    assert "no typed configuration object" in results[0].message.en
    # a config dataclass with a single field is too thin to call a configuration object
    thin = "from dataclasses import dataclass\n\n@dataclass\nclass Config:\n    seed: int\n"
    assert statuses(results_for(make_repo({"src/p/config.py": thin}), "PY006")) == ["fail"]


# -- PY003/PY005: a parse failure under a newer requires-python is the tool's limit -----------

NEWER = "def f(x: int) -> int:\n    try:\n        return x\n    except (ValueError) TypeError:\n        return 0\n"


def test_parse_failure_on_newer_project_is_a_parser_limit(make_repo: MakeRepo,
                                                          results_for: Results) -> None:
    pyproject = '[project]\nname = "p"\nrequires-python = ">=3.99"\n'
    files = {"pyproject.toml": pyproject, "src/p/__init__.py": "",
             "src/p/deps.py": NEWER, "src/p/ok.py": '"""Doc."""\n\ndef g() -> int:\n'
             '    """Doc."""\n    return 1\n'}
    root = make_repo(files)
    py005 = results_for(root, "PY005")
    assert "a limit of the tool, not broken files" in py005[0].message.en
    assert "see PY003" not in py005[0].message.en
    py003 = [r for r in results_for(root, "PY003") if r.path == "src/p/deps.py"]
    assert py003 and set(statuses(py003)) == {"skip"}
    assert "probably newer syntax" in py003[0].message.en
    # the same file in a project whose requires-python admits this interpreter is broken
    older = make_repo({**files, "pyproject.toml": pyproject.replace(">=3.99", ">=3.9")})
    assert "see PY003" in results_for(older, "PY005")[0].message.en
    py003 = [r for r in results_for(older, "PY003") if r.path == "src/p/deps.py"]
    assert set(statuses(py003)) == {"warn"}
