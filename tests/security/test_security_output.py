"""Repository text reaches the reports inert: no terminal escape, no bidi override, no
lone surrogate, in any format."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from security_packs import team_pack

from mlops_lint.cli import cli
from mlops_lint.report.markdown import code, md
from mlops_lint.sanitize import clean

# cursor up and erase, OSC 52 clipboard write, window title, bidi override, C1 CSI
HOSTILE = "a\x1b[2A\x1b[2K\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\u202egnp.exe\u2066\x9b31m"
RAW = ("\x1b", "\x07", "\u202e", "\u2066", "\x9b")
PACK = team_pack("text_matches", "{globs: ['*.txt'], pattern: 'x', present: false}")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_clean_escapes_controls_bidi_and_surrogates() -> None:
    assert clean("ok\ttab\nline") == "ok\ttab\nline"
    assert clean("a\nb\tc", newlines=False) == "a\\nb\\tc"
    assert clean("\x1b[31m\u202ex\udc80\x85") == "\\x1b[31m\\u202ex\\udc80\\x85"
    assert clean("café ✓ 日本") == "café ✓ 日本"


def test_markdown_cells_stay_on_one_row() -> None:
    assert "\r" not in code("a\rb") and "\r" not in md("a\rb")
    assert code("plain/path.py") == "`plain/path.py`"
    assert "\x1b" not in code("a\x1bb") and "\\x1b" in code("a\x1bb")


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "github"])
def test_file_names_with_escapes_are_inert(fmt: str, tmp_path: Path,
                                           make_repo: Callable[..., Path]) -> None:
    root = make_repo({f"{HOSTILE}.txt": "x\n", "packs/team.yaml": PACK,
                      ".mlops-lint.yaml": "rule-packs: [packs/team.yaml]\n"})
    code_, out = invoke("check", str(root), "--select", "TEAM", "--format", fmt, "--all")
    assert code_ in (0, 1), out
    assert not any(c in out for c in RAW), [c for c in RAW if c in out]
    assert "\\x1b" in out and "\\u202e" in out


SURROGATE = 'API_KEY = "\\udc80abcdefgh12345678XYZ"\nmlflow.set_experiment("\\udc80")\n'


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "html", "github"])
def test_lone_surrogate_in_source_does_not_abort_the_report(
        fmt: str, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"train.py": SURROGATE})
    code_, out = invoke("check", str(root), "--format", fmt)
    assert code_ in (0, 1), out
    out.encode("utf-8")
    if fmt in ("json", "sarif"):
        json.loads(out)


def test_lone_surrogate_in_baseline(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"train.py": SURROGATE})
    baseline = tmp_path / "baseline.json"
    code_, out = invoke("check", str(root), "--write-baseline", str(baseline), "--exit-zero")
    assert code_ == 0, out
    code_, out = invoke("check", str(root), "--baseline", str(baseline), "--exit-zero")
    assert code_ == 0, out
    assert json.loads(baseline.read_text(encoding="utf-8"))["fingerprints"]
