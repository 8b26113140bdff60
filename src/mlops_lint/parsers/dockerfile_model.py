"""The Dockerfile model: image references, instructions, stages and the file, with the
queries rules ask of them (a stage's lineage, its final stage, its variables).
:mod:`~mlops_lint.parsers.dockerfile_text` builds it from text."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field

from mlops_lint import lazy_re

HEREDOC = lazy_re.compile(r"<<(-?)([\"']?)([A-Za-z_][\w.-]*)\2")


def flag_tokens(value: str) -> list[str]:
    tokens = []
    rest = value.lstrip()
    while rest.startswith("--"):
        token, _, remainder = rest.partition(" ")
        tokens.append(token)
        rest = remainder.lstrip()
    return tokens


def strip_flags(value: str) -> tuple[dict[str, str], str]:
    flags: dict[str, str] = {}
    rest = value.lstrip()
    while rest.startswith("--"):
        token, _, remainder = rest.partition(" ")
        name, _, flag_value = token[2:].partition("=")
        flags[name.lower()] = flag_value
        rest = remainder.lstrip()
    return flags, rest



class DockerfileError(ValueError):
    """A Dockerfile that Docker would refuse; ``line`` is 1-based."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


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
    def repository(self) -> str:
        """The last path component (``python`` for ``docker.io/library/python``)."""
        return self.path.rsplit("/", 1)[-1]

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

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_image(reference: str) -> ImageRef:
    """Split an image reference; the first component is a registry when it has a dot,
    a port or is ``localhost`` (``localhost:5000/team/img`` is untagged)."""
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
    heredoc: str | None = None  # heredoc bodies, joined with newlines

    @property
    def args(self) -> str:
        """The value without its leading ``--flags``."""
        return strip_flags(self.value)[1]

    @property
    def exec_form(self) -> bool:
        return self.args.lstrip().startswith("[")

    @property
    def exec_args(self) -> list[str] | None:
        """The JSON array of an exec-form instruction; ``None`` for shell form (Docker
        runs text that is not a valid JSON array of strings through the shell)."""
        text = self.args.strip()
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None

    @property
    def script(self) -> str:
        """The shell text a ``RUN`` executes: its command line plus heredoc bodies."""
        exec_args = self.exec_args
        if exec_args is not None:
            return shlex.join(exec_args)
        text = HEREDOC.sub("", self.args).strip()
        if self.heredoc is not None:
            body = self.heredoc
            return f"{text}\n{body}".strip() if text and not _is_shell(text) else body
        return text

    def mounts(self) -> list[dict[str, str]]:
        """``RUN --mount=type=cache,target=…`` options as key/value maps."""
        out = []
        for token in flag_tokens(self.value):
            name, _, value = token.partition("=")
            if name.lower() == "--mount":
                entry: dict[str, str] = {}
                for part in value.split(","):
                    key, _, val = part.partition("=")
                    entry[key.strip().lower()] = val.strip()
                out.append(entry)
        return out


def _is_shell(text: str) -> bool:
    return text.split()[0].rsplit("/", 1)[-1] in ("bash", "sh", "ash", "zsh", "dash")


@dataclass
class Stage:
    index: int
    base: str  # resolved image reference or stage alias
    alias: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)
    parent: int | None = None  # index of the stage this one is built FROM
    scope: dict[str, str | None] = field(default_factory=dict)  # ARG/ENV values at its end
    env: dict[str, str | None] = field(default_factory=dict)  # ENV at its end (inherited)
    platform: str | None = None

    @property
    def is_scratch(self) -> bool:
        return self.base.lower() == "scratch"

    @property
    def image(self) -> ImageRef | None:
        """The base image, ``None`` for ``scratch`` or a stage alias."""
        if self.parent is not None or self.is_scratch:
            return None
        return parse_image(self.base)

    @property
    def name(self) -> str:
        return self.alias or str(self.index)

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

    def root(self, stage: Stage) -> Stage:
        """The stage at the bottom of ``stage``'s lineage (built from an image or scratch)."""
        return self.lineage(stage)[-1]

    def inherited(self, stage: Stage, *cmds: str) -> list[Instruction]:
        """Instructions of ``stage``'s lineage, oldest first (what its filesystem and
        metadata were built by)."""
        out: list[Instruction] = []
        for member in reversed(self.lineage(stage)):
            out.extend(i for i in member.instructions if not cmds or i.cmd in cmds)
        return out

    def effective(self, stage: Stage, cmd: str) -> Instruction | None:
        """The last ``cmd`` instruction in ``stage``'s lineage: the one in force."""
        found = self.inherited(stage, cmd)
        return found[-1] if found else None

    def stage_named(self, name: str) -> Stage | None:
        """A stage by alias (case-insensitive) or index, as ``COPY --from`` names it."""
        for stage in self.stages:
            if stage.alias and stage.alias.lower() == name.lower():
                return stage
        if name.isdigit() and int(name) < len(self.stages):
            return self.stages[int(name)]
        return None
