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


# -- PY009: an entry script that reports the exception on stderr reports it --------------------

PREPARE = """\
import sys


def process(lines):
    for num, line in enumerate(lines):
        try:
            int(line)
        except Exception as ex:
            sys.stderr.write(f"Skipping the broken line {num}: {ex}\\n")


def main():
    process(sys.argv[1:])


if __name__ == "__main__":
    main()
"""


def test_py009_stderr_report_in_an_entry_script(make_repo: MakeRepo,
                                                results_for: Results) -> None:
    root = make_repo({"src/prepare.py": PREPARE})
    assert statuses(results_for(root, "PY009")) == ["pass"]
    printed = PREPARE.replace('sys.stderr.write(f"Skipping the broken line {num}: {ex}\\n")',
                              'print("skipping", num, ex, file=sys.stderr)')
    assert statuses(results_for(make_repo({"src/prepare.py": printed}), "PY009")) == ["pass"]


def test_py009_stderr_report_edges(make_repo: MakeRepo, results_for: Results) -> None:
    # stderr without the exception hides what went wrong: still a warning
    silent = PREPARE.replace("{num}: {ex}", "{num}")
    results = results_for(make_repo({"src/prepare.py": silent}), "PY009")
    assert statuses(results) == ["warn"]
    assert "without logging or re-raising" in results[0].message.en
    # in library code (no entry point) stderr is reported as what it is
    library = PREPARE.split("\n\ndef main")[0] + "\n"
    results = results_for(make_repo({"src/pkg/prepare.py": library,
                                     "src/pkg/__init__.py": ""}), "PY009")
    assert statuses(results) == ["warn"]
    assert "reports the error on stderr instead of logging it" in results[0].message.en


# -- PY010: variants of the target names and recipes that do the job --------------------------

MAKEFILE = """\
help:
\t@grep -E '^[a-z-]+:' Makefile
install-dev:
\tpip install -e .[dev]
lint-all:
\tflake8 templates examples
\tblack --check templates examples
test-examples: install-dev
\tpytest examples
"""


def test_py010_prefixed_and_suffixed_targets(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"Makefile": MAKEFILE, "a.py": ""}), "PY010")
    level1 = [r for r in results if r.level == 1]
    assert statuses(level1) == ["pass"]
    assert "test as test-examples, lint as lint-all" in level1[0].message.en
    # a target whose recipe runs the tool does the job whatever its name
    by_recipe = "setup:\n\tpip install .\nqa:\n\truff check .\nunit:\n\tpython -m pytest -q\n"
    results = results_for(make_repo({"Makefile": by_recipe, "a.py": ""}), "PY010")
    assert statuses([r for r in results if r.level == 1]) == ["pass"]


def test_py010_generic_names_are_not_variants(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    # "bootstrap-check" is no lint target, "run-tests" is no serve target, and
    # "contest" only contains "test"
    makefile = ("install:\n\tpip install .\nbootstrap-check:\n\twhich docker\n"
                "contest:\n\techo hi\nrun-tests:\n\techo later\n")
    results = results_for(make_repo({"Makefile": makefile, "a.py": ""}), "PY010")
    level1 = [r for r in results if r.level == 1][0]
    assert level1.status.value == "fail" and "lint" in level1.message.en
    level2 = [r for r in results if r.level == 2][0]
    assert "serve" in level2.message.en
