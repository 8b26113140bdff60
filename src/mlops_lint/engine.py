"""Run the selected rules over a repository and produce :class:`Result` rows.

The engine isolates failures (a crashing check gives an ``error`` result for its rule
and the run goes on), expands findings to the levels of graded rules, and applies ADR
waivers and inline ``mlops-lint: ignore[...]`` suppressions.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mlops_lint import prefetch
from mlops_lint.catalog import Catalog, Rule
from mlops_lint.config import Config
from mlops_lint.context import Context
from mlops_lint.globs import filter_paths, matches
from mlops_lint.model import Finding, Result, Status, T, errored, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.projects import Project
from mlops_lint.repo import Repo

if TYPE_CHECKING:
    from mlops_lint.parsers.markdown import Heading, Markdown

# ``ignore[ID,...]`` or a bare ``ignore`` (not ``ignored``, ``ignore-me`` or an unclosed ``[``).
INLINE = re.compile(r"mlops-lint:\s*ignore(?:\[([^\]\n]*)\]|(?![\w\[-]))")
ADR_SECTIONS: dict[str, tuple[str, ...]] = {
    "context": ("context", "contexto"),
    "decision": ("decision", "decisión"),
    "consequences": ("consequences", "consecuencias"),
}


@dataclass(frozen=True)
class Run:
    """The outcome of one ``check``: every result plus what was left out and why."""

    results: tuple[Result, ...]
    projects: tuple[Project, ...]
    ignored: tuple[str, ...]  # rule ids ignored without justification
    notes: tuple[T, ...] = ()  # what could not be read (directories, git's own errors)


def _fingerprint(rule: str, level: int, project: str, path: str | None, message: str) -> str:
    """Stable identity of a finding: no line number, so it survives unrelated edits."""
    text = f"{rule}\0{level}\0{project}\0{path or ''}\0{message}"
    # surrogatepass: a lone surrogate from a source string must not abort the run
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def _ignored_pointers(ctx: Context, globs: tuple[str, ...]) -> bool:
    """A rule about DVC pointers applies to pointers git ignores too (they exist, and the
    rule has something to say about them); asked of git only for such rules."""
    if not any(g.endswith(".dvc") for g in globs):
        return False
    return bool(filter_paths(ctx.repo.ignored_dvc_pointers, globs))


def _run_check(rule: Rule, ctx: Context, catalog: Catalog) -> list[Finding]:
    from mlops_lint.rules import spec_of

    try:
        if rule.applies_if and not ctx.files(rule.applies_if) and not _ignored_pointers(
                ctx, rule.applies_if):
            reason = rule.not_applicable.t() if rule.not_applicable else T(
                "not applicable: no matching files (" + ", ".join(rule.applies_if) + ")",
                "no aplica: no hay archivos que coincidan (" + ", ".join(rule.applies_if)
                + ")")
            return [skipped(reason)]
        spec = spec_of(rule.check)  # its module imported on first use
        if spec is None:
            raise KeyError(f"unknown check {rule.check!r}")
        findings = list(spec.func(ctx, catalog.params_for(rule)))
    except Exception as exc:  # isolate: one broken check must not stop the run
        return [errored(T(f"the check crashed: {type(exc).__name__}: {exc}",
                          f"la comprobación falló: {type(exc).__name__}: {exc}"))]
    if not findings:
        return [errored(T("the check returned no result", "la comprobación no dio resultado"))]
    return findings


def _to_results(rule: Rule, project: Project, findings: Iterable[Finding]) -> list[Result]:
    results = []
    levels = {c.level: c for c in rule.levels}
    title, fix = rule.title.t(), rule.fix.t()  # one each per rule: texts are immutable
    for finding in findings:
        targets = [finding.level] if finding.level in levels else list(levels)
        for level in targets:
            crit = levels[level]
            results.append(Result(
                rule=rule.id, phase=rule.phase, level=level, gate=crit.gate,
                weight=crit.effective_weight if rule.scored else 0.0,
                status=finding.status, severity=rule.severity, project=project.path,
                path=finding.path, line=finding.line, message=finding.message,
                fix=finding.fix or fix, title=title,
                fingerprint=_fingerprint(rule.id, level, project.path, finding.path,
                                         finding.message.en),
                see=finding.see,
            ))
    return results


def _lines(repo: Repo, path: str) -> list[str]:
    """The file's lines, kept while one rule's results are marked (see :func:`_run`)."""
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


def _mark(repo: Repo, result: Result) -> Result:
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


def _body(doc: Markdown, heading: Heading) -> str:
    """The text of a section without its heading (a bold label's own line counts)."""
    first, _, rest = doc.section(heading).partition("\n")
    inline = first.split(heading.text, 1)[-1].strip(" *_:：") if heading.level > 6 else ""
    return (inline + rest).strip()


def validate_adr(repo: Repo, path: str) -> T | None:
    """``None`` when ``path`` is an ADR with context, decision and consequences sections
    (English or Spanish headings or bold labels; the title does not count), else what is
    wrong."""
    path = PurePosixPath(path.replace("\\", "/")).as_posix()
    if not repo.exists(path):
        return T(f"waiver ADR {path} does not exist", f"el ADR de la excepción {path} no existe")
    from mlops_lint.parsers.markdown import headings_matching, parse_markdown

    doc = repo.parse(path, parse_markdown)
    if isinstance(doc, ParseError):
        return T(f"waiver ADR {path} cannot be read: {doc.message}",
                 f"el ADR de la excepción {path} no se puede leer: {doc.message}")
    headings = doc.headings
    if headings and headings[0].level == 1 and all(h.level > 1 for h in headings[1:]):
        headings = headings[1:]  # a title over the sections names the decision: not a section
    found = {key: [h for h in headings_matching(doc, names) if h in headings]
             for key, names in ADR_SECTIONS.items()}
    missing = [key for key, hits in found.items() if not hits]
    if missing:
        return T(f"waiver ADR {path} lacks sections: {', '.join(missing)}",
                 f"al ADR de la excepción {path} le faltan secciones: {', '.join(missing)}")
    empty = [key for key, hits in found.items() if not any(_body(doc, h) for h in hits)]
    if empty:
        return T(f"waiver ADR {path} has empty sections: {', '.join(empty)}",
                 f"el ADR de la excepción {path} tiene secciones vacías: {', '.join(empty)}")
    return None


def _apply_waivers(repo: Repo, rule: Rule, results: list[Result], config: Config) -> list[Result]:
    adr = config.waivers.get(rule.id)
    if adr is None:
        return results
    adr = PurePosixPath(adr.replace("\\", "/")).as_posix()
    problem = validate_adr(repo, adr)
    if problem is None:
        note = T(f"waived by {adr}", f"exceptuada por {adr}")
        return [replace(r, status=Status.WAIVED, waiver=adr, message=note + T(
            f" (was: {r.message.en})", f" (era: {r.message.es})")) for r in results]
    low = min(c.level for c in rule.levels)
    crit = rule.criterion(low)
    invalid = Result(
        rule=rule.id, phase=rule.phase, level=low, gate=crit.gate,
        weight=crit.effective_weight if rule.scored else 0.0, status=Status.FAIL,
        severity=rule.severity, project=results[0].project if results else ".",
        path=adr if repo.exists(adr) else None,
        line=1 if repo.exists(adr) else None, message=problem,
        fix=T(f"write {adr} with Context, Decision and Consequences sections, or remove the "
              f"waiver of {rule.id} from the configuration",
              f"escribe {adr} con secciones Contexto, Decisión y Consecuencias, o quita la "
              f"excepción de {rule.id} de la configuración"),
        title=rule.title.t(), fingerprint=_fingerprint(rule.id, low, ".", adr, problem.en))
    return [*results, invalid]


def collapse(results: list[Result]) -> list[Result]:
    """Say an absence once. A problem whose finding follows from an absence another rule
    reports (``see``: no Dockerfile, DOCK001; no CI, CI001; DVC not initialised, DATA001)
    becomes a ``skip`` pointing at that rule when the rule reports a problem for the same
    project (or the repository), and ``waived`` by the same ADR when that rule is waived:
    accepting "no DVC" accepts what needs DVC. When that rule did not run (``--select``,
    ``ignore``) or does not report the absence, the problem stays as it is."""
    reporters: dict[tuple[str, str], Result] = {}
    for r in results:
        if r.see in (None, r.rule) and (r.status.is_problem or (
                r.status is Status.WAIVED and r.waiver not in (None, "inline")) or (
                r.status is Status.SKIP and r.see == r.rule)):
            reporters.setdefault((r.rule, r.project), r)
    out = []
    for r in results:
        source = None
        if r.see not in (None, r.rule) and r.status.is_problem:
            source = reporters.get((str(r.see), r.project)) or reporters.get((str(r.see), "."))
        if source is None:
            out.append(r)
        elif source.status is Status.WAIVED:
            out.append(replace(r, status=Status.WAIVED, waiver=source.waiver, message=T(
                f"waived with {source.rule} by {source.waiver} (was: {r.message.en})",
                f"exceptuada con {source.rule} por {source.waiver} (era: {r.message.es})")))
        else:
            see = T("", "") if f"see {source.rule}" in r.message.en else T(
                f"; see {source.rule}", f"; ver {source.rule}")
            out.append(replace(r, status=Status.SKIP, message=r.message + see))
    return out


# A run keeps every syntax tree and YAML document it reads until it ends (hundreds of
# thousands of objects): with the default threshold (700 allocations) the cyclic garbage
# collector re-scans them hundreds of times, a tenth of the run. Collect less often.
GC_THRESHOLD = 50_000


def run(repo: Repo, catalog: Catalog, config: Config,
        progress: Callable[[int, int, str], None] | None = None,
        jobs: int | None = None) -> Run:
    """Evaluate the selected rules; results come back sorted as the JSON report lists them.
    ``progress`` is told (rules done, rules in all, the next rule) before each rule.
    ``jobs``: worker processes (:mod:`mlops_lint.pool`; ``None``: one, in-process)."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        return _run(repo, catalog, config, progress, jobs)
    finally:
        prefetch.stop(repo)
        gc.set_threshold(*threshold)


def _families(rules: Sequence[Rule]) -> list[list[int]]:
    """The rules' indexes by family (``DOCK``, ``K8S``...: rules that read the same
    files), families in the order they first appear."""
    families: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        families.setdefault(rule.id.rstrip("0123456789"), []).append(index)
    return list(families.values())


def _evaluate(repo: Repo, rule: Rule, root: Project, catalog: Catalog,
              config: Config) -> list[Result]:
    """One rule's results, marked (inline suppressions) and waived."""
    subjects = repo.projects if rule.scope == "project" else (root,)
    rule_results: list[Result] = []
    for project in subjects:
        ctx = Context(repo, project, config, rule.id)
        rule_results.extend(_to_results(rule, project, _run_check(rule, ctx, catalog)))
    rule_results = [_mark(repo, r) for r in rule_results]
    repo.memo.pop(LINES, None)  # split again if a later rule's results need them
    return _apply_waivers(repo, rule, rule_results, config)


def _worker_state(repo: Repo) -> tuple[set[str], tuple[str, ...] | None]:
    """What a worker learnt that the results cache keys a run by."""
    return repo.probed, repo.asked_ignored_dvc


def _in_workers(repo: Repo, rules: Sequence[Rule], root: Project, catalog: Catalog,
                config: Config, jobs: int,
                progress: Callable[[int, int, str], None] | None) -> dict[int, list[Result]]:
    """The rules' results evaluated in ``jobs`` forked workers (see :mod:`mlops_lint.pool`);
    rules a worker did not deliver are missing."""
    from mlops_lint import pool

    done = 0

    def delivered(items: Sequence[int]) -> None:
        nonlocal done
        done += len(items)
        if progress is not None and done < len(rules):
            progress(done, len(rules), rules[done].id)

    outcome = pool.evaluate(_families(rules),
                            lambda i: _evaluate(repo, rules[i], root, catalog, config),
                            jobs, lambda: _worker_state(repo), delivered)
    for probed, asked in outcome.states:
        repo.probed.update(probed)
        if asked is not None and repo.asked_ignored_dvc is None:
            repo.asked_ignored_dvc = asked
    results: dict[int, list[Result]] = outcome.results
    return results


def _run(repo: Repo, catalog: Catalog, config: Config,
         progress: Callable[[int, int, str], None] | None, jobs: int | None) -> Run:
    from mlops_lint import pool

    rules = catalog.select(config.select, config.ignore)
    root = Project(".", repo.projects[0].name if repo.projects[0].path == "." else
                   repo.root.name, repo.files)
    workers = pool.workers_for(jobs, len(repo.files))
    evaluated: dict[int, list[Result]] = {}
    if workers:
        evaluated = _in_workers(repo, rules, root, catalog, config, workers, progress)
    else:
        prefetch.start(repo)  # opt-in: manifests, workflows, Terraform on a second core
    results: list[Result] = []
    for done, rule in enumerate(rules):
        rule_results = evaluated.pop(done, None)
        if rule_results is None:  # in-process (or a worker did not deliver it)
            if progress is not None:
                progress(done, len(rules), rule.id)
            rule_results = _evaluate(repo, rule, root, catalog, config)
        results.extend(rule_results)
    results = collapse(results)
    results.sort(key=Result.sort_key)
    selected = catalog.select(config.select, ())
    chosen = {r.id for r in rules}  # by id: comparing the rule models is slow
    ignored = tuple(sorted(r.id for r in selected if r.id not in chosen))
    return Run(tuple(results), repo.projects, ignored, tuple(repo.notes))
