"""Git history: commit subjects and parents, and tags, in two subprocesses per run.

``git log`` runs once with a fixed format string (hash, parents, subject separated by
control characters, so no subject can break the parse) and ``git for-each-ref`` lists
tags; the result is memoized on the repository and shared by every history rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlops_lint import lazy_re

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

LOG_LIMIT = 1000  # the newest commits read; history rules look at the last 100-1000
_UNIT, _RECORD = "\x1f", "\x1e"
LOG_FORMAT = f"--format=%H{_UNIT}%P{_UNIT}%s{_RECORD}"
# v1.2.3, 1.2.3, or a component's release in a monorepo (vllm-stack-0.1.0, chart/v1.2.3)
SEMVER_TAG = lazy_re.compile(r"^(?:[A-Za-z][\w.-]{0,60}?[-/_@])?v?\d+\.\d+\.\d+")


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    subject: str

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class History:
    commits: tuple[Commit, ...]  # newest first, at most ``LOG_LIMIT``
    complete: bool  # False when older commits exist beyond the limit
    shallow: bool
    tags: tuple[str, ...]

    def non_merge(self, limit: int | None = None) -> list[Commit]:
        found = [c for c in self.commits if not c.is_merge]
        return found if limit is None else found[:limit]

    @property
    def semver_tags(self) -> list[str]:
        return [t for t in self.tags if SEMVER_TAG.match(t)]


def parse_log(text: str) -> list[Commit]:
    """Parse the output of ``git log`` with :data:`LOG_FORMAT`."""
    commits = []
    for record in text.split(_RECORD):
        record = record.strip("\n")
        if not record:
            continue
        fields = record.split(_UNIT)
        if len(fields) < 3:
            continue
        sha, parents, subject = fields[0], fields[1], _UNIT.join(fields[2:])
        commits.append(Commit(sha.strip(), tuple(parents.split()), subject))
    return commits


def history(repo: Repo, limit: int = LOG_LIMIT) -> History | str:
    """The repository's recent history, or the reason it cannot be read."""
    cached = repo.memo.get("git:history")
    if cached is None:
        cached = _read(repo, limit)
        repo.memo["git:history"] = cached
    result: History | str = cached
    return result


def _read(repo: Repo, limit: int) -> History | str:
    if not repo.is_git or repo.git_info is None:
        return "not a git repository"
    out = repo.git("log", f"--max-count={limit + 1}", "--no-show-signature",
                   "--no-color", LOG_FORMAT, "HEAD")
    if out is None:
        return "no commits yet"
    commits = parse_log(out)
    if not commits:
        return "no commits yet"
    refs = repo.git("for-each-ref", "--format=%(refname:short)", "refs/tags") or ""
    tags = tuple(sorted(line.strip() for line in refs.splitlines() if line.strip()))
    return History(tuple(commits[:limit]), len(commits) <= limit,
                   repo.git_info.shallow, tags)
