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

NEWER = ("def f(x: int) -> int:\n    try:\n        return x\n"
         "    except (ValueError) TypeError:\n        return 0\n")


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
    level1 = next(r for r in results if r.level == 1)
    assert level1.status.value == "fail" and "lint" in level1.message.en
    level2 = next(r for r in results if r.level == 2)
    assert "serve" in level2.message.en


# -- DES001: status from an ADR index, alternatives weighed elsewhere, RFC-style records -------

ADR_BODY = """\
## ADR-{n:03d}: {title}

### Contexto
Necesitamos {title}.

### Decisión
Usar {title}.

### Alternativas Consideradas
- **Otra**: peor

### Consecuencias
- Bien
"""


def _adr_doc(index: str) -> str:
    body = "\n".join(ADR_BODY.format(n=n, title=t) for n, t in ((1, "Python"), (2, "FastAPI")))
    return f"# Decisiones\n\n## Índice\n\n{index}\n\n{body}"


def test_des001_status_from_the_index_table(make_repo: MakeRepo, results_for: Results) -> None:
    index = ("| # | Decisión | Estado |\n|:--|:--|:--|\n| 001 | Python | ✅ Aceptada |\n"
             "| 002 | FastAPI | ✅ Aceptada |")
    root = make_repo({"docs/DECISIONES_TECH.md": _adr_doc(index)})
    level3 = [r for r in results_for(root, "DES001") if r.level == 3]
    assert statuses(level3) == ["pass"]
    # an ADR the index does not list still lacks its status
    partial = index.rsplit("\n", 1)[0]
    level3 = [r for r in results_for(make_repo({"docs/DECISIONES_TECH.md": _adr_doc(partial)}),
                                     "DES001") if r.level == 3]
    assert statuses(level3) == ["fail"] and level3[0].message.en.startswith("ADR-002")
    assert "lacks status" in level3[0].message.en
    # a table without a status column is no index
    plain = index.replace("Estado", "Módulo")
    level3 = [r for r in results_for(make_repo({"docs/DECISIONES_TECH.md": _adr_doc(plain)}),
                                     "DES001") if r.level == 3]
    assert set(statuses(level3)) == {"fail"}


def test_des001_status_from_the_adr_folder_index(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    adr = ("# ADR-{n}: {t}\n\n## Context\nx\n\n## Decision\ny\n\n## Alternatives\nz\n\n"
           "## Consequences\nw\n")
    readme = ("# Decisions\n\n| ADR | Title | Status |\n|---|---|---|\n"
              "| [ADR-001](0001-python.md) | Python | Accepted |\n"
              "| [ADR-002](0002-api.md) | API | Superseded |\n")
    root = make_repo({"docs/adr/0001-python.md": adr.format(n=1, t="Python"),
                      "docs/adr/0002-api.md": adr.format(n=2, t="API"),
                      "docs/adr/README.md": readme})
    level3 = [r for r in results_for(root, "DES001") if r.level == 3]
    assert statuses(level3) == ["pass"]


RATIONALE_ADR = """\
# ADR-{n}: Promotion gates

## Status
Accepted

## Context
We promote models.

## Decision
Use environment protection rules.

## Rationale
**Why environment protection instead of a custom approval bot?**
It is built in.

## Consequences
Slower promotion.
"""


def test_des001_alternatives_weighed_in_a_rationale_warn(make_repo: MakeRepo,
                                                         results_for: Results) -> None:
    root = make_repo({f"docs/decisions/ADR-00{n}-gates.md": RATIONALE_ADR.format(n=n)
                      for n in (1, 2)})
    level3 = [r for r in results_for(root, "DES001") if r.level == 3]
    assert statuses(level3) == ["warn", "warn"]
    assert "no Alternatives section; other options are weighed in the 'Rationale' section " \
           "(line 12)" in level3[0].message.en
    assert "lacks alternatives" not in level3[0].message.en
    # without any weighing, alternatives are still missing
    bare = RATIONALE_ADR.replace("## Rationale\n**Why environment protection instead of a "
                                 "custom approval bot?**\n", "## Notes\n")
    root = make_repo({f"docs/decisions/ADR-00{n}-gates.md": bare.format(n=n) for n in (1, 2)})
    level3 = [r for r in results_for(root, "DES001") if r.level == 3]
    assert set(statuses(level3)) == {"fail"} and "lacks alternatives" in level3[0].message.en


RFC = """\
# {title}

## Summary
A change.

## Motivation
Why.

## Proposal
What.

```yaml
status:
  phase: ready
```

## Drawbacks
Cost.

## Alternatives
Scripts or Terraform.
"""


def test_des001_rfc_style_proposals_are_design_records(make_repo: MakeRepo,
                                                       results_for: Results) -> None:
    root = make_repo({"proposals/TEMPLATE.md": RFC.format(title="Title"),
                      "proposals/oci.md": RFC.format(title="OCI integration"),
                      "proposals/lora.md": RFC.format(title="LoRA adapters")})
    results = results_for(root, "DES001")
    level2 = [r for r in results if r.level == 2]
    assert statuses(level2) == ["pass"] and "2 ADR(s)" in level2[0].message.en
    # the YAML example's status: key is not the record's status
    level3 = [r for r in results if r.level == 3]
    assert set(statuses(level3)) == {"fail"}
    assert all("lacks status" in r.message.en for r in level3)
