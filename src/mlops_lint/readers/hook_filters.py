"""How a pre-commit hook's ``files``/``exclude`` filters are shown and why a multi-line
one matches nothing: said the same way by GIT004 (a mypy hook that checks no file) and
PY004 (mypy not enforced)."""

from __future__ import annotations

from mlops_lint.model import T
from mlops_lint.parsers.precommit import Hook


def shown_filter(value: str, width: int = 80) -> str:
    """A hook's files/exclude regex on one line (line breaks shown as ``\\n``)."""
    text = value.replace("\n", "\\n")
    return text if len(text) <= width else text[:width - 1] + "…"


def multiline_filter_hint(hook: Hook) -> T | None:
    """Why a hook filter that spans lines matches nothing: a folded (``>``) or literal
    (``|``) YAML scalar keeps line breaks (a folded scalar keeps those of more-indented
    lines), and outside ``(?x)`` verbose mode a line break is a character to match."""
    broken = [name for name, value in (("files", hook.files), ("exclude", hook.exclude))
              if value and "\n" in value.strip() and not value.lstrip().startswith("(?x)")]
    if not broken:
        return None
    return T(f"its {broken[0]}: regex spans several lines (a folded '>' or literal '|' YAML "
             "scalar keeps the line breaks, which the regex then has to match): write it on "
             "one line, or start it with (?x) so that whitespace is ignored",
             f"su regex {broken[0]}: ocupa varias líneas (un escalar YAML plegado '>' o literal "
             "'|' conserva los saltos de línea, que la regex tendría que coincidir): escríbela "
             "en una línea o empiézala con (?x) para que se ignoren los espacios")
