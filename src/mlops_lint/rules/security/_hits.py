"""Where SEC002 finds candidate secrets in one file: known token formats, passwords in
URLs, key/value literals line by line, the names and values bound in Python's syntax
tree, and a Dockerfile's ``ENV``/``ARG`` instructions and copied ``.env`` files. Each
:class:`Hit` records what kind of literal it is and where it sits (code, a test, a dev
compose file, a CI service, an example).
"""

from __future__ import annotations

import ast
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from mlops_lint.model import T
from mlops_lint.parsers.dockerfile import Dockerfile
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.rules.security._secret_literals import (
    KUBERNETES_SECRET,
    Syntax,
    line_literals,
    url_passwords,
)
from mlops_lint.rules.security._secret_values import (
    Kind,
    classify,
    mask,
    secret_name,
    token_matches,
)
from mlops_lint.rules.security._shared import is_env_file


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


def token_hits(path: str, text: str) -> Iterator[Hit]:
    for match in token_matches(text):
        first = text.count("\n", 0, match.start) + 1
        yield Hit(path, first, Kind.TOKEN, match.name, match.excerpt, match.text, match.text,
                  first + match.text.count("\n"))


def url_hits(path: str, text: str) -> Iterator[Hit]:
    for found in url_passwords(text):
        what = (T("random-looking password in a URL", "contraseña de aspecto aleatorio en una URL")
                if found.kind is Kind.RANDOM else
                T("low-entropy password in a URL", "contraseña de baja entropía en una URL"))
        yield Hit(path, found.line, found.kind, what, found.shown, found.password, found.shown)


def line_hits(path: str, text: str, syntax: Syntax) -> Iterator[Hit]:
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


def python_hits(index: PythonIndex) -> Iterator[Hit]:
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


def docker_hits(dockerfile: Dockerfile) -> Iterator[Hit]:
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
                if is_env_file(source.rstrip("/")):
                    yield Hit(dockerfile.path, inst.line, Kind.TOKEN,
                              T(f"{inst.cmd} {source} copies secrets into the image",
                                f"{inst.cmd} {source} copia secretos en la imagen"),
                              f"{inst.cmd} {source}", source, f"{inst.cmd} {source}",
                              fix=COPY_ENV_FIX)
