"""The JSON report validates against its published JSON Schema (docs/schemas), and each
phase's score lies in its level's band."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "report-v2.schema.json").read_text("utf-8"))
FIXTURES = sorted(p.name for p in (ROOT / "fixtures").iterdir() if p.is_dir())


@pytest.mark.parametrize("fixture", FIXTURES)
def test_the_json_report_of_every_fixture_is_valid(fixture: str) -> None:
    done = subprocess.run([sys.executable, "-m", "mlops_lint", "check",
                           str(ROOT / "fixtures" / fixture), "--format", "json", "--exit-zero"],
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    for phase in report["phases"]:
        level, score = phase["level"], phase["score"]
        assert 25 * level <= score <= (100 if level == 3 else 25 * level + 24), phase["phase"]


def test_the_schema_rejects_an_incomplete_or_out_of_range_report() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"schema_version": 2})
    done = subprocess.run([sys.executable, "-m", "mlops_lint", "check",
                           str(ROOT / "fixtures" / FIXTURES[0]), "--format", "json",
                           "--exit-zero"], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    report["phases"][0]["score"] = 101
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(report)


def test_the_report_streamed_result_by_result_is_the_whole_dump(
        make_repo: Any) -> None:
    from mlops_lint.catalog import load_catalog
    from mlops_lint.config import Config
    from mlops_lint.report import json_report
    from mlops_lint.runner import build_report

    root = make_repo({"pyproject.toml": "[project]\nname = 'x'\n",
                      "src/x/__init__.py": "print('ünïcode \u2028 \\n')\n",
                      "Dockerfile": "FROM python:3.11\nCOPY . .\n", "README.md": "# x\n"})
    report = build_report(root, ".", Config(), load_catalog())
    assert report.results
    whole = json.dumps(json_report.as_dict(report), indent=2, ensure_ascii=False) + "\n"
    assert json_report.render(report) == whole
    empty = replace(report, run=replace(report.run, results=()))
    assert json_report.render(empty) == json.dumps(
        json_report.as_dict(empty), indent=2, ensure_ascii=False) + "\n"
