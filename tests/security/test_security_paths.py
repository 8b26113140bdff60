"""Repository content never makes the tool read a file outside the repository.

A committed symlink (the configuration, a parent directory such as ``htmlcov``), a
``rule-packs`` entry with ``../`` or an absolute path, a ``coverage-report`` in the
repository's configuration: each is refused, and the file's content never appears in
a message. Only the command line (``--config``, ``--coverage-report``) may name a file
outside the root; that file is read with the size cap, and its content is not echoed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from security_packs import team_pack

from mlops_lint.cli import cli
from mlops_lint.config import Config
from mlops_lint.parsers import ParseError
from mlops_lint.repo import Repo

SECRET = "root:$6$SECRETHASH:19000:0:99999:7:::"
PACK = team_pack("file_exists", "{globs: [README.md]}")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout + result.stderr


def secret_file(tmp_path: Path, name: str = "shadow", text: str = SECRET) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    path = outside / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


def cobertura(rate: str) -> str:
    return f'<?xml version="1.0"?>\n<coverage line-rate="{rate}" version="7"></coverage>\n'


def test_config_symlink_outside_is_refused_and_not_echoed(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "# x\n"})
    (root / ".mlops-lint.yaml").symlink_to(secret_file(tmp_path))
    code, out = invoke("check", str(root))
    assert code == 2 and "outside the repository" in out
    assert "SECRETHASH" not in out and "Traceback" not in out


def test_pyproject_symlink_outside_is_not_read_for_configuration(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "# x\n"})
    target = secret_file(tmp_path, "pyproject.toml",
                         '[tool.mlops-lint]\nSECRETKEY = "SECRETVALUE"\n')
    (root / "pyproject.toml").symlink_to(target)
    code, out = invoke("check", str(root), "--format", "json", "--exit-zero")
    assert code == 0
    assert "SECRETKEY" not in out and "SECRETVALUE" not in out


def test_rule_pack_outside_the_root_is_refused(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    pack = secret_file(tmp_path, "pack.yaml", PACK)
    for entry in (str(pack), f"../{tmp_path.name}/outside/pack.yaml",
                  "../outside/pack.yaml"):
        root = make_repo({"README.md": "# x\n",
                          ".mlops-lint.yaml": f"rule-packs: [{json.dumps(entry)}]\n"})
        code, out = invoke("check", str(root))
        assert code == 2, out
        assert "outside the repository" in out or "not found" in out
    inside = make_repo({"README.md": "# x\n", "packs/team.yaml": PACK,
                        ".mlops-lint.yaml": "rule-packs: [packs/team.yaml]\n"})
    (inside / "packs" / "link.yaml").symlink_to(pack)
    code, _ = invoke("check", str(inside), "--exit-zero")
    assert code == 0
    (inside / ".mlops-lint.yaml").write_text("rule-packs: [packs/link.yaml]\n",
                                             encoding="utf-8")
    code, out = invoke("check", str(inside))
    assert code == 2 and "outside the repository" in out


def test_explicit_config_may_point_outside_but_is_not_echoed(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "# x\n"})
    pack = secret_file(tmp_path, "pack.yaml", PACK)
    config = secret_file(tmp_path, "team.yaml", f"rule-packs: [{json.dumps(str(pack))}]")
    code, out = invoke("check", str(root), "--config", str(config), "--select", "TEAM",
                       "--format", "json")
    assert code == 0, out
    assert json.loads(out)["results"][0]["rule"] == "TEAM001"
    bad = secret_file(tmp_path, "bad.yaml", "SECRETKEY: 1\n")
    code, out = invoke("check", str(root), "--config", str(bad))
    assert code == 2 and "SECRETKEY" not in out and "not shown" in out


def test_coverage_report_from_the_repository_must_stay_inside(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    report = secret_file(tmp_path, "coverage.xml", cobertura("0.9876"))
    for entry in (str(report), f"../{tmp_path.name}/outside/coverage.xml"):
        root = make_repo({"README.md": "# x\n", "pyproject.toml": "[project]\nname='x'\n",
                          "tests/test_a.py": "def test_a():\n    assert 1\n",
                          ".mlops-lint.yaml": f"coverage-report: {json.dumps(entry)}\n"})
        _, out = invoke("check", str(root), "--select", "TEST004", "--format", "json",
                           "--exit-zero")
        rows = json.loads(out)["results"]
        assert {r["status"] for r in rows} == {"skip"}, rows
        assert "98.8" not in out
    # the same file named on the command line is read
    _, out = invoke("check", str(root), "--select", "TEST004", "--format", "json",
                       "--exit-zero", "--coverage-report", str(report))
    assert {r["status"] for r in json.loads(out)["results"]} == {"pass"}


def test_symlinked_directory_outside_is_not_read(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.html").write_text(
        '<span class="pc_cov">97.125%</span>', encoding="utf-8")
    root = make_repo({"README.md": "# x\n", "pyproject.toml": "[project]\nname='x'\n",
                      "tests/test_a.py": "def test_a():\n    assert 1\n"})
    (root / "htmlcov").symlink_to(elsewhere, target_is_directory=True)
    repo = Repo(root)
    text = repo.text("htmlcov/index.html")
    assert isinstance(text, ParseError) and "outside the repository" in text.message
    _, out = invoke("check", str(root), "--select", "TEST004", "--format", "json",
                       "--exit-zero")
    rows = json.loads(out)["results"]
    assert {r["status"] for r in rows} == {"skip"} and "97.1" not in out


def test_device_symlinks_are_never_read(tmp_path: Path) -> None:
    """No git: the walk reads .gitignore files; one linked to /dev/zero is refused."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".gitignore").symlink_to("/dev/zero")
    (root / "data.csv").symlink_to("/dev/zero")
    repo = Repo(root)
    text = repo.text("data.csv")
    assert isinstance(text, ParseError) and "outside" in text.message


def test_trusted_paths_are_only_those_of_the_command_line() -> None:
    assert not Config(**{"coverage-report": "x.xml"}).coverage_report_trusted
    assert Config().with_overrides(coverage_report="x.xml").coverage_report_trusted
    assert not Config(**{"coverage-report": "x.xml"}).with_overrides(
        lang="es").coverage_report_trusted
    assert os.sep  # the flag is never read from a file
    assert "coverage_report_trusted" not in Config().model_dump()
