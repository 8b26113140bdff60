"""Terraform configuration read with tree-sitter-hcl, python-hcl2 as the fallback.

:func:`parse_hcl` turns HCL text into plain data with the string quotes removed (the
same shape whatever the python-hcl2 version: newer releases keep quotes unless asked
not to). The fast reader (:mod:`mlops_lint.parsers.hcl_treesitter`, ~10× faster) gives
exactly python-hcl2's data; python-hcl2 reads a file when tree-sitter is not installed,
when the file has a syntax error (so the error and its line are python-hcl2's) or a
construct the fast reader does not model, and always when ``MLOPS_LINT_HCL_READER`` is
``python-hcl2``. :func:`terraform_files` parses every ``*.tf`` of the repository once per run
into :class:`TfFile` objects whose top-level blocks carry their labels and the line of
their header (found by a text scan of the header, since python-hcl2 gives no positions).

Values keep Terraform's expression syntax: a literal string is plain text, anything
computed is wrapped in ``${…}`` (``var.x`` reads ``${var.x}``); :func:`is_literal`
tells them apart.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

TF_GLOBS = ("**/*.tf",)
BACKEND_CONFIG_GLOBS = ("**/*.tfbackend", "**/backend*.hcl", "**/*.backend.hcl",
                        "**/backend*/*.hcl", "**/backend*/*.tfvars")
# Number of labels of the top-level block types (resource "type" "name" { ... }).
BLOCK_LABELS = {"resource": 2, "data": 2, "ephemeral": 2, "module": 1, "variable": 1,
                "output": 1, "provider": 1, "check": 1, "terraform": 0, "locals": 0,
                "moved": 0, "import": 0, "removed": 0}


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: dict[str, Any]
    line: int | None

    @property
    def address(self) -> str:
        return ".".join((self.type, *self.labels)) if self.type != "resource" else \
            ".".join(self.labels)


@dataclass(frozen=True)
class TfFile:
    path: str
    data: dict[str, Any]
    blocks: tuple[Block, ...]
    text: str = field(repr=False, compare=False)

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path)

    def of(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]

    def attribute_line(self, block: Block, name: str) -> int | None:
        """Line of ``name = …`` (or ``name {``) at or after the block's header."""
        start = (block.line or 1) - 1
        pattern = re.compile(rf"^[ \t]*\"?{re.escape(name)}\"?[ \t]*(=|\{{)")
        for number, line in enumerate(self.text.splitlines()[start:], start=start + 1):
            if pattern.match(line):
                return number
        return block.line


def _clean(value: Any) -> Any:
    """Drop python-hcl2's ``__…__`` markers; unquote labels and strings left quoted."""
    if isinstance(value, dict):
        return {unquote(str(k)): _clean(v) for k, v in value.items()
                if not (isinstance(k, str) and k.startswith("__") and k.endswith("__"))}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return unquote(value)
    return value


def unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1]:
        return text[1:-1]
    return text


@functools.cache
def _hcl2() -> tuple[Any, Any]:
    """``hcl2.loads`` and its options, imported on first use: python-hcl2 and its Lark
    grammar take a tenth of a second to load, wasted on a repository without Terraform."""
    import hcl2

    try:  # python-hcl2 >= 6: quotes are kept unless stripped explicitly
        from hcl2.utils import SerializationOptions

        options: Any = SerializationOptions(strip_string_quotes=True, with_comments=False)
    except ImportError:  # pragma: no cover - older python-hcl2 already strips quotes
        options = None
    return hcl2.loads, options


@functools.cache
def _fast_reader() -> Callable[[str], dict[str, Any] | None] | None:
    if os.environ.get("MLOPS_LINT_HCL_READER", "") == "python-hcl2":
        return None
    from mlops_lint.parsers import hcl_treesitter

    return hcl_treesitter.load if hcl_treesitter.available() else None


def parse_hcl(text: str) -> dict[str, Any]:
    """HCL text as plain data; raises (with ``line`` when known) on invalid syntax."""
    fast = _fast_reader()
    data: Any = None
    if fast is not None:
        try:
            data = fast(text)
        except Exception:  # syntax error or unmodelled construct: python-hcl2 decides
            data = None
    if data is None:
        loads, options = _hcl2()
        data = loads(text, serialization_options=options) if options is not None \
            else loads(text)
    if not isinstance(data, dict):
        raise ValueError("not an HCL document")
    cleaned: dict[str, Any] = _clean(data)
    return cleaned


def is_literal(value: Any) -> bool:
    """A literal string (no ``${…}`` interpolation or expression)."""
    return isinstance(value, str) and "${" not in value


def nested(body: dict[str, Any], name: str) -> list[tuple[str | None, dict[str, Any]]]:
    """Nested blocks ``name`` of a body: (label or None, body) — e.g. ``backend "s3"``."""
    out: list[tuple[str | None, dict[str, Any]]] = []
    entries = body.get(name)
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict):
            continue
        inner = list(entry.values())
        if len(entry) == 1 and isinstance(inner[0], dict) and name in ("backend", "provider",
                                                                        "dynamic"):
            out.append((next(iter(entry)), inner[0]))
        else:
            out.append((None, entry))
    return out


@functools.lru_cache(maxsize=4096)
def _header_pattern(block_type: str, labels: tuple[str, ...]) -> re.Pattern[str]:
    parts = "".join(rf"[ \t]+\"?{re.escape(label)}\"?" for label in labels)
    return re.compile(rf"^[ \t]*{re.escape(block_type)}{parts}[ \t]*\{{", re.M)


def _blocks(data: dict[str, Any], text: str) -> tuple[Block, ...]:
    blocks = []
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for block_type, entries in data.items():
        count = BLOCK_LABELS.get(block_type)
        if count is None or not isinstance(entries, list):
            continue
        for entry in entries:
            for labels, body in _unwrap(entry, count, ()):
                key = (block_type, labels)
                nth = seen.get(key, 0)
                seen[key] = nth + 1
                matches = list(_header_pattern(block_type, labels).finditer(text))
                line = (text.count("\n", 0, matches[nth].start()) + 1
                        if nth < len(matches) else None)
                blocks.append(Block(block_type, labels, body, line))
    return tuple(blocks)


def _unwrap(entry: Any, count: int, labels: tuple[str, ...]
            ) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    if not isinstance(entry, dict):
        return []
    if count == 0:
        return [(labels, entry)]
    out = []
    for label, inner in entry.items():
        out.extend(_unwrap(inner, count - 1, (*labels, str(label))))
    return out


def build_file(path: str, text: str, data: dict[str, Any]) -> TfFile:
    return TfFile(path, data, _blocks(data, text), text)


def terraform_files(repo: Repo) -> list[TfFile | ParseError]:
    """Every ``*.tf`` file of the repository, parsed once per run (memoized)."""
    cached = repo.memo.get("terraform:files")
    if cached is not None:
        result: list[TfFile | ParseError] = cached
        return result
    out: list[TfFile | ParseError] = []
    for path in repo.glob(TF_GLOBS):
        data = repo.parse(path, parse_hcl)
        text = repo.text(path)
        if isinstance(data, ParseError):
            out.append(data)
            continue
        if isinstance(text, ParseError):  # pragma: no cover - parse would have failed first
            out.append(text)
            continue
        out.append(build_file(path, text, data))
    repo.memo["terraform:files"] = out
    return out


def backend_configs(repo: Repo) -> list[tuple[str, dict[str, Any] | ParseError]]:
    """Partial backend configuration files: ``*.tfbackend``, ``backend*.hcl``, the files of
    a ``backend-configs/`` folder, and the files ``terraform init -backend-config=FILE``
    names in CI or a Makefile."""
    paths = list(repo.glob(BACKEND_CONFIG_GLOBS))
    for init in init_backend_options(repo):
        paths += [f for f in init.files if f not in paths]
    return [(path, repo.parse(path, parse_hcl)) for path in paths]


@dataclass(frozen=True)
class InitOptions:
    """The ``-backend-config`` options of one ``terraform init`` (CI or Makefile)."""

    path: str  # the CI file or Makefile
    line: int | None
    directory: str | None  # -chdir=DIR / the working directory, when known
    files: tuple[str, ...]  # backend configuration files that exist in the repository
    settings: dict[str, str]  # -backend-config="key=value" pairs


def _init_options(path: str, line: int | None, script: str, cwd: str | None,
                  repo: Repo) -> list[InitOptions]:
    from mlops_lint.parsers.shell import split_commands

    out: list[InitOptions] = []
    directory = cwd
    # CI macros ($(Build.SourcesDirectory), ${{ … }}) are not shell syntax the reader knows
    script = re.sub(r"\$\([\w.]{1,100}\)|\$\{\{[^}\n]{0,200}\}\}", "", script)
    for simple in split_commands(script):
        if simple.program == "cd" and simple.args:
            directory = posixpath.normpath(posixpath.join(directory or "", simple.args[0]))
            continue
        if simple.program not in ("terraform", "tofu") or "init" not in simple.args:
            continue
        args = list(simple.args)
        chdir = next((a.split("=", 1)[1] for a in args if a.startswith("-chdir=")), None)
        here = posixpath.normpath(posixpath.join(directory or "", chdir)) if chdir else directory
        files: list[str] = []
        settings: dict[str, str] = {}
        for value in _backend_configs(args):
            key, sep, setting = value.partition("=")
            if sep and "/" not in key and "." not in key:
                settings[key.strip()] = setting.strip().strip("'\"")
                continue
            found = _config_file(repo, here, value)
            if found is not None:
                files.append(found)
        if files or settings:
            out.append(InitOptions(path, line, here, tuple(files), settings))
    return out


def _backend_configs(args: list[str]) -> Iterator[str]:
    """The values of ``-backend-config=V`` and ``-backend-config V`` (one or two dashes)."""
    for i, arg in enumerate(args):
        if arg.startswith(("-backend-config=", "--backend-config=")):
            yield arg.split("=", 1)[1]
        elif arg in ("-backend-config", "--backend-config") and i + 1 < len(args):
            yield args[i + 1]


def _config_file(repo: Repo, here: str | None, value: str) -> str | None:
    """The repository file a ``-backend-config`` value names, relative to the directory
    the command runs in or to the root (a leading CI variable such as ``$(Dir)/`` is
    dropped); ``None`` when no such file exists."""
    clean = re.sub(r"^\$\([\w.]+\)/|^\$\{?[\w]+\}?/", "", value)
    for candidate in (posixpath.join(here or "", clean), clean):
        target = posixpath.normpath(candidate.lstrip("/"))
        if repo.exists(target) and not target.endswith(".tf"):
            return target
    return None


def init_backend_options(repo: Repo) -> list[InitOptions]:
    """``terraform init -backend-config=…`` in CI commands and Makefile recipes (once per
    run)."""
    cached = repo.memo.get("terraform:init-options")
    if cached is not None:
        result: list[InitOptions] = cached
        return result
    from mlops_lint.parsers.ci import ci_commands

    found: list[InitOptions] = []
    for command in ci_commands(repo):
        if "init" in command.text and "backend-config" in command.text:
            found += _init_options(command.path, command.line, command.text, command.cwd,
                                   repo)
    for makefile in repo.glob(("**/Makefile", "**/makefile", "**/GNUmakefile", "**/*.mk")):
        text = repo.text(makefile)
        if isinstance(text, ParseError) or "backend-config" not in text:
            continue
        base = posixpath.dirname(makefile)
        for number, raw in enumerate(text.splitlines(), start=1):
            if "backend-config" in raw and len(raw) < 2000:
                found += _init_options(makefile, number, raw.lstrip("\t@-"), base or None,
                                       repo)
    repo.memo["terraform:init-options"] = found
    return found
