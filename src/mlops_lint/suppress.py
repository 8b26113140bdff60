"""Inline suppressions: ``mlops-lint: ignore[ID,...]`` (or a bare ``ignore``) in a comment
on a finding's line or the line above; a finding about a whole file is suppressed on its
first line. Dockerfiles have comment lines only, so there the directive is a comment line
of its own above the instruction, as hadolint's ``# hadolint ignore=``. A suppressed
finding is kept, marked waived ("inline").
"""

from __future__ import annotations

import re
from dataclasses import replace

from mlops_lint import lazy_re
from mlops_lint.globs import matches
from mlops_lint.model import Result, Status, T
from mlops_lint.parsers import ParseError
from mlops_lint.repo import Repo

# ``ignore[ID,...]`` or a bare ``ignore`` (not ``ignored``, ``ignore-me`` or an unclosed ``[``).
INLINE = lazy_re.compile(r"mlops-lint:\s*ignore(?:\[([^\]\n]*)\]|(?![\w\[-]))")


def _lines(repo: Repo, path: str) -> list[str]:
    """The file's lines, kept while one rule's results are marked (the engine drops them
    after each rule: :data:`LINES`)."""
    kept: dict[str, list[str]] = repo.memo.setdefault(LINES, {})
    lines = kept.get(path)
    if lines is None:
        text = repo.text(path)
        lines = kept[path] = [] if isinstance(text, ParseError) else text.splitlines()
    return lines


LINES = "engine:lines"


def _directive_hits(match: re.Match[str] | None, rule: str) -> bool:
    return match is not None and (match.group(1) is None or rule in
                                  {r.strip().upper() for r in match.group(1).split(",")})


def _suppressed(repo: Repo, result: Result) -> bool:
    """A comment on the result's line or the line before; a finding about a whole file
    (no line) is suppressed by a comment on the file's first line. Dockerfiles have
    their own form (:func:`_docker_suppressed`)."""
    if result.path is None or not result.status.is_problem:
        return False
    if _is_dockerfile(result.path):
        return _docker_suppressed(repo, result)
    lines = _lines(repo, result.path)
    line = result.line or 1
    for number in (line, line - 1):
        if 1 <= number <= len(lines) and _directive_hits(
                INLINE.search(lines[number - 1][:MAX_LINE]), result.rule):
            return True
    return False


MAX_LINE = 4000  # characters of a line searched for the directive


def _is_dockerfile(path: str) -> bool:
    from mlops_lint.parsers.dockerfile import DOCKERFILE_GLOBS, is_dockerfile

    return matches(path, DOCKERFILE_GLOBS, case_sensitive=False) and is_dockerfile(path)


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _instruction_span(repo: Repo, path: str, line: int, lines: list[str]) -> tuple[int, int]:
    """The first and last line of the Dockerfile instruction holding ``line`` (heredoc
    bodies and continuation lines included); the line alone when it is not in one."""
    from mlops_lint.parsers.dockerfile import Dockerfile, parse_dockerfile

    parsed = repo.parse(path, parse_dockerfile)
    if isinstance(parsed, Dockerfile):
        for inst in parsed.instructions:
            if inst.line <= line <= max(inst.end_line, inst.line):
                return inst.line, max(inst.end_line, inst.line)
        return line, line
    start, above = line, line - 1  # unparsable: follow the continuations back
    while above >= 1:
        text = lines[above - 1]
        if text.rstrip().endswith("\\") and not _comment(text):
            start = above
        elif not _comment(text):  # comments inside a continuation are skipped
            break
        above -= 1
    return start, line


def _docker_suppressed(repo: Repo, result: Result) -> bool:
    """Docker has comment lines only: ``#`` after an instruction is part of it
    (``USER root  # x`` names the user ``root  # x``; ``FROM image # x`` does not
    build). So in a Dockerfile the directive is a comment line of its own in the block
    of comment lines directly above the instruction, as hadolint's ``# hadolint
    ignore=``; a finding about the whole file (no line) is suppressed by one in the
    comment lines before the first instruction (after any ``# syntax=`` directive)."""
    lines = _lines(repo, result.path or "")
    if not lines:
        return False
    if result.line is None:
        first = next((i for i, text in enumerate(lines)
                      if text.strip() and not _comment(text)), len(lines))
        block = range(first)
    else:
        if not 1 <= result.line <= len(lines):
            return False
        start, _ = _instruction_span(repo, result.path or "", result.line, lines)
        above = start - 1  # 1-based line above the instruction
        top = above
        while top >= 1 and _comment(lines[top - 1]):
            top -= 1
        block = range(top, above)  # 0-based indexes of the comment block
    return any(_comment(lines[i]) and _directive_hits(INLINE.search(lines[i][:MAX_LINE]),
                                                      result.rule) for i in block)


def _trailing_directive(repo: Repo, result: Result) -> int | None:
    """The line of a ``mlops-lint: ignore`` written after a Dockerfile instruction
    (which Docker does not read as a comment) on the result's instruction."""
    if result.path is None or result.line is None or not _is_dockerfile(result.path):
        return None
    lines = _lines(repo, result.path)
    if not 1 <= result.line <= len(lines):
        return None
    start, end = _instruction_span(repo, result.path, result.line, lines)
    for number in range(start, min(end, len(lines)) + 1):
        text = lines[number - 1]
        if not _comment(text) and INLINE.search(text[:MAX_LINE]):
            return number
    return None


def mark(repo: Repo, result: Result) -> Result:
    """Suppress the result when an inline directive covers it; say so when a directive
    in a Dockerfile sits where Docker does not read it as a comment."""
    if not result.status.is_problem or result.path is None:
        return result
    if _suppressed(repo, result):
        return replace(result, status=Status.WAIVED, waiver="inline",
                       message=T("suppressed inline: ", "suprimido en línea: ") + result.message)
    number = _trailing_directive(repo, result)
    if number is None:
        return result
    return replace(result, message=result.message + T(
        f" (the 'mlops-lint: ignore' at the end of line {number} does not suppress it: "
        "Docker has no trailing comments, so it is part of the instruction; put it on a "
        "comment line of its own above the instruction)",
        f" (el 'mlops-lint: ignore' al final de la línea {number} no lo suprime: Docker "
        "no admite comentarios al final de una línea, así que forma parte de la "
        "instrucción; ponlo en una línea de comentario propia encima de la instrucción)"))
