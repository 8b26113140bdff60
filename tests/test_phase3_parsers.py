"""Parsers used by phase 3: coverage reports, pytest/coverage configuration, commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.coverage import (
    CoverageReportError,
    parse_cobertura,
    parse_coverage_html,
    parse_coverage_json,
    parse_coverage_report,
)
from mlops_lint.parsers.pytest_config import cov_options, invocations, marker_name, read_configs
from mlops_lint.repo import Repo

Build = Callable[..., Path]


def test_cobertura_total() -> None:
    total = parse_cobertura('<coverage line-rate="0.8537" branch-rate="0.5"/>')
    assert total.kind == "cobertura" and total.percent == pytest.approx(85.37)


@pytest.mark.parametrize("text, fragment", [
    ('<!DOCTYPE x [<!ENTITY a "b">]><coverage line-rate="1"/>', "refused"),
    ('<?xml version="1.0"?>\n<!ENTITY a SYSTEM "file:///etc/passwd">', "refused"),
    ("<report/>", "not a Cobertura report"),
    ("<coverage/>", "no line-rate"),
    ('<coverage line-rate="abc"/>', "not a number"),
    ('<coverage line-rate="1.7"/>', "out of range"),
    ('<coverage line-rate="nan"/>', "out of range"),
    ("<coverage", "invalid XML"),
])
def test_cobertura_rejects(text: str, fragment: str) -> None:
    with pytest.raises(CoverageReportError, match=fragment):
        parse_cobertura(text)


def test_cobertura_error_lines() -> None:
    with pytest.raises(CoverageReportError) as info:
        parse_cobertura("<?xml version='1.0'?>\n\n<!DOCTYPE coverage>\n<coverage/>")
    assert info.value.line == 3
    with pytest.raises(CoverageReportError) as info:
        parse_cobertura("<coverage>\n<a>\n</coverage>")
    assert info.value.line == 3


def test_json_and_html_totals() -> None:
    assert parse_coverage_json('{"totals": {"percent_covered": 79.6}}').percent == 79.6
    with pytest.raises(CoverageReportError):
        parse_coverage_json('{"files": {}}')
    with pytest.raises(ValueError):
        parse_coverage_json("{")
    html = '<div><span class="pc_cov title">88%</span><span class="pc_cov">1%</span></div>'
    assert parse_coverage_html(html).percent == 88
    with pytest.raises(CoverageReportError):
        parse_coverage_html("<html><body>no total</body></html>")


def test_report_dispatch_by_name() -> None:
    assert parse_coverage_report("a/coverage.json",
                                 '{"totals": {"percent_covered": 50}}').kind == "json"
    assert parse_coverage_report("htmlcov/index.html",
                                 '<span class="pc_cov">50%</span>').kind == "html"
    assert parse_coverage_report("cov.xml", '<coverage line-rate="0.5"/>').kind == "cobertura"


def test_cov_options_grammar() -> None:
    opts = cov_options(["--cov", "src/pkg", "--cov=other", "--cov-fail-under", "82.5",
                        "-m", "not slow"])
    assert opts.cov and opts.targets == ("src/pkg", "other")
    assert opts.fail_under == 82.5 and opts.markexpr == "not slow"
    bare = cov_options(["--cov", "--cov-report=xml", "-mnot integration"])
    assert bare.targets == ("",) and bare.markexpr == "not integration"
    assert not cov_options(["--cov=src", "--no-cov"]).cov
    assert not cov_options(["--cov=src", "-p", "no:cov"]).cov
    assert not cov_options(["--cov=src", "-pno:cov"]).cov
    assert cov_options(["--cov-fail-under=abc"]).fail_under is None


def test_invocations_in_scripts() -> None:
    script = """\
set -e
poetry run python -m pytest --cov=pkg --cov-fail-under=80 || true
coverage run --source=src/pkg,lib -m pytest -q
coverage report --fail-under 90
coverage html
echo pytest
"""
    found = invocations(script)
    assert [i.kind for i in found] == ["pytest", "coverage-run", "coverage-report"]
    assert found[0].swallowed and found[0].options.fail_under == 80
    assert found[1].options.targets == ("src/pkg", "lib") and found[1].offset == 2
    assert found[2].options.fail_under == 90 and not found[2].swallowed


def test_marker_names() -> None:
    assert marker_name("slow: long tests") == "slow"
    assert marker_name("serial(reason): x") == "serial"


def test_read_configs_precedence(make_repo: Build) -> None:
    root = make_repo({
        "pyproject.toml": ('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
                           "[tool.coverage.report]\nfail_under = 70\n"),
        "setup.cfg": "[coverage:report]\nfail_under = 75\n[coverage:run]\nsource = pkg\n",
        "tox.ini": "[pytest]\ntestpaths = other\n",
    })
    configs = read_configs(Repo(root), ".")
    assert configs.pytest is not None and configs.pytest.path == "pyproject.toml"
    assert configs.pytest.testpaths == ("tests",)
    assert configs.coverage is not None and configs.coverage.path == "setup.cfg"
    assert configs.coverage.fail_under == 75 and configs.coverage.source == ("pkg",)


def test_read_configs_native_toml_and_errors(make_repo: Build) -> None:
    root = make_repo({"pyproject.toml": '[tool.pytest]\ntestpaths = ["t"]\nmarkers = ["slow"]\n'
                                        '[tool.coverage.run]\nsource_pkgs = ["pkg"]\n'})
    configs = read_configs(Repo(root), ".")
    assert configs.pytest is not None and configs.pytest.markers == ("slow",)
    assert configs.coverage is not None and configs.coverage.source == ("pkg",)
    assert configs.coverage.fail_under is None
    root = make_repo({"pyproject.toml": "[tool.pytest.ini_options\n",
                      ".coveragerc": "no section header\n", "pytest.ini": ""})
    configs = read_configs(Repo(root), ".")
    assert configs.pytest is not None and configs.pytest.path == "pytest.ini"
    assert configs.pytest.testpaths == () and configs.pytest.python_files == (
        "test_*.py", "*_test.py")
    assert [e.path for e in configs.errors] == [".coveragerc"]
    assert all(isinstance(e, ParseError) for e in configs.errors)


# -- shared helpers of the phase 3 checks ---------------------------------------------------


def test_literal_path_shapes() -> None:
    import ast

    from mlops_lint.readers.training import literal_path

    def lp(source: str) -> str | None:
        return literal_path(ast.parse(source, mode="eval").body)

    assert lp("'data/raw.csv'") == "data/raw.csv"
    assert lp("f'data/{name}.csv'") == "data/{}"
    assert lp("Path('data') / 'raw' / name") == "data/raw/{}"
    assert lp("os.path.join('configs', 'a.yaml')") == "configs/a.yaml"
    assert lp("Path('models', name, 'x')") == "models/{}"
    assert lp("base / 'x.csv'") is None
    assert lp("Path(base)") is None
    assert lp("load()") is None
    assert literal_path(None) is None


def dep_results(make_repo: Build, files: dict[str, str]) -> str:
    from mlops_lint.catalog import load_catalog
    from mlops_lint.config import Config
    from mlops_lint.engine import run

    schema = ("import pandera as pa\n\n\nclass S(pa.DataFrameModel):\n    a: int\n")
    root = make_repo({"src/demo/__init__.py": "", "src/demo/schemas.py": schema, **files})
    config = Config().model_copy(update={"select": ("DATA005",)})
    results = run(Repo(root), load_catalog(), config).results
    return ",".join(sorted(r.status.value for r in results))


@pytest.mark.parametrize("files, expected", [
    ({"pyproject.toml": '[tool.poetry]\nname = "d"\n[tool.poetry.dependencies]\n'
                        'python = "^3.10"\npandera = "^0.18"\n'}, "pass"),
    ({"pyproject.toml": '[tool.poetry]\nname = "d"\n[tool.poetry.group.test.dependencies]\n'
                        'pandera = "^0.18"\n'}, "warn"),
    ({"pyproject.toml": '[tool.poetry]\nname = "d"\n[tool.poetry.dev-dependencies]\n'
                        'pandera = "*"\n'}, "warn"),
    ({"pyproject.toml": '[project]\nname = "d"\n[dependency-groups]\n'
                        'validation = ["pandera>=0.18", {include-group = "x"}]\n'}, "pass"),
    ({"pyproject.toml": '[project]\nname = "d"\n[tool.pdm.dev-dependencies]\n'
                        'test = ["pandera"]\n'}, "warn"),
    ({"pyproject.toml": '[project]\nname = "d"\n[tool.uv]\ndev-dependencies = ["pandera"]\n'},
     "warn"),
    ({"pyproject.toml": '[project]\nname = "d"\n[tool.hatch.envs.default]\n'
                        'dependencies = ["pandera"]\n'}, "warn"),
    ({"setup.cfg": "[metadata]\nname = d\n[options.extras_require]\nschemas =\n"
                   "    pandera>=0.18\n"}, "pass"),
    ({"setup.cfg": "[options]\ninstall_requires =\n    pandera>=0.18\n"}, "pass"),
    ({"pyproject.toml": '[project]\nname = "d"\n',
      "environment.yml": "dependencies:\n  - python=3.11\n  - pip:\n    - pandera==0.18\n"},
     "pass"),
    ({"pyproject.toml": '[project]\nname = "d"\n',
      "environment.yml": "dependencies:\n  - conda-forge::pandera=0.18\n"}, "pass"),
    ({"pyproject.toml": '[project]\nname = "d"\n',
      "requirements/dev.txt": "pandera\n"}, "warn"),
    ({"pyproject.toml": "[project\n"}, "fail,skip"),
])
def test_declared_dependency_sources(make_repo: Build, files: dict[str, str],
                                     expected: str) -> None:
    assert dep_results(make_repo, files) == expected


def test_dvc_pipeline_outputs_protect_models(make_repo: Build) -> None:
    from mlops_lint.catalog import load_catalog
    from mlops_lint.config import Config
    from mlops_lint.engine import run

    save = ("import json\nimport joblib\nfrom sklearn.metrics import f1_score\n\n\n"
            "def save(p, x, y):\n    joblib.dump(p, 'models/p.joblib')\n"
            "    json.dump({'f1': f1_score(y, p.predict(x))}, open('m.json', 'w'))\n")
    dvc = "stages:\n  train:\n    cmd: python -m demo\n    outs:\n      - models/p.joblib\n" \
          "    metrics:\n      - m.json: {cache: false}\n"
    root = make_repo({"pyproject.toml": '[project]\nname = "d"\n', "src/demo/__init__.py": "",
                      "src/demo/save.py": save, "dvc.yaml": dvc})
    config = Config().model_copy(update={"select": ("ML007",)})
    results = run(Repo(root), load_catalog(), config).results
    assert [r.status.value for r in results] == ["pass"], [r.message.en for r in results]


def test_locations_limit() -> None:
    from mlops_lint.readers.training import locations

    items = [(f"f{i}.py", i) for i in range(7)] + [("g.py", None)]
    assert locations(items, 2) == "f0.py, f1.py:1 (+6)"
