"""Fuzzing every parser adapter: each raises nothing but its documented error type.

A fast subset (50 examples each) runs in the normal suite; the ``slow`` marker runs
thousands of examples each, which CI does with a fixed ``--hypothesis-seed``.

Documented errors: YAML ``YamlError``, TOML ``TomlError``, Dockerfile ``ValueError``
(with ``line``), workflow ``YamlError``/``ValueError`` (``build_workflow`` never raises on
what ``parse_workflow`` returns), Markdown and commit messages never raise, HCL
``ValueError`` or lark's parse errors; the repository-level readers (Kubernetes
``read_manifests``, ``terraform_files``) and ``Repo.parse`` never raise.
"""

from __future__ import annotations

import importlib
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
from mlops_lint.repo import Repo
from mlops_lint.safe_read import decode

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


# -- Kubernetes and Terraform (skipped until their modules exist) ---------------------------

def optional(module_name: str, *names: str) -> list[Callable[..., Any]]:
    """The named functions of a parser module, or [] when the module or one is missing."""
    try:
        module = importlib.import_module(f"mlops_lint.parsers.{module_name}")
    except ModuleNotFoundError:
        return []
    found = [getattr(module, name, None) for name in names]
    return [f for f in found if callable(f)] if all(found) else []


def library_errors() -> tuple[type[BaseException], ...]:
    """The parse errors python-hcl2 documents (lark's), beside ValueError."""
    try:
        from lark.exceptions import LarkError
    except ImportError:  # pragma: no cover - python-hcl2 always brings lark
        return (ValueError,)
    return (ValueError, LarkError)


def repo_with(tmp: Path, files: dict[str, str]) -> Repo:
    for rel, text in files.items():
        target = tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", errors="surrogatepass")
    return Repo(tmp)


def prop_kubernetes(tmp: Path, text: str) -> None:
    """``read_manifests`` never raises, whatever the manifests hold; the line helpers
    never raise on any text."""
    funcs = optional("kubernetes", "read_manifests", "document_spans", "value_line")
    if not funcs:
        return
    read_manifests, document_spans, value_line = funcs
    repo = repo_with(tmp, {"k8s/app.yaml": text, "charts/c/Chart.yaml": "name: c\n",
                           "charts/c/values.yaml": text, "overlay/kustomization.yaml": text})
    read_manifests(repo)
    document_spans(text, text.count("---") + 1)
    value_line(text, "resources.limits.cpu")


def prop_terraform(tmp: Path, text: str) -> None:
    """``parse_hcl`` raises only ValueError or lark's parse errors; ``terraform_files``
    never raises."""
    funcs = optional("terraform", "parse_hcl", "terraform_files")
    if not funcs:
        return
    parse_hcl, terraform_files = funcs
    expect_only(parse_hcl, library_errors(), text)
    terraform_files(repo_with(tmp, {"infra/main.tf": text}))


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


@FAST
@given(K8S_TEXT)
@example("apiVersion: v1\nkind: List\nitems: [1, {kind: Pod}, {apiVersion: v1, kind: Pod, "
         "spec: {containers: [null, {name: [1]}]}}]\n")
@example("apiVersion: apps/v1\nkind: CronJob\nspec: {jobTemplate: {spec: {template: 3}}}\n")
@example("resources: [1]\nimage: {a: b}\nimages: 3\n")
@example("resources: {limits: [cpu]}\nimage: [1]\n")
def test_fuzz_kubernetes(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    if not optional("kubernetes", "read_manifests", "document_spans", "value_line"):
        pytest.skip("no parsers/kubernetes.py with read_manifests yet")
    prop_kubernetes(tmp_path_factory.mktemp("k8s"), text)


@FAST
@given(HCL_TEXT)
@example('resource "a" "b" {\n  x = [[[[1]]]]\n}\n')
@example('terraform {\n  backend "s3" {}\n}\nmodule "m" { source = 3 }\n')
def test_fuzz_terraform(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    if not optional("terraform", "parse_hcl", "terraform_files"):
        pytest.skip("no parsers/terraform.py with parse_hcl yet")
    prop_terraform(tmp_path_factory.mktemp("tf"), text)


# -- slow: thousands of examples each (CI: pytest -m slow --hypothesis-seed=...) ------------

SLOW_CASES: list[tuple[str, st.SearchStrategy[Any], Callable[[Any], None]]] = [
    ("yaml", YAML_TEXT, prop_yaml),
    ("toml", TOML_TEXT, prop_toml),
    ("dockerfile", DOCKER_TEXT, prop_dockerfile),
    ("workflow", YAML_TEXT, prop_workflow),
    ("markdown", MD_TEXT, prop_markdown),
    ("commit", COMMIT_TEXT, prop_commit),
    ("decode", st.binary(), prop_decode),
    ("kubernetes", K8S_TEXT, prop_kubernetes),
    ("terraform", HCL_TEXT, prop_terraform),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "strategy", "prop"), SLOW_CASES,
                         ids=[c[0] for c in SLOW_CASES])
def test_fuzz_slow(name: str, strategy: st.SearchStrategy[Any], prop: Callable[..., None],
                   tmp_path_factory: pytest.TempPathFactory) -> None:
    needs_repo = name in ("kubernetes", "terraform")
    if name == "kubernetes" and not optional("kubernetes", "read_manifests"):
        pytest.skip("no parsers/kubernetes.py yet")
    if name == "terraform" and not optional("terraform", "parse_hcl"):
        pytest.skip("no parsers/terraform.py yet")

    @SLOW
    @given(strategy)
    def run(value: Any) -> None:
        if needs_repo:
            prop(tmp_path_factory.mktemp(name), value)
        else:
            prop(value)

    run()


def test_optional_lookup() -> None:
    """The lookup used above finds present functions and reports missing ones as []."""
    assert optional("no_such_module", "parse") == []
    assert optional("markdown", "parse_markdown", "no_such_function") == []
    assert [f.__name__ for f in optional("markdown", "parse_markdown")] == ["parse_markdown"]
