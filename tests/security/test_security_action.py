"""The Action run from a hostile checkout: it never imports the linted repository's Python
files, and repository text never becomes a workflow command in the job log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_integration_action import BIN, Runner, _pypi_reachable, workspace

# Modules an interpreter started in the checkout would pick up from the current directory.
HOSTILE = ("json", "runpy", "pip", "venv", "ensurepip", "encodings_x", "site_x")


def plant(root: Path, marks: Path) -> None:
    """Python files that, if ever imported, leave a mark outside the checkout."""
    marks.mkdir()
    payload = "import pathlib; pathlib.Path({!r}).write_text('ran')\n"
    for name in HOSTILE:
        (root / f"{name}.py").write_text(payload.format(str(marks / name)), encoding="utf-8")
    package = root / "mlops_lint"
    package.mkdir()
    (package / "__init__.py").write_text(payload.format(str(marks / "mlops_lint")),
                                         encoding="utf-8")
    (package / "__main__.py").write_text(payload.format(str(marks / "mlops_lint_main")),
                                         encoding="utf-8")


def test_run_step_never_imports_the_checkouts_python(tmp_path: Path) -> None:
    runner = Runner(tmp_path, workspace(tmp_path), {"min-level": "7=0", "format": "text"})
    marks = tmp_path / "marks"
    plant(runner.workspace, marks)
    runner.outputs["install"] = {"exe": str(BIN / "mlops-lint")}
    done = runner.run_step(runner.step("run"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in marks.iterdir()) == []
    assert runner.outputs["run"]["passed"] == "true"  # the outputs came from the real json


@pytest.mark.slow
@pytest.mark.integration
def test_install_step_never_imports_the_checkouts_python(tmp_path: Path) -> None:
    if not _pypi_reachable():
        pytest.skip("PyPI is not reachable: the install step downloads dependencies")
    runner = Runner(tmp_path, workspace(tmp_path), {"min-level": "7=0"})
    marks = tmp_path / "marks"
    plant(runner.workspace, marks)
    installed = runner.run_step(runner.step("install"))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    done = runner.run_step(runner.step("run"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in marks.iterdir()) == []


FORGED = ("::add-mask::secret", "##[error]forged", "::stop-commands::x",
          "::set-output name=level::3", "##[set-output name=passed]true")


def test_repository_text_never_commands_the_log(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "Dockerfile").write_text(
        "FROM python:3.11-slim\n"
        + "".join(f"# {line}\nRUN echo '{line}'\n" for line in FORGED)
        + "USER root\n", encoding="utf-8")
    (root / "##[error]dir").mkdir()
    (root / "##[error]dir" / "notes.md").write_text("x\n", encoding="utf-8")
    runner = Runner(tmp_path, root, {"min-level": "7=0", "format": "text,markdown"})
    runner.outputs["install"] = {"exe": str(BIN / "mlops-lint")}
    done = runner.run_step(runner.step("run"))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[start].split("::")[2]
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    end = lines.index(f"::{token}::")
    assert start == 0 and end > start
    assert any("mlops-lint check" in line for line in lines[start:end])
    # After the resume marker: only mlops-lint's own annotations, each one line, their
    # repository-derived data unable to start or embed a command.
    after = lines[end + 1:]
    assert after and all(re.match(r"::(error|warning|notice)[ :]", line) for line in after)
    assert not any("##[" in line for line in after)
    assert done.stderr == ""


@pytest.mark.parametrize("inputs,name", [
    ({"min-level": "*"}, "min-level"),
    ({"min-level": "4=2,9=1"}, "min-level"),
    ({"fail-under": "70; rm -rf /"}, "fail-under"),
    ({"lang": "fr"}, "lang"),
    ({"sarif-file": "a\nlevel=3"}, "INPUT_SARIF_FILE"),
])
def test_action_inputs_are_validated(tmp_path: Path, inputs: dict[str, str], name: str) -> None:
    runner = Runner(tmp_path, workspace(tmp_path), inputs)
    runner.outputs["install"] = {"exe": str(BIN / "mlops-lint")}
    done = runner.run_step(runner.step("run"))
    assert done.returncode == 2
    assert f"invalid input '{name}'" in done.stdout
    assert runner.outputs["run"] == {}


def test_a_path_input_is_never_an_option(tmp_path: Path) -> None:
    runner = Runner(tmp_path, workspace(tmp_path), {"path": "--exit-zero", "sarif-file": ""})
    runner.outputs["install"] = {"exe": str(BIN / "mlops-lint")}
    done = runner.run_step(runner.step("run"))
    assert done.returncode == 2  # ./--exit-zero does not exist: a usage error, not an option
    assert "does not exist" in done.stdout
