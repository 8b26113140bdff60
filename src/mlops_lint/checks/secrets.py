"""Phase 2 secrets checks: ``.env`` handling (SEC001) and hardcoded secrets (SEC002).

Both are repository-scoped: an ``.env`` or a key anywhere in the repository leaks the
same way. SEC002 scans the tracked text files (without git: the files ``.gitignore`` lets
in); binary and oversized files are skipped and counted. Python is read through its
syntax tree (assignments, keyword arguments, dict literals and ``os.getenv`` defaults
with secret-like names and literal values); other text line by line. Findings show the
location and a masked excerpt, never the secret.
"""

from __future__ import annotations

import ast
import functools
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint.checks import check, not_read
from mlops_lint.context import Context
from mlops_lint.globs import filter_paths
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.dockerfile import DOCKERFILE_GLOBS, Dockerfile, dockerfiles
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.python_source import PythonIndex, is_test_path, python_index

EXAMPLE_SUFFIXES = ("example", "sample", "template", "dist", "defaults")
MAX_FINDINGS = 50

# -- SEC001 ----------------------------------------------------------------------------------


def _is_env_file(path: str) -> bool:
    name = PurePosixPath(path).name
    if name == ".env":
        return True
    return name.startswith(".env.") and not any(
        part in EXAMPLE_SUFFIXES for part in name.split(".")[2:])


def _is_env_example(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name.startswith((".env.", "env.")) and any(
        part in EXAMPLE_SUFFIXES for part in name.split("."))


ENV_READS = ("os.getenv", "os.environ.get", "os.environ.setdefault", "dotenv.load_dotenv",
             "dotenv.dotenv_values", "environs.Env", "decouple.config")
SETTINGS_BASES = ("pydantic_settings.BaseSettings", "pydantic.BaseSettings")
COMPOSE_GLOBS = ("**/docker-compose*.y*ml", "**/compose*.y*ml")


def _python_env_read(index: PythonIndex) -> int | None:
    """Line of the first environment read in a module."""
    for qual, call in index.calls:
        if qual in ENV_READS:
            return call.lineno
    for node in index.of_type(ast.Subscript, ast.ClassDef):
        if isinstance(node, ast.Subscript) and index.qualname(node.value) == "os.environ":
            return node.lineno
        if isinstance(node, ast.ClassDef) and any(
                index.qualname(b) in SETTINGS_BASES for b in node.bases):
            return node.lineno
    return None


def _compose_env_read(ctx: Context, path: str) -> int | None:
    text = ctx.repo.text(path)
    if isinstance(text, ParseError):
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"^\s*env_file\s*:", line):
            return number
    return None


def env_readers(ctx: Context) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for path in ctx.repo.glob(["**/*.py"]):
        if is_test_path(path):
            continue
        index = python_index(ctx.repo, path)
        if isinstance(index, PythonIndex):
            line = _python_env_read(index)
            if line is not None:
                found.append((path, line))
    for path in ctx.repo.glob(COMPOSE_GLOBS):
        line = _compose_env_read(ctx, path)
        if line is not None:
            found.append((path, line))
    return found


@check("env_files")
def env_files(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC001: no .env in git; a .env.example when the code reads the environment."""
    problems = 0
    rules = ignore_rules(ctx.repo)
    for path in ctx.repo.files:
        if not _is_env_file(path):
            continue
        if ctx.repo.is_tracked(path):
            problems += 1
            yield failed(T(f"{path} is committed: whatever it holds is in the history",
                           f"{path} está en el repositorio: lo que contenga queda en el "
                           "historial"), path,
                         fix=T(f"git rm --cached {path}, add it to .gitignore, rotate every "
                               "credential it held and commit a .env.example instead",
                               f"git rm --cached {path}, añádelo a .gitignore, rota cada "
                               "credencial que contenía y sube un .env.example en su lugar"))
        elif not rules.ignored(path):
            problems += 1
            yield warned(T(f"{path} is not ignored: git add -A would commit it",
                           f"{path} no está ignorado: git add -A lo subiría"), path,
                         fix=T("add .env and .env.* (with !.env.example) to .gitignore",
                               "añade .env y .env.* (con !.env.example) a .gitignore"))
    readers = env_readers(ctx)
    examples = [f for f in ctx.repo.files if _is_env_example(f)]
    if readers and not examples:
        problems += 1
        path, line = readers[0]
        yield warned(T(f"the code reads environment variables ({path}:{line}) but there is no "
                       ".env.example documenting them", f"el código lee variables de entorno "
                       f"({path}:{line}) pero no hay .env.example que las documente"),
                     path, line,
                     fix=T("commit a .env.example with every variable and placeholder values",
                           "sube un .env.example con cada variable y valores de ejemplo"))
    if not problems:
        detail = T(f"; {examples[0]} documents the variables",
                   f"; {examples[0]} documenta las variables") if examples else T("", "")
        yield passed(T("no .env file in git", "ningún archivo .env en git") + detail,
                     examples[0] if examples else None)


# -- SEC002 ----------------------------------------------------------------------------------

SECRET_WORDS = ("password", "passwd", "passphrase", "secret", "secretkey", "token",
                "apikey", "accesskey", "privatekey", "authkey", "clientsecret")
_HINT = re.compile(r"pass|secret|token|api.?key|access.?key|private.?key|auth.?key",
                   re.IGNORECASE)
_ASSIGN = re.compile(
    r"""(?P<key>[A-Za-z_][\w.-]*)["']?\s*(?::=|=|:)\s*"""
    r"""(?:"(?P<dq>[^"\n]*)"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s"',;#}\]]+))""")
_PLACEHOLDER = re.compile(
    r"^(?:change[-_ ]?me|changeit|replace[-_ ]?me|reemplazar.*|remplazar.*|your[-_ ].*|.*<.*>.*|"
    r"x{3,}|.*\*{3,}.*|\.{3,}|-+|todo|fixme|tbd|none|null|nil|undefined|true|false|redacted|"
    r"secret|password|passwd|token|"
    r".*(?:example|placeholder|dummy|fake|mock|sample|changeme|your[-_]?(?:token|key|secret"
    r"|password)).*)$", re.IGNORECASE)
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]+$")
SKIP_NAMES = frozenset({"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "package-lock.json",
                        "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", ".secrets.baseline",
                        "go.sum"})
SKIP_SUFFIXES = frozenset({".svg", ".map", ".csv", ".tsv", ".parquet", ".lock", ".min.js",
                           ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2"})


@dataclass(frozen=True)
class Pattern:
    name: T
    regex: re.Pattern[str]
    keep: int  # characters of the match shown before the mask


STRONG: tuple[Pattern, ...] = (
    Pattern(T("AWS access key id", "clave de acceso AWS"),
            re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), 4),
    Pattern(T("private key", "clave privada"),
            re.compile(r"-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY"
                       r"(?: BLOCK)?-----"), 0),
    Pattern(T("GitHub token", "token de GitHub"),
            re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
            4),
    Pattern(T("Hugging Face token", "token de Hugging Face"),
            re.compile(r"\bhf_[A-Za-z0-9]{34,40}\b"), 3),
    Pattern(T("OpenAI API key", "clave de API de OpenAI"),
            re.compile(r"\bsk-(?:proj-|svcacct-)?(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Z])"
                       r"[A-Za-z0-9_-]{32,}"), 3),
    Pattern(T("Slack token", "token de Slack"),
            re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), 5),
)
_URL_CREDENTIAL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:(?P<pw>[^\s@/'\"]+)@",
                             re.IGNORECASE)


def _mask(text: str, keep: int = 2) -> str:
    return text[:keep] + "****"


@functools.lru_cache(maxsize=8192)  # pure; the same names come back in every file
def _secret_name(key: str) -> bool:
    normal = re.sub(r"[^a-z0-9]", "", key.lower())
    return normal.endswith(SECRET_WORDS)


def _real_value(value: str) -> bool:
    text = value.strip()
    if len(text) < 6 or text.startswith(("$", "/", "./", "~")) or "{{" in text or "%(" in text:
        return False
    if any(c.isspace() for c in text):  # prose, not a credential
        return False
    if "://" in text or _ENV_NAME.match(text) or text.startswith("secrets."):
        return False
    return not _PLACEHOLDER.match(text)


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    what: T
    excerpt: str


_STRONG_ANY = re.compile("|".join(f"(?P<p{i}>{p.regex.pattern})" for i, p in enumerate(STRONG)))


def _line_number(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


# Every STRONG pattern contains one of these; a text without any is skipped cheaply.
_STRONG_MARKERS = ("AKIA", "ASIA", "PRIVATE KEY", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
                   "github_pat_", "hf_", "sk-", "xox")
_HINT_WORDS = ("pass", "secret", "token", "key")


def _may_hint(text: str) -> bool:
    lower = text.lower()
    return any(word in lower for word in _HINT_WORDS)


def _strong_hits(path: str, text: str) -> Iterator[Hit]:
    """Known key and token formats, found with one pass over the whole text."""
    if not any(marker in text for marker in _STRONG_MARKERS):
        return
    for match in _STRONG_ANY.finditer(text):
        pattern = STRONG[int(str(match.lastgroup)[1:])]
        value = match.group(0)
        if "EXAMPLE" in value:
            continue
        excerpt = value if pattern.keep == 0 else _mask(value, pattern.keep)
        yield Hit(path, _line_number(text, match.start()), pattern.name, excerpt)


def _url_hits(path: str, text: str) -> Iterator[Hit]:
    for match in _URL_CREDENTIAL.finditer(text):
        password = match.group("pw")
        if _real_value(password):
            yield Hit(path, _line_number(text, match.start()),
                      T("password in a URL", "contraseña en una URL"),
                      match.group(0).replace(password, _mask(password)))


def _hinted_lines(text: str) -> Iterator[tuple[int, str]]:
    """(number, line) of the lines where ``_HINT`` matches, in order: one search over the
    lines joined by ``\n`` (a hint never spans a line) instead of one search per line."""
    lines = text.splitlines()
    joined = "\n".join(lines)
    number, position, last = 1, 0, 0
    for match in _HINT.finditer(joined):
        number += joined.count("\n", position, match.start())
        position = match.start()
        if number != last:
            last = number
            yield number, lines[number - 1]


def _line_hits(path: str, text: str) -> Iterator[Hit]:
    for number, line in _hinted_lines(text):
        for match in _ASSIGN.finditer(line):
            key = match.group("key")
            value = match.group("dq") if match.group("dq") is not None else (
                match.group("sq") if match.group("sq") is not None else match.group("bare"))
            if value is not None and _secret_name(key) and _real_value(value):
                yield Hit(path, number, T(f"literal value for '{key}'",
                                          f"valor literal para '{key}'"),
                          f"{key} = {_mask(value)}")


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _call_pairs(index: PythonIndex, node: ast.Call) -> Iterator[tuple[str, ast.expr | None]]:
    for keyword in node.keywords:
        if keyword.arg:
            yield keyword.arg, keyword.value
    if index.qualname(node.func) in ("os.getenv", "os.environ.get") and len(node.args) >= 2:
        name = _literal(node.args[0])
        if name:
            yield name, node.args[1]


def _default_pairs(node: ast.FunctionDef | ast.AsyncFunctionDef
                   ) -> Iterator[tuple[str, ast.expr | None]]:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    yield from ((a.arg, d) for a, d in zip(positional[len(positional) - len(args.defaults):],
                                           args.defaults, strict=True))
    yield from ((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True))


def _named_values(index: PythonIndex, node: ast.AST) -> Iterator[tuple[str, ast.expr | None]]:
    """(name, value) pairs a node binds: assignments, keywords, dict items, defaults."""
    if isinstance(node, ast.Assign):
        yield from ((n, node.value) for t in node.targets if (n := _name_of(t)))
    elif isinstance(node, ast.AnnAssign):
        name = _name_of(node.target)
        if name:
            yield name, node.value
    elif isinstance(node, ast.Call):
        yield from _call_pairs(index, node)
    elif isinstance(node, ast.Dict):
        yield from ((n, v) for k, v in zip(node.keys, node.values, strict=True)
                    if k is not None and (n := _literal(k)))
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        yield from _default_pairs(node)


BINDING_NODES = (ast.Assign, ast.AnnAssign, ast.Call, ast.Dict, ast.FunctionDef,
                 ast.AsyncFunctionDef)


def _python_hits(index: PythonIndex) -> Iterator[Hit]:
    for node in index.of_type(*BINDING_NODES):
        for key, value_node in _named_values(index, node):
            value = _literal(value_node)
            if value is not None and _secret_name(key) and _real_value(value):
                yield Hit(index.path, getattr(node, "lineno", 1),
                          T(f"literal value for '{key}'", f"valor literal para '{key}'"),
                          f"{key} = {_mask(value)}")


def _shell_words(value: str) -> list[str]:
    """``shlex.split(value)``; plain text (no quote, no backslash, no whitespace but
    spaces) is split on spaces directly, which gives the same words much faster."""
    if value.isprintable() and not any(c in value for c in "\"'\\"):
        return value.split()
    return shlex.split(value, posix=True)


def _pairs(value: str) -> dict[str, str]:
    try:
        tokens = _shell_words(value)
    except ValueError:
        tokens = value.split()
    if tokens and "=" not in tokens[0]:  # legacy ENV KEY value
        return {tokens[0]: " ".join(tokens[1:])} if len(tokens) > 1 else {}
    return {k: v for k, sep, v in (t.partition("=") for t in tokens) if sep}


def _docker_hits(dockerfile: Dockerfile) -> Iterator[Hit]:
    for inst in dockerfile.instructions:
        if inst.cmd in ("ENV", "ARG"):
            for key, value in _pairs(inst.raw).items():
                if _secret_name(key) and _real_value(value):
                    yield Hit(dockerfile.path, inst.line,
                              T(f"{inst.cmd} {key} bakes a secret into the image",
                                f"{inst.cmd} {key} graba un secreto en la imagen"),
                              f"{inst.cmd} {key}={_mask(value)}")
        elif inst.cmd in ("COPY", "ADD"):
            try:
                sources = _shell_words(inst.args)[:-1]
            except ValueError:
                sources = inst.args.split()[:-1]
            for source in sources:
                if _is_env_file(source.rstrip("/")):
                    yield Hit(dockerfile.path, inst.line,
                              T(f"{inst.cmd} {source} copies secrets into the image",
                                f"{inst.cmd} {source} copia secretos en la imagen"),
                              f"{inst.cmd} {source}")


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


@check("hardcoded_secrets")
def hardcoded_secrets(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC002: no keys, tokens or secret-looking literals in tracked files."""
    files = _scanned_files(ctx)
    docker = set(filter_paths(files, DOCKERFILE_GLOBS))
    hits: list[Hit] = []
    skipped_files = 0
    for path in files:
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            skipped_files += 1
            if _looks_textual(path, text):
                yield not_read(text)
            continue
        hits += _strong_hits(path, text)
        if is_test_path(path):
            continue
        if "://" in text:
            hits += _url_hits(path, text)
        if path in docker or not _may_hint(text):
            continue
        if path.endswith(".py"):
            index = python_index(ctx.repo, path)
            if isinstance(index, PythonIndex):
                hits += _python_hits(index)
            continue
        hits += _line_hits(path, text)
    for parsed in dockerfiles(ctx.repo, sorted(docker), templates=True):
        if isinstance(parsed, Dockerfile):
            hits += _docker_hits(parsed)
    unique = {(h.path, h.line, h.excerpt): h for h in hits}
    ordered = sorted(unique.values(), key=lambda h: (h.path, h.line))
    fix = T("remove it, rotate the credential, and read it from the environment or a secret "
            "store (os.environ, ${{ secrets.NAME }}, a Kubernetes Secret)",
            "elimínalo, rota la credencial y léela del entorno o de un gestor de secretos "
            "(os.environ, ${{ secrets.NAME }}, un Secret de Kubernetes)")
    for item in ordered[:MAX_FINDINGS]:
        yield failed(T("possible ", "posible ") + item.what + T.same(f": {item.excerpt}"),
                     item.path, item.line, fix=fix)
    if len(ordered) > MAX_FINDINGS:
        more = len(ordered) - MAX_FINDINGS
        yield failed(T(f"... and {more} more possible secrets", f"... y {more} posibles "
                       "secretos más"), fix=fix)
    if not ordered:
        note = T(f" ({skipped_files} binary or oversized file(s) not scanned)",
                 f" ({skipped_files} archivo(s) binarios o demasiado grandes sin revisar)"
                 ) if skipped_files else T("", "")
        yield passed(T(f"no hardcoded secrets in {len(files) - skipped_files} scanned file(s)",
                       f"ningún secreto en {len(files) - skipped_files} archivo(s) revisados")
                     + note)
