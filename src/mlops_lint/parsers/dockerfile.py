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

from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mlops_lint import lazy_re
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.dockerfile_model import (
    Dockerfile,
    DockerfileError,
    ImageRef,
    Instruction,
    Stage,
    parse_image,
)
from mlops_lint.parsers.dockerfile_text import parse_dockerfile, resolve, split_pairs, unresolved

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

__all__ = [
    "DOCKERFILE_GLOBS", "NOT_DOCKERFILE_SUFFIXES", "TEMPLATE_DIRS", "Dockerfile",
    "DockerfileError", "ImageRef", "Instruction", "Stage", "dockerfile_paths", "dockerfiles",
    "is_dockerfile", "is_scaffold_text", "is_template_path", "own_paths", "parse_dockerfile",
    "parse_image", "resolve", "split_pairs", "unresolved",
]

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


def is_dockerfile(path: str) -> bool:
    """A name the Dockerfile globs match that really names a Dockerfile (not
    ``Dockerfile.dockerignore``, ``Dockerfile.md`` or a ``Dockerfile.j2`` template)."""
    suffix = PurePosixPath(path).suffix.lower()
    return suffix not in NOT_DOCKERFILE_SUFFIXES


# scaffold placeholders: cookiecutter/copier/Jinja ``{{ name }}`` and ``{% … %}`` (not
# GitHub's ``${{ … }}``, Helm's ``{{ .Values.x }}`` or Go's ``{{ $x }}``)
_SCAFFOLD = lazy_re.compile(r"(?<!\$)\{\{-?[ \t]{0,5}[A-Za-z_][\w.]{0,80}[ \t]{0,5}"
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


def build_folder_files(repo: Repo, path: str) -> tuple[str, ...]:
    """The repository files in the folder of the Dockerfile at ``path`` and below it (the
    whole repository for a Dockerfile at the root), in order."""
    folder = str(PurePosixPath(path).parent)
    return repo.files_under("" if folder == "." else folder + "/")


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
