"""What the tool cannot read is reported, never silently dropped; hostile layouts and
configuration values end in a finding or a one-line usage error, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import git
from mlops_lint.cli import cli
from mlops_lint.repo import Repo

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exc_info
    return result.exit_code, result.stdout, result.stderr


def report(root: Path, *args: str) -> dict[str, object]:
    code, out, err = invoke("check", str(root), "--format", "json", "--exit-zero", *args)
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_unreadable_directory_is_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "# x\n", "secret/a.py": "x = 1\n"})
    real = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:  # chmod 000, also as root
        if Path(path).name == "secret":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    repo = Repo(root)
    assert "secret/a.py" not in repo.files
    assert any("secret" in note.en and "Permission denied" in note.en for note in repo.notes)
    notes = report(root)["notes"]
    assert isinstance(notes, list) and "secret" in notes[0]
    _, out, _ = invoke("check", str(root), "--exit-zero")
    assert "Note: directories that could not be read were left out: secret" in out


@pytest.mark.skipif(AS_ROOT, reason="root reads a chmod 000 directory anyway; the "
                                    "monkeypatched test above covers the same path")
def test_unreadable_directory_for_real(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "# x\n", "secret/a.py": "x = 1\n"})
    (root / "secret").chmod(0)
    try:
        assert any("secret" in note.en for note in Repo(root).notes)
    finally:
        (root / "secret").chmod(0o755)


@pytest.mark.skipif(not AS_ROOT or shutil.which("git") is None,
                    reason="needs root to give the repository to another owner")
def test_dubious_ownership_is_git_s_own_error(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "# x\n"}, commits=["chore: init"])
    for path in [root, *root.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    data = report(root, "--select", "GIT")
    assert "dubious ownership" in str(data["notes"])
    results = data["results"]
    assert isinstance(results, list)
    git007 = [r for r in results if r["rule"] == "GIT007"]
    assert git007[0]["status"] == "warn" and "dubious ownership" in git007[0]["message"]
    assert not any("not a git repository" in r["message"] for r in results)


def test_corrupt_index_is_reported_and_files_are_walked(
        make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "# x\n", "a.py": "x = 1\n"}, commits=["chore: init"])
    (root / ".git" / "index").write_bytes(b"DIRC garbage")
    repo = Repo(root)
    assert "a.py" in repo.files
    assert repo.notes and "index" in repo.notes[0].en


def test_inherited_git_variables_do_not_redirect_git(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        make_repo: Callable[..., Path]) -> None:
    other = make_repo({"other.txt": "x\n"}, commits=["chore: other"])
    root = make_repo({"mine.txt": "x\n"}, commits=["feat: mine"])
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    repo = Repo(root)
    assert repo.is_tracked("mine.txt") and not repo.exists("other.txt")


def test_carriage_return_in_a_file_name_is_kept(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"README.md": "# x\n", "a\rb.txt": "x\n"}, commits=["chore: init"])
    repo = Repo(root)
    assert "a\rb.txt" in repo.files and repo.is_tracked("a\rb.txt")


def test_log_output_encoding_does_not_garble_subjects(
        make_repo: Callable[..., Path]) -> None:
    from mlops_lint.parsers.gitlog import history

    root = make_repo({"README.md": "# x\n"}, commits=["feat: añade café"])
    git(root, "config", "i18n.logOutputEncoding", "ISO-8859-1")
    found = history(Repo(root))
    assert not isinstance(found, str)
    assert found.commits[0].subject == "feat: añade café"


@pytest.mark.parametrize("files, expected", [
    ({"pyproject.toml": "tool = 5\n[project]\nname = 'x'\n"}, {0}),
    ({"pyproject.toml": "[tool]\nmlops-lint = 5\n"}, {2}),
    ({".mlops-lint.yaml": "exclude: ['[z-a]']\n"}, {2}),
    ({".gitignore": "!\n*.log\n", "a.log": "x\n", "b.py": "x = 1\n"}, {0}),
])
def test_no_traceback(files: dict[str, str], expected: set[int],
                      make_repo: Callable[..., Path]) -> None:
    root = make_repo(files)
    code, out, err = invoke("check", str(root), "--exit-zero", "--format", "json")
    assert code in expected, err
    assert "Traceback" not in out + err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and err.startswith("mlops-lint: error:")


def test_invalid_glob_in_a_rule_pack_is_a_usage_error(make_repo: Callable[..., Path]) -> None:
    pack = ("phase: 4\nrules:\n  - id: TEAM001\n    title: {en: t, es: t}\n"
            "    fix: {en: f, es: f}\n    rationale: {en: r, es: r}\n"
            "    check: file_exists\n    params: {globs: ['[z-a]']}\n"
            "    applies_if: ['[z-a]']\n    levels: [{level: 2, text: {en: c, es: c}}]\n")
    root = make_repo({"p.yaml": pack, ".mlops-lint.yaml": "rule-packs: [p.yaml]\n"})
    code, _, err = invoke("check", str(root))
    assert code == 2 and "invalid glob" in err and len(err.strip().splitlines()) == 1


def test_unreadable_pyproject_is_a_usage_error(monkeypatch: pytest.MonkeyPatch,
                                               make_repo: Callable[..., Path]) -> None:
    import mlops_lint.safe_read as repo_module

    root = make_repo({"pyproject.toml": "[tool.mlops-lint]\nlang = 'es'\n"})
    real = repo_module.read_capped

    def denied(full: Path, shown: str) -> object:
        if full.name == "pyproject.toml":
            return repo_module.ParseError(shown, "cannot read: Permission denied")
        return real(full, shown)

    monkeypatch.setattr(repo_module, "read_capped", denied)
    code, _, err = invoke("check", str(root))
    assert code == 2
    assert err.strip() == "mlops-lint: error: pyproject.toml: cannot read: Permission denied"


def test_very_deep_directory_without_git(tmp_path: Path) -> None:
    root = tmp_path / "deep"
    here = root
    here.mkdir()
    for _ in range(1500):
        here = here / "d"
        here.mkdir()
    (here / "f.txt").write_text("x", encoding="utf-8")
    try:
        code, _, err = invoke("check", str(root), "--exit-zero", "--format", "json")
        assert code == 0 and "Traceback" not in err
    finally:  # pytest's recursive clean-up of tmp_path would overflow the stack
        (here / "f.txt").unlink()
        while here != root.parent:
            here.rmdir()
            here = here.parent
