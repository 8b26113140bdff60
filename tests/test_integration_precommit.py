"""pre-commit: the hook manifest, the commit-msg entry point, and both hooks run by the
real ``pre-commit`` against this repository's committed code (HEAD).

The end-to-end tests install the hook environment from PyPI, so they are marked
``slow`` (run them with ``pytest -m slow``) and skip with a reason when pre-commit,
the network or a git checkout is missing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from conftest import GIT_ENV, git, init_git
from mlops_lint.cli import cli
from mlops_lint.commit_msg import SCISSORS, judge
from mlops_lint.parsers.conventional import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def hooks() -> dict[str, dict[str, Any]]:
    data = YAML(typ="safe").load(MANIFEST.read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in data}


# --- the manifest ------------------------------------------------------------------


def test_manifest_declares_both_hooks() -> None:
    found = hooks()
    repo_hook = found["mlops-lint"]
    assert repo_hook["entry"] == "mlops-lint check"
    assert repo_hook["language"] == "python"
    assert repo_hook["pass_filenames"] is False
    assert repo_hook["always_run"] is True
    assert repo_hook["require_serial"] is True
    msg_hook = found["mlops-lint-commit-msg"]
    assert msg_hook["entry"] == "mlops-lint commit-msg"
    assert msg_hook["language"] == "python"
    assert msg_hook["stages"] == ["commit-msg"]


def test_every_hook_names_its_stages() -> None:
    """A hook without ``stages:`` runs at every installed hook type: with
    ``default_install_hook_types: [pre-commit, commit-msg]`` the repository check would
    run twice per commit."""
    found = hooks()
    assert found["mlops-lint"]["stages"] == ["pre-commit", "pre-push", "manual"]
    assert all(hook.get("stages") for hook in found.values())
    assert "commit-msg" not in found["mlops-lint"]["stages"]


def test_manifest_passes_pre_commits_own_validation() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib",
                                    reason="pre-commit is not installed")
    loaded = clientlib.load_manifest(str(MANIFEST))
    assert [h["id"] for h in loaded] == ["mlops-lint", "mlops-lint-commit-msg"]


def test_hook_entries_are_commands_of_the_cli() -> None:
    for hook in hooks().values():
        program, command = hook["entry"].split()
        assert program == "mlops-lint" and command in cli.commands  # type: ignore[attr-defined]


# --- the commit-msg entry point ----------------------------------------------------


@pytest.mark.parametrize("message", [
    "feat(api): add /predict/batch endpoint\n",
    "fix!: drop python 3.9\n\nBREAKING CHANGE: needs 3.10\n",
    "docs: readme\n# Please enter the commit message for your changes.\n#\n",
    "Merge branch 'feature' into main\n",
    "fixup! feat: add x\n",
    'Revert "feat: add x"\n\nThis reverts commit abc.\n',
    f"feat: ok\n{SCISSORS}\ndiff --git a/x b/x\nno blank line rule applies here\n",
])
def test_good_messages_pass(message: str) -> None:
    assert judge(message) == judge(message, "es")
    assert judge(message).ok


@pytest.mark.parametrize("message, problem", [
    ("fixed stuff\n", "no 'type: description' prefix"),
    ("wip\n", "says nothing about the change"),
    ("Feat: add x\n", "must be lower case"),
    ("feature: add x\n", "unknown type 'feature'"),
    ("feat:add x\n", "exactly one space"),
    ("feat(): add x\n", "empty scope"),
    ("feat: add x\nbody right after\n", "blank line between the subject and the body"),
    ("# only a comment\n\n", "the commit message is empty"),
])
def test_bad_messages_say_what_is_wrong_and_show_an_example(message: str, problem: str) -> None:
    outcome = judge(message)
    assert not outcome.ok
    assert problem in outcome.text
    assert EXAMPLE in outcome.text
    assert "Conventional Commits 1.0.0" in outcome.text


def test_bad_message_explained_in_spanish() -> None:
    outcome = judge("fixed stuff\n", "es")
    assert "no sigue Conventional Commits" in outcome.text
    assert "falta el prefijo" in outcome.text and "por ejemplo" in outcome.text
    assert "problem:" not in outcome.text and "Write the subject" not in outcome.text


def test_commit_msg_command_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text("feat: add x\n", encoding="utf-8")
    bad.write_bytes(b"caf\xe9 fixed\n")  # not UTF-8: still judged, never a traceback
    runner = CliRunner()
    assert runner.invoke(cli, ["commit-msg", str(good)]).exit_code == 0
    result = runner.invoke(cli, ["commit-msg", str(bad)])
    assert result.exit_code == 1
    assert EXAMPLE in result.output
    missing = runner.invoke(cli, ["commit-msg", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "cannot read the commit message file" in missing.output


def test_commit_msg_language_comes_from_the_repository_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".mlops-lint.yaml").write_text("lang: es\n", encoding="utf-8")
    (tmp_path / "msg").write_text("fixed stuff\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert "por ejemplo" in runner.invoke(cli, ["commit-msg", "msg"]).output
    assert "for example" in runner.invoke(cli, ["commit-msg", "msg", "--lang", "en"]).output
    (tmp_path / ".mlops-lint.yaml").write_text("nonsense: 1\n", encoding="utf-8")
    assert "for example" in runner.invoke(cli, ["commit-msg", "msg"]).output


# --- the real pre-commit -----------------------------------------------------------


def _pypi_reachable() -> bool:
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
    try:
        with urllib.request.urlopen(index.rstrip("/") + "/pip/", timeout=10):
            return True
    except Exception:
        return False


@pytest.fixture(scope="module")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout of mlops-lint: pre-commit installs hooks from git")
    if not _pypi_reachable():
        pytest.skip("PyPI is not reachable: pre-commit cannot build the hook environment")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {**os.environ, **GIT_ENV, "HOME": str(home), "PRE_COMMIT_HOME": str(home / "cache"),
           "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}
    yield env


def pre_commit(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


TEAM_PACK = """
rules:
  - id: TEAM001
    phase: 7
    scope: repo
    title: {en: "README present", es: "README presente"}
    fix: {en: "add README.md", es: "añade README.md"}
    rationale: {en: "a team rule", es: "una regla del equipo"}
    source: "team policy"
    check: file_exists
    params: {globs: [README.md]}
    levels:
      - {level: 1, gate: true, text: {en: "README.md exists", es: "existe README.md"}}
"""
TEAM_CONFIG = """[project]
name = "scratch"

[tool.mlops-lint]
select = ["TEAM"]
rule-packs = ["policies/team.yaml"]
min-level = {7 = 1}
"""
# A descriptive README: phase 7 is present (level 1), as TEAM_CONFIG's min-level asks.
README = "# scratch\n\n" + "A scratch project. " * 20


@pytest.mark.slow
@pytest.mark.integration
def test_try_repo_runs_the_repository_hook(pre_commit_env: dict[str, str],
                                           tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "pyproject.toml").write_text(TEAM_CONFIG, encoding="utf-8")
    (scratch / "policies").mkdir()
    (scratch / "policies" / "team.yaml").write_text(TEAM_PACK, encoding="utf-8")
    (scratch / "README.md").write_text(README, encoding="utf-8")
    init_git(scratch)
    ok = pre_commit(pre_commit_env, scratch, "try-repo", str(ROOT), "mlops-lint",
                    "--ref", "HEAD", "--all-files")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "mlops-lint" in ok.stdout and "Passed" in ok.stdout
    (scratch / "README.md").unlink()
    git(scratch, "add", "-A")
    bad = pre_commit(pre_commit_env, scratch, "try-repo", str(ROOT), "mlops-lint",
                     "--ref", "HEAD", "--all-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "TEAM001" in bad.stdout
    assert "add README.md" in bad.stdout


@pytest.mark.slow
@pytest.mark.integration
def test_commit_msg_hook_rejects_a_bad_message(pre_commit_env: dict[str, str],
                                               tmp_path: Path) -> None:
    head = git(ROOT, "rev-parse", "HEAD").strip()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n"
        "      - id: mlops-lint-commit-msg\n", encoding="utf-8")
    init_git(scratch)
    installed = pre_commit(pre_commit_env, scratch, "install", "--hook-type", "commit-msg")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    (scratch / "a.txt").write_text("a\n", encoding="utf-8")
    git(scratch, "add", "a.txt")

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(scratch), "commit", "-m", message],
                              env=pre_commit_env, capture_output=True, text=True, timeout=600)

    bad = commit("fixed stuff")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    output = bad.stdout + bad.stderr
    assert "does not follow Conventional Commits" in output
    assert "no 'type: description' prefix" in output and EXAMPLE in output
    good = commit("feat: add a.txt")
    assert good.returncode == 0, good.stdout + good.stderr
    assert git(scratch, "log", "-1", "--format=%s").strip() == "feat: add a.txt"


def _hook_lines(output: str, name: str) -> list[str]:
    """pre-commit's status lines of one hook: its name, dots, the verdict."""
    return re.findall(rf"(?m)^{re.escape(name)}\.{{3,}}\s*(?:Passed|Failed)", output)


@pytest.mark.slow
@pytest.mark.integration
def test_a_commit_runs_each_hook_once(pre_commit_env: dict[str, str], tmp_path: Path) -> None:
    """Both hook types installed (the README's config): one commit runs the repository
    check once (pre-commit stage) and the message check once (commit-msg stage)."""
    head = git(ROOT, "rev-parse", "HEAD").strip()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "pyproject.toml").write_text(TEAM_CONFIG, encoding="utf-8")
    (scratch / "policies").mkdir()
    (scratch / "policies" / "team.yaml").write_text(TEAM_PACK, encoding="utf-8")
    (scratch / "README.md").write_text(README, encoding="utf-8")
    (scratch / ".pre-commit-config.yaml").write_text(
        "default_install_hook_types: [pre-commit, commit-msg]\n"
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n"
        "      - id: mlops-lint\n      - id: mlops-lint-commit-msg\n", encoding="utf-8")
    init_git(scratch)
    installed = pre_commit(pre_commit_env, scratch, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (scratch / ".git" / "hooks" / "commit-msg").is_file()
    (scratch / "a.txt").write_text("a\n", encoding="utf-8")
    git(scratch, "add", "a.txt")
    done = subprocess.run(["git", "-C", str(scratch), "commit", "-m", "feat: add a.txt"],
                          env=pre_commit_env, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert len(_hook_lines(output, "mlops-lint")) == 1, output
    assert len(_hook_lines(output, "mlops-lint commit message")) == 1, output
    # try-repo at the commit-msg stage runs only the message hook
    (scratch / "msg").write_text("feat: add b\n", encoding="utf-8")
    tried = pre_commit(pre_commit_env, scratch, "try-repo", str(ROOT), "--ref", head,
                       "--hook-stage", "commit-msg", "--commit-msg-filename", "msg")
    tried_output = tried.stdout + tried.stderr
    assert tried.returncode == 0, tried_output
    assert len(_hook_lines(tried_output, "mlops-lint commit message")) == 1, tried_output
    assert not _hook_lines(tried_output, "mlops-lint"), tried_output
