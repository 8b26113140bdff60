"""The GitHub Action (``action.yml``, composite): it parses, and its shell steps run
locally with bash against a fixture, the ``GITHUB_*`` files set to temp files, the way
the runner would run them (``${{ ... }}`` expressions substituted first)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from test_report_common import FIXTURES

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
EXPR = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not available")


def action() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))
    return data


def test_action_metadata() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    assert set(data["inputs"]) >= {"path", "min-level", "fail-under", "format", "sarif-file",
                                   "lang", "version"}
    assert all("description" in spec for spec in data["inputs"].values())
    outputs = data["outputs"]
    assert outputs["level"]["value"] == "${{ steps.run.outputs.level }}"
    assert outputs["score"]["value"] == "${{ steps.run.outputs.score }}"
    for step in data["runs"]["steps"]:
        assert step["shell"] == "bash" and "id" in step
        for expression in EXPR.findall(json.dumps(step)):
            assert re.fullmatch(r"inputs\.[\w-]+|github\.action_path|steps\.\w+\.outputs\.\w+",
                                expression), expression
    for script in ("install.sh", "run.sh"):
        done = subprocess.run(["bash", "-n", str(ROOT / "scripts" / "action" / script)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def read_outputs(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines()
                if "=" in line)


class Runner:
    """Just enough of the Actions runner for this composite action."""

    def __init__(self, tmp: Path, workspace: Path, inputs: dict[str, str]) -> None:
        self.tmp = tmp
        self.workspace = workspace
        defaults = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()}
        self.inputs = {**defaults, **inputs}
        self.outputs: dict[str, dict[str, str]] = {}
        self.summary = tmp / "step_summary.md"
        self.summary.write_text("", encoding="utf-8")

    def evaluate(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression == "github.action_path":
                return str(ROOT)
            if expression.startswith("inputs."):
                return self.inputs[expression[len("inputs."):]]
            _, step, _, name = expression.split(".")
            return self.outputs.get(step, {}).get(name, "")
        return EXPR.sub(value, text)

    def run_step(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        output = self.tmp / f"output_{step['id']}"
        output.write_text("", encoding="utf-8")
        env = {**os.environ,
               "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(self.summary),
               "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_WORKSPACE": str(self.workspace),
               "RUNNER_TEMP": str(self.tmp), "CI": "true"}
        env.update({k: self.evaluate(str(v)) for k, v in step.get("env", {}).items()})
        done = subprocess.run(["bash", "-e", "-c", self.evaluate(step["run"])],
                              cwd=self.workspace, env=env, capture_output=True, text=True,
                              timeout=900)
        self.outputs[step["id"]] = read_outputs(output)
        return done

    def step(self, step_id: str) -> dict[str, Any]:
        steps: list[dict[str, Any]] = action()["runs"]["steps"]
        return next(s for s in steps if s["id"] == step_id)


def workspace(tmp_path: Path) -> Path:
    name = "mid-level" if (FIXTURES / "mid-level").is_dir() else sorted(
        p.name for p in FIXTURES.glob("*/") if p.is_dir())[0]
    root = tmp_path / "workspace"
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns("expected.json"))
    return root


def run_locally(tmp_path: Path, inputs: dict[str, str],
                exe: Path | None = None) -> tuple[Runner, subprocess.CompletedProcess[str]]:
    runner = Runner(tmp_path, workspace(tmp_path), inputs)
    # The install step's output, as the real step would write it (tested below).
    runner.outputs["install"] = {"exe": str(exe or BIN / "mlops-lint")}
    return runner, runner.run_step(runner.step("run"))


def test_run_step_writes_outputs_summary_annotations_and_sarif(tmp_path: Path) -> None:
    runner, done = run_locally(tmp_path, {"min-level": "7=0", "sarif-file": "out/ml.sarif",
                                          "format": "json"})
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = runner.outputs["run"]
    assert set(outputs) == {"level", "score", "passed", "sarif-file"}
    assert outputs["passed"] == "true" and outputs["sarif-file"] == "out/ml.sarif"
    assert outputs["level"] in {"0", "1", "2", "3"} and 0 <= int(outputs["score"]) <= 100
    sarif = json.loads((runner.workspace / "out" / "ml.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert done.stdout.count("::notice title=mlops-lint::") == 1
    # The extra log report (format: json) agrees with the outputs.
    log = done.stdout[done.stdout.index("\n{") + 1:]
    report = json.loads(log[:log.index("\n::") + 1])
    assert str(report["summary"]["level"]) == outputs["level"]
    assert str(report["summary"]["score"]) == outputs["score"]
    assert "## mlops-lint" in runner.summary.read_text(encoding="utf-8")


def test_a_failing_gate_fails_the_step_and_still_writes_outputs(tmp_path: Path) -> None:
    runner, done = run_locally(tmp_path, {"min-level": "4=3, 7=3", "fail-under": "99",
                                          "lang": "es", "format": "none"})
    assert done.returncode == 1
    outputs = runner.outputs["run"]
    assert outputs["passed"] == "false" and "level" in outputs and "score" in outputs
    assert "--min-level 4=3 --min-level 7=3 --fail-under 99 --lang es" in done.stdout
    assert "Puerta: fallida" in done.stdout
    # the default sarif-file ("auto") is written in the job's scratch directory
    assert not (runner.workspace / "mlops-lint.sarif").exists()
    assert outputs["sarif-file"] == str(tmp_path / "mlops-lint.sarif")
    assert (tmp_path / "mlops-lint.sarif").is_file()
    assert "Qué bloquea el siguiente nivel" in runner.summary.read_text(encoding="utf-8")


def test_usage_errors_exit_2_without_outputs(tmp_path: Path) -> None:
    runner, done = run_locally(tmp_path, {"path": "does-not-exist", "sarif-file": ""})
    assert done.returncode == 2
    assert "does not exist" in done.stdout  # inside the stop-commands window
    assert runner.outputs["run"] == {}


def test_baseline_input(tmp_path: Path) -> None:
    runner = Runner(tmp_path, workspace(tmp_path), {})
    subprocess.run([str(BIN / "mlops-lint"), "check", ".", "--write-baseline", "base.json",
                    "--exit-zero"], cwd=runner.workspace, capture_output=True, check=True)
    runner.inputs.update({"baseline": "base.json", "format": "text"})
    runner.outputs["install"] = {"exe": str(BIN / "mlops-lint")}
    done = runner.run_step(runner.step("run"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "known failure(s) baselined" in done.stdout


def _pypi_reachable() -> bool:
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
    try:
        with urllib.request.urlopen(index.rstrip("/") + "/pip/", timeout=10):
            return True
    except Exception:
        return False


@pytest.mark.slow
@pytest.mark.integration
def test_install_step_installs_the_actions_own_code(tmp_path: Path) -> None:
    if not _pypi_reachable():
        pytest.skip("PyPI is not reachable: the install step downloads dependencies")
    runner = Runner(tmp_path, workspace(tmp_path), {"min-level": "7=0"})
    installed = runner.run_step(runner.step("install"))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    exe = Path(runner.outputs["install"]["exe"])
    assert exe.is_file() and str(exe).startswith(str(tmp_path))
    assert "mlops-lint" in installed.stdout  # mlops-lint --version
    done = runner.run_step(runner.step("run"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert runner.outputs["run"]["passed"] == "true"
