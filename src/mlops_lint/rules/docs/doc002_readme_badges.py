"""DOC002: a CI status badge for a workflow that exists, and a coverage badge.

A GitHub badge names a workflow file or a workflow name (which may hold slashes); a badge
of another CI system (GitLab, Travis, CircleCI, Azure) needs that system's configuration.
A badge still pointing at the template's ``USER/REPO`` or a coverage badge reading ``XX%``
is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import WORKFLOW_GLOBS, other_ci_files, workflows
from mlops_lint.parsers.markdown import (
    Link,
    Markdown,
)
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.rules import rule
from mlops_lint.rules.docs._shared import read_markdown, readme_path, unreadable

_GH_WORKFLOW_FILE = lazy_re.compile(
    r"github\.com/([^/]+)/([^/]+)/actions/workflows/([^/?#]+?)/badge\.svg", re.I)


# a workflow name may hold slashes ("Continuous Integration - Main/Release")
_GH_WORKFLOW_NAME = lazy_re.compile(
    r"github\.com/([^/]+)/([^/]+)/workflows/([^?#]{1,200}?)/badge\.svg", re.I)


_SHIELDS_WORKFLOW_FILE = lazy_re.compile(
    r"img\.shields\.io/github/actions/workflow/status/([^/]+)/([^/]+)/([^/?#]+)", re.I)


_SHIELDS_WORKFLOW_NAME = lazy_re.compile(
    r"img\.shields\.io/github/workflow/status/([^/]+)/([^/]+)/([^/?#]+)", re.I)


_OTHER_CI_BADGE = (
    ("gitlab", lazy_re.compile(r"/badges/[^/]+/pipeline\.svg|gitlab\.com/.*/pipeline", re.I)),
    ("travis", lazy_re.compile(r"travis-ci\.(?:org|com)", re.I)),
    ("circleci", lazy_re.compile(r"circleci\.com/.*\.svg|dl\.circleci\.com", re.I)),
    ("azure", lazy_re.compile(r"dev\.azure\.com/.*/_apis/build/status", re.I)),
)


_COVERAGE_BADGE = lazy_re.compile(r"codecov\.io|coveralls\.io|coverage|cobertura|test_coverage",
                                  re.I)


_PLACEHOLDER_OWNER = lazy_re.compile(
    r"^(?:user|username|usuario|your[-_]?(?:user(?:name)?|org|name)|tu[-_]?usuario|owner|"
    r"org|organization|repo|repository|repositorio|<[^>]*>|\{[^}]*\}|\[[^\]]*\]|x{2,})$", re.I)


@dataclass(frozen=True)
class CiBadge:
    link: Link
    owner: str
    repo: str
    workflow: str  # a file name, or a workflow name when ``by_name``
    by_name: bool


def _ci_badge(link: Link) -> CiBadge | None:
    for pattern, by_name in ((_GH_WORKFLOW_FILE, False), (_SHIELDS_WORKFLOW_FILE, False),
                             (_GH_WORKFLOW_NAME, True), (_SHIELDS_WORKFLOW_NAME, True)):
        match = pattern.search(link.url)
        if match:
            return CiBadge(link, unquote(match.group(1)), unquote(match.group(2)),
                           unquote(match.group(3)), by_name)
    return None


def _badges(doc: Markdown) -> list[Link]:
    return [k for k in doc.links if k.image]


def _workflow_exists(ctx: Context, badge: CiBadge) -> bool:
    if not badge.by_name:
        return ctx.repo.exists(f".github/workflows/{badge.workflow}")
    for wf in workflows(ctx.repo):
        if isinstance(wf, ParseError):
            continue
        name = wf.raw.get("name")
        stem = PurePosixPath(wf.path).stem
        if (isinstance(name, str) and name.strip() == badge.workflow.strip()) \
                or stem == badge.workflow:
            return True
    return False


def _ci_badge_finding(ctx: Context, path: str, badge: CiBadge) -> Finding:
    where = T(f".github/workflows/{badge.workflow}", f".github/workflows/{badge.workflow}") \
        if not badge.by_name else T(f"a workflow named '{badge.workflow}'",
                                    f"un workflow llamado '{badge.workflow}'")
    if not _workflow_exists(ctx, badge):
        return failed(T(f"CI badge points at {where.en}, which does not exist",
                        f"el badge de CI apunta a {where.es}, que no existe"),
                      path, badge.link.line,
                      fix=T("point the badge at an existing workflow file "
                            "(actions/workflows/<file>.yml/badge.svg)",
                            "apunta el badge a un workflow existente "
                            "(actions/workflows/<archivo>.yml/badge.svg)"))
    if _PLACEHOLDER_OWNER.match(badge.owner) or _PLACEHOLDER_OWNER.match(badge.repo):
        return warned(T(f"CI badge still points at the template's {badge.owner}/{badge.repo}",
                        f"el badge de CI aún apunta a {badge.owner}/{badge.repo} de la "
                        "plantilla"),
                      path, badge.link.line,
                      fix=T("replace USER/REPO in the badge URL with this repository",
                            "cambia USER/REPO en la URL del badge por este repositorio"))
    return passed(T(f"CI badge for {where.en}", f"badge de CI de {where.es}"),
                  path, badge.link.line)


def _other_ci_finding(ctx: Context, path: str, system: str, link: Link) -> Finding:
    if other_ci_files(ctx.repo).get(system):
        return passed(T(f"{system} CI badge", f"badge de CI de {system}"), path, link.line)
    return failed(T(f"{system} CI badge, but no {system} configuration in the repository",
                    f"badge de CI de {system}, pero no hay configuración de {system}"),
                  path, link.line)


def _no_ci_badge(ctx: Context, path: str, has_ci: bool) -> Finding:
    """A README without a CI status badge: what to do first depends on the CI there is."""
    if not has_ci:
        return failed(T("no CI status badge, and no CI configuration for one to report on",
                        "no hay badge de estado de CI, ni configuración de CI de la que "
                        "informar"), path,
                      fix=T("set up CI first (a workflow that runs the tests, see CI001), then "
                            "add its status badge under the title",
                            "configura primero la CI (un workflow que ejecute los tests, ver "
                            "CI001) y luego añade su badge de estado bajo el título"))
    if not ctx.repo.glob(WORKFLOW_GLOBS):
        systems = ", ".join(sorted(other_ci_files(ctx.repo)))
        return failed(T("no CI status badge", "no hay badge de estado de CI"), path,
                      fix=T(f"add the status badge of the {systems} pipeline under the title",
                            f"añade el badge de estado del pipeline de {systems} bajo el "
                            "título"))
    return failed(T("no CI status badge", "no hay badge de estado de CI"), path,
                  fix=T("add [![CI](https://github.com/<owner>/<repo>/actions/workflows/"
                        "<workflow>.yml/badge.svg)](...) under the title",
                        "añade [![CI](https://github.com/<owner>/<repo>/actions/workflows/"
                        "<workflow>.yml/badge.svg)](...) bajo el título"))


def _coverage_finding(path: str, badges: list[Link]) -> Finding:
    coverage = [k for k in badges if _ci_badge(k) is None
                and (_COVERAGE_BADGE.search(k.url) or _COVERAGE_BADGE.search(k.text))]
    extras = [name for name, pattern in (("Python", r"python"), ("License", r"licen[cs]e"))
              if any(re.search(pattern, k.url + " " + k.text, re.I) for k in badges)]
    bonus = T(f" (also: {', '.join(extras)})", f" (además: {', '.join(extras)})") \
        if extras else T("", "")
    if not coverage:
        return failed(T("no coverage badge", "no hay badge de cobertura"), path,
                      fix=T("add a coverage badge (Codecov, or a shields.io 'coverage' badge)",
                            "añade un badge de cobertura (Codecov, o un badge 'coverage' de "
                            "shields.io)"))
    if all(re.search(r"XX|%7B|\{", k.url) for k in coverage):
        return warned(T("the coverage badge is the template's placeholder (XX%)",
                        "el badge de cobertura es el marcador de la plantilla (XX%)"),
                      path, coverage[0].line,
                      fix=T("use a badge fed by the coverage report (Codecov, coverage-badge)",
                            "usa un badge alimentado por el informe de cobertura (Codecov, "
                            "coverage-badge)"))
    return passed(T("coverage badge", "badge de cobertura") + bonus, path, coverage[0].line)


@rule("DOC002")
def readme_badges(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC002: a CI status badge for an existing workflow and a coverage badge."""
    path = readme_path(ctx)
    if path is None:
        yield failed(T("no README.md to carry the badges", "no hay README.md para los badges"),
                     fix=T("add README.md with CI and coverage badges",
                           "añade README.md con badges de CI y de cobertura"))
        return
    doc = read_markdown(ctx, path)
    if isinstance(doc, ParseError):
        yield unreadable(path, doc)
        return
    badges = _badges(doc)
    ci = [b for b in (_ci_badge(k) for k in badges) if b is not None]
    for badge in ci:
        yield _ci_badge_finding(ctx, path, badge)
    other_ci = [(system, k) for k in badges for system, pattern in _OTHER_CI_BADGE
                if pattern.search(k.url)]
    for system, link in other_ci:
        yield _other_ci_finding(ctx, path, system, link)
    has_ci = bool(ctx.repo.glob(WORKFLOW_GLOBS)) or bool(other_ci_files(ctx.repo))
    if not ci and not other_ci:
        yield _no_ci_badge(ctx, path, has_ci)
    doc_repo = project_kind(ctx.repo).no_code()
    if doc_repo is not None:
        yield skipped(T("coverage badge not applicable: ", "badge de cobertura no aplica: ")
                      + doc_repo + T(", so there is no test coverage to show",
                                     ", así que no hay cobertura de tests que mostrar"), path)
    else:
        yield _coverage_finding(path, badges)
