"""Run the selected rules over a repository and produce :class:`Result` rows.

The engine isolates failures (a crashing check gives an ``error`` result for its rule
and the run goes on), expands findings to the levels of graded rules, and applies ADR
waivers and inline ``mlops-lint: ignore[...]`` suppressions.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from mlops_lint import prefetch
from mlops_lint.catalog import Catalog, Rule
from mlops_lint.config import Config
from mlops_lint.context import Context
from mlops_lint.model import Finding, Result, Status, T, errored, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import Heading, Markdown, headings_matching
from mlops_lint.repo import Project, Repo

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


def _run_check(rule: Rule, ctx: Context, catalog: Catalog) -> list[Finding]:
    from mlops_lint.checks import REGISTRY

    spec = REGISTRY[rule.check]
    try:
        if rule.applies_if and not ctx.files(rule.applies_if):
            reason = rule.not_applicable.t() if rule.not_applicable else T(
                "not applicable: no matching files (" + ", ".join(rule.applies_if) + ")",
                "no aplica: no hay archivos que coincidan (" + ", ".join(rule.applies_if)
                + ")")
            return [skipped(reason)]
        findings = list(spec.func(ctx, catalog.params.get(rule.id)))
    except Exception as exc:  # isolate: one broken check must not stop the run
        return [errored(T(f"the check crashed: {type(exc).__name__}: {exc}",
                          f"la comprobación falló: {type(exc).__name__}: {exc}"))]
    if not findings:
        return [errored(T("the check returned no result", "la comprobación no dio resultado"))]
    return findings


def _to_results(rule: Rule, project: Project, findings: Iterable[Finding]) -> list[Result]:
    results = []
    levels = {c.level: c for c in rule.levels}
    for finding in findings:
        targets = [finding.level] if finding.level in levels else list(levels)
        for level in targets:
            crit = levels[level]
            results.append(Result(
                rule=rule.id, phase=rule.phase, level=level, gate=crit.gate,
                weight=crit.effective_weight if rule.scored else 0.0,
                status=finding.status, severity=rule.severity, project=project.path,
                path=finding.path, line=finding.line, message=finding.message,
                fix=finding.fix or rule.fix.t(), title=rule.title.t(),
                fingerprint=_fingerprint(rule.id, level, project.path, finding.path,
                                         finding.message.en),
            ))
    return results


def _lines(repo: Repo, path: str) -> list[str]:
    key = f"engine:lines:{path}"
    if key not in repo.memo:
        text = repo.text(path)
        repo.memo[key] = [] if isinstance(text, ParseError) else text.splitlines()
    lines: list[str] = repo.memo[key]
    return lines


def _suppressed(repo: Repo, result: Result) -> bool:
    """A comment on the result's line or the line before; a finding about a whole file
    (no line) is suppressed by a comment on the file's first line."""
    if result.path is None or not result.status.is_problem:
        return False
    lines = _lines(repo, result.path)
    line = result.line or 1
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            match = INLINE.search(lines[number - 1])
            if match and (match.group(1) is None or result.rule in
                          {r.strip().upper() for r in match.group(1).split(",")}):
                return True
    return False


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
    from mlops_lint.parsers.markdown import parse_markdown

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


# A run keeps every syntax tree and YAML document it reads until it ends (hundreds of
# thousands of objects): with the default threshold (700 allocations) the cyclic garbage
# collector re-scans them hundreds of times, a tenth of the run. Collect less often.
GC_THRESHOLD = 50_000


def run(repo: Repo, catalog: Catalog, config: Config) -> Run:
    """Evaluate the selected rules; results come back sorted as the JSON report lists them."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        prefetch.start(repo)  # opt-in: manifests, workflows, Terraform on a second core
        return _run(repo, catalog, config)
    finally:
        prefetch.stop(repo)
        gc.set_threshold(*threshold)


def _run(repo: Repo, catalog: Catalog, config: Config) -> Run:
    rules = catalog.select(config.select, config.ignore)
    root = Project(".", repo.projects[0].name if repo.projects[0].path == "." else
                   repo.root.name, repo.files)
    results: list[Result] = []
    for rule in rules:
        subjects = repo.projects if rule.scope == "project" else (root,)
        rule_results: list[Result] = []
        for project in subjects:
            ctx = Context(repo, project, config, rule.id)
            rule_results.extend(_to_results(rule, project, _run_check(rule, ctx, catalog)))
        rule_results = [
            replace(r, status=Status.WAIVED, waiver="inline",
                    message=T("suppressed inline: ", "suprimido en línea: ") + r.message)
            if _suppressed(repo, r) else r
            for r in rule_results
        ]
        results.extend(_apply_waivers(repo, rule, rule_results, config))
    results.sort(key=Result.sort_key)
    selected = catalog.select(config.select, ())
    ignored = tuple(sorted(r.id for r in selected if r not in rules))
    return Run(tuple(results), repo.projects, ignored, tuple(repo.notes))
