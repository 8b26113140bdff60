"""What the repository's own secret-scanner configuration says is not a secret.

* gitleaks (``.gitleaks.toml``, ``gitleaks.toml``, ``.github/.gitleaks.toml``): the global
  ``[allowlist]`` table and the ``[[allowlists]]`` array of gitleaks 8.25+, with ``paths``,
  ``regexes`` (``regexTarget`` secret, match or line), ``stopwords`` and ``condition``
  (OR by default, AND). Allowlists that only apply to named gitleaks rules
  (``targetRules``, ``[[rules]]``) and ``commits`` cannot be mapped onto a working-tree
  scan and are not applied.
* detect-secrets (``.secrets.baseline``): every recorded secret of a file (SHA-1 of the
  secret, as detect-secrets stores it) unless audited as real (``is_secret: true``), and
  the baseline's exclude filters for files, lines and secrets.
* inline comments: ``gitleaks:allow`` on the line, ``pragma: allowlist secret`` on the line
  or ``pragma: allowlist nextline secret`` on the line before (detect-secrets).

Every regex comes from the repository and goes through
:func:`mlops_lint.parsers.safe_regex.compile_bounded`; a refused one is kept as a note.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.safe_regex import BoundedRegex, compile_bounded
from mlops_lint.parsers.toml_file import TomlError, load_toml

GITLEAKS_CONFIGS = (".gitleaks.toml", "gitleaks.toml", ".github/.gitleaks.toml")
DETECT_SECRETS_BASELINE = ".secrets.baseline"
MAX_PATTERNS = 500
MAX_STOPWORDS = 2000
LINE_MARKERS = ("gitleaks:allow", "pragma: allowlist secret", "pragma: whitelist secret")
NEXT_LINE_MARKER = "pragma: allowlist nextline secret"


@dataclass(frozen=True)
class Candidate:
    """A possible secret as the allowlists see it: ``secret`` is the value alone, ``match``
    the text that was recognised (``key = value`` or the token), ``line`` its line."""

    path: str
    secret: str
    match: str
    line: str


@dataclass(frozen=True)
class GitleaksAllowlist:
    paths: tuple[BoundedRegex, ...]
    regexes: tuple[BoundedRegex, ...]
    stopwords: tuple[str, ...]
    target: str  # secret | match | line
    all_of: bool
    commits: bool

    def whole_file(self, path: str) -> bool:
        """Every finding of ``path`` is allowed, whatever its secret."""
        if not self.paths or not any(p.search(path) for p in self.paths):
            return False
        return not self.all_of or not (self.regexes or self.stopwords or self.commits)

    def allows(self, found: Candidate) -> bool:
        checks: list[bool] = []
        if self.paths:
            checks.append(any(p.search(found.path) for p in self.paths))
        if self.regexes:
            text = {"match": found.match, "line": found.line}.get(self.target, found.secret)
            checks.append(any(r.search(text) for r in self.regexes))
        if self.stopwords:
            secret = found.secret.lower()
            checks.append(any(word in secret for word in self.stopwords))
        if self.commits:  # a working tree has no commit to match
            checks.append(False)
        if not checks:
            return False
        return all(checks) if self.all_of else any(checks)


@dataclass
class Allowlists:
    gitleaks: list[GitleaksAllowlist] = field(default_factory=list)
    baseline: dict[str, frozenset[str]] = field(default_factory=dict)  # path -> SHA-1s
    exclude_files: list[BoundedRegex] = field(default_factory=list)
    exclude_lines: list[BoundedRegex] = field(default_factory=list)
    exclude_secrets: list[BoundedRegex] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # files read
    notes: list[tuple[str, T]] = field(default_factory=list)  # (file, pattern refused...)

    def whole_file(self, path: str) -> bool:
        return (any(a.whole_file(path) for a in self.gitleaks)
                or any(r.search(path) for r in self.exclude_files))

    def allows(self, found: Candidate) -> bool:
        if self.whole_file(found.path) or any(a.allows(found) for a in self.gitleaks):
            return True
        if any(r.search(found.line) for r in self.exclude_lines) or any(
                r.search(found.secret) for r in self.exclude_secrets):
            return True
        hashes = self.baseline.get(found.path, frozenset())
        return any(hashlib.sha1(text.encode("utf-8", "replace"),
                                usedforsecurity=False).hexdigest() in hashes
                   for text in {found.secret, found.match} if hashes)


def inline_allowed(lines: list[str], number: int) -> bool:
    """``gitleaks:allow`` / ``pragma: allowlist secret`` on line ``number`` (1-based), or
    ``pragma: allowlist nextline secret`` on the line before."""
    here = lines[number - 1] if 0 < number <= len(lines) else ""
    before = lines[number - 2] if 1 < number <= len(lines) + 1 else ""
    return any(m in here for m in LINE_MARKERS) or NEXT_LINE_MARKER in before


def _strings(value: object, limit: int) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value[:limit] if isinstance(v, str)]
    return []


def _compile_all(patterns: Iterable[str], where: str, into: list[BoundedRegex],
                 notes: list[tuple[str, T]]) -> None:
    for pattern in patterns:
        compiled = compile_bounded(pattern)
        if isinstance(compiled, BoundedRegex):
            into.append(compiled)
        else:
            shown = pattern if len(pattern) <= 40 else pattern[:37] + "..."
            notes.append((where, T(f"{where}: pattern '{shown}' not applied: ",
                                   f"{where}: patrón '{shown}' no aplicado: ") + compiled))


def _gitleaks_entry(table: dict[str, Any], where: str, notes: list[tuple[str, T]]
                    ) -> GitleaksAllowlist | None:
    if table.get("targetRules"):
        return None
    paths: list[BoundedRegex] = []
    regexes: list[BoundedRegex] = []
    _compile_all(_strings(table.get("paths"), MAX_PATTERNS), where, paths, notes)
    _compile_all(_strings(table.get("regexes"), MAX_PATTERNS), where, regexes, notes)
    stopwords = tuple(w.lower() for w in _strings(table.get("stopwords"), MAX_STOPWORDS)
                      if w.strip())
    target = str(table.get("regexTarget") or "secret").lower()
    condition = str(table.get("condition") or "OR").upper()
    commits = bool(_strings(table.get("commits"), 1))
    if not (paths or regexes or stopwords):
        return None
    return GitleaksAllowlist(tuple(paths), tuple(regexes), stopwords, target,
                             condition == "AND", commits)


def read_gitleaks(text: str, where: str, into: Allowlists) -> None:
    try:
        document = load_toml(text)
    except TomlError as exc:
        into.notes.append((where, T(f"{where} not read: {exc}", f"{where} no leído: {exc}")))
        return
    tables: list[object] = [document.get("allowlist")]
    many = document.get("allowlists")
    if isinstance(many, list):
        tables += many
    for table in tables:
        if isinstance(table, dict):
            entry = _gitleaks_entry(table, where, into.notes)
            if entry is not None:
                into.gitleaks.append(entry)
    into.sources.append(where)


def _baseline_filters(document: dict[str, Any], where: str, into: Allowlists) -> None:
    targets = {"should_exclude_file": into.exclude_files,
               "should_exclude_line": into.exclude_lines,
               "should_exclude_secret": into.exclude_secrets}
    filters = document.get("filters_used")
    for item in filters[:MAX_PATTERNS] if isinstance(filters, list) else []:
        if isinstance(item, dict):
            kind = str(item.get("path", "")).rsplit(".", 1)[-1]
            if kind in targets:
                _compile_all(_strings(item.get("pattern"), MAX_PATTERNS), where,
                             targets[kind], into.notes)
    legacy = document.get("exclude")
    if isinstance(legacy, dict):
        for key, kind in (("files", "should_exclude_file"), ("lines", "should_exclude_line")):
            _compile_all(_strings(legacy.get(key), 1), where, targets[kind], into.notes)


def read_baseline(text: str, where: str, into: Allowlists) -> None:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        into.notes.append((where, T(f"{where} not read: {exc}", f"{where} no leído: {exc}")))
        return
    if not isinstance(document, dict):
        return
    _baseline_filters(document, where, into)
    results = document.get("results")
    for path, entries in results.items() if isinstance(results, dict) else []:
        hashes = {str(e["hashed_secret"]).lower() for e in entries
                  if isinstance(e, dict) and e.get("hashed_secret")
                  and e.get("is_secret") is not True} if isinstance(entries, list) else set()
        if hashes:
            into.baseline[str(path)] = into.baseline.get(str(path), frozenset()) | hashes
    into.sources.append(where)


def repository_allowlists(read: Callable[[str], str | ParseError], files: Iterable[str]
                          ) -> Allowlists:
    """The allowlists of the configuration files among ``files``; ``read(path)`` gives
    a file's text or a :class:`ParseError`."""
    present = set(files)
    allow = Allowlists()
    for path in (*GITLEAKS_CONFIGS, DETECT_SECRETS_BASELINE):
        if path not in present:
            continue
        text = read(path)
        if isinstance(text, ParseError):
            allow.notes.append((path, T(f"{path} not read: {text.message}",
                                        f"{path} no leído: {text.message}")))
        elif path == DETECT_SECRETS_BASELINE:
            read_baseline(text, path, allow)
        else:
            read_gitleaks(text, path, allow)
    return allow
