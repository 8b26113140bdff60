"""Generic checks a team can use from YAML alone (rule packs).

All paths and globs are relative to the project directory for project-scoped rules and
to the repository root for repo-scoped rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator

from mlops_lint.context import Context
from mlops_lint.globs import check_glob
from mlops_lint.model import Finding, T, failed, manual, passed, skipped, verdict
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import headings_matching, parse_markdown
from mlops_lint.rules import Params, check
from mlops_lint.untrusted import SEARCH_BUDGET_S, Budget, PatternTooSlow, UntrustedPattern

MAX_SLOW_FILES = 3  # files on which a pattern ran out of time before the rule gives up


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None


def _matches(pattern: str, text: str) -> bool:
    try:
        return UntrustedPattern(pattern).search(text, Budget())
    except PatternTooSlow:  # pragma: no cover - the caller tried it first
        return False


def _too_slow(pattern: str, where: str) -> T:
    return T(f"the pattern {pattern!r} takes more than {SEARCH_BUDGET_S:g} s on {where}; "
             "not evaluated",
             f"el patrón {pattern!r} tarda más de {SEARCH_BUDGET_S:g} s en {where}; "
             "no evaluado")


def _valid_globs(value: tuple[str, ...]) -> tuple[str, ...]:
    for glob in value:
        check_glob(glob)
    return value


Globs = Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(_valid_globs)]


class FileExists(Params):
    globs: Globs
    case_sensitive: bool = True
    min_count: int = Field(1, ge=1)


@check("file_exists", FileExists)
def file_exists(ctx: Context, params: FileExists) -> Iterator[Finding]:
    """Pass when at least ``min_count`` files match any of ``globs``."""
    found = ctx.files(params.globs, params.case_sensitive)
    wanted = ", ".join(params.globs)
    yield verdict(
        len(found) >= params.min_count,
        T(f"found {found[0]}" + (f" and {len(found) - 1} more" if len(found) > 1 else ""),
          f"encontrado {found[0]}" + (f" y {len(found) - 1} más" if len(found) > 1 else ""))
        if found else T("", ""),
        T(f"no file matches {wanted}" if not found else
          f"only {len(found)} file(s) match {wanted}, {params.min_count} needed",
          f"ningún archivo coincide con {wanted}" if not found else
          f"solo {len(found)} archivo(s) coinciden con {wanted}; se necesitan {params.min_count}"),
        path=found[0] if found else None,
    )


def _dig(node: Any, dotted: tuple[str, ...]) -> tuple[bool, Any]:
    for key in dotted:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False, None
    return True, node


class KeyValue(Params):
    file: str
    key: str = Field(min_length=1, description="dotted path, e.g. tool.mypy.strict")
    equals: Any = None
    matches: str | None = None

    @field_validator("matches")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            _compile(value)
        return value


def _key_value(ctx: Context, params: KeyValue, loader: str) -> Iterator[Finding]:
    path = ctx.path(params.file)
    if not ctx.repo.exists(path):
        yield failed(T(f"{path} does not exist", f"{path} no existe"))
        return
    document = ctx.repo.toml(path) if loader == "toml" else ctx.repo.yaml(path)
    if isinstance(document, ParseError):
        yield failed(T(f"{path} does not parse: {document.message}",
                       f"{path} no se puede analizar: {document.message}"), path, document.line)
        return
    present, value = _dig(document, tuple(params.key.split(".")))
    if present and params.equals is None and params.matches is not None:
        try:
            UntrustedPattern(params.matches).search(str(value), Budget())
        except PatternTooSlow:
            yield skipped(_too_slow(params.matches, path), path)
            return
    if not present:
        yield failed(T(f"{params.key} is not set in {path}", f"{params.key} no está en {path}"),
                     path)
    elif params.equals is not None and value != params.equals:
        yield failed(T(f"{params.key} is {value!r}, expected {params.equals!r}",
                       f"{params.key} vale {value!r}; se esperaba {params.equals!r}"), path)
    elif params.matches is not None and not _matches(params.matches, str(value)):
        yield failed(T(f"{params.key} = {value!r} does not match {params.matches}",
                       f"{params.key} = {value!r} no coincide con {params.matches}"), path)
    else:
        yield passed(T(f"{params.key} = {value!r}", f"{params.key} = {value!r}"), path)


@check("toml_value", KeyValue)
def toml_value(ctx: Context, params: KeyValue) -> Iterator[Finding]:
    """Pass when the TOML ``file`` has ``key`` (optionally equal to / matching a value)."""
    yield from _key_value(ctx, params, "toml")


@check("yaml_value", KeyValue)
def yaml_value(ctx: Context, params: KeyValue) -> Iterator[Finding]:
    """Pass when the YAML ``file`` has ``key`` (optionally equal to / matching a value)."""
    yield from _key_value(ctx, params, "yaml")


class TextMatches(Params):
    globs: Globs
    pattern: str
    ignore_case: bool = False
    present: bool = Field(True, description="false: pass when no file matches")

    @field_validator("pattern")
    @classmethod
    def _valid_regex(cls, value: str) -> str:
        _compile(value)
        return value


@check("text_matches", TextMatches)
def text_matches(ctx: Context, params: TextMatches) -> Iterator[Finding]:
    """Pass when some file matching ``globs`` contains ``pattern`` (or none does)."""
    regex = UntrustedPattern(params.pattern, re.IGNORECASE if params.ignore_case else 0)
    hits: list[tuple[str, int]] = []
    slow: list[str] = []
    for path in ctx.files(params.globs):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            continue
        if len(slow) >= MAX_SLOW_FILES:
            slow.append(path)
            continue
        try:
            start = regex.find(text, Budget())
        except PatternTooSlow:
            slow.append(path)
            continue
        if start is not None:
            hits.append((path, text.count("\n", 0, start) + 1))
    if slow and not (params.present and hits):
        more = len(slow) - 1
        where = slow[0] + (f" (+{more})" if more else "")
        yield skipped(_too_slow(params.pattern, where), slow[0])
        return
    if params.present:
        if hits:
            yield passed(T(f"{params.pattern!r} found", f"{params.pattern!r} encontrado"),
                         hits[0][0], hits[0][1])
        else:
            yield failed(T(f"no file matching {', '.join(params.globs)} contains "
                           f"{params.pattern!r}",
                           f"ningún archivo {', '.join(params.globs)} contiene "
                           f"{params.pattern!r}"))
    elif hits:
        for path, line in hits:
            yield failed(T(f"{params.pattern!r} found", f"se encontró {params.pattern!r}"),
                         path, line)
    else:
        yield passed(T(f"{params.pattern!r} absent", f"{params.pattern!r} ausente"))


class HeadingsPresent(Params):
    globs: Globs
    headings: tuple[tuple[str, ...], ...] = Field(
        min_length=1, description="each entry: synonyms for one required heading")
    case_sensitive_paths: bool = False


@check("markdown_headings", HeadingsPresent)
def markdown_headings(ctx: Context, params: HeadingsPresent) -> Iterator[Finding]:
    """Pass when a Markdown file matching ``globs`` has every required heading."""
    paths = ctx.files(params.globs, params.case_sensitive_paths)
    if not paths:
        yield failed(T(f"no file matches {', '.join(params.globs)}",
                       f"ningún archivo coincide con {', '.join(params.globs)}"))
        return
    for path in paths:
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, ParseError):
            yield failed(T(f"cannot read: {doc.message}", f"no se puede leer: {doc.message}"),
                         path)
            continue
        missing = [names[0] for names in params.headings if not headings_matching(doc, names)]
        yield verdict(not missing, T("all required headings present",
                                     "todos los encabezados requeridos están"),
                      T(f"missing headings: {', '.join(missing)}",
                        f"faltan encabezados: {', '.join(missing)}"), path)


@check("manual")
def manual_review(ctx: Context, params: None) -> Iterator[Finding]:
    """Only a person can judge this item: always ``manual``, never scored."""
    yield manual(T("to be verified by a person", "debe verificarlo una persona"))
