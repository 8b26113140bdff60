"""A Dockerfile's text to its model (:mod:`~mlops_lint.parsers.dockerfile_model`), with
dockerfile-parse reading the instructions once the text is prepared (heredocs cut out,
continuations mended); see :mod:`~mlops_lint.parsers.dockerfile` for what is accepted."""

from __future__ import annotations

import io
import json
import re
import shlex

from mlops_lint import lazy_re
from mlops_lint.parsers.dockerfile_model import (
    Dockerfile,
    DockerfileError,
    Instruction,
    Stage,
    strip_flags,
)

# a heredoc marker (its word may be quoted) or a quoted string, whichever comes first:
# ``<<'EOF'`` opens a heredoc, ``echo '<<EOF'`` does not
# A quoted string is skipped whole; an unclosed quote runs to the end of the line (no
# retry from every later position: linear on crafted lines).
_MARKER_OR_QUOTED = lazy_re.compile(
    r"<<(-?)([\"']?)([A-Za-z_][\w.-]*)\2|\"(?:\\.|[^\"\\])*\"?|'[^']*'?")


_VAR = lazy_re.compile(r"\$(?:\{([A-Za-z_]\w*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_]\w*))")


_KNOWN = frozenset({
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
})


_HEREDOC_CMDS = frozenset({"RUN", "COPY", "ADD"})


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


def _check_arguments(cmd: str, raw: str, line: int, heredoc: bool) -> None:
    """Raise for instructions Docker refuses because of their arguments."""
    _, rest = strip_flags(raw)
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
    flags, rest = strip_flags(resolve(raw, {**global_args}))
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
        flags, _ = strip_flags(raw)
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


split_pairs = _split_pairs  # public name for rules
