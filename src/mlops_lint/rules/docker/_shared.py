"""What the Docker rules (DOCK001-DOCK011) share: the base-image knowledge
(``rules/_data/dockerfile_bases.yaml``), the project's Dockerfiles (found, parsed once and
judged one by one with :func:`each`) and how a stage is read (its lineage, the commands it
runs, the packages it installs, the base it is built on).
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.dockerfile import (
    DOCKERFILE_GLOBS,
    Dockerfile,
    ImageRef,
    Instruction,
    Stage,
    dockerfile_paths,
    dockerfiles,
    is_dockerfile,
    is_template_path,
)
from mlops_lint.parsers.shell import Simple, split_commands

NO_DOCKERFILE = T(
    "no Dockerfile in this project (Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile); "
    "see DOCK001",
    "no hay Dockerfile en este proyecto (Dockerfile, Dockerfile.*, *.Dockerfile, "
    "Containerfile); ver DOCK001")


NO_DOCKERFILE_FIX = T(
    "Add a Dockerfile to the project (multi-stage, python:3.11-slim, non-root USER, "
    "HEALTHCHECK), as in the guide's module 13.",
    "Añade un Dockerfile al proyecto (multi-stage, python:3.11-slim, USER no-root, "
    "HEALTHCHECK), como en el módulo 13 de la guía.")


_HUB_PREFIXES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


PIP = lazy_re.compile(r"^pip(\d(\.\d+)?)?$")


PYTHON = lazy_re.compile(r"^python(\d(\.\d+)?)?$")


@functools.cache
def image_data() -> dict[str, Any]:
    """``rules/_data/dockerfile_bases.yaml``, loaded once."""
    from mlops_lint.parsers.yaml_file import load_yaml
    from mlops_lint.resources import builtin_rules_dir

    path = builtin_rules_dir() / "_data" / "dockerfile_bases.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("dockerfile_bases.yaml must be a mapping")
    return data


def normal_name(image: ImageRef) -> str:
    """``docker.io/library/python`` → ``python``; other registries keep their host."""
    name = image.name.lower()
    for prefix in _HUB_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name.startswith("library/"):
        name = name[len("library/"):]
    return name


def entry_matches(image: ImageRef, entry: dict[str, Any]) -> bool:
    name = normal_name(image)
    tag = (image.tag or "").lower()
    if not fnmatch.fnmatchcase(name, str(entry.get("image", "*")).lower()):
        return False
    if "tag" in entry and not (image.tag and fnmatch.fnmatchcase(tag, str(entry["tag"]).lower())):
        return False
    vetoes = entry.get("tag_not")
    for veto in vetoes if isinstance(vetoes, list) else [vetoes] if vetoes else []:
        if image.tag and fnmatch.fnmatchcase(tag, str(veto).lower()):
            return False
    return True


def in_list(image: ImageRef | None, key: str, sub: str | None = None) -> bool:
    """Whether ``image`` matches an entry of the data list ``key`` (``key[sub]``)."""
    if image is None:
        return False
    entries = image_data().get(key) or []
    if sub is not None:
        entries = entries.get(sub, []) if isinstance(entries, dict) else []
    return any(entry_matches(image, e) for e in entries if isinstance(e, dict))


def is_build_package(package: str) -> bool:
    name = package.split("=", 1)[0].lower()
    if name.endswith(("-dev", "-devel")):
        return True
    return any(fnmatch.fnmatchcase(name, str(p).lower())
               for p in image_data().get("build_packages") or [])


@dataclass
class Dockerfiles:
    parsed: list[Dockerfile] = field(default_factory=list)
    broken: list[ParseError] = field(default_factory=list)
    devcontainers: list[str] = field(default_factory=list)
    shared: bool = False  # a monorepo project judged on the Dockerfiles outside projects
    templates: list[str] = field(default_factory=list)  # templates for others, not its own

    @property
    def none(self) -> bool:
        return not self.parsed and not self.broken


def _is_devcontainer(path: str) -> bool:
    return ".devcontainer" in PurePosixPath(path).parts


def inside(path: str, directory: str) -> bool:
    return directory == "." or path.startswith(directory + "/")


def project_dockerfile_paths(ctx: Context) -> tuple[list[str], bool]:
    """The project's Dockerfiles; a project in a sub-folder (a monorepo's, or the only
    project of a repository whose root is not one) without its own gets the Dockerfiles
    outside every project (``shared`` is then True)."""
    own = [p for p in ctx.files(DOCKERFILE_GLOBS, case_sensitive=False)
           if is_dockerfile(p) and not is_template_path(p, ctx.repo)]
    if own or ctx.project.path == ".":
        return own, False
    outside = [p for p in dockerfile_paths(ctx.repo)
               if not any(inside(p, proj.path) for proj in ctx.repo.projects)]
    return outside, bool(outside)


# Dockerfile-like names, templates included (Dockerfile_template, Dockerfile.j2)
_DOCKERFILE_LIKE = (*DOCKERFILE_GLOBS, "**/Dockerfile_*", "**/Dockerfile-*")


_TEMPLATE_SUFFIXES = frozenset({".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template",
                                ".erb", ".mustache", ".sample", ".example"})


def _templates(ctx: Context, own: list[str]) -> list[str]:
    """The project's Dockerfile templates (for readers or a scaffold), not its own."""
    return sorted(p for p in ctx.files(_DOCKERFILE_LIKE, case_sensitive=False)
                  if p not in own and (
                      PurePosixPath(p).suffix.lower() in _TEMPLATE_SUFFIXES
                      or (is_dockerfile(p) and (is_template_path(p, ctx.repo)
                                                or "template" in PurePosixPath(p).name.lower()))))


def no_dockerfile(found: Dockerfiles) -> T:
    """No Dockerfile of the project's own: the templates found, when there are some."""
    if not found.templates:
        return NO_DOCKERFILE
    listed = ", ".join(found.templates[:4]) + (
        f" (+{len(found.templates) - 4})" if len(found.templates) > 4 else "")
    return T(f"no Dockerfile of this project's own: only templates ({listed}); none is the "
             "project's own image; see DOCK001",
             f"no hay Dockerfile propio del proyecto: solo plantillas ({listed}); ninguna es "
             "la imagen del proyecto; ver DOCK001")


def load(ctx: Context) -> Dockerfiles:
    paths, shared = project_dockerfile_paths(ctx)
    out = Dockerfiles(shared=shared)
    if not paths:
        out.templates = _templates(ctx, paths)
    for path in paths:
        if _is_devcontainer(path):
            out.devcontainers.append(path)
    for parsed in dockerfiles(ctx.repo, [p for p in paths if not _is_devcontainer(p)]):
        if isinstance(parsed, ParseError):
            out.broken.append(parsed)
        else:
            out.parsed.append(parsed)
    return out


def _broken(error: ParseError, level: int | None = None) -> Finding:
    where = f" (line {error.line})" if error.line else ""
    return skipped(T(f"{error.path} does not parse{where}: {error.message}; fix it first "
                     "(DOCK001)",
                     f"{error.path} no se puede leer{where}: {error.message}; corrígelo "
                     "primero (DOCK001)"), error.path, level)


JudgeFn = Callable[[Context, Dockerfile], Iterator[Finding]]


def each(ctx: Context, judge: JudgeFn, levels: Iterable[int | None] = (None,),
          none_fails: bool = True) -> Iterator[Finding]:
    """Run ``judge`` on every parsed Dockerfile of the project; unparseable ones are
    skipped with the reason, and a project without any fails (or is skipped)."""
    found = load(ctx)
    if found.none:
        if none_fails:
            yield failed(no_dockerfile(found), fix=NO_DOCKERFILE_FIX, see="DOCK001")
        else:
            yield skipped(no_dockerfile(found), see="DOCK001")
        return
    for error in found.broken:
        yield _broken(error)
    for dockerfile in found.parsed:
        seen: set[int | None] = set()
        for finding in judge(ctx, dockerfile):
            seen.add(finding.level)
            yield finding
        if None not in seen:
            for level in levels:
                if level not in seen:
                    yield passed(T("nothing to flag", "nada que señalar"), dockerfile.path,
                                 level=level)


def stage_at(stage: Stage, line: int | None = None) -> T:
    """A stage and a line of it, for messages: "stage 'runtime' (line 12)"."""
    at = line if line is not None else stage.line
    if stage.alias:
        return T(f"stage '{stage.alias}' (line {at})", f"etapa '{stage.alias}' (línea {at})")
    return T(f"stage {stage.index + 1} (line {at})", f"etapa {stage.index + 1} (línea {at})")


def final_stage(dockerfile: Dockerfile) -> Stage:
    final = dockerfile.final
    assert final is not None  # the parser refuses a Dockerfile without FROM
    return final


def lineage_instructions(dockerfile: Dockerfile, stage: Stage) -> list[Instruction]:
    return dockerfile.inherited(stage)


def run_commands(inst: Instruction) -> tuple[Simple, ...]:
    if inst.cmd != "RUN":
        return ()
    return split_commands(inst.script)


def packages(cmd: Simple) -> list[str] | None:
    """Packages a system package manager installs in ``cmd``; None when it is not one."""
    prog, args = cmd.program, list(cmd.args)
    verbs = {"apt-get": "install", "apt": "install", "apk": "add", "yum": "install",
             "dnf": "install", "microdnf": "install", "zypper": "install"}
    if prog not in verbs or verbs[prog] not in args:
        return None
    after = args[args.index(verbs[prog]) + 1:]
    return [a for a in after if not a.startswith("-") and "=" not in a[:1]]


def installed_packages(dockerfile: Dockerfile, stage: Stage) -> list[tuple[str, Instruction]]:
    out = []
    for inst in lineage_instructions(dockerfile, stage):
        for cmd in run_commands(inst):
            for package in packages(cmd) or []:
                out.append((package, inst))
    return out


def base_of(dockerfile: Dockerfile, stage: Stage) -> tuple[Stage, ImageRef | None]:
    root = dockerfile.root(stage)
    return root, root.image


def copy_sources(inst: Instruction) -> list[str]:
    args = inst.exec_args
    tokens = args if args is not None else inst.args.split()
    return tokens[:-1]
