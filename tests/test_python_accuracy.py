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
