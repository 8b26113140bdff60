"""SEC001: no ``.env`` file in git (nor present and not ignored); a ``.env.example``
documenting the variables when the code reads the environment and ``.env`` files are part
of the workflow.

A committed ``.env`` always fails; its message says whether its content holds
credential-like values (rotate them), low-entropy values given to secret names, or none
(:func:`env_content`, judged by :mod:`._secret_values`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.globs import COMPOSE_FILES_ANYWHERE
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import WORKFLOW_GLOBS
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.kubernetes import read_manifests
from mlops_lint.parsers.python_source import PythonIndex, is_test_path, python_index
from mlops_lint.readers.deployment import in_docs
from mlops_lint.rules import rule
from mlops_lint.rules.security._secret_literals import Syntax, line_literals
from mlops_lint.rules.security._secret_values import Kind, mask, token_matches
from mlops_lint.rules.security._shared import EXAMPLE_SUFFIXES, is_env_file


def _is_env_example(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name.startswith((".env.", "env.")) and any(
        part in EXAMPLE_SUFFIXES for part in name.split("."))


ENV_READS = ("os.getenv", "os.environ.get", "os.environ.setdefault", "dotenv.load_dotenv",
             "dotenv.dotenv_values", "environs.Env", "decouple.config")
SETTINGS_BASES = ("pydantic_settings.BaseSettings", "pydantic.BaseSettings")
COMPOSE_GLOBS = COMPOSE_FILES_ANYWHERE


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
ENV_FILE_COMMAND = lazy_re.compile(
    r"--env-file\b|(?:^|[\s;&|(])(?:source|\.)\s+[\"']?\S*\.env\b|"
    r"\bcat\s+[\"']?\S*\.env\b|\benv_file\s*:", re.MULTILINE)
ENV_MENTION = lazy_re.compile(r"(?:^|(?<=[\s`'\"(/=]))\.env(?![\w\-\[(])", re.MULTILINE)
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
    present = next((f for f in ctx.repo.files if is_env_file(f)), None)
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


def _env_file_findings(ctx: Context) -> tuple[list[Finding], list[str]]:
    """A finding for every ``.env`` file git tracks or does not ignore, and the tracked
    ones."""
    rules = ignore_rules(ctx.repo)
    findings: list[Finding] = []
    committed: list[str] = []
    for path in ctx.repo.files:
        if not is_env_file(path):
            continue
        if ctx.repo.is_tracked(path):
            committed.append(path)
            findings.append(_committed_env(ctx, path))
        elif not rules.ignored(path):
            findings.append(warned(T(f"{path} is not ignored: git add -A would commit it",
                                     f"{path} no está ignorado: git add -A lo subiría"), path,
                                   fix=T("add .env and .env.* (with !.env.example) to "
                                         ".gitignore", "añade .env y .env.* (con "
                                         "!.env.example) a .gitignore")))
    return findings, committed


def _undocumented(ctx: Context, readers: list[tuple[str, int]], committed: list[str]
                  ) -> Finding | None:
    """The code reads the environment and no ``.env.example`` documents the variables:
    a warning when a committed ``.env`` documents them instead or ``.env`` files are part
    of the workflow; ``None`` otherwise."""
    path, line = readers[0]
    if committed:
        env = _nearest_env(committed, path)
        return warned(T(f"the code reads environment variables ({path}:{line}); they are "
                        f"documented only in the committed {env}, not in a .env.example",
                        f"el código lee variables de entorno ({path}:{line}); están "
                        f"documentadas solo en el {env} del repositorio, no en un "
                        ".env.example"),
                      path, line,
                      fix=T(f"move {env} to {env}.example with placeholder values (and stop "
                            "tracking the .env)", f"mueve {env} a {env}.example con valores de "
                            "ejemplo (y deja de versionar el .env)"))
    workflow = dotenv_workflow(ctx)
    if workflow is None:
        return None
    where, at, what = workflow
    loc = f"{where}:{at}" if at else where
    return warned(T(f"the code reads environment variables ({path}:{line}) and .env files "
                    f"are part of the workflow ({what}, {loc}), but no .env.example "
                    "documents the variables",
                    f"el código lee variables de entorno ({path}:{line}) y los archivos "
                    f".env forman parte del flujo ({what}, {loc}), pero ningún "
                    ".env.example documenta las variables"),
                  path, line,
                  fix=T("commit a .env.example with every variable and placeholder values",
                        "sube un .env.example con cada variable y valores de ejemplo"))


def _without_dotenv(ctx: Context, readers: list[tuple[str, int]]) -> Finding:
    """The code reads the environment without ``.env`` files: no ``.env.example`` is
    required."""
    path, line = readers[0]
    declared = declared_env(ctx, readers)
    if declared is not None:
        place = f"{declared[0]}:{declared[1]}" if declared[1] else declared[0]
        place += f", {', '.join(declared[2][:3])}"
        return passed(T(f"no .env file in git; the code reads environment variables "
                        f"({path}:{line}) without .env files (no dotenv, no env_file:), "
                        f"and variables are declared where it runs ({place})",
                        f"ningún archivo .env en git; el código lee variables de entorno "
                        f"({path}:{line}) sin archivos .env (ni dotenv ni env_file:), y las "
                        f"variables se declaran donde se ejecuta ({place})"),
                      declared[0], declared[1])
    return passed(T(f"no .env file in git; the code reads environment variables "
                    f"({path}:{line}) but no .env file is part of the workflow (no "
                    "dotenv, no env_file:), so no .env.example is required (listing "
                    "the variables in the README helps users)",
                    f"ningún archivo .env en git; el código lee variables de entorno "
                    f"({path}:{line}) pero ningún archivo .env forma parte del flujo (ni "
                    "dotenv ni env_file:), así que no se exige .env.example (listar las "
                    "variables en el README ayuda)"), path, line)


@rule("SEC001")
def env_files(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC001: no .env in git; a .env.example when the code reads the environment."""
    findings, committed = _env_file_findings(ctx)
    yield from findings
    problems = len(findings)
    readers = env_readers(ctx)
    examples = [f for f in ctx.repo.files if _is_env_example(f)]
    if readers and not examples:
        undocumented = _undocumented(ctx, readers, committed)
        if undocumented is None:
            yield _without_dotenv(ctx, readers)
            return
        problems += 1
        yield undocumented
    if not problems:
        detail = T(f"; {examples[0]} documents the variables",
                   f"; {examples[0]} documenta las variables") if examples else T("", "")
        yield passed(T("no .env file in git", "ningún archivo .env en git") + detail,
                     examples[0] if examples else None)
