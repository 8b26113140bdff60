"""Shell command lines as argument vectors: which program a CI step or recipe runs.

``split_commands`` cuts a script into simple commands (lines, ``&&``, ``||``, ``;``,
``|``), tokenizes each with :mod:`shlex`, drops leading ``VAR=value`` assignments and
unwraps runners (``python -m X``, ``poetry run``, ``uv run``, ``pdm run``, ``pipenv
run``, ``hatch run``, ``conda run -n env``, ``time``, ``sudo``, ``npx``), so that
``poetry run python -m mypy --strict src`` reads as ``mypy --strict src``. A reserved word
that opens a compound command's part (``if``, ``then``, ``else``, ``elif``, ``do``,
``while``, ``until``, ``!``, ``{``) is dropped too: in ``if [ -f r.txt ]; then pip install
-r r.txt; fi`` the guarded command is ``pip install -r r.txt``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from functools import lru_cache

from mlops_lint import lazy_re

_SEPARATORS = lazy_re.compile(r"&&|\|\||;|\|")  # no \s* around it: the text is split on spaces
_ASSIGNMENT = lazy_re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_RUNNERS = {"poetry": "run", "uv": "run", "pdm": "run", "pipenv": "run", "hatch": "run",
            "rye": "run", "pixi": "run", "uvx": None, "pipx": "run", "npx": None,
            "time": None, "sudo": None, "exec": None, "nohup": None, "command": None}
# reserved words before the command a compound command's part runs
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{"})
_PYTHON = lazy_re.compile(r"^python(\d(\.\d+)?)?(\.exe)?$")


@dataclass(frozen=True)
class Simple:
    """One simple command of a script."""

    argv: tuple[str, ...]  # runner-free argument vector; argv[0] is the program
    line: str  # the whole script line it comes from
    offset: int  # 0-based index of that line in the script
    swallowed: bool  # its failure is ignored: ``|| true``/``|| echo``/``|| :``, ``set +e``

    @property
    def program(self) -> str:
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""

    @property
    def args(self) -> tuple[str, ...]:
        return self.argv[1:]


def _pieces(line: str) -> list[tuple[list[str], str]]:
    """Tokens of one line cut at ``&&``, ``||``, ``;``, ``|``, ``&`` outside quotes, each
    with the operator that follows it (``""`` at the end of the line)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:
        tokens = _SEPARATORS.sub(" ; ", line).split()
    pieces: list[tuple[list[str], str]] = []
    current: list[str] = []
    for token in tokens:
        if token and set(token) <= set("&|;()<>"):
            if token in ("<", ">", ">>", "<<", ">&", "&>") and current:
                current.append(token)
                continue
            if current:
                pieces.append((current, token))
            current = []
        else:
            current.append(token)
    if current:
        pieces.append((current, ""))
    return pieces


def _is_swallow(argv: list[str]) -> bool:
    head = argv[0] if argv else ""
    return head in ("true", ":", "echo", "printf") or (head == "exit" and argv[1:2] == ["0"])


_VALUED_RUNNER_OPTIONS = frozenset(("--with", "-n", "--name", "-p", "--prefix", "--env", "-e",
                                    "--from", "--python"))
_VALUED_CONDA_OPTIONS = frozenset(("-n", "--name", "-p", "--prefix"))


def _drop_options(argv: list[str], valued: frozenset[str]) -> list[str]:
    """Drop leading options (``--with x``, ``-n env``): those in ``valued`` take a value."""
    while argv and argv[0].startswith("-"):
        argv = argv[2:] if argv[0] in valued else argv[1:]
    return argv


def _unwrap_once(argv: list[str]) -> list[str] | None:
    """``argv`` without its first prefix (an env assignment, ``env``, a shell keyword, a
    runner such as ``poetry run``, ``conda run -n x``, ``python -m``); None when the
    command itself comes first."""
    head = argv[0].rsplit("/", 1)[-1]
    if _ASSIGNMENT.match(argv[0]) or head == "env" or argv[0] in _KEYWORDS:
        return argv[1:]
    if head == "command" and argv[1:2] in (["-v"], ["-V"]):
        return None  # ``command -v X`` looks X up, it does not run it
    if head in _RUNNERS:
        sub = _RUNNERS[head]
        if sub is not None and argv[1:2] != [sub]:
            return None
        return _drop_options(argv[1 if sub is None else 2:], _VALUED_RUNNER_OPTIONS)
    if head == "conda" and argv[1:2] == ["run"]:
        return _drop_options(argv[2:], _VALUED_CONDA_OPTIONS)
    if _PYTHON.match(head) and len(argv) > 2 and argv[1] == "-m":
        return argv[2:]
    return None


def unwrap(argv: list[str]) -> list[str]:
    """Drop env assignments and runner prefixes; ``python -m X`` becomes ``X``."""
    while argv:
        rest = _unwrap_once(argv)
        if rest is None:
            return argv
        argv = rest
    return argv


@lru_cache(maxsize=4096)
def split_commands(script: str) -> tuple[Simple, ...]:
    """The simple commands of a shell script (continuation lines joined); cached, since the
    same CI steps and recipes are read for several tools and projects."""
    out: list[Simple] = []
    joined: list[tuple[int, str]] = []
    buffer, start = "", 0
    for index, raw in enumerate(script.splitlines()):
        if not buffer:
            start = index
        if raw.rstrip().endswith("\\"):
            buffer += raw.rstrip()[:-1] + " "
            continue
        joined.append((start, buffer + raw))
        buffer = ""
    if buffer:
        joined.append((start, buffer))
    errexit_off = False
    for offset, line in joined:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pieces = _pieces(stripped)
        for index, (piece, _) in enumerate(pieces):
            if piece[:2] == ["set", "+e"]:
                errexit_off = True
            elif piece[:2] == ["set", "-e"]:
                errexit_off = False
            swallowed = errexit_off
            for later in range(index, len(pieces) - 1):
                operator = pieces[later][1]
                if operator not in ("&&", "||", "|"):
                    break
                if operator == "||" and _is_swallow(pieces[later + 1][0]):
                    swallowed = True
                    break
            argv = unwrap(piece)
            if argv:
                out.append(Simple(tuple(argv), stripped, offset, swallowed))
    return tuple(out)
