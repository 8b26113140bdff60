"""Dockerfiles, stage-aware, parsed with dockerfile-parse.

Heredoc bodies (``RUN <<EOF … EOF``) are cut out before dockerfile-parse sees the text
(it does not know heredocs) and attached to their instruction, with line numbers kept.
``$VAR``/``${VAR}``/``${VAR:-default}`` are resolved from ``ARG``/``ENV`` defaults;
what cannot be resolved stays in the text and :func:`unresolved` reports it.
"""

from __future__ import annotations

import io
import re
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dockerfile_parse import DockerfileParser

from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

DOCKERFILE_GLOBS = ("**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile", "**/*.dockerfile",
                    "**/Containerfile", "**/Containerfile.*", "**/dockerfile")
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][\w]*)\2")
_VAR = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_]\w*))")
_KNOWN = frozenset({
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
})


@dataclass(frozen=True)
class ImageRef:
    """``registry[:port]/path[:tag][@digest]``."""

    registry: str | None
    path: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.path}" if self.registry else self.path

    @property
    def pinned(self) -> bool:
        """A digest pins the image whatever the tag says."""
        return self.digest is not None

    @property
    def untagged(self) -> bool:
        return self.tag is None and self.digest is None

    @property
    def floating(self) -> bool:
        """No tag and no digest, or ``:latest`` without a digest."""
        return self.untagged or (self.tag == "latest" and self.digest is None)


def parse_image(reference: str) -> ImageRef:
    ref = reference.strip()
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    registry = None
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, ref = first, rest
    tag = None
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref, tag = ref.rsplit(":", 1)
    return ImageRef(registry, ref, tag or None, digest or None)


@dataclass(frozen=True)
class Instruction:
    cmd: str  # upper case
    value: str  # after the keyword, variables resolved where possible
    raw: str  # as written
    line: int  # 1-based first line
    end_line: int
    flags: dict[str, str] = field(default_factory=dict)  # leading --flag=value options
    heredoc: str | None = None

    @property
    def args(self) -> str:
        """The value without its leading ``--flags``."""
        return _strip_flags(self.value)[1]

    @property
    def exec_form(self) -> bool:
        return self.args.lstrip().startswith("[")


@dataclass
class Stage:
    index: int
    base: str  # resolved image reference or stage alias
    alias: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)
    parent: int | None = None  # index of the stage this one is built FROM
    scope: dict[str, str | None] = field(default_factory=dict)  # ARG/ENV values at its end

    @property
    def is_scratch(self) -> bool:
        return self.base.lower() == "scratch"

    @property
    def image(self) -> ImageRef | None:
        """The base image, ``None`` for ``scratch`` or a stage alias."""
        if self.parent is not None or self.is_scratch:
            return None
        return parse_image(self.base)

    def find(self, *cmds: str) -> list[Instruction]:
        return [i for i in self.instructions if i.cmd in cmds]


@dataclass
class Dockerfile:
    path: str
    stages: list[Stage]
    global_args: dict[str, str | None]
    instructions: list[Instruction]

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def lineage(self, stage: Stage) -> list[Stage]:
        """``stage`` and the stages it is built FROM, nearest first."""
        chain = [stage]
        seen = {stage.index}
        while chain[-1].parent is not None and chain[-1].parent not in seen:
            parent = self.stages[chain[-1].parent]
            seen.add(parent.index)
            chain.append(parent)
        return chain


def _strip_flags(value: str) -> tuple[dict[str, str], str]:
    flags: dict[str, str] = {}
    rest = value.lstrip()
    while rest.startswith("--"):
        token, _, remainder = rest.partition(" ")
        name, _, flag_value = token[2:].partition("=")
        flags[name.lower()] = flag_value
        rest = remainder.lstrip()
    return flags, rest


def resolve(text: str, scope: dict[str, str | None]) -> str:
    """Substitute ``$VAR``, ``${VAR}``, ``${VAR:-default}`` and ``${VAR:+alt}``."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        value = scope.get(name)
        operator, word = match.group(2), match.group(3) or ""
        if operator in (":-", "-"):
            return value if value else word
        if operator in (":+", "+"):
            return word if value else ""
        return value if value is not None else match.group(0)

    return _VAR.sub(sub, text)


def unresolved(text: str) -> list[str]:
    """Names of variables still present in ``text``."""
    return [m.group(1) or m.group(4) for m in _VAR.finditer(text)]


def _cut_heredocs(text: str) -> tuple[str, dict[int, str]]:
    """Blank heredoc bodies (keeping line count); return their text by instruction line."""
    lines = text.split("\n")
    bodies: dict[int, str] = {}
    i = 0
    while i < len(lines):
        markers = _HEREDOC.findall(lines[i]) if not lines[i].lstrip().startswith("#") else []
        if markers:
            start = i
            body: list[str] = []
            for dash, _quote, word in markers:
                i += 1
                while i < len(lines):
                    candidate = lines[i].lstrip("\t") if dash else lines[i]
                    if candidate.strip() == word:
                        lines[i] = ""
                        break
                    body.append(lines[i])
                    lines[i] = ""
                    i += 1
            bodies[start + 1] = "\n".join(body)
        i += 1
    return "\n".join(lines), bodies


def _split_pairs(value: str) -> dict[str, str | None]:
    """``ARG``/``ENV`` values: ``A=1 B="x y"`` or the legacy ``ENV A 1`` form."""
    try:
        tokens = shlex.split(value, posix=True)
    except ValueError:
        tokens = value.split()
    if not tokens:
        return {}
    if "=" not in tokens[0]:
        name = tokens[0]
        rest = value.strip()[len(name):].strip()
        return {name: rest if rest else None}
    pairs: dict[str, str | None] = {}
    for token in tokens:
        name, sep, val = token.partition("=")
        pairs[name] = val if sep else None
    return pairs


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse Dockerfile text; raise ``ValueError`` (with ``line``) on malformed input."""
    cleaned, bodies = _cut_heredocs(text.replace("\r\n", "\n"))
    parser = DockerfileParser(fileobj=io.BytesIO(cleaned.encode("utf-8")), env_replace=False)
    structure = parser.structure
    stages: list[Stage] = []
    global_args: dict[str, str | None] = {}
    scope: dict[str, str | None] = {}
    instructions: list[Instruction] = []
    aliases: dict[str, int] = {}
    for item in structure:
        cmd = str(item["instruction"]).upper()
        line = int(item["startline"]) + 1
        if cmd == "COMMENT":
            continue
        if cmd not in _KNOWN:
            error = ValueError(f"unknown instruction '{item['instruction']}'")
            error.line = line  # type: ignore[attr-defined]
            raise error
        raw = str(item["value"])
        flags, _ = _strip_flags(raw)
        value = resolve(raw, scope) if cmd not in ("RUN", "CMD", "ENTRYPOINT") else raw
        inst = Instruction(cmd, value, raw, line, int(item["endline"]) + 1, flags,
                           bodies.get(line))
        instructions.append(inst)
        if cmd == "FROM":
            _, rest = _strip_flags(resolve(raw, {**global_args}))
            parts = rest.split()
            if not parts:
                error = ValueError("FROM without an image")
                error.line = line  # type: ignore[attr-defined]
                raise error
            alias = parts[2] if len(parts) >= 3 and parts[1].lower() == "as" else None
            base = parts[0]
            parent = aliases.get(base.lower())
            stage = Stage(len(stages), base, alias, line, [inst], parent)
            stages.append(stage)
            if alias:
                aliases[alias.lower()] = stage.index
            scope = dict(stages[parent].scope) if parent is not None else {}
            continue
        if cmd == "ARG":
            for name, default in _split_pairs(value).items():
                if not stages:
                    global_args[name] = default
                else:
                    scope[name] = default if default is not None else global_args.get(name)
        elif cmd == "ENV":
            scope.update(_split_pairs(value))
        if not stages:
            if cmd != "ARG":
                error = ValueError(f"{cmd} before the first FROM")
                error.line = line  # type: ignore[attr-defined]
                raise error
            continue
        stages[-1].instructions.append(inst)
        stages[-1].scope = dict(scope)
    if not stages:
        raise ValueError("no FROM instruction")
    return Dockerfile("", stages, global_args, instructions)


def dockerfiles(repo: Repo, paths: list[str] | None = None) -> list[Dockerfile | ParseError]:
    """Every Dockerfile of the repository (or of ``paths``), parsed once per run."""
    out: list[Dockerfile | ParseError] = []
    for path in paths if paths is not None else repo.glob(DOCKERFILE_GLOBS):
        parsed = repo.parse(path, parse_dockerfile)
        if isinstance(parsed, Dockerfile):
            parsed.path = path
        out.append(parsed)
    return out
