"""GIT006: a semver tag, a CHANGELOG and a visible pull-request flow.

Release notes published as GitHub/GitLab releases by CI or a release tool pass without a
CHANGELOG file; a release document that only asks for them warns (not verifiable from
the repository).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import WORKFLOW_GLOBS, other_ci_files
from mlops_lint.rules import rule
from mlops_lint.rules.git._shared import MAX_SCANNED, MIN_COMMITS, SHALLOW, history_or_skip

_PR_REF = lazy_re.compile(
    r"#\d+|\b(feature|feat|fix|bugfix|hotfix|refactor|experiment|exp|docs|chore)"
    r"/[\w.-]+", re.IGNORECASE)
_SQUASH = lazy_re.compile(r"\(#\d+\)\s*$")
# Release notes kept as GitHub/GitLab releases: a CI step or tool that publishes them...
RELEASE_TOOL = lazy_re.compile(
    r"softprops/action-gh-release|actions/create-release|ncipollo/release-action|"
    r"release-please|release-drafter/release-drafter|semantic-release|goreleaser|"
    r"changesets/action|helm/chart-releaser-action|\bgh[ \t]+release[ \t]+(?:create|edit)\b|"
    r"\bglab[ \t]+release[ \t]+create\b|"
    r"release-cli[ \t]+create", re.I)
RELEASE_CONFIGS = (".releaserc", ".releaserc.*", "release.config.*", "release-please-config.json",
                   ".release-please-manifest.json", ".github/release-drafter.yml",
                   ".github/release-drafter.yaml", ".github/release.yml", ".github/release.yaml",
                   ".goreleaser.yml", ".goreleaser.yaml", ".changeset/config.json")
# ...or release documentation that asks for release notes
RELEASE_DOCS = ("RELEAS*.md", "**/RELEAS*.md", "**/releas*/*.md", "**/releas*.md",
                "CONTRIBUTING.md", ".github/CONTRIBUTING.md", "docs/**/CONTRIBUTING.md")
RELEASE_NOTES = lazy_re.compile(r"release[ \t]+notes|notas[ \t]+de[ \t]+(?:la[ \t]+)?versi[oó]n",
                                re.I)


def _first_match(ctx: Context, paths: list[str], pattern: re.Pattern[str]
                 ) -> tuple[str, int] | None:
    for path in paths[:MAX_SCANNED]:
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            continue
        found = pattern.search(text)
        if found:
            return path, text.count("\n", 0, found.start()) + 1
    return None


def release_notes(ctx: Context) -> tuple[str, int | None, bool] | None:
    """Where release notes are kept outside a changelog file: (path, line, published by
    automation). A CI job or tool configuration that creates releases is automation; a
    release document that asks for release notes is a documented, manual process."""
    ci = ctx.repo.glob(WORKFLOW_GLOBS) + [p for paths in other_ci_files(ctx.repo).values()
                                          for p in paths]
    hit = _first_match(ctx, sorted(set(ci)), RELEASE_TOOL)
    if hit:
        return hit[0], hit[1], True
    configs = ctx.repo.glob(RELEASE_CONFIGS)
    if configs:
        return configs[0], None, True
    docs = ctx.repo.glob(RELEASE_DOCS, case_sensitive=False)
    hit = _first_match(ctx, docs, RELEASE_NOTES)
    if hit:
        return hit[0], hit[1], False
    return None


@rule("GIT006")
def release_hygiene(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT006: a semver tag, a CHANGELOG and a visible pull-request flow."""
    found = history_or_skip(ctx)
    if isinstance(found, Finding):
        yield found
        return
    if found.shallow:
        yield skipped(SHALLOW)
        return
    if len(found.commits) < MIN_COMMITS:
        yield skipped(T(f"history too short: {len(found.commits)} commits (< {MIN_COMMITS})",
                        f"historial demasiado corto: {len(found.commits)} commits "
                        f"(< {MIN_COMMITS})"))
        return
    semver = found.semver_tags
    yield verdict(bool(semver),
                  T(f"{len(semver)} semver tag(s), latest {semver[-1]}" if semver else "",
                    f"{len(semver)} etiqueta(s) semver, última {semver[-1]}" if semver else ""),
                  T("no semver release tag (v1.2.3)", "no hay etiqueta de versión semver "
                    "(v1.2.3)"),
                  fix=T("tag releases: git tag -a v0.1.0 -m 'first release' && git push --tags",
                        "etiqueta las versiones: git tag -a v0.1.0 -m 'primera versión' && git "
                        "push --tags"))
    changelog = ctx.repo.glob(["CHANGELOG*", "CHANGES.md", "HISTORY.md"], case_sensitive=False)
    notes = None if changelog else release_notes(ctx)
    if notes is not None and notes[2]:
        yield passed(T("no CHANGELOG file, but release notes are published as releases by "
                       f"{notes[0]}", "no hay archivo CHANGELOG, pero las notas de versión se "
                       f"publican como releases desde {notes[0]}"), notes[0], notes[1])
    elif notes is not None:
        yield warned(T("no CHANGELOG file; release notes are kept in the hosting service's "
                       f"releases, as {notes[0]} describes (not verifiable from the "
                       "repository)", "no hay archivo CHANGELOG; las notas de versión se "
                       f"guardan en las releases del servicio de hosting, según describe "
                       f"{notes[0]} (no verificable desde el repositorio)"),
                     notes[0], notes[1],
                     fix=T("publish the release notes from CI (e.g. softprops/action-gh-release "
                           "or release-please), or keep them in a CHANGELOG.md too",
                           "publica las notas de versión desde la CI (p. ej. "
                           "softprops/action-gh-release o release-please), o guárdalas también "
                           "en un CHANGELOG.md"))
    else:
        yield verdict(bool(changelog),
                      T(f"{changelog[0]} exists" if changelog else "",
                        f"{changelog[0]} existe" if changelog else ""),
                      T("no CHANGELOG.md", "no hay CHANGELOG.md"),
                      path=changelog[0] if changelog else None,
                      fix=T("keep a CHANGELOG.md (Keep a Changelog format), or publish release "
                            "notes as releases from CI",
                            "mantén un CHANGELOG.md (formato Keep a Changelog), o publica las "
                            "notas de versión como releases desde la CI"))
    merges = [c for c in found.commits if c.is_merge or _SQUASH.search(c.subject)]
    referenced = [c for c in merges if _PR_REF.search(c.subject)]
    if not merges:
        yield failed(T(f"no merge or pull-request commits in the last {len(found.commits)}: "
                       "every change went straight to the branch",
                       f"no hay commits de merge o pull request en los últimos "
                       f"{len(found.commits)}: todo fue directo a la rama"),
                     fix=T("work in feature/... branches merged through pull requests",
                           "trabaja en ramas feature/... integradas con pull requests"))
    else:
        share = len(referenced) / len(merges)
        yield verdict(share >= 0.5,
                      T(f"{len(referenced)}/{len(merges)} merge/squash commits reference a PR "
                        "or a feature branch", f"{len(referenced)}/{len(merges)} commits de "
                        "merge/squash citan un PR o una rama feature"),
                      T(f"only {len(referenced)}/{len(merges)} merge/squash commits reference a "
                        "PR (#N) or a feature/, fix/, refactor/, experiment/ branch (needs 50 %)",
                        f"solo {len(referenced)}/{len(merges)} commits de merge/squash citan un "
                        "PR (#N) o una rama feature/, fix/, refactor/, experiment/ (se necesita "
                        "50 %)"))
