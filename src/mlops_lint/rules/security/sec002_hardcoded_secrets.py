"""SEC002: no hardcoded secret in the tracked text files.

The tracked text files are scanned (without git: the files ``.gitignore`` lets in);
binary and oversized files are skipped and counted. Known token formats are looked for
everywhere, documentation included; literals given to secret-named keys only in code and
configuration (Python through its syntax tree, Dockerfiles through their instructions,
other files line by line: :mod:`._hits`), judged by :mod:`._secret_values`. What the
repository's own scanner configuration allow-lists (``.gitleaks.toml``,
``.secrets.baseline``, inline ``gitleaks:allow`` / ``pragma: allowlist secret``) is not
reported. Findings show the location and a masked excerpt, never the secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.globs import COMPOSE_FILES_ANYWHERE, filter_paths
from mlops_lint.model import Finding, Status, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import OTHER_CI_FILES, WORKFLOW_GLOBS
from mlops_lint.parsers.dockerfile import DOCKERFILE_GLOBS, Dockerfile, dockerfiles, is_dockerfile
from mlops_lint.parsers.python_source import PythonIndex, is_test_path, python_index
from mlops_lint.parsers.secret_allowlists import (
    DETECT_SECRETS_BASELINE,
    GITLEAKS_CONFIGS,
    Allowlists,
    Candidate,
    inline_allowed,
    repository_allowlists,
)
from mlops_lint.rules import not_read, rule
from mlops_lint.rules.security._hits import (
    WHERE_TEXT,
    Hit,
    Where,
    docker_hits,
    line_hits,
    python_hits,
    token_hits,
    url_hits,
)
from mlops_lint.rules.security._secret_literals import Syntax, may_hint, service_lines, syntax_of
from mlops_lint.rules.security._secret_values import Kind

MAX_FINDINGS = 50
SKIP_NAMES = frozenset({"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "package-lock.json",
                        "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum",
                        DETECT_SECRETS_BASELINE, ".gitleaksignore",
                        *(PurePosixPath(p).name for p in GITLEAKS_CONFIGS)})
SKIP_SUFFIXES = frozenset({".svg", ".map", ".csv", ".tsv", ".parquet", ".lock", ".min.js",
                           ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2"})
CI_GLOBS = (*WORKFLOW_GLOBS, *(g for globs in OTHER_CI_FILES.values() for g in globs))
COMPOSE_FILE_GLOBS = COMPOSE_FILES_ANYWHERE
DEV_WORDS = frozenset({"dev", "develop", "development", "local", "test", "tests", "testing",
                       "ci", "e2e", "example", "sample", "demo"})


def _scanned_files(ctx: Context) -> list[str]:
    if ctx.repo.is_git:
        files = [f for f in ctx.repo.files if ctx.repo.is_tracked(f)]
    else:
        files = list(ctx.repo.files)
    return [f for f in files if PurePosixPath(f).name not in SKIP_NAMES
            and PurePosixPath(f).suffix.lower() not in SKIP_SUFFIXES
            and not f.endswith(".min.js")]


TEXT_SUFFIXES = frozenset({".py", ".toml", ".yaml", ".yml", ".json", ".cfg", ".ini", ".env",
                           ".sh", ".txt", ".md", ".tf", ".tfvars", ".conf", ".properties"})


def _looks_textual(path: str, problem: ParseError) -> bool:
    """A file that should be text but could not be read (binary images are expected)."""
    if not problem.message.startswith("binary file"):
        return True
    name = PurePosixPath(path).name
    return PurePosixPath(path).suffix.lower() in TEXT_SUFFIXES or name.startswith(
        ("Dockerfile", "Containerfile", ".env"))


EXAMPLE_PARTS = frozenset({"example", "examples", "sample", "template", "tmpl", "tpl", "dist"})


def _example_file(path: str) -> bool:
    """``.env.example``, ``terraform.tfvars.template``, ``example.env``."""
    return any(part in EXAMPLE_PARTS for part in PurePosixPath(path).name.lower().split("."))


def _dev_compose(path: str) -> bool:
    if not filter_paths([path], COMPOSE_FILE_GLOBS):
        return False
    return any(part in DEV_WORDS for part in re.split(r"[/._-]", path.lower()))


def _file_hits(ctx: Context, path: str, text: str, ci_files: set[str]) -> list[Hit]:
    """Everything one (non-Dockerfile) file shows, before the allowlists."""
    hits = list(token_hits(path, text))
    syntax = syntax_of(path)
    if syntax is Syntax.PROSE:
        return hits  # documentation: only known token formats
    literals = list(url_hits(path, text))
    if may_hint(text):
        if path.endswith(".py"):
            index = python_index(ctx.repo, path)
            if isinstance(index, PythonIndex):
                literals += python_hits(index)
        else:
            literals += line_hits(path, text, syntax)
    where = (Where.TEST if is_test_path(path) else
             Where.DEV_COMPOSE if _dev_compose(path) else
             Where.EXAMPLE if _example_file(path) else Where.ANY)
    services = service_lines(text) if path in ci_files else set()
    token_lines = {h.line for h in hits}
    for hit in literals:
        if hit.line in token_lines:
            continue  # the literal is a known token, reported as such
        place = Where.CI_SERVICE if where is Where.ANY and hit.line in services else where
        hits.append(replace(hit, where=place))
    return hits


def _verdict(hit: Hit) -> Status | None:
    """fail, warn, or nothing: a weak literal in a test file is expected; a weak literal for
    a local-development container, or a random-looking one in a test, may be a fixture."""
    if hit.kind is Kind.TOKEN:
        return Status.FAIL
    if hit.where is Where.TEST:
        return Status.WARN if hit.kind is Kind.RANDOM else None
    if hit.where in (Where.DEV_COMPOSE, Where.CI_SERVICE, Where.EXAMPLE) and hit.kind is Kind.WEAK:
        return Status.WARN
    return Status.FAIL


LEAK_FIX = T("remove it, rotate the credential (it stays in the git history), and read it from "
             "the environment or a secret store (os.environ, ${{ secrets.NAME }}, a Kubernetes "
             "Secret)",
             "elimínalo, rota la credencial (queda en el historial de git) y léela del entorno "
             "o de un gestor de secretos (os.environ, ${{ secrets.NAME }}, un Secret de "
             "Kubernetes)")
WEAK_FIX = T("keep real passwords out of the file: read the value from the environment or a "
             "secret store (os.environ, ${VAR:-...} in compose, ${{ secrets.NAME }}, a Kubernetes "
             "Secret) and leave only a placeholder; if it is a deliberate local default, mark the "
             "line with # gitleaks:allow",
             "no dejes contraseñas reales en el archivo: lee el valor del entorno o de un gestor "
             "de secretos (os.environ, ${VAR:-...} en compose, ${{ secrets.NAME }}, un Secret de "
             "Kubernetes) y deja solo un valor de ejemplo; si es un valor local deliberado, marca "
             "la línea con # gitleaks:allow")
FIXTURE_FIX = T("if it is a real credential, remove and rotate it; if it is a synthetic fixture, "
                "mark the line with # gitleaks:allow or allow-list the path in .gitleaks.toml",
                "si es una credencial real, elimínala y rótala; si es un dato sintético de "
                "prueba, marca la línea con # gitleaks:allow o excluye la ruta en .gitleaks.toml")


def _finding(hit: Hit, status: Status) -> Finding:
    fix = hit.fix or (FIXTURE_FIX if hit.where is Where.TEST else
                      WEAK_FIX if hit.kind is Kind.WEAK else LEAK_FIX)
    message = T("possible ", "posible ") + hit.what + WHERE_TEXT[hit.where] + T.same(
        f": {hit.excerpt}")
    if status is Status.WARN:
        return warned(message, hit.path, hit.line, fix=fix)
    return failed(message, hit.path, hit.line, fix=fix)


@dataclass
class Scan:
    hits: list[Hit]
    scanned: int = 0
    unread: int = 0
    allowed: int = 0  # findings the repository's scanner configuration allow-lists
    allowed_files: int = 0


def _allowed(allow: Allowlists, hit: Hit, lines: list[str]) -> bool:
    if any(inline_allowed(lines, n) for n in {hit.line, hit.last or hit.line}):
        return True
    line = lines[hit.line - 1] if 0 < hit.line <= len(lines) else ""
    return allow.allows(Candidate(hit.path, hit.secret, hit.match, line))


def _keep(allow: Allowlists, scan: Scan, hits: list[Hit], text: str) -> None:
    if not hits:
        return
    lines = text.splitlines()
    for hit in hits:
        if _allowed(allow, hit, lines):
            scan.allowed += 1
        else:
            scan.hits.append(hit)


def _scan(ctx: Context, allow: Allowlists, scan: Scan) -> Iterator[Finding]:
    """Fill ``scan``; yields the skips of files that could not be read."""
    files = _scanned_files(ctx)
    docker = {f for f in filter_paths(files, DOCKERFILE_GLOBS) if is_dockerfile(f)}
    ci_files = set(filter_paths(files, CI_GLOBS))
    for path in files:
        if allow.whole_file(path):
            scan.allowed_files += 1
            continue
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            scan.unread += 1
            if _looks_textual(path, text):
                yield not_read(text)
            continue
        scan.scanned += 1
        if path in docker:
            _keep(allow, scan, list(token_hits(path, text)), text)
            continue
        _keep(allow, scan, _file_hits(ctx, path, text, ci_files), text)
    wanted = sorted(p for p in docker if not allow.whole_file(p))
    for parsed in dockerfiles(ctx.repo, wanted, templates=True):
        if isinstance(parsed, Dockerfile):
            text = ctx.repo.text(parsed.path)
            if isinstance(text, str):
                _keep(allow, scan, list(docker_hits(parsed)), text)


def _allow_note(allow: Allowlists, scan: Scan) -> T:
    parts: list[T] = []
    if scan.allowed:
        parts.append(T(f"{scan.allowed} possible secret(s) allow-listed",
                       f"{scan.allowed} posible(s) secreto(s) permitidos"))
    if scan.allowed_files:
        parts.append(T(f"{scan.allowed_files} file(s) excluded",
                       f"{scan.allowed_files} archivo(s) excluidos"))
    if not parts:
        return T("", "")
    sources = ", ".join([*allow.sources, "gitleaks:allow / pragma: allowlist secret"])
    return T("; ", "; ") + T.join(parts, ", ") + T(
        f" by the repository's own scanner configuration ({sources})",
        f" por la configuración de escaneo del propio repositorio ({sources})")


@rule("SEC002")
def hardcoded_secrets(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC002: no keys, tokens or secret-looking literals in tracked files."""
    allow = repository_allowlists(ctx.repo.text, _scanned_files(ctx) + [
        p for p in (*GITLEAKS_CONFIGS, DETECT_SECRETS_BASELINE) if ctx.repo.exists(p)])
    scan = Scan([])
    yield from _scan(ctx, allow, scan)
    unique = {(h.path, h.line, h.excerpt): h for h in scan.hits}
    judged = [(h, status) for h in sorted(unique.values(), key=lambda h: (h.path, h.line))
              if (status := _verdict(h)) is not None]
    for hit, status in judged[:MAX_FINDINGS]:
        yield _finding(hit, status)
    if len(judged) > MAX_FINDINGS:
        more = len(judged) - MAX_FINDINGS
        yield failed(T(f"... and {more} more possible secrets", f"... y {more} posibles "
                       "secretos más"), fix=LEAK_FIX)
    if judged:
        for where, note in allow.notes:
            yield warned(note + T("; a finding it would allow-list is reported",
                                  "; se informa de los hallazgos que excluiría"), where)
        return
    note = T(f" ({scan.unread} binary or oversized file(s) not scanned)",
             f" ({scan.unread} archivo(s) binarios o demasiado grandes sin revisar)"
             ) if scan.unread else T("", "")
    skipped_patterns = T.join([note for _, note in allow.notes]) if allow.notes else None
    yield passed(T(f"no hardcoded secrets in {scan.scanned} scanned file(s)",
                   f"ningún secreto en {scan.scanned} archivo(s) revisados") + note
                 + _allow_note(allow, scan)
                 + (T(" (", " (") + skipped_patterns + T(")", ")") if skipped_patterns
                    else T("", "")))
