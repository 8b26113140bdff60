"""Phase 2 secrets checks: ``.env`` handling (SEC001) and hardcoded secrets (SEC002).

Both are repository-scoped: an ``.env`` or a key anywhere in the repository leaks the
same way. SEC002 scans the tracked text files (without git: the files ``.gitignore`` lets
in); binary and oversized files are skipped and counted. Known token formats are looked
for everywhere, documentation included; literals given to secret-named keys only in code
and configuration (Python through its syntax tree, Dockerfiles through their
instructions, other files line by line), judged by :mod:`._secret_values`. What the
repository's own scanner configuration allow-lists (``.gitleaks.toml``,
``.secrets.baseline``, inline ``gitleaks:allow`` / ``pragma: allowlist secret``) is not
reported. Findings show the location and a masked excerpt, never the secret.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import PurePosixPath

from mlops_lint.checks._secret_values import (
    KUBERNETES_SECRET,
    Kind,
    Syntax,
    classify,
    line_literals,
    mask,
    may_hint,
    secret_name,
    service_lines,
    syntax_of,
    token_matches,
    url_passwords,
)
from mlops_lint.context import Context
from mlops_lint.globs import filter_paths
from mlops_lint.model import Finding, Status, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import OTHER_CI_FILES, WORKFLOW_GLOBS
from mlops_lint.parsers.dockerfile import DOCKERFILE_GLOBS, Dockerfile, dockerfiles, is_dockerfile
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.kubernetes import read_manifests
from mlops_lint.parsers.python_source import PythonIndex, is_test_path, python_index
from mlops_lint.parsers.secret_allowlists import (
    DETECT_SECRETS_BASELINE,
    GITLEAKS_CONFIGS,
    Allowlists,
    Candidate,
    inline_allowed,
    repository_allowlists,
)
from mlops_lint.readers.deployment import in_docs
from mlops_lint.rules import check, not_read

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
    # the project's own code first: documentation examples only when nothing else reads
    return sorted(found, key=lambda r: in_docs(r[0]))


# .env files are part of the project's workflow when something loads one: a dotenv-style
# library, a pydantic-settings env_file, a compose env_file:, a docker --env-file, a shell
# `source .env`, a .gitignore line of the project's own (not the stock Python template's
# "# Environments" block), or documentation telling the reader to create one
DOTENV_MODULES = ("dotenv", "environs", "decouple", "envparse")
ENV_FILE_COMMAND = re.compile(
    r"--env-file\b|(?:^|[\s;&|(])(?:source|\.)\s+[\"']?\S*\.env\b|"
    r"\bcat\s+[\"']?\S*\.env\b|\benv_file\s*:", re.MULTILINE)
ENV_MENTION = re.compile(r"(?:^|(?<=[\s`'\"(/=]))\.env(?![\w\-\[(])", re.MULTILINE)
STOCK_ENV_BLOCK = frozenset({".venv", "env/", "venv/", "ENV/", "env.bak/", "venv.bak/"})
MAX_DOC_SCAN = 200_000


def _python_dotenv(index: PythonIndex) -> tuple[int, str] | None:
    """The line and library of a .env loader in a module: a dotenv-style import, or a
    pydantic-settings ``env_file`` setting."""
    for node in index.of_type(ast.Import, ast.ImportFrom):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        for name in names:
            top = name.split(".", 1)[0]
            if top in DOTENV_MODULES:
                return node.lineno, top
    if not (index.imports("pydantic_settings") or index.imports("pydantic")):
        return None
    for call in index.of_type(ast.Call):
        if any(k.arg == "env_file" for k in call.keywords):
            return call.lineno, "pydantic-settings env_file"
    for assign in index.of_type(ast.Assign):
        if any(isinstance(t, ast.Name) and t.id == "env_file" for t in assign.targets):
            return assign.lineno, "pydantic-settings env_file"
    return None


def _gitignore_env(ctx: Context) -> tuple[str, int] | None:
    """A .gitignore line ignoring .env files that the project wrote itself: GitHub's stock
    Python template lists .env among virtualenv folders, which says nothing."""
    for path in ctx.repo.glob([".gitignore", "**/.gitignore"]):
        text = ctx.repo.text(path)
        if not isinstance(text, str):
            continue
        lines = [line.strip() for line in text.splitlines()]
        for number, line in enumerate(lines, start=1):
            if line.lstrip("/") not in (".env", ".env*", ".env.*", "*.env"):
                continue
            near = set(lines[max(0, number - 3):number + 3])
            if near & STOCK_ENV_BLOCK or "# Environments" in near:
                continue
            return path, number
    return None


def dotenv_workflow(ctx: Context) -> tuple[str, int | None, str] | None:
    """Where .env files are part of the project's workflow: (file, line, what)."""
    present = next((f for f in ctx.repo.files if _is_env_file(f)), None)
    if present is not None:
        return present, None, "a .env file"
    for path in ctx.repo.glob(["**/*.py"]):
        if is_test_path(path):
            continue
        index = python_index(ctx.repo, path)
        if isinstance(index, PythonIndex):
            found = _python_dotenv(index)
            if found is not None:
                return path, found[0], found[1]
    commands = ctx.repo.glob([*COMPOSE_GLOBS, "**/Makefile", "Makefile", "**/*.sh",
                              *WORKFLOW_GLOBS])
    for path in commands:
        text = ctx.repo.text(path)
        if isinstance(text, str):
            match = ENV_FILE_COMMAND.search(text[:MAX_DOC_SCAN])
            if match:
                return path, text.count("\n", 0, match.start()) + 1, match.group(0).strip()
    ignored = _gitignore_env(ctx)
    if ignored is not None:
        return ignored[0], ignored[1], ".env in .gitignore"
    for path in ctx.repo.glob(["*.md", "**/*.md", "*.rst", "**/*.rst"]):
        text = ctx.repo.text(path)
        if isinstance(text, str):
            match = ENV_MENTION.search(text[:MAX_DOC_SCAN])
            if match:
                return path, text.count("\n", 0, match.start()) + 1, "a .env file in the docs"
    return None


def _read_names(ctx: Context, readers: list[tuple[str, int]]) -> set[str]:
    """The variable names the reading modules ask for by literal (os.getenv("PORT"),
    os.environ["PORT"], os.environ.get("PORT"))."""
    names: set[str] = set()
    for path, _ in readers:
        index = python_index(ctx.repo, path) if path.endswith(".py") else None
        if not isinstance(index, PythonIndex):
            continue
        for qual, call in index.calls:
            if qual in ("os.getenv", "os.environ.get") and call.args and isinstance(
                    call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
                names.add(call.args[0].value)
        for node in index.of_type(ast.Subscript):
            if index.qualname(node.value) == "os.environ" and isinstance(
                    node.slice, ast.Constant) and isinstance(node.slice.value, str):
                names.add(node.slice.value)
    return names


def _env_names(env: object) -> set[str]:
    """Names a Kubernetes env: list or a compose environment: (mapping or list) declares."""
    if isinstance(env, dict):  # compose mapping
        return {str(k) for k in env}
    if isinstance(env, list):
        return {str(item.get("name")) if isinstance(item, dict) else str(item).split("=")[0]
                for item in env}
    return set()


def declared_env(ctx: Context, readers: list[tuple[str, int]]
                 ) -> tuple[str, int | None, list[str]] | None:
    """Where the deployment declares the variables the code reads by name: a Kubernetes
    container's env: or a compose service's environment: (with those names)."""
    wanted = _read_names(ctx, readers)
    if not wanted:
        return None
    for workload in read_manifests(ctx.repo).workloads:
        for container in workload.containers:
            names = sorted(_env_names(container.get("env")) & wanted)
            if names:
                return workload.path, container.line or workload.line, names
    for path in ctx.repo.glob(COMPOSE_GLOBS):
        doc = ctx.repo.yaml(path)
        services = doc.get("services") if isinstance(doc, dict) else None
        for service in services.values() if isinstance(services, dict) else []:
            if isinstance(service, dict):
                names = sorted(_env_names(service.get("environment")) & wanted)
                if names:
                    return path, None, names
    return None


@dataclass(frozen=True)
class EnvContent:
    """What a committed ``.env`` holds now: credentials, weak literals, or neither."""

    leaked: list[str]  # masked excerpts of tokens and random-looking values
    weak: list[str]  # masked excerpts of low-entropy values given to secret names


def env_content(text: str) -> EnvContent:
    tokens = list(token_matches(text))
    leaked = [m.excerpt for m in tokens]
    token_lines = {text.count("\n", 0, m.start) + 1 for m in tokens}
    weak: list[str] = []
    for literal in line_literals(text, Syntax.BARE):
        if literal.line in token_lines:
            continue
        excerpt = f"{literal.key}={mask(literal.value)}"
        (leaked if literal.kind is Kind.RANDOM else weak).append(excerpt)
    return EnvContent(leaked, weak)


def _committed_env(ctx: Context, path: str) -> Finding:
    text = ctx.repo.text(path)
    content = env_content(text) if isinstance(text, str) else EnvContent([], [])
    untrack = T(f"git rm --cached {path}, add it to .gitignore and commit a .env.example "
                "with placeholders instead",
                f"git rm --cached {path}, añádelo a .gitignore y sube en su lugar un "
                ".env.example con valores de ejemplo")
    if content.leaked:
        shown = ", ".join(content.leaked[:3])
        return failed(T(f"{path} is committed with {len(content.leaked)} credential-like "
                        f"value(s) ({shown}): they are in the history",
                        f"{path} está en el repositorio con {len(content.leaked)} valor(es) "
                        f"con forma de credencial ({shown}): quedan en el historial"), path,
                      fix=T("rotate every credential it holds, then ", "rota cada credencial "
                            "que contiene y después ") + untrack)
    if content.weak:
        shown = ", ".join(content.weak[:3])
        return failed(T(f"{path} is committed; it gives {len(content.weak)} secret-named "
                        f"variable(s) low-entropy values ({shown}): defaults or weak passwords",
                        f"{path} está en el repositorio; da a {len(content.weak)} variable(s) "
                        f"con nombre de secreto valores de baja entropía ({shown}): valores "
                        "por defecto o contraseñas débiles"), path,
                      fix=untrack + T("; if one of those values is a real password, change it",
                                      "; si alguno de esos valores es una contraseña real, "
                                      "cámbiala"))
    return failed(T(f"{path} is committed (its current content holds no credential-like "
                    "value): the next secret written to it would be pushed",
                    f"{path} está en el repositorio (su contenido actual no tiene valores con "
                    "forma de credencial): el próximo secreto que se escriba en él se subiría"),
                  path, fix=untrack + T(f"; earlier versions may have held secrets: git log -p "
                                        f"-- {path}", f"; versiones anteriores pueden haber "
                                        f"tenido secretos: git log -p -- {path}"))


def _nearest_env(committed: list[str], reader: str) -> str:
    """The committed .env closest above the reading file (deepest folder first)."""
    folders = [str(p) for p in PurePosixPath(reader).parents]
    for folder in folders:
        for path in committed:
            if str(PurePosixPath(path).parent) == folder:
                return path
    return committed[0]


@check("env_files")
def env_files(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC001: no .env in git; a .env.example when the code reads the environment."""
    problems = 0
    rules = ignore_rules(ctx.repo)
    committed: list[str] = []
    for path in ctx.repo.files:
        if not _is_env_file(path):
            continue
        if ctx.repo.is_tracked(path):
            problems += 1
            committed.append(path)
            yield _committed_env(ctx, path)
        elif not rules.ignored(path):
            problems += 1
            yield warned(T(f"{path} is not ignored: git add -A would commit it",
                           f"{path} no está ignorado: git add -A lo subiría"), path,
                         fix=T("add .env and .env.* (with !.env.example) to .gitignore",
                               "añade .env y .env.* (con !.env.example) a .gitignore"))
    readers = env_readers(ctx)
    examples = [f for f in ctx.repo.files if _is_env_example(f)]
    if readers and not examples and committed:
        problems += 1
        path, line = readers[0]
        env = _nearest_env(committed, path)
        yield warned(T(f"the code reads environment variables ({path}:{line}); they are "
                       f"documented only in the committed {env}, not in a .env.example",
                       f"el código lee variables de entorno ({path}:{line}); están "
                       f"documentadas solo en el {env} del repositorio, no en un .env.example"),
                     path, line,
                     fix=T(f"move {env} to {env}.example with placeholder values (and stop "
                           "tracking the .env)", f"mueve {env} a {env}.example con valores de "
                           "ejemplo (y deja de versionar el .env)"))
    elif readers and not examples and (workflow := dotenv_workflow(ctx)) is not None:
        problems += 1
        path, line = readers[0]
        where, at, what = workflow
        loc = f"{where}:{at}" if at else where
        yield warned(T(f"the code reads environment variables ({path}:{line}) and .env files "
                       f"are part of the workflow ({what}, {loc}), but no .env.example "
                       "documents the variables",
                       f"el código lee variables de entorno ({path}:{line}) y los archivos "
                       f".env forman parte del flujo ({what}, {loc}), pero ningún "
                       ".env.example documenta las variables"),
                     path, line,
                     fix=T("commit a .env.example with every variable and placeholder values",
                           "sube un .env.example con cada variable y valores de ejemplo"))
    elif readers and not examples:
        path, line = readers[0]
        declared = declared_env(ctx, readers)
        if declared is not None:
            place = f"{declared[0]}:{declared[1]}" if declared[1] else declared[0]
            place += f", {', '.join(declared[2][:3])}"
            yield passed(T(f"no .env file in git; the code reads environment variables "
                           f"({path}:{line}) without .env files (no dotenv, no env_file:), "
                           f"and variables are declared where it runs ({place})",
                           f"ningún archivo .env en git; el código lee variables de entorno "
                           f"({path}:{line}) sin archivos .env (ni dotenv ni env_file:), y las "
                           f"variables se declaran donde se ejecuta ({place})"),
                         declared[0], declared[1])
        else:
            yield passed(T(f"no .env file in git; the code reads environment variables "
                           f"({path}:{line}) but no .env file is part of the workflow (no "
                           "dotenv, no env_file:), so no .env.example is required (listing "
                           "the variables in the README helps users)",
                           f"ningún archivo .env en git; el código lee variables de entorno "
                           f"({path}:{line}) pero ningún archivo .env forma parte del flujo (ni "
                           "dotenv ni env_file:), así que no se exige .env.example (listar las "
                           "variables en el README ayuda)"), path, line)
        return
    if not problems:
        detail = T(f"; {examples[0]} documents the variables",
                   f"; {examples[0]} documenta las variables") if examples else T("", "")
        yield passed(T("no .env file in git", "ningún archivo .env en git") + detail,
                     examples[0] if examples else None)


# -- SEC002 ----------------------------------------------------------------------------------

MAX_FINDINGS = 50
SKIP_NAMES = frozenset({"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "package-lock.json",
                        "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "go.sum",
                        DETECT_SECRETS_BASELINE, ".gitleaksignore",
                        *(PurePosixPath(p).name for p in GITLEAKS_CONFIGS)})
SKIP_SUFFIXES = frozenset({".svg", ".map", ".csv", ".tsv", ".parquet", ".lock", ".min.js",
                           ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2"})
CI_GLOBS = (*WORKFLOW_GLOBS, *(g for globs in OTHER_CI_FILES.values() for g in globs))
COMPOSE_FILE_GLOBS = ("**/docker-compose*.y*ml", "**/compose*.y*ml")
DEV_WORDS = frozenset({"dev", "develop", "development", "local", "test", "tests", "testing",
                       "ci", "e2e", "example", "sample", "demo"})


class Where(str, Enum):
    """Where a literal was seen, when that changes how sure the finding can be."""

    ANY = "any"
    TEST = "test"  # a test file or test directory
    DEV_COMPOSE = "dev-compose"  # a compose file named or placed for local development
    EXAMPLE = "example"  # an example or template file (.env.example, *.tfvars.template)
    CI_SERVICE = "ci-service"  # a CI job's throwaway service container


WHERE_TEXT = {
    Where.ANY: T("", ""),
    Where.TEST: T(" in a test file", " en un archivo de test"),
    Where.DEV_COMPOSE: T(" in a local-development compose file",
                         " en un compose de desarrollo local"),
    Where.CI_SERVICE: T(" in a CI service container", " en un contenedor de servicio de CI"),
    Where.EXAMPLE: T(" in an example or template file", " en un archivo de ejemplo o plantilla"),
}


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    kind: Kind
    what: T  # what was seen, without the excerpt
    excerpt: str  # masked
    secret: str  # the raw value, only for the allowlists; never shown
    match: str  # the raw recognised text (token, key = value), only for the allowlists
    last: int = 0  # last line of a multi-line match (a private key block)
    where: Where = Where.ANY
    fix: T | None = None  # overrides the fix of its kind


def _literal_what(key: str, kind: Kind) -> T:
    if kind is Kind.RANDOM:
        return T(f"random-looking literal for '{key}'", f"literal de aspecto aleatorio para "
                 f"'{key}'")
    return T(f"low-entropy literal for '{key}'", f"literal de baja entropía para '{key}'")


def _token_hits(path: str, text: str) -> Iterator[Hit]:
    for match in token_matches(text):
        first = text.count("\n", 0, match.start) + 1
        yield Hit(path, first, Kind.TOKEN, match.name, match.excerpt, match.text, match.text,
                  first + match.text.count("\n"))


def _url_hits(path: str, text: str) -> Iterator[Hit]:
    for found in url_passwords(text):
        what = (T("random-looking password in a URL", "contraseña de aspecto aleatorio en una URL")
                if found.kind is Kind.RANDOM else
                T("low-entropy password in a URL", "contraseña de baja entropía en una URL"))
        yield Hit(path, found.line, found.kind, what, found.shown, found.password, found.shown)


def _line_hits(path: str, text: str, syntax: Syntax) -> Iterator[Hit]:
    k8s_secret = syntax is Syntax.BARE and KUBERNETES_SECRET.search(text) is not None
    for literal in line_literals(text, syntax, base64_values=k8s_secret):
        what = _literal_what(literal.key, literal.kind)
        if literal.decoded:
            # the excerpt shows the encoded value, masked: say which one is judged
            what += T(" (judged on the decoded text of its base64 value, shown encoded)",
                      " (juzgado por el texto decodificado de su valor base64,"
                      " mostrado codificado)")
        yield Hit(path, literal.line, literal.kind, what,
                  f"{literal.key} = {mask(literal.value)}", literal.value,
                  f"{literal.key} = {literal.value}")


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
            if value is None or not secret_name(key):
                continue
            kind = classify(value)
            if kind is not None and value_node is not None:
                yield Hit(index.path, value_node.lineno, kind, _literal_what(key, kind),
                          f"{key} = {mask(value)}", value, f"{key} = {value}",
                          getattr(node, "lineno", value_node.lineno))


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


COPY_ENV_FIX = T("add .env to .dockerignore and give the container its settings at run time "
                 "(docker run --env-file, compose env_file:, a Kubernetes Secret)",
                 "añade .env a .dockerignore y da la configuración al contenedor en ejecución "
                 "(docker run --env-file, env_file: en compose, un Secret de Kubernetes)")


def _docker_hits(dockerfile: Dockerfile) -> Iterator[Hit]:
    for inst in dockerfile.instructions:
        if inst.cmd in ("ENV", "ARG"):
            for key, value in _pairs(inst.raw).items():
                kind = classify(value) if secret_name(key) else None
                if kind is None:
                    continue
                what = (T(f"{inst.cmd} {key} bakes a secret into the image",
                          f"{inst.cmd} {key} graba un secreto en la imagen")
                        if kind is Kind.RANDOM else
                        T(f"{inst.cmd} {key} bakes a low-entropy literal into the image",
                          f"{inst.cmd} {key} graba un literal de baja entropía en la imagen"))
                yield Hit(dockerfile.path, inst.line, kind, what, f"{inst.cmd} {key}="
                          f"{mask(value)}", value, f"{key}={value}")
        elif inst.cmd in ("COPY", "ADD"):
            try:
                sources = _shell_words(inst.args)[:-1]
            except ValueError:
                sources = inst.args.split()[:-1]
            for source in sources:
                if _is_env_file(source.rstrip("/")):
                    yield Hit(dockerfile.path, inst.line, Kind.TOKEN,
                              T(f"{inst.cmd} {source} copies secrets into the image",
                                f"{inst.cmd} {source} copia secretos en la imagen"),
                              f"{inst.cmd} {source}", source, f"{inst.cmd} {source}",
                              fix=COPY_ENV_FIX)


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
    hits = list(_token_hits(path, text))
    syntax = syntax_of(path)
    if syntax is Syntax.PROSE:
        return hits  # documentation: only known token formats
    literals = list(_url_hits(path, text))
    if may_hint(text):
        if path.endswith(".py"):
            index = python_index(ctx.repo, path)
            if isinstance(index, PythonIndex):
                literals += _python_hits(index)
        else:
            literals += _line_hits(path, text, syntax)
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
            _keep(allow, scan, list(_token_hits(path, text)), text)
            continue
        _keep(allow, scan, _file_hits(ctx, path, text, ci_files), text)
    wanted = sorted(p for p in docker if not allow.whole_file(p))
    for parsed in dockerfiles(ctx.repo, wanted, templates=True):
        if isinstance(parsed, Dockerfile):
            text = ctx.repo.text(parsed.path)
            if isinstance(text, str):
                _keep(allow, scan, list(_docker_hits(parsed)), text)


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


@check("hardcoded_secrets")
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
