"""Fuzzing every parser adapter: each raises nothing but its documented error type.

A fast subset (50 examples each) runs in the normal suite; the ``slow`` marker runs
thousands of examples each, which CI does with a fixed ``--hypothesis-seed``.

Documented errors: YAML ``YamlError``, TOML ``TomlError``, Dockerfile ``ValueError``
(with ``line``), workflow ``YamlError``/``ValueError`` (``build_workflow`` never raises on
what ``parse_workflow`` returns), Markdown and commit messages never raise, K8s and
Terraform parsers (when present) only ``ValueError``; ``Repo.parse`` never raises.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import build_workflow, parse_workflow
from mlops_lint.parsers.conventional import check_message, check_subject
from mlops_lint.parsers.dockerfile import parse_dockerfile, parse_image
from mlops_lint.parsers.markdown import parse_markdown
from mlops_lint.parsers.toml_file import TomlError, load_toml
from mlops_lint.parsers.yaml_file import YamlError, load_yaml, load_yaml_all, load_yaml_rt
from mlops_lint.repo import Repo, decode

FAST = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
SLOW = settings(max_examples=3000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def tokens(*words: str) -> st.SearchStrategy[str]:
    """Text assembled from format-specific tokens mixed with arbitrary characters."""
    piece = st.one_of(st.sampled_from(words), st.text(max_size=6))
    return st.lists(piece, max_size=60).map("".join)


YAML_TEXT = st.one_of(st.text(), tokens(
    "\n", "  ", "- ", ": ", "? ", "&a ", "*a", "&b ", "*b", "<<: ", "[", "]", "{", "}", ", ",
    "---\n", "...\n", "|\n", ">-\n", "!!str ", "!!python/name:x ", "!custom ", "#", "'", '"',
    "\t", "on:", "jobs:", "steps:", "run: ", "uses: ", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
    "null", "~", "true", "0x1F", "1e9", "2024-01-01", "\ufeff", "\x00", "\\"))
TOML_TEXT = st.one_of(st.text(), tokens(
    "\n", "[", "]", "[[", "]]", "=", " = ", '"', "'", '"""', "'''", "{", "}", ",", ".", "#",
    "tool", "project", "mlops-lint", "1979-05-27T07:32:00Z", "inf", "nan", "+1", "0o7", "0b1",
    "\\u00e9", "\\", "\t", "\r\n", "\x00", "true"))
DOCKER_TEXT = st.one_of(st.text(), tokens(
    "\n", "FROM ", "RUN ", "COPY ", "ADD ", "ENV ", "ARG ", "USER ", "WORKDIR ", "CMD ",
    "ENTRYPOINT ", "HEALTHCHECK ", "LABEL ", "EXPOSE ", "SHELL ", "ONBUILD ", "STOPSIGNAL ",
    "VOLUME ", "AS ", " as ", "--from=", "--chown=", "--mount=type=cache,target=/x ", "\\\n",
    "<<EOF\n", "EOF\n", "<<-'X'\n", "X\n", "${A:-b}", "$A", "${", "}", "[", "]", '"', "#",
    "# syntax=docker/dockerfile:1\n", "python:3.11@sha256:abc", "scratch", "\t", "\r\n"))
MD_TEXT = st.one_of(st.text(), tokens(
    "\n", "# ", "## ", "###### ", "####### ", "===\n", "---\n", "```", "~~~", "```python\n",
    "<!--", "-->", "| a | b |\n", "|---|---|\n", "[x](", ")", "![i](", "[x][r]", "[r]: ",
    "<a href='", "'>", "</a>", "<img src=", "<h2>", "</h2>", "**", "__", ": ", "http://x",
    "- ", "1. ", "    ", "\t", "\\", "`", "\r\n"))
COMMIT_TEXT = st.one_of(st.text(), tokens(
    "feat", "fix", "Feat", "chore", "docs", "revert", "(", ")", "()", "!", ":", ": ", " ",
    "\n", "\n\n", "#", "Revert \"", "\"", "Merge branch ", "fixup! ", "wip", "\r\n"))


def expect_only(func: Callable[[str], Any], errors: tuple[type[BaseException], ...],
                text: str) -> Any:
    try:
        return func(text)
    except errors:
        return None


# -- one property per adapter ------------------------------------------------------------

def prop_yaml(text: str) -> None:
    for loader in (load_yaml, load_yaml_all, load_yaml_rt):
        expect_only(loader, (YamlError,), text)


def prop_toml(text: str) -> None:
    expect_only(load_toml, (TomlError,), text)


def prop_dockerfile(text: str) -> None:
    try:
        parsed = parse_dockerfile(text)
    except ValueError as exc:
        line = getattr(exc, "line", None)
        assert line is None or (isinstance(line, int) and line >= 1)
        return
    for stage in parsed.stages:
        stage.image  # noqa: B018 - the property must not raise
        parsed.lineage(stage)
        for inst in stage.instructions:
            inst.args  # noqa: B018
            inst.exec_form  # noqa: B018
    for inst in parsed.instructions:
        if inst.cmd == "FROM":
            parse_image(inst.args.split()[0] if inst.args.split() else "")


def prop_workflow(text: str) -> None:
    try:
        raw = parse_workflow(text)
    except (YamlError, ValueError):
        return
    build_workflow(".github/workflows/x.yml", raw)


def prop_markdown(text: str) -> None:
    parse_markdown(text)


def prop_commit(text: str) -> None:
    verdict = check_message(text)
    assert verdict.ok or verdict.problem is not None
    check_subject(text.split("\n", 1)[0])


def prop_decode(data: bytes) -> None:
    result = decode("x", data)
    assert isinstance(result, (str, ParseError))
    if isinstance(result, str):
        result.encode("utf-8", errors="surrogatepass")


class Boom(Exception):
    line = "not a number"


RAISERS: list[BaseException] = [ValueError("v"), KeyError("k"), RecursionError(),
                                IndexError(), Boom("b"), TypeError(), UnicodeDecodeError(
                                    "utf-8", b"\xff", 0, 1, "bad"), AssertionError(),
                                MemoryError(), ZeroDivisionError(), Exception("")]


# -- optional adapters (other engineers' modules; skipped until they exist) --------------

def optional_parsers(module_name: str) -> list[Callable[[str], Any]]:
    """Public ``parse*``/``load*`` functions of a parser module taking one ``text``."""
    try:
        module = importlib.import_module(f"mlops_lint.parsers.{module_name}")
    except ModuleNotFoundError:
        return []
    found = []
    for name, func in inspect.getmembers(module, inspect.isfunction):
        if func.__module__ != module.__name__ or not name.startswith(("parse", "load")):
            continue
        params = list(inspect.signature(func).parameters.values())
        required = [p for p in params if p.default is inspect.Parameter.empty]
        if len(required) == 1 and params[0].name in ("text", "source", "content"):
            found.append(func)
    return found


def prop_optional(module_name: str, text: str) -> None:
    for func in optional_parsers(module_name):
        expect_only(func, (ValueError,), text)


K8S_TEXT = YAML_TEXT | tokens("apiVersion: ", "kind: ", "Deployment", "metadata:", "spec:",
                              "containers:", "image: ", "resources:", "limits:", "\n", "  ",
                              "- ", "---\n", "{{ .Values.x }}", "{{-", "-}}")
HCL_TEXT = st.one_of(st.text(), tokens(
    "resource ", "module ", "variable ", "provider ", "terraform ", "backend ", '"', "{",
    "}", "[", "]", "=", "\n", "${", "var.x", "<<EOF\n", "EOF\n", "#", "//", "/*", "*/",
    "true", "null", "1.5", ",", "(", ")", "?", ":", "for ", " in ", "=>", "...", "\\"))


# -- the tests: fast subset and slow run ----------------------------------------------------

@FAST
@given(YAML_TEXT)
@example(": : :\n&a [*a]\n")
def test_fuzz_yaml(text: str) -> None:
    prop_yaml(text)


@FAST
@given(TOML_TEXT)
@example("x = " + "[" * 5000)
@example("a = {" * 2000)
def test_fuzz_toml(text: str) -> None:
    prop_toml(text)


@FAST
@given(DOCKER_TEXT)
@example("FROM a AS b\nFROM b AS a\nFROM a\n")
@example("ARG X=${X}\nFROM ${X}\n")
def test_fuzz_dockerfile(text: str) -> None:
    prop_dockerfile(text)


@FAST
@given(YAML_TEXT)
@example("on: push\njobs: {a: {steps: [1, {run: [x]}, {name: {a: b}}], needs: 3}}\n")
@example("on: [push]\njobs:\n  a: {steps: {x: 1}, strategy: [1], if: [x]}\n")
def test_fuzz_workflow(text: str) -> None:
    prop_workflow(text)


@FAST
@given(MD_TEXT)
def test_fuzz_markdown(text: str) -> None:
    prop_markdown(text)


@FAST
@given(COMMIT_TEXT)
def test_fuzz_commit_message(text: str) -> None:
    prop_commit(text)


@FAST
@given(st.binary())
@example(b"\xff\xfe\x00\xd8")
@example(b"\xef\xbb\xbf\xff")
def test_fuzz_decode(data: bytes) -> None:
    prop_decode(data)


@FAST
@given(st.sampled_from(RAISERS), st.text(max_size=20))
def test_repo_parse_never_raises(tmp_path_factory: pytest.TempPathFactory,
                                 error: BaseException, text: str) -> None:
    root = tmp_path_factory.mktemp("parse")
    (root / "f.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
    repo = Repo(root)

    def parser(_: str) -> None:
        raise error

    parser.__qualname__ = f"raiser_{type(error).__name__}"
    result = repo.parse("f.txt", parser)
    if isinstance(error, Exception):
        assert isinstance(result, ParseError)
        assert result.line is None or isinstance(result.line, int)
    assert repo.parse("f.txt", parser) is result  # cached


@pytest.mark.parametrize("module_name", ["kubernetes", "terraform"])
def test_fuzz_optional_parsers(module_name: str) -> None:
    if not optional_parsers(module_name):
        pytest.skip(f"no parsers/{module_name}.py with a parse/load(text) function yet")
    text_strategy = K8S_TEXT if module_name == "kubernetes" else HCL_TEXT

    @FAST
    @given(text_strategy)
    def run(text: str) -> None:
        prop_optional(module_name, text)

    run()


# -- slow: thousands of examples each (CI: pytest -m slow --hypothesis-seed=...) ------------

SLOW_CASES: list[tuple[str, st.SearchStrategy[Any], Callable[[Any], None]]] = [
    ("yaml", YAML_TEXT, prop_yaml),
    ("toml", TOML_TEXT, prop_toml),
    ("dockerfile", DOCKER_TEXT, prop_dockerfile),
    ("workflow", YAML_TEXT, prop_workflow),
    ("markdown", MD_TEXT, prop_markdown),
    ("commit", COMMIT_TEXT, prop_commit),
    ("decode", st.binary(), prop_decode),
    ("kubernetes", K8S_TEXT, lambda text: prop_optional("kubernetes", text)),
    ("terraform", HCL_TEXT, lambda text: prop_optional("terraform", text)),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "strategy", "prop"), SLOW_CASES,
                         ids=[c[0] for c in SLOW_CASES])
def test_fuzz_slow(name: str, strategy: st.SearchStrategy[Any],
                   prop: Callable[[Any], None]) -> None:
    if name in ("kubernetes", "terraform") and not optional_parsers(name):
        pytest.skip(f"no parsers/{name}.py yet")

    @SLOW
    @given(strategy)
    def run(value: Any) -> None:
        prop(value)

    run()


def test_optional_parser_discovery(tmp_path: Path) -> None:
    """The discovery used above finds text parsers and ignores the rest."""
    assert optional_parsers("no_such_module") == []
    found = {f.__name__ for f in optional_parsers("markdown")}
    assert "parse_markdown" in found
