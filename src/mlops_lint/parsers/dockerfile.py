"""Dockerfiles, stage-aware, parsed with dockerfile-parse.

dockerfile-parse reads the instructions; this module prepares the text for it and builds
the stage model on top:

* Heredoc bodies (``RUN <<EOF … EOF``, ``COPY <<EOF /dst``) are cut out before
  dockerfile-parse sees the text (it does not know heredocs) and attached to their
  instruction, with line numbers kept; the next instruction may follow the terminator
  directly. An unterminated heredoc is a parse error.
* Blank lines inside a line continuation (which Docker skips) and a continuation left
  open at the end of the file are tolerated, as Docker tolerates them.
* Instructions are case-insensitive; an unknown instruction, an instruction before the
  first ``FROM``, a ``FROM`` that is not ``image [AS name]``, ``COPY``/``ADD`` without a
  destination or an instruction without arguments are parse errors carrying their line.
* ``$VAR``/``${VAR}``/``${VAR:-default}`` are resolved from ``ARG``/``ENV`` defaults
  (global ``ARG``s in ``FROM``); what cannot be resolved stays in the text and
  :func:`unresolved` reports it. A stage built ``FROM <alias>`` inherits the ``ENV`` of
  that stage (not its ``ARG``s), as Docker does.
"""

from __future__ import annotations

import io
import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

DOCKERFILE_GLOBS = ("**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile", "**/*.dockerfile",
                    "**/Containerfile", "**/Containerfile.*", "**/dockerfile")
# names matched by the globs that are not Dockerfiles: BuildKit's per-Dockerfile ignore
# file, documentation, editor backups and unrendered templates
NOT_DOCKERFILE_SUFFIXES = frozenset({
    ".dockerignore", ".md", ".rst", ".txt", ".orig", ".bak", ".swp", ".j2", ".jinja",
    ".jinja2", ".tmpl", ".tpl", ".template", ".in", ".erb", ".mustache", ".sample",
    ".example", ".json", ".yaml", ".yml", ".sh", ".py",
})
# folders holding templates for other projects (the guide's docs/templates/), not the
# repository's own container files: excluded from every Dockerfile and compose rule, unless
# a project lives there (see is_template_path)
TEMPLATE_DIRS = frozenset({"templates"})
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][\w.-]*)\2")
# a heredoc marker (its word may be quoted) or a quoted string, whichever comes first:
# ``<<'EOF'`` opens a heredoc, ``echo '<<EOF'`` does not
# A quoted string is skipped whole; an unclosed quote runs to the end of the line (no
# retry from every later position: linear on crafted lines).
_MARKER_OR_QUOTED = re.compile(
    r"<<(-?)([\"']?)([A-Za-z_][\w.-]*)\2|\"(?:\\.|[^\"\\])*\"?|'[^']*'?")
_VAR = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_]\w*))")
_KNOWN = frozenset({
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
})
_HEREDOC_CMDS = frozenset({"RUN", "COPY", "ADD"})


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
        return _strip_flags(self.value)[1]

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
        text = _HEREDOC.sub("", self.args).strip()
        if self.heredoc is not None:
            body = self.heredoc
            return f"{text}\n{body}".strip() if text and not _is_shell(text) else body
        return text

    def mounts(self) -> list[dict[str, str]]:
        """``RUN --mount=type=cache,target=…`` options as key/value maps."""
        out = []
        for token in _flag_tokens(self.value):
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


def _flag_tokens(value: str) -> list[str]:
    tokens = []
    rest = value.lstrip()
    while rest.startswith("--"):
        token, _, remainder = rest.partition(" ")
        tokens.append(token)
        rest = remainder.lstrip()
    return tokens


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


def _error(message: str, line: int | None) -> DockerfileError:
    return DockerfileError(message, line)


def _continues(line: str) -> bool:
    return line.rstrip().endswith("\\")


def _prepare(text: str) -> tuple[str, dict[int, str]]:
    """Cut heredoc bodies out (keeping the line count), turn blank lines inside a
    continuation into comments and close a continuation left open at the end.

    Returns the text for dockerfile-parse and the heredoc bodies by the 1-based line of
    their ``<<WORD`` marker.
    """
    lines = text.split("\n")
    bodies: dict[int, str] = {}
    continuing = False
    keyword = ""
    last_code = -1
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("#"):
            i += 1
            continue
        if not stripped:
            if continuing:
                lines[i] = "#"  # Docker skips empty continuation lines
            i += 1
            continue
        if not continuing:
            words = stripped.split(None, 2)
            keyword = words[0].upper() if words else ""
            if keyword == "ONBUILD" and len(words) > 1:
                keyword = words[1].upper()
        last_code = i
        markers = [(m.group(1), m.group(2), m.group(3))
                   for m in _MARKER_OR_QUOTED.finditer(line) if m.group(3)] \
            if keyword in _HEREDOC_CMDS else []
        continuing = _continues(line)
        if markers:
            start = i
            body: list[str] = []
            for dash, _quote, word in markers:
                i += 1
                while True:
                    if i >= len(lines):
                        raise _error(f"heredoc <<{word} is never terminated", start + 1)
                    candidate = lines[i].lstrip("\t") if dash else lines[i]
                    if candidate.rstrip("\r") == word:
                        lines[i] = ""
                        break
                    body.append(lines[i])
                    lines[i] = ""
                    i += 1
            bodies[start + 1] = "\n".join(body)
            continuing = False
        i += 1
    if continuing and last_code >= 0:
        lines[last_code] = lines[last_code].rstrip()[:-1]
    return "\n".join(lines) + "\n", bodies


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


split_pairs = _split_pairs  # public name for checks


split_pairs = _split_pairs


def _check_arguments(cmd: str, raw: str, line: int, heredoc: bool) -> None:
    """Raise for instructions Docker refuses because of their arguments."""
    _, rest = _strip_flags(raw)
    if not rest.strip() and not (cmd == "RUN" and heredoc):
        raise _error(f"{cmd} requires at least one argument", line)
    if cmd in ("COPY", "ADD"):
        exec_args = None
        if rest.strip().startswith("["):
            try:
                loaded = json.loads(rest)
                exec_args = loaded if isinstance(loaded, list) else None
            except ValueError:
                exec_args = None
        try:
            count = len(exec_args) if exec_args is not None else len(shlex.split(rest))
        except ValueError:
            count = len(rest.split())
        if count < 2:
            raise _error(f"{cmd} requires a source and a destination", line)
    elif cmd == "HEALTHCHECK":
        words = rest.split(None, 1)
        if words[0].upper() not in ("NONE", "CMD"):
            raise _error("HEALTHCHECK must be 'NONE' or '[OPTIONS] CMD command'", line)
        if words[0].upper() == "CMD" and len(words) < 2:
            raise _error("HEALTHCHECK CMD requires a command", line)
    elif cmd == "ONBUILD":
        trigger = rest.split(None, 1)[0].upper()
        if trigger in ("ONBUILD", "FROM", "MAINTAINER") or trigger not in _KNOWN:
            raise _error(f"ONBUILD does not accept '{trigger}'", line)


def _from(raw: str, global_args: dict[str, str | None], line: int) -> tuple[str, str | None,
                                                                           str | None]:
    flags, rest = _strip_flags(resolve(raw, {**global_args}))
    parts = rest.split()
    if not parts:
        raise _error("FROM without an image", line)
    if len(parts) == 2 or len(parts) > 3 or (len(parts) == 3 and parts[1].lower() != "as"):
        hint = " ('#' starts a comment only at the beginning of a line)" \
            if any(p.startswith("#") for p in parts[1:]) else ""
        raise _error(f"FROM takes an image and optionally 'AS name'{hint}", line)
    alias = parts[2] if len(parts) == 3 else None
    return parts[0], alias, flags.get("platform")


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse Dockerfile text; raise :class:`DockerfileError` (a ``ValueError`` with
    ``line``) on input Docker would refuse."""
    from dockerfile_parse import DockerfileParser  # imported when a Dockerfile is read

    cleaned, bodies = _prepare(text.replace("\r\n", "\n"))
    parser = DockerfileParser(fileobj=io.BytesIO(cleaned.encode("utf-8")), env_replace=False)
    structure = parser.structure
    stages: list[Stage] = []
    global_args: dict[str, str | None] = {}
    scope: dict[str, str | None] = {}
    env: dict[str, str | None] = {}
    instructions: list[Instruction] = []
    aliases: dict[str, int] = {}
    for item in structure:
        cmd = str(item["instruction"]).upper()
        line = int(item["startline"]) + 1
        end_line = int(item["endline"]) + 1
        if cmd == "COMMENT":
            continue
        if cmd not in _KNOWN:
            raise _error(f"unknown instruction '{item['instruction']}'", line)
        raw = str(item["value"])
        heredoc_lines = [n for n in bodies if line <= n <= end_line]
        heredoc = "\n".join(bodies[n] for n in sorted(heredoc_lines)) if heredoc_lines \
            else None
        _check_arguments(cmd, raw, line, heredoc is not None)
        flags, _ = _strip_flags(raw)
        value = resolve(raw, scope) if cmd not in ("RUN", "CMD", "ENTRYPOINT") else raw
        inst = Instruction(cmd, value, raw, line, end_line, flags, heredoc)
        instructions.append(inst)
        if cmd == "FROM":
            base, alias, platform = _from(raw, global_args, line)
            parent = aliases.get(base.lower())
            env = dict(stages[parent].env) if parent is not None else {}
            scope = dict(env)
            stage = Stage(len(stages), base, alias, line, [inst], parent, dict(scope),
                          dict(env), platform)
            stages.append(stage)
            if alias:
                aliases[alias.lower()] = stage.index
            continue
        if cmd == "ARG":
            for name, default in _split_pairs(value).items():
                if not stages:
                    global_args[name] = default
                else:
                    scope[name] = default if default is not None else global_args.get(name)
        elif cmd == "ENV":
            pairs = _split_pairs(value)
            scope.update(pairs)
            env.update(pairs)
        if not stages:
            if cmd != "ARG":
                raise _error(f"{cmd} before the first FROM", line)
            continue
        stages[-1].instructions.append(inst)
        stages[-1].scope = dict(scope)
        stages[-1].env = dict(env)
    if not stages:
        raise _error("no FROM instruction", None)
    return Dockerfile("", stages, global_args, instructions)


def is_dockerfile(path: str) -> bool:
    """A name the Dockerfile globs match that really names a Dockerfile (not
    ``Dockerfile.dockerignore``, ``Dockerfile.md`` or a ``Dockerfile.j2`` template)."""
    suffix = PurePosixPath(path).suffix.lower()
    return suffix not in NOT_DOCKERFILE_SUFFIXES


# scaffold placeholders: cookiecutter/copier/Jinja ``{{ name }}`` and ``{% … %}`` (not
# GitHub's ``${{ … }}``, Helm's ``{{ .Values.x }}`` or Go's ``{{ $x }}``)
_SCAFFOLD = re.compile(r"(?<!\$)\{\{-?[ \t]{0,5}[A-Za-z_][\w.]{0,80}[ \t]{0,5}"
                       r"(?:\|[^{}\n]{0,80})?-?\}\}|\{%-?[ \t]")
MAX_SCAFFOLD_SCAN = 256 * 1024


def is_scaffold_text(text: str) -> bool:
    """Text with unrendered scaffold placeholders (``{{ cookiecutter.name }}``,
    ``{% if … %}``): a template for a generator, not a file that builds as it is."""
    return bool(_SCAFFOLD.search(text[:MAX_SCAFFOLD_SCAN]))


def is_template_path(path: str, repo: Repo | None = None) -> bool:
    """A template for other projects to copy, not the repository's own Dockerfile or
    compose file: a scaffold (placeholders in its path or, given ``repo``, its text), or
    a loose file under a ``templates/`` folder (``docs/templates/Dockerfile``). Given
    ``repo``, a file under ``templates/`` that belongs to a project living there (a
    template repository's service: ``templates/service/`` with its pyproject.toml and
    src/) is that project's own."""
    if "{{" in path or "{%" in path:
        return True
    parts = PurePosixPath(path).parts[:-1]
    if repo is not None:
        text = repo.text(path)
        if isinstance(text, str) and is_scaffold_text(text):
            return True
    marks = [i for i, part in enumerate(parts) if part.lower() in TEMPLATE_DIRS]
    if not marks:
        return False
    if repo is None:
        return True
    below = "/".join(parts[:marks[-1] + 1]) + "/"
    return not any(project.path != "." and project.path.startswith(below)
                   and path.startswith(project.path + "/") for project in repo.projects)


def own_paths(paths: Iterable[str], repo: Repo | None = None) -> list[str]:
    """``paths`` without the templates (:func:`is_template_path`)."""
    return [p for p in paths if not is_template_path(p, repo)]


def dockerfile_paths(repo: Repo) -> list[str]:
    """Every Dockerfile of the repository (``Dockerfile``, ``Dockerfile.*``,
    ``*.Dockerfile``, ``Containerfile``), any letter case, honouring exclusions;
    templates (:func:`is_template_path`) are not the repository's own."""
    return [p for p in repo.glob(DOCKERFILE_GLOBS, case_sensitive=False)
            if is_dockerfile(p) and not is_template_path(p, repo)]


def dockerfiles(repo: Repo, paths: list[str] | None = None,
                templates: bool = False) -> list[Dockerfile | ParseError]:
    """Every Dockerfile of the repository (or of ``paths``), parsed once per run;
    templates are skipped unless ``templates`` is True."""
    out: list[Dockerfile | ParseError] = []
    for path in paths if paths is not None else dockerfile_paths(repo):
        if not is_dockerfile(path) or (not templates and is_template_path(path, repo)):
            continue
        parsed = repo.parse(path, parse_dockerfile)
        if isinstance(parsed, Dockerfile):
            parsed.path = path
        out.append(parsed)
    return out
