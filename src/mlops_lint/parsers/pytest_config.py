"""pytest and coverage.py configuration, and the coverage options of shell commands.

Which file configures pytest follows pytest's own order: ``pytest.ini`` (even empty),
``.pytest.ini``, ``pyproject.toml`` (``[tool.pytest.ini_options]`` or pytest 9's
``[tool.pytest]``), ``tox.ini`` (``[pytest]``), ``setup.cfg`` (``[tool:pytest]``); the
first one found wins, in the project's directory and then in each parent directory up
to the repository root. coverage.py reads ``.coveragerc``, else the first of
``setup.cfg``/``tox.ini`` with a ``[coverage:*]`` section, else ``pyproject.toml``
``[tool.coverage.*]``.

Commands (``pytest --cov=src/pkg --cov-fail-under=80``, ``coverage report
--fail-under=85``, ``coverage run -m pytest``) are read as argument vectors with
pytest-cov's and coverage.py's option grammar: ``--cov`` takes an optional value,
``--no-cov`` and ``-p no:cov`` turn coverage off.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ini import Ini, parse_ini
from mlops_lint.parsers.shell import split_commands
from mlops_lint.parsers.toml_file import dig

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

PYTEST_CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
PYTEST_PROGRAMS = frozenset({"pytest", "py.test"})


def _line_of(text: str, needle: str) -> int | None:
    """1-based line of the first line that starts with ``needle`` (for locations only)."""
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip().startswith(needle):
            return number
    return None


def _words(value: object) -> tuple[str, ...]:
    """An ini value (whitespace separated) or a TOML list, as a tuple of strings."""
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError:
            return tuple(value.split())
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            if isinstance(item, str):
                out.extend(_words(item))
        return tuple(out)
    return ()


def _lines(value: object) -> tuple[str, ...]:
    """An ini line list (one entry per line) or a TOML list."""
    if isinstance(value, str):
        return tuple(line.strip() for line in value.splitlines() if line.strip())
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return ()


def marker_name(entry: str) -> str:
    """``"slow: long tests"`` or ``"slow(reason)"`` -> ``"slow"``."""
    return entry.split(":", 1)[0].split("(", 1)[0].strip()


@dataclass(frozen=True)
class PytestConfig:
    """The configuration file pytest would use, with the options the rules read."""

    path: str
    line: int | None
    options: dict[str, Any]

    @property
    def addopts(self) -> tuple[str, ...]:
        return _words(self.options.get("addopts"))

    @property
    def testpaths(self) -> tuple[str, ...]:
        return _words(self.options.get("testpaths"))

    @property
    def markers(self) -> tuple[str, ...]:
        return tuple(marker_name(m) for m in _lines(self.options.get("markers")))

    @property
    def python_files(self) -> tuple[str, ...]:
        return _words(self.options.get("python_files")) or ("test_*.py", "*_test.py")

    @property
    def python_classes(self) -> tuple[str, ...]:
        return _words(self.options.get("python_classes")) or ("Test",)

    @property
    def python_functions(self) -> tuple[str, ...]:
        return _words(self.options.get("python_functions")) or ("test",)


@dataclass(frozen=True)
class CoverageConfig:
    """The coverage.py configuration file in force and its report/run settings."""

    path: str
    fail_under: float | None
    fail_under_line: int | None
    source: tuple[str, ...] = ()
    source_line: int | None = None


@dataclass(frozen=True)
class ConfigFiles:
    pytest: PytestConfig | None
    coverage: CoverageConfig | None
    errors: tuple[ParseError, ...] = ()


def _join(directory: str, name: str) -> str:
    return name if directory in ("", ".") else f"{directory}/{name}"


def _ini_options(ini: Ini, section: str) -> dict[str, Any]:
    if not ini.has(section):
        return {}
    return {key: ini.get(section, key) for key in ini.parser.options(section)}


def _float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _parents(directory: str) -> list[str]:
    """``a/b`` -> ``["a/b", "a", "."]``: the directory and its parents up to the root."""
    out = [directory or "."]
    parts = [p for p in (directory or ".").split("/") if p not in ("", ".")]
    while parts:
        parts.pop()
        out.append("/".join(parts) or ".")
    return out


def _pytest_config_in(repo: Repo, directory: str,
                      errors: list[ParseError]) -> PytestConfig | None:
    """The pytest configuration file of ``directory`` alone (pytest's order of files)."""
    for name in PYTEST_CONFIG_FILES:
        path = _join(directory, name)
        if not repo.exists(path):
            continue
        if name == "pyproject.toml":
            document = repo.toml(path)
            if isinstance(document, ParseError):
                errors.append(document)
                continue
            native = dig(document, "tool", "pytest")
            section = dig(document, "tool", "pytest", "ini_options")
            text = repo.text(path)
            text = "" if isinstance(text, ParseError) else text
            if isinstance(section, dict):
                return PytestConfig(path, _line_of(text, "[tool.pytest.ini_options]"),
                                    dict(section))
            if isinstance(native, dict) and native:
                return PytestConfig(path, _line_of(text, "[tool.pytest]"), dict(native))
            continue
        ini = repo.parse(path, parse_ini)
        if isinstance(ini, ParseError):
            errors.append(ini)
            continue
        section_name = {"tox.ini": "pytest", "setup.cfg": "tool:pytest"}.get(name, "pytest")
        if name in ("pytest.ini", ".pytest.ini") or ini.has(section_name):
            return PytestConfig(path, ini.line(section_name), _ini_options(ini, section_name))
    return None


def read_configs(repo: Repo, directory: str) -> ConfigFiles:
    """The pytest and coverage.py configuration of the project at ``directory``.

    pytest looks for its configuration in the directory of the tests and then in each
    parent directory, and the first file that configures it wins; here the search stops
    at the repository root. Files of the parents that cannot be read are left to their
    own project (only the project directory's are reported)."""
    key = f"pytest_config:{directory}"
    cached = repo.memo.get(key)
    if cached is not None:
        result: ConfigFiles = cached
        return result
    errors: list[ParseError] = []
    pytest_cfg: PytestConfig | None = None
    for index, folder in enumerate(_parents(directory)):
        pytest_cfg = _pytest_config_in(repo, folder, errors if index == 0 else [])
        if pytest_cfg is not None:
            break
    coverage_cfg = _coverage_config(repo, directory, errors)
    result = ConfigFiles(pytest_cfg, coverage_cfg, tuple(errors))
    repo.memo[key] = result
    return result


def _coverage_config(repo: Repo, directory: str, errors: list[ParseError]) -> CoverageConfig | None:
    for name, prefix in ((".coveragerc", ""), ("setup.cfg", "coverage:"),
                         ("tox.ini", "coverage:")):
        path = _join(directory, name)
        if not repo.exists(path):
            continue
        ini = repo.parse(path, parse_ini)
        if isinstance(ini, ParseError):
            if name == ".coveragerc":
                errors.append(ini)
            continue
        if prefix and not any(s.startswith(prefix) for s in ini.sections()):
            continue
        report, run = f"{prefix}report", f"{prefix}run"
        source = _words((ini.get(run, "source") or "").replace(",", " ")) + _words(
            (ini.get(run, "source_pkgs") or "").replace(",", " "))
        fail_under = _float(ini.get(report, "fail_under"))
        return CoverageConfig(path, fail_under, ini.line(report) if fail_under is not None
                              else None, source, ini.line(run) if source else None)
    path = _join(directory, "pyproject.toml")
    if repo.exists(path):
        document = repo.toml(path)
        if isinstance(document, ParseError):
            return None  # already reported with the pytest configuration
        table = dig(document, "tool", "coverage")
        if isinstance(table, dict):
            text = repo.text(path)
            text = "" if isinstance(text, ParseError) else text
            fail_under = _float(dig(table, "report", "fail_under"))
            source = tuple(str(s) for s in _as_list(dig(table, "run", "source"))) + tuple(
                str(s) for s in _as_list(dig(table, "run", "source_pkgs")))
            return CoverageConfig(
                path, fail_under,
                _line_of(text, "fail_under") if fail_under is not None else None,
                source, _line_of(text, "source") if source else None)
    return None


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    return []


# -- commands -------------------------------------------------------------------------


@dataclass(frozen=True)
class CovOptions:
    """What pytest-cov options in one argument list say."""

    cov: bool = False  # coverage measured (--cov given and not turned off)
    targets: tuple[str, ...] = ()  # --cov=X values ("" for a bare --cov)
    fail_under: float | None = None
    markexpr: str | None = None


def cov_options(args: tuple[str, ...] | list[str]) -> CovOptions:
    """Read ``--cov[=X]``, ``--cov-fail-under``, ``--no-cov``, ``-p no:cov`` and ``-m``."""
    targets: list[str] = []
    cov = False
    off = False
    fail_under: float | None = None
    markexpr: str | None = None
    tokens = list(args)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if token == "--cov":
            cov = True
            if nxt is not None and not nxt.startswith("-"):
                targets.append(nxt)
                i += 1
            else:
                targets.append("")
        elif token.startswith("--cov="):
            cov = True
            targets.append(token.split("=", 1)[1])
        elif token.startswith("--cov-fail-under"):
            value = token.split("=", 1)[1] if "=" in token else nxt
            if "=" not in token:
                i += 1
            fail_under = _float(value)
        elif token == "--no-cov":
            off = True
        elif token == "-p" and nxt in ("no:cov", "no:pytest_cov"):
            off = True
            i += 1
        elif token in ("-pno:cov", "-pno:pytest_cov"):
            off = True
        elif token == "-m" and nxt is not None:
            markexpr = nxt
            i += 1
        elif token.startswith("-m") and len(token) > 2 and not token.startswith("--"):
            markexpr = token[2:].lstrip("=")
        i += 1
    return CovOptions(cov and not off, tuple(targets), fail_under, markexpr)


@dataclass(frozen=True)
class Invocation:
    """One pytest or coverage.py invocation found in a script."""

    kind: str  # pytest | coverage-report | coverage-run
    args: tuple[str, ...]  # arguments after the program (for coverage-run: pytest's)
    options: CovOptions
    offset: int  # 0-based line of the script
    swallowed: bool
    text: str
    extra_targets: tuple[str, ...] = field(default=())  # coverage run --source=...


def _coverage_source(args: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for i, token in enumerate(args):
        if token.startswith("--source="):
            out.extend(token.split("=", 1)[1].split(","))
        elif token == "--source" and i + 1 < len(args):
            out.extend(args[i + 1].split(","))
    return tuple(o for o in out if o)


def invocations(script: str) -> list[Invocation]:
    """pytest runs (``pytest``, ``python -m pytest``, ``coverage run -m pytest``, behind
    ``poetry run``/``uv run``...) and ``coverage report`` calls of a shell script."""
    out: list[Invocation] = []
    for simple in split_commands(script):
        program, args = simple.program, list(simple.args)
        if program in PYTEST_PROGRAMS:
            out.append(Invocation("pytest", tuple(args), cov_options(args), simple.offset,
                                   simple.swallowed, simple.line))
        elif program == "coverage" and args:
            if args[0] == "report":
                fail = None
                for i, token in enumerate(args):
                    if token.startswith("--fail-under="):
                        fail = _float(token.split("=", 1)[1])
                    elif token == "--fail-under" and i + 1 < len(args):
                        fail = _float(args[i + 1])
                out.append(Invocation("coverage-report", tuple(args[1:]),
                                       CovOptions(True, (), fail, None), simple.offset,
                                       simple.swallowed, simple.line))
            elif args[0] == "run" and "-m" in args:
                at = args.index("-m")
                if at + 1 < len(args) and args[at + 1] in PYTEST_PROGRAMS:
                    rest = args[at + 2:]
                    base = cov_options(rest)
                    source = _coverage_source(args[1:at])
                    opts = CovOptions(True, base.targets + source, base.fail_under,
                                      base.markexpr)
                    out.append(Invocation("coverage-run", tuple(rest), opts, simple.offset,
                                           simple.swallowed, simple.line, source))
    return out
