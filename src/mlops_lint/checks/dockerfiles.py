"""Phase 4 checks: Dockerfiles, .dockerignore, compose, scans and image size
(DOCK001-DOCK011).

Dockerfiles are read by :mod:`mlops_lint.parsers.dockerfile` (stage-aware, heredocs,
variables resolved from ``ARG``/``ENV`` defaults). Only the final stage reaches runtime:
non-root (DOCK005), HEALTHCHECK (DOCK006), install hygiene (DOCK007) and the lean
runtime (DOCK008) are judged on the final stage and the stages it is built ``FROM``
(:meth:`Dockerfile.lineage`); what a builder stage does stays in the builder.

Docker rules are project-scoped (rules.md §0.4): a project's Dockerfiles are those under
its directory. In a monorepo, a project with no Dockerfile of its own is judged on the
Dockerfiles that lie outside every project (a shared root ``Dockerfile`` or ``docker/``
directory); Dockerfiles under ``.devcontainer/`` are development containers, listed as
skipped and not judged. A project with no Dockerfile fails DOCK001 (the gate) and the
structural rules DOCK002-DOCK009, saying so once; DOCK010 needs evidence and DOCK011
reads compose files, so both are independent of it. A Dockerfile that does not parse
fails DOCK001 with its line, and every other rule lists it as skipped with the reason.

Base-image knowledge (non-root allow-list, lean and full bases, probe binaries) is data:
``rules/_data/dockerfile_bases.yaml``.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import json
import posixpath
import re
import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.globs import GlobError, compile_glob
from mlops_lint.model import Finding, Status, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Workflow, ci_commands, other_ci_files, workflows
from mlops_lint.parsers.deployed_images import (
    Listening,
    command_of,
    deployments,
    listening,
    probe_label,
    run_as_user,
)
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
    own_paths,
    split_pairs,
    unresolved,
)
from mlops_lint.parsers.fastapi_app import DASHBOARDS, FRAMEWORKS
from mlops_lint.parsers.precommit import PreCommitConfig, parse_precommit
from mlops_lint.parsers.shell import Simple, split_commands
from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt
from mlops_lint.rules import check

COMPOSE_GLOBS = ("**/docker-compose*.yml", "**/docker-compose*.yaml", "**/compose.yml",
                 "**/compose.yaml", "**/compose.*.yml", "**/compose.*.yaml",
                 "**/compose-*.yml", "**/compose-*.yaml")
IMAGE_SIZE_GLOBS = ("**/docker-image-size.json", "**/docker-image-size.txt",
                    "**/image-size.json", "**/image-size.txt", "**/docker-image-inspect.json",
                    "**/image-inspect.json")
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
_SHELL_OPERATOR = re.compile(
    r"^(\|\||&&|\||;|&|\d*>>?|\d*>&\d*|&>|<)$|^\d*>>?\S|/dev/null$|^#")  # '#': inline comment
_MANIFEST = re.compile(
    r"^(requirements[\w.-]*\.(txt|in)|constraints[\w.-]*\.txt|pyproject\.toml|setup\.cfg|"
    r"setup\.py|poetry\.lock|uv\.lock|pdm\.lock|pipfile|pipfile\.lock|environment[\w.-]*\.ya?ml|"
    r"conda-lock[\w.-]*\.ya?ml|readme[\w.-]*|license[\w.-]*|requirements)$", re.IGNORECASE)
_ARCHIVE = re.compile(r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|gz|bz2|xz)$",
                      re.IGNORECASE)
_URL = re.compile(r"^(https?://|git@|git://)", re.IGNORECASE)
_SECRET_KEY = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|"
                         r"CREDENTIALS?)", re.IGNORECASE)
_HUB_PREFIXES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")
_PIP = re.compile(r"^pip(\d(\.\d+)?)?$")
_PYTHON = re.compile(r"^python(\d(\.\d+)?)?$")
_USERADD = frozenset({"useradd", "adduser", "usermod"})
_PY_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?")


# -- data ------------------------------------------------------------------------------


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


def _entry_matches(image: ImageRef, entry: dict[str, Any]) -> bool:
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
    return any(_entry_matches(image, e) for e in entries if isinstance(e, dict))


def base_env(image: ImageRef | None) -> dict[str, str]:
    """Variables the base ``image`` sets itself (``base_env`` in the data), each with the
    image that sets it."""
    out: dict[str, str] = {}
    if image is None:
        return out
    for entry in image_data().get("base_env") or []:
        if isinstance(entry, dict) and _entry_matches(image, entry):
            for name in entry.get("env") or []:
                out.setdefault(str(name), str(image))
    return out


def _is_build_package(package: str) -> bool:
    name = package.split("=", 1)[0].lower()
    if name.endswith(("-dev", "-devel")):
        return True
    return any(fnmatch.fnmatchcase(name, str(p).lower())
               for p in image_data().get("build_packages") or [])


# -- the project's Dockerfiles ---------------------------------------------------------


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


def _inside(path: str, directory: str) -> bool:
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
               if not any(_inside(p, proj.path) for proj in ctx.repo.projects)]
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


def _each(ctx: Context, judge: JudgeFn, levels: Iterable[int | None] = (None,),
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


def _where(stage: Stage, line: int | None = None) -> str:
    label = f"stage '{stage.alias}'" if stage.alias else f"stage {stage.index + 1}"
    return f"{label} (line {line if line is not None else stage.line})"


def _donde(stage: Stage, line: int | None = None) -> str:
    label = f"etapa '{stage.alias}'" if stage.alias else f"etapa {stage.index + 1}"
    return f"{label} (línea {line if line is not None else stage.line})"


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


def _packages(cmd: Simple) -> list[str] | None:
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
            for package in _packages(cmd) or []:
                out.append((package, inst))
    return out


def _base(dockerfile: Dockerfile, stage: Stage) -> tuple[Stage, ImageRef | None]:
    root = dockerfile.root(stage)
    return root, root.image


# -- what the image runs ------------------------------------------------------------------

# base-image names (fnmatch on the normalised name) by the runtime they ship
_RUNTIME_IMAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Python", ("python", "*/python", "*/python3*", "*python*", "*conda*", "*micromamba*",
                "*pytorch*", "*tensorflow*", "*jupyter*", "*azureml*", "*sagemaker*",
                "rayproject/*", "bentoml/*", "huggingface/*", "*/mlflow*")),
    ("Go", ("golang", "*/golang", "*/go", "*/golang-*")),
    ("Node.js", ("node", "*/node", "*/nodejs*", "*/node-*", "oven/bun", "denoland/deno")),
    ("Java", ("eclipse-temurin", "*/eclipse-temurin", "openjdk", "*/openjdk*", "*/jdk*",
              "amazoncorretto", "*/amazoncorretto", "maven", "*/maven", "gradle",
              "*/gradle", "ibm-semeru-runtimes", "*/java*", "tomcat", "*/tomcat")),
    (".NET", ("mcr.microsoft.com/dotnet/*", "*/dotnet*")),
    ("Rust", ("rust", "*/rust")),
    ("Ruby", ("ruby", "*/ruby")),
    ("PHP", ("php", "*/php")),
)
# programs a RUN/CMD/ENTRYPOINT runs, by runtime
_RUNTIME_PROGRAMS: dict[str, str] = {
    "pip": "Python", "pip3": "Python", "python": "Python", "python3": "Python",
    "uv": "Python", "poetry": "Python", "conda": "Python", "mamba": "Python",
    "micromamba": "Python", "uvicorn": "Python", "gunicorn": "Python", "pipenv": "Python",
    "go": "Go", "node": "Node.js", "npm": "Node.js", "yarn": "Node.js", "pnpm": "Node.js",
    "java": "Java", "mvn": "Java", "gradle": "Java", "dotnet": ".NET", "cargo": "Rust",
    "ruby": "Ruby", "bundle": "Ruby", "php": "PHP",
}
_RUNTIME_PACKAGES = (("nodejs", "Node.js"), ("npm", "Node.js"), ("openjdk", "Java"),
                     ("default-jre", "Java"), ("default-jdk", "Java"), ("golang", "Go"),
                     ("dotnet", ".NET"), ("ruby", "Ruby"), ("php", "PHP"))
_PYTHON_PACKAGES = re.compile(r"^(python3?|python3\.\d+|py3-.*|python3-.*)$")


def _image_runtime(image: ImageRef | None) -> str | None:
    if image is None:
        return None
    name = normal_name(image)
    for runtime, patterns in _RUNTIME_IMAGES:
        if any(fnmatch.fnmatchcase(name, p) for p in patterns):
            return runtime
    return None


def _commands(inst: Instruction) -> tuple[Simple, ...]:
    if inst.cmd == "RUN":
        return run_commands(inst)
    if inst.cmd in ("CMD", "ENTRYPOINT"):
        argv = inst.exec_args
        return split_commands(shlex.join(argv) if argv is not None else inst.args)
    return ()


def stage_runtimes(df: Dockerfile, stage: Stage, depth: int = 0) -> dict[str, T]:
    """The language runtimes ``stage`` carries, each with the evidence: its base image,
    the programs its lineage installs or runs, the stages it copies from."""
    found: dict[str, T] = {}
    _, image = _base(df, stage)
    runtime = _image_runtime(image)
    if runtime:
        found[runtime] = T(f"base {image}", f"base {image}")
    for inst in df.inherited(stage):
        for cmd in _commands(inst):
            program = cmd.program
            if _PYTHON.match(program) or _PIP.match(program):
                program = "python"
            named = _RUNTIME_PROGRAMS.get(program)
            if named and named not in found:
                found[named] = T(f"{inst.cmd} {program} at line {inst.line}",
                                 f"{inst.cmd} {program} en la línea {inst.line}")
            for package in _packages(cmd) or []:
                bare = package.split("=", 1)[0].lower()
                named = "Python" if _PYTHON_PACKAGES.match(bare) else next(
                    (r for p, r in _RUNTIME_PACKAGES if bare.startswith(p)), None)
                if named and named not in found:
                    found[named] = T(f"{package} installed at line {inst.line}",
                                     f"{package} instalado en la línea {inst.line}")
        if inst.cmd == "COPY" and depth < 4:
            # what is copied from another stage is built with that stage's base image (a
            # builder's own tooling, such as python3 for node-gyp, stays there)
            source = inst.flags.get("from")
            other = df.stage_named(source) if source else None
            if other is not None and other is not stage:
                _, base = _base(df, other)
                name = _image_runtime(base)
                if name:
                    found.setdefault(name, T(f"copied from stage '{other.name}' (base {base})",
                                             f"copiado de la etapa '{other.name}' (base "
                                             f"{base})"))
    return found


def non_python_runtime(df: Dockerfile, stage: Stage) -> T | None:
    """Why ``stage`` is not a Python image (``a Go image (base golang:1.22)``), or
    ``None`` when it is one or nothing tells."""
    found = stage_runtimes(df, stage)
    if "Python" in found or not found:
        return None
    name, why = next(iter(found.items()))
    return T(f"a {name} image (", f"una imagen {name} (") + why + T.same(")")


# imports that make a script a server (it listens on a port)
_SERVER_IMPORTS = (*FRAMEWORKS, *DASHBOARDS, "uvicorn", "gunicorn", "hypercorn",
                   "waitress", "werkzeug", "http.server", "socketserver", "wsgiref",
                   "grpc", "aiohttp", "tornado", "twisted", "zmq", "prometheus_client",
                   "websockets", "socket")
_SHELLS = frozenset({"sh", "bash", "ash", "zsh", "dash"})
_CLI_PROGRAMS = frozenset({"pytest", "papermill", "dvc", "spark-submit", "nbconvert"})
_PYTHON_VALUED = frozenset({"-X", "-W", "-Q"})


def _entry_argv(df: Dockerfile, final: Stage) -> list[str] | None:
    """The command the container runs (ENTRYPOINT + CMD in exec form, or the shell line)."""
    entry = df.effective(final, "ENTRYPOINT")
    cmd = df.effective(final, "CMD")
    parts: list[str] = []
    for inst in (entry, cmd):
        if inst is None:
            continue
        argv = inst.exec_args
        if argv is None:
            simples = split_commands(inst.args)
            if not simples:
                return None
            argv = list(simples[0].argv)
            if inst is entry:
                return argv  # a shell-form ENTRYPOINT ignores CMD
        parts += argv
    if parts and parts[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash") and "-c" in parts:
        after = parts[parts.index("-c") + 1:]
        simples = split_commands(after[0]) if after else ()
        return list(simples[0].argv) if simples else None
    return parts or None


def _script_files(ctx: Context, df: Dockerfile, target: str) -> list[str]:
    """Repository files the container path ``target`` may be (matched by its tail inside
    the Dockerfile's folder, else the project)."""
    tail = target.strip().lstrip("./")
    name = PurePosixPath(tail).name
    if not name:
        return []
    folder = str(PurePosixPath(df.path).parent)
    scopes = [folder] if folder != "." else []
    scopes.append(ctx.project.path)
    for scope in scopes:
        found = [f for f in ctx.project.files if _inside(f, scope)
                 and (f == tail or f.endswith("/" + tail) or (
                     PurePosixPath(f).name == name and "/" not in tail))]
        if found:
            return found[:20]
    return []


def _imports_server(ctx: Context, path: str) -> bool | None:
    tree = ctx.repo.python(path)
    if isinstance(tree, ParseError):
        return None
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        if any(n == p or n.startswith(p + ".") for n in names for p in _SERVER_IMPORTS):
            return True
    return False


def batch_image(ctx: Context, df: Dockerfile, final: Stage) -> T | None:
    """Why the image is a batch job or a CLI rather than a server, or ``None``: its
    command runs a Python script (or module) of the repository that imports no web or
    network server, or a command-line tool (pytest, papermill, dvc, locust --headless,
    mlflow run)."""
    argv = _entry_argv(df, final)
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    args = argv[1:]
    shown = " ".join(argv)[:80]
    if program in _SHELLS and "-c" not in args and not any(
            a.endswith(".sh") or ("/" in a and not a.startswith("/etc/")) for a in args):
        return T(f"its command opens a shell ({shown}), a utility or job image rather than a "
                 "server",
                 f"su orden abre una shell ({shown}), una imagen de utilidades o de jobs más "
                 "que un servidor")
    if program in _CLI_PROGRAMS or (program == "locust" and "--headless" in args) or (
            program == "mlflow" and args[:1] == ["run"]):
        return T(f"it runs the command-line tool {program} ({shown})",
                 f"ejecuta la herramienta de línea de órdenes {program} ({shown})")
    if not _PYTHON.match(program):
        return None
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] not in ("-m", "-c"):
        i += 2 if args[i] in _PYTHON_VALUED else 1
    if i >= len(args) or args[i] == "-c":
        return None
    if args[i] == "-m":
        if i + 1 >= len(args):
            return None
        module = args[i + 1].replace(".", "/")
        candidates = _script_files(ctx, df, module + ".py") or _script_files(
            ctx, df, module + "/__main__.py")
    else:
        candidates = _script_files(ctx, df, args[i]) if args[i].endswith(".py") else []
    if not candidates:
        return None
    verdicts = [_imports_server(ctx, path) for path in candidates]
    if any(v is not False for v in verdicts):
        return None
    return T(f"it runs {shown}, and {candidates[0]} imports no web or network server "
             "(a batch job or CLI)",
             f"ejecuta {shown}, y {candidates[0]} no importa ningún servidor web ni de red "
             "(un job batch o una CLI)")


# -- images CI jobs run in ------------------------------------------------------------

_BOUNDARY_BEFORE = "/'\" \t=:(,["
_BOUNDARY_AFTER = "'\" \t:@),]\n"
_MAX_CI_TEXT = 500_000


def _image_repository(ref: str) -> str | None:
    """``mcr.microsoft.com/mlops/python:latest`` → ``mlops/python``: the repository path
    without registry host, tag or digest; None unless it has an owner part (a bare
    ``python`` names a public image, not one the repository builds)."""
    text = ref.strip().strip("'\"").split("@", 1)[0]
    if not text or len(text) > 300 or any(c.isspace() for c in text):
        return None
    if text.rfind(":") > text.rfind("/"):
        text = text[:text.rfind(":")]
    parts = text.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if len(parts) < 2 or not all(parts):
        return None
    return "/".join(parts)


def _mentions(text: str, needle: str) -> bool:
    """``needle`` occurs in ``text`` as a whole path or image name."""
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        if (start == 0 or text[start - 1] in _BOUNDARY_BEFORE) and (
                end == len(text) or text[end] in _BOUNDARY_AFTER):
            return True
        start = text.find(needle, start + 1)
    return False


def _container_values(node: Any, system: str, depth: int = 0) -> Iterator[str]:
    """Image references a CI file runs jobs in: GitLab ``image:`` (or ``image: {name}``),
    Azure ``resources.containers[].image`` and inline ``container:`` images."""
    if depth > 30:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            name = str(key)
            if name == "image" and system in ("gitlab", "azure"):
                if isinstance(value, str):
                    yield value
                elif isinstance(value, dict) and isinstance(value.get("name"), str):
                    yield value["name"]
            elif name == "container" and system == "azure" and isinstance(value, str) \
                    and ("/" in value or ":" in value):
                yield value
            else:
                yield from _container_values(value, system, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _container_values(item, system, depth + 1)


def ci_job_images(ctx: Context) -> list[tuple[str, str]]:
    """(image reference, CI file) of every container CI jobs run in: GitHub
    ``jobs.<id>.container``, GitLab ``image:``, Azure ``resources.containers`` and
    ``container:``."""
    cached = ctx.repo.memo.get("docker:ci-job-images")
    if cached is not None:
        result: list[tuple[str, str]] = cached
        return result
    found: list[tuple[str, str]] = []
    for wf in workflows(ctx.repo):
        if isinstance(wf, ParseError):
            continue
        for job in wf.jobs:
            container = job.raw.get("container")
            if isinstance(container, dict):
                container = container.get("image")
            if isinstance(container, str):
                found.append((container, wf.path))
    for system, paths in other_ci_files(ctx.repo).items():
        if system not in ("gitlab", "azure"):
            continue
        for path in paths:
            data = ctx.repo.yaml(path)
            if not isinstance(data, ParseError):
                found.extend((image, path) for image in _container_values(data, system))
    ctx.repo.memo["docker:ci-job-images"] = found
    return found


def _ci_texts(ctx: Context) -> list[tuple[str, str]]:
    """(path, text) of every CI file (GitHub workflows and the other systems')."""
    cached = ctx.repo.memo.get("docker:ci-texts")
    if cached is not None:
        result: list[tuple[str, str]] = cached
        return result
    paths = [wf.path for wf in workflows(ctx.repo) if not isinstance(wf, ParseError)]
    paths += [p for ps in other_ci_files(ctx.repo).values() for p in ps]
    texts = []
    for path in dict.fromkeys(paths):
        text = ctx.repo.text(path)
        if isinstance(text, str) and len(text) <= _MAX_CI_TEXT:
            texts.append((path, text))
    ctx.repo.memo["docker:ci-texts"] = texts
    return texts


_BUILDS = re.compile(r"docker\s+build|buildx\s+build|build-push-action|Docker@\d|"
                     r"kaniko|buildah\s+bud|podman\s+build")


def ci_job_image(ctx: Context, df: Dockerfile) -> T | None:
    """Why ``df`` builds an image CI jobs run in, or None: a CI file builds it (names its
    path) under the repository name of a container another job runs in."""
    images = [(ref, path, repo) for ref, path in ci_job_images(ctx)
              if (repo := _image_repository(ref))]
    if not images:
        return None
    for build_path, text in _ci_texts(ctx):
        named = _mentions(text, df.path) or (df.path == "Dockerfile" and _BUILDS.search(text))
        if not named:
            continue
        for ref, used_in, repository in images:
            if _mentions(text, repository):
                return T(f"{df.path} builds an image CI jobs run in: {build_path} builds it "
                         f"({repository}) and {used_in} runs jobs in {ref}; a CI job container, "
                         "not a service runtime",
                         f"{df.path} construye una imagen en la que corren jobs de CI: "
                         f"{build_path} la construye ({repository}) y {used_in} ejecuta jobs "
                         f"en {ref}; un contenedor de jobs de CI, no un servicio en ejecución")
    return None


# -- DOCK001 ---------------------------------------------------------------------------


def _copy_operators(inst: Instruction) -> list[str]:
    if inst.cmd not in ("COPY", "ADD") or inst.heredoc is not None:
        return []
    args = inst.exec_args
    tokens = args if args is not None else inst.args.split()
    return [t for t in tokens if _SHELL_OPERATOR.search(t)]


def _exec_problem(inst: Instruction) -> T | None:
    if inst.exec_args is not None:
        return None
    if inst.exec_form:
        return T(f"{inst.cmd} at line {inst.line} looks like exec form but is not a valid "
                 "JSON array of strings (use double quotes): Docker runs it through "
                 "/bin/sh -c",
                 f"{inst.cmd} en la línea {inst.line} parece forma exec pero no es un array "
                 "JSON de cadenas válido (usa comillas dobles): Docker lo ejecuta con "
                 "/bin/sh -c")
    return T(f"{inst.cmd} at line {inst.line} is in shell form: the process runs under "
             "/bin/sh -c as PID 1 and never receives SIGTERM",
             f"{inst.cmd} en la línea {inst.line} está en forma shell: el proceso corre bajo "
             "/bin/sh -c como PID 1 y nunca recibe SIGTERM")


_EXPANSION = re.compile(r"\$(\{|[A-Za-z_])")
_CONTROL = re.compile(r"&&|[;|`]|\$\(|&\s*$")  # redirections (2>&1) are fine with exec
_MAX_FIX_COMMAND = 300


def exec_form_fix(inst: Instruction) -> T:
    """The exec form of a shell-form CMD/ENTRYPOINT, built from its own command: a JSON
    array of its words; ``["/bin/sh", "-c", "exec …"]`` when it relies on variable
    expansion (the shell still expands, and exec hands PID 1 to the process)."""
    text = " ".join(inst.args.split())
    generic = T(f'Write {inst.cmd} as a JSON array of strings with double quotes, e.g. '
                f'{inst.cmd} ["uvicorn", "app.main:app", "--host", "0.0.0.0"].',
                f'Escribe {inst.cmd} como array JSON de cadenas con comillas dobles, p. ej. '
                f'{inst.cmd} ["uvicorn", "app.main:app", "--host", "0.0.0.0"].')
    if inst.exec_form or not text or len(text) > _MAX_FIX_COMMAND:
        return generic
    if _CONTROL.search(text):
        return T(f"Move the shell logic of {inst.cmd} into an entrypoint script that ends "
                 f'with exec (exec "$@"), and call it in exec form: {inst.cmd} '
                 '["/entrypoint.sh"].',
                 f"Lleva la lógica de shell de {inst.cmd} a un script de entrada que termine "
                 f'con exec (exec "$@") y llámalo en forma exec: {inst.cmd} '
                 '["/entrypoint.sh"].')
    if _EXPANSION.search(text):
        wrapped = json.dumps(["/bin/sh", "-c", "exec " + text.removeprefix("exec ")])
        return T(f"It relies on variable expansion, so keep the shell but let exec replace "
                 f"it: {inst.cmd} {wrapped}.",
                 f"Depende de la expansión de variables: conserva la shell pero deja que exec "
                 f"la reemplace: {inst.cmd} {wrapped}.")
    try:
        words = shlex.split(text)
    except ValueError:
        return generic
    if words and words[0] == "exec":
        words = words[1:]
    if not words:
        return generic
    return T(f"Write it as a JSON array: {inst.cmd} {json.dumps(words)}.",
             f"Escríbelo como array JSON: {inst.cmd} {json.dumps(words)}.")


def _copy_destination(inst: Instruction) -> str:
    args = inst.exec_args
    tokens = args if args is not None else inst.args.split()
    return tokens[-1] if tokens else ""


def _relative_destination(inst: Instruction) -> bool:
    """A COPY/ADD whose destination is relative to the WORKDIR (``.``, ``./``, ``app/``)."""
    if inst.heredoc is not None and inst.cmd == "COPY" and not inst.args.strip():
        return False
    dest = _copy_destination(inst)
    return bool(dest) and not dest.startswith(("/", "$"))


def base_workdir(image: ImageRef | None) -> str | None:
    """The WORKDIR the base image sets itself (``base_workdir`` in the data)."""
    if image is None:
        return None
    for entry in image_data().get("base_workdir") or []:
        if isinstance(entry, dict) and _entry_matches(image, entry) and entry.get("workdir"):
            return str(entry["workdir"])
    return None


def _expose_fix(ctx: Context, df: Dockerfile, final: Stage) -> T:
    """EXPOSE with the port the project shows (its deployment, ENV PORT, its code)."""
    listen = listening(ctx.repo, df, _env_port(df, final), deployments(ctx.repo, df))
    if listen.port is None:
        return T("Add EXPOSE with the port the service listens on (nothing in the repository "
                 "shows it).",
                 "Añade EXPOSE con el puerto en el que escucha el servicio (nada en el "
                 "repositorio lo indica).")
    return T(f"Add EXPOSE {listen.port} (the port it listens on, from {listen.port_from}).",
             f"Añade EXPOSE {listen.port} (el puerto en el que escucha, según "
             f"{listen.port_from}).")


def _deployed_command(ctx: Context, df: Dockerfile) -> T | None:
    """Why the image needs no CMD: every manifest container that runs it gives the
    command itself."""
    deployed = deployments(ctx.repo, df)
    commands = [(d, command_of(d)) for d in deployed]
    if not commands or any(c is None for _, c in commands):
        return None
    d, command = commands[0]
    more = f" (and {len(commands) - 1} more)" if len(commands) > 1 else ""
    more_es = f" (y {len(commands) - 1} más)" if len(commands) > 1 else ""
    return T(f"the {d.kind} that runs it gives the command ({command}) in {d.where}{more} "
             f"({d.how})",
             f"el {d.kind} que la ejecuta da la orden ({command}) en {d.where}{more_es} "
             f"({d.how})")


def _dock001(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    problems = 0
    for inst in df.instructions:
        ops = _copy_operators(inst)
        comment = next((i for i, op in enumerate(ops) if op.startswith("#")), None)
        if comment is not None:
            text = inst.args[inst.args.index(ops[comment]):]
            problems += 1
            yield failed(
                T(f"{inst.cmd} at line {inst.line} ends in an inline comment ({text}): '#' "
                  f"starts a comment only at the beginning of a line, so {inst.cmd} takes its "
                  "words as file names and the build fails",
                  f"{inst.cmd} en la línea {inst.line} termina en un comentario en línea "
                  f"({text}): '#' solo inicia un comentario al principio de la línea, así que "
                  f"{inst.cmd} toma sus palabras como nombres de archivo y el build falla"),
                df.path, inst.line,
                fix=T("Move the comment to its own line above the instruction.",
                      "Mueve el comentario a su propia línea encima de la instrucción."))
            ops = ops[:comment]
        if ops:
            problems += 1
            yield failed(
                T(f"{inst.cmd} at line {inst.line} carries shell operators "
                  f"({' '.join(ops)}): {inst.cmd} does not run a shell, so Docker treats them "
                  "as file names and the build fails",
                  f"{inst.cmd} en la línea {inst.line} lleva operadores de shell "
                  f"({' '.join(ops)}): {inst.cmd} no ejecuta una shell, así que Docker los "
                  "toma como nombres de archivo y el build falla"),
                df.path, inst.line,
                fix=T("Remove the shell operators; copy only files that exist (make optional "
                      "files part of the build context, or create them in a RUN step).",
                      "Quita los operadores de shell; copia solo archivos que existan (incluye "
                      "los opcionales en el contexto o créalos en un RUN)."))
    ci_image = ci_job_image(ctx, df)
    if ci_image is not None:
        yield from _dock001_ci_image(df, final, ci_image, problems)
        return
    workdir_note = T.same("WORKDIR")
    if df.effective(final, "WORKDIR") is None:
        _, image = _base(df, final)
        relative = [i for i in df.inherited(final, "COPY", "ADD") if _relative_destination(i)]
        if base_workdir(image):
            workdir_note = T(f"WORKDIR (from the base {image}: {base_workdir(image)})",
                             f"WORKDIR (de la base {image}: {base_workdir(image)})")
        elif not relative:
            workdir_note = T("no WORKDIR needed (every COPY/ADD names an absolute destination)",
                             "sin WORKDIR necesario (cada COPY/ADD indica un destino absoluto)")
        else:
            problems += 1
            first = relative[0]
            yield failed(T(f"final {_where(final)} sets no WORKDIR: {first.cmd} at line "
                           f"{first.line} copies to a relative destination "
                           f"({_copy_destination(first)}), which lands under /",
                           f"la {_donde(final)} final no fija WORKDIR: {first.cmd} en la línea "
                           f"{first.line} copia a un destino relativo "
                           f"({_copy_destination(first)}), que acaba bajo /"),
                         df.path, final.line,
                         fix=T("Add WORKDIR (e.g. WORKDIR /app) before the COPY instructions.",
                               "Añade WORKDIR (p. ej. WORKDIR /app) antes de las instrucciones "
                               "COPY."))
    batch = None if df.inherited(final, "EXPOSE") else batch_image(ctx, df, final)
    runs_nothing = df.effective(final, "ENTRYPOINT") is None and \
        df.effective(final, "CMD") is None
    _, base_image = _base(df, final)
    if not batch and runs_nothing and in_list(base_image, "server_bases"):
        yield skipped(T(f"final {_where(final)} has no EXPOSE, and needs none: its base "
                        f"{base_image} runs its own server (its command and ports come from "
                        "the base)",
                        f"la {_donde(final)} final no tiene EXPOSE ni lo necesita: su base "
                        f"{base_image} ejecuta su propio servidor (su orden y sus puertos vienen "
                        "de la base)"), df.path)
    elif not batch and runs_nothing and not df.inherited(final, "EXPOSE"):
        yield skipped(T(f"final {_where(final)} has no EXPOSE, but no CMD or ENTRYPOINT "
                        "either: nothing shows a service whose port to document",
                        f"la {_donde(final)} final no tiene EXPOSE, pero tampoco CMD ni "
                        "ENTRYPOINT: nada indica un servicio cuyo puerto documentar"),
                      df.path)
    elif batch:
        yield skipped(T(f"final {_where(final)} has no EXPOSE, and needs none: ",
                        f"la {_donde(final)} final no tiene EXPOSE ni lo necesita: ") + batch,
                      df.path)
    elif not df.inherited(final, "EXPOSE"):
        problems += 1
        yield failed(T(f"final {_where(final)} has no EXPOSE: the service port is undocumented",
                       f"la {_donde(final)} final no tiene EXPOSE: el puerto del servicio no "
                       "está documentado"), df.path, final.line,
                     fix=_expose_fix(ctx, df, final))
    entry = df.effective(final, "ENTRYPOINT")
    cmd = df.effective(final, "CMD")
    given = None
    if entry is None and cmd is None:
        _, image = _base(df, final)
        given = T(f"its base {image} runs its own server (its ENTRYPOINT/CMD)",
                  f"su base {image} ejecuta su propio servidor (su ENTRYPOINT/CMD)") if in_list(
            image, "server_bases") else _deployed_command(ctx, df)
    if given is not None:
        entry_note: T | None = given
        yield skipped(T(f"final {_where(final)} has no CMD or ENTRYPOINT, and needs none: ",
                        f"la {_donde(final)} final no tiene CMD ni ENTRYPOINT, ni los necesita: ")
                      + given, df.path)
    elif entry is None and cmd is None:
        entry_note = None
        problems += 1
        yield failed(T(f"final {_where(final)} has no CMD or ENTRYPOINT: the container runs "
                       "whatever the base image defaults to",
                       f"la {_donde(final)} final no tiene CMD ni ENTRYPOINT: el contenedor "
                       "ejecuta lo que traiga la imagen base"), df.path, final.line,
                     fix=T("Add the command the image should run, in exec form (a JSON "
                           'array: CMD ["<program>", "<arg>", …]).',
                           "Añade la orden que debe ejecutar la imagen, en forma exec (un "
                           'array JSON: CMD ["<programa>", "<arg>", …]).'))
    else:
        entry_note = None
    for inst in [i for i in (entry, cmd) if i is not None]:
        problem = _exec_problem(inst)
        if problem is not None:
            problems += 1
            yield failed(problem, df.path, inst.line, fix=exec_form_fix(inst))
    if not problems:
        expose = T.same("") if batch or not df.inherited(final, "EXPOSE") else T.same(
            "EXPOSE, ")
        command = T("its command from its base or manifests",
                    "su orden desde su base o sus manifiestos") \
            if entry_note is not None else T(
                f"an exec-form {'ENTRYPOINT' if entry else 'CMD'}",
                f"{'ENTRYPOINT' if entry else 'CMD'} en forma exec")
        yield passed(T("parses; ", "se lee; ") + workdir_note + T.same(", ") + expose + command
                     + T(f" in the final {_where(final)}", f" en la {_donde(final)} final"),
                     df.path)


def _dock001_ci_image(df: Dockerfile, final: Stage, ci_image: T,
                      problems: int) -> Iterator[Finding]:
    """DOCK001 for an image CI jobs run in: the CI system gives its job steps their command
    and working directory, and nothing listens on a port, so only the build itself and a
    CMD/ENTRYPOINT it declares anyway are judged."""
    yield skipped(ci_image + T(": the CI system runs the job steps in it with its own command "
                               "and working directory, so WORKDIR, EXPOSE and a CMD or "
                               "ENTRYPOINT are not asked for",
                               ": el sistema de CI ejecuta en ella los pasos del job con su "
                               "propio comando y directorio de trabajo, así que no se piden "
                               "WORKDIR, EXPOSE ni CMD o ENTRYPOINT"), df.path)
    declared = [i for i in (df.effective(final, "ENTRYPOINT"), df.effective(final, "CMD"))
                if i is not None]
    for inst in declared:
        problem = _exec_problem(inst)
        if problem is not None:
            problems += 1
            yield failed(problem, df.path, inst.line, fix=exec_form_fix(inst))
    if not problems:
        yield passed(T(f"parses; COPY/ADD carry no shell operators; a CI job container, "
                       f"judged as one in the final {_where(final)}",
                       f"se lee; COPY/ADD no llevan operadores de shell; un contenedor de "
                       f"jobs de CI, evaluado como tal en la {_donde(final)} final"), df.path)


@check("dockerfiles_well_formed")
def dockerfile_well_formed(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK001: a Dockerfile exists, parses, COPY carries no shell operators, WORKDIR,
    EXPOSE and an exec-form CMD/ENTRYPOINT in the final stage."""
    found = load(ctx)
    for path in found.devcontainers:
        yield skipped(T(f"{path} is a development container (.devcontainer/), not a runtime "
                        "image: not judged",
                        f"{path} es un contenedor de desarrollo (.devcontainer/), no una imagen "
                        "de ejecución: no se evalúa"), path)
    if found.none:
        yield failed(no_dockerfile(found), fix=NO_DOCKERFILE_FIX, see="DOCK001")
        return
    for error in found.broken:
        where = f" at line {error.line}" if error.line else ""
        donde = f" en la línea {error.line}" if error.line else ""
        yield failed(T(f"the Dockerfile does not parse{where}: {error.message}",
                       f"el Dockerfile no se puede leer{donde}: {error.message}"),
                     error.path, error.line,
                     fix=T("Fix the syntax (docker build would refuse it); the other DOCK "
                           "rules skip this file until it parses.",
                           "Corrige la sintaxis (docker build la rechazaría); las demás reglas "
                           "DOCK omiten este archivo hasta que se pueda leer."))
    for df in found.parsed:
        yield from _dock001(ctx, df)


# -- DOCK002 ---------------------------------------------------------------------------

IGNORE_CATEGORIES: dict[str, tuple[str, ...]] = {
    ".git": (".git/HEAD",),
    ".venv/venv": (".venv/bin/python", "venv/bin/python"),
    "__pycache__": ("src/pkg/__pycache__/m.cpython-311.pyc", "app/__pycache__/m.pyc"),
    "data/": ("data/raw/train.csv",),
    "tests/": ("tests/test_api.py",),
    "notebooks/*.ipynb": ("notebooks/eda.ipynb", "eda.ipynb"),
    ".env": (".env",),
    "mlruns": ("mlruns/0/meta.yaml",),
    ".dvc": (".dvc/config", ".dvc/cache/ab/cdef"),
}


def _ignore_regex(pattern: str) -> re.Pattern[str] | None:
    """A .dockerignore pattern (Go filepath.Match plus ``**``) as a regex on a path, or
    ``None`` for a pattern Docker would refuse (an invalid ``[...]`` class)."""
    try:
        return compile_glob(pattern, braces=False)
    except GlobError:
        return None


@dataclass(frozen=True)
class IgnoreRule:
    pattern: str
    negate: bool
    regex: re.Pattern[str]


def parse_dockerignore(text: str) -> list[IgnoreRule]:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate:
            line = line[1:].strip()
        line = posixpath.normpath(line.lstrip("/")) if line.strip("/") else ""
        if not line or line == ".":
            continue
        regex = _ignore_regex(line)
        if regex is not None:
            rules.append(IgnoreRule(line, negate, regex))
    return rules


def ignored(rules: list[IgnoreRule], path: str) -> bool:
    """Docker's matching: a pattern excludes a path or any of its parent directories;
    the last matching rule wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for rule in rules:
        if any(rule.regex.match(c) for c in candidates):
            result = not rule.negate
    return result


def _ignore_file(ctx: Context, df: Dockerfile) -> str | None:
    """The .dockerignore of a Dockerfile's build context: ``<Dockerfile>.dockerignore``
    (BuildKit), then ``.dockerignore`` next to it, in the project, or at the root."""
    directory = str(PurePosixPath(df.path).parent)
    candidates = [f"{df.path}.dockerignore",
                  ".dockerignore" if directory == "." else f"{directory}/.dockerignore",
                  ctx.path(".dockerignore"), ".dockerignore"]
    for candidate in candidates:
        if ctx.repo.exists(candidate):
            return candidate
    return None


# where each Python/ML artefact shows in a build context (globs relative to it); data/ and
# tests/ are left out: in another stack's service they are its own runtime data or tests
_CONTEXT_HOLDS: dict[str, tuple[str, ...]] = {
    ".venv/venv": (".venv/**", "venv/**"),
    "__pycache__": ("**/__pycache__/**", "**/*.pyc"),
    "notebooks/*.ipynb": ("**/*.ipynb",),
    "mlruns": ("mlruns/**", "**/mlruns/**"),
    ".dvc": (".dvc/**", "**/*.dvc"),
}


def _foreign_stack(df: Dockerfile) -> T | None:
    """Why the Dockerfile builds a non-Python service (``a Go image (base golang:1.22)``),
    judged on the image it ships (a builder's own tooling, such as python3 for node-gyp,
    does not make it a Python service)."""
    return non_python_runtime(df, final_stage(df))


def _applicable(ctx: Context, df: Dockerfile, path: str) -> tuple[list[str], T | None]:
    """The .dockerignore categories that apply to the build context of ``df``: all of them
    for a Python (or unknown) image; for another stack, .git, .env and the Python/ML
    artefacts the context holds."""
    stack = _foreign_stack(df)
    if stack is None:
        return list(IGNORE_CATEGORIES), None
    directory = str(PurePosixPath(path).parent)
    prefix = "" if directory == "." else directory + "/"
    applicable = [".git", ".env"]
    for name, globs in _CONTEXT_HOLDS.items():
        if ctx.repo.glob(tuple(prefix + g for g in globs)):
            applicable.append(name)
    return [n for n in IGNORE_CATEGORIES if n in applicable], stack


# what a build context may hold that has no place in an image: (label, globs relative to
# the context)
_CONTEXT_RISKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("data/", ("data/**", "datasets/**")),
    ("virtualenvs", (".venv/**", "venv/**", "env/bin/**")),
    ("secrets (.env)", (".env", "**/.env", "**/*.env", ".env.*")),
    ("notebooks", ("**/*.ipynb",)),
    ("model files", ("**/*.pkl", "**/*.joblib", "**/*.pt", "**/*.pth", "**/*.onnx",
                     "**/*.h5", "**/*.safetensors")),
    ("mlruns/", ("mlruns/**", "**/mlruns/**")),
    ("__pycache__", ("**/__pycache__/**", "**/*.pyc")),
    ("tests/", ("tests/**",)),
)


def context_contents(ctx: Context, directory: str) -> tuple[int, list[str]]:
    """(number of files, what of ``_CONTEXT_RISKS`` is there) for the build context
    ``directory`` (the repository's own .git when it is the root)."""
    prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
    files = ctx.repo.files_under(prefix)
    found = [".git"] if not prefix and (ctx.repo.root / ".git").exists() else []
    for label, globs in _CONTEXT_RISKS:
        hits = ctx.repo.glob(tuple(prefix + g for g in globs))
        if hits:
            found.append(f"{label} ({len(hits)} file{'s' if len(hits) != 1 else ''})")
    return len(files), found


def _whole_context_copy(df: Dockerfile) -> Instruction | None:
    """The first COPY/ADD (from the build context, not another stage) that copies the
    whole context (``COPY . .``, ``COPY ./ /app``, ``COPY * ./``)."""
    for inst in df.instructions:
        if inst.cmd not in ("COPY", "ADD") or "from" in inst.flags or inst.heredoc is not None:
            continue
        if any(src.rstrip("/") in (".", "./*", "*") for src in _copy_sources(inst)):
            return inst
    return None


def _no_ignore_message(ctx: Context, df: Dockerfile) -> T:
    directory = str(PurePosixPath(df.path).parent)
    count, found = context_contents(ctx, directory)
    where = "the repository root" if directory == "." else directory + "/"
    donde = "la raíz del repositorio" if directory == "." else directory + "/"
    whole = _whole_context_copy(df)
    if whole is not None:
        head = T(f"no .dockerignore in the build context of {df.path}: if it is built from "
                 f"{where}, all {count} files there are sent to the daemon and {whole.cmd} "
                 f"{whole.args} (line {whole.line}) puts them in the image",
                 f"no hay .dockerignore en el contexto de build de {df.path}: si se construye "
                 f"desde {donde}, sus {count} archivos se envían al daemon y {whole.cmd} "
                 f"{whole.args} (línea {whole.line}) los mete en la imagen")
        tail = T("; none is data, a virtualenv or a secret today, but whatever is added "
                 "later goes too",
                 "; hoy ninguno es de datos, un entorno virtual o un secreto, pero lo que se "
                 "añada después también irá")
    else:
        head = T(f"no .dockerignore in the build context of {df.path}: if it is built from "
                 f"{where}, all {count} files there are sent to the daemon on every build "
                 "(no COPY copies the whole context, so only what they name reaches the image)",
                 f"no hay .dockerignore en el contexto de build de {df.path}: si se construye "
                 f"desde {donde}, sus {count} archivos se envían al daemon en cada build "
                 "(ningún COPY copia el contexto entero, así que solo lo que nombran llega a "
                 "la imagen)")
        tail = T("; none is data, a virtualenv or a secret today",
                 "; hoy ninguno es de datos, un entorno virtual o un secreto")
    if found:
        return head + T(f", including {', '.join(found)}", f", entre ellos {', '.join(found)}")
    return head + tail


def _entries(names: list[str]) -> str:
    return ", ".join(f"**/{m}" if m == "__pycache__" else m.split("/")[0] for m in names)


def _no_ignore_fix(ctx: Context, df: Dockerfile) -> T:
    """A .dockerignore for the stack of the image: the guide's nine entries for a Python
    image; .git, .env and the Python/ML artefacts the context holds for another stack."""
    directory = str(PurePosixPath(df.path).parent)
    target = ".dockerignore" if directory == "." else f"{directory}/.dockerignore"
    applicable, stack = _applicable(ctx, df, target)
    if stack is None:
        return T(f"Add {target} excluding {_entries(applicable)}.",
                 f"Añade {target} excluyendo {_entries(applicable)}.")
    return T(f"Add {target} excluding {_entries(applicable)} (and the build outputs and local "
             "files the image does not need; ",
             f"Añade {target} excluyendo {_entries(applicable)} (y las salidas de build y los "
             "archivos locales que la imagen no necesita; ") + stack + T(
        ": the Python/ML entries do not apply).", ": las entradas Python/ML no aplican).")


def _dock002(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    path = _ignore_file(ctx, df)
    if path is None:
        missing = _no_ignore_message(ctx, df)
        fix = _no_ignore_fix(ctx, df)
        yield failed(missing, df.path, level=1, fix=fix)
        yield failed(missing, df.path, level=2, fix=fix)
        return
    yield passed(T(f"{path} present", f"{path} presente"), path, level=1)
    text = ctx.repo.text(path)
    if isinstance(text, ParseError):
        yield failed(T(f"{path} cannot be read: {text.message}",
                       f"{path} no se puede leer: {text.message}"), path, level=2)
        return
    rules = parse_dockerignore(text)
    applicable, stack = _applicable(ctx, df, path)
    covered = [name for name in applicable
               if any(ignored(rules, s) for s in IGNORE_CATEGORIES[name])]
    missing_names = [name for name in applicable if name not in covered]
    note_en = note_es = ""
    if "__pycache__" in missing_names and any(r.pattern in ("__pycache__", "*.pyc", "*.py[cod]")
                                              for r in rules):
        note_en = ("; note: '__pycache__' and '*.pyc' match only at the context root in "
                   ".dockerignore; write '**/__pycache__'")
        note_es = ("; ojo: '__pycache__' y '*.pyc' solo coinciden en la raíz del contexto en "
                   ".dockerignore; escribe '**/__pycache__'")
    total = len(applicable)
    message = T(f"{path} excludes {len(covered)} of the {total} recommended entries"
                + (f" (missing: {', '.join(missing_names)})" if missing_names else "")
                + note_en,
                f"{path} excluye {len(covered)} de las {total} entradas recomendadas"
                + (f" (faltan: {', '.join(missing_names)})" if missing_names else "") + note_es)
    if stack is not None:
        message = message + T(f" for {df.path}, ", f" para {df.path}, ") + stack + T(
            ": only .git, .env and the Python/ML artefacts its build context holds apply",
            ": solo aplican .git, .env y los artefactos Python/ML que contiene su contexto "
            "de build")
    # 6 of the 9 for a Python image; every one of the few that apply to another stack
    if (stack is None and len(covered) >= 6) or (stack is not None and not missing_names):
        yield passed(message, path, level=2)
    else:
        yield failed(message, path, 1, level=2,
                     fix=T(f"Add to {path}: {_entries(missing_names)}.",
                           f"Añade a {path}: {_entries(missing_names)}."))


@check("dockerfiles_dockerignore")
def dockerignore(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK002: a .dockerignore in each Dockerfile's build context (L1) that excludes at
    least 6 of the 9 recommended entries, with Docker's own matching (L2)."""
    yield from _each(ctx, _dock002, (1, 2))


# -- DOCK003 ---------------------------------------------------------------------------


def _python_minor_missing(image: ImageRef) -> bool:
    if normal_name(image) != "python" or not image.tag:
        return False
    match = _PY_VERSION.match(image.tag)
    return bool(match and match.group(2) is None)


_GPU_PACKAGE = re.compile(r"(^|[\[,])(cuda|cu\d{2,3}|gpu|tpu)([\],=]|$)|^(jax|torch)\[(cuda|tpu)|"
                          r"^(nvidia-|cupy-cuda|tensorflow-gpu|onnxruntime-gpu|"
                          r"paddlepaddle-gpu)", re.IGNORECASE)


def _gpu_image(df: Dockerfile, final: Stage) -> T | None:
    """Why the final image is a GPU/accelerator image: a CUDA or framework GPU base
    (``gpu_bases`` in the data), or CUDA builds of its Python packages."""
    _, image = _base(df, final)
    if in_list(image, "gpu_bases"):
        return T(f"base {image}", f"base {image}")
    for inst in df.inherited(final, "RUN"):
        for cmd in run_commands(inst):
            if not (_PIP.match(cmd.program) or cmd.program in ("uv", "conda", "mamba")):
                continue
            for arg in cmd.args:
                if not arg.startswith("-") and _GPU_PACKAGE.search(arg.strip("'\"")):
                    return T(f"{arg.strip(chr(39) + chr(34))[:60]} installed at line "
                             f"{inst.line}",
                             f"{arg.strip(chr(39) + chr(34))[:60]} instalado en la línea "
                             f"{inst.line}")
    return None


def _base_fix(gpu: T | None, other: T | None, python: T) -> T:
    """The base advice that fits the image: a CUDA runtime base for a GPU image, the
    runtime's own small base for a non-Python image, ``python`` otherwise."""
    if gpu is not None:
        return T("Keep a CUDA base but its runtime variant, not -devel (nvidia/cuda:<version>-"
                 "cudnn-runtime-<os>, or the framework's -runtime tag), pinned by tag or digest; "
                 "build in a -devel stage if compilation is needed, or justify the base in an "
                 "ADR and waive DOCK003.",
                 "Mantén una base CUDA pero su variante runtime, no -devel (nvidia/cuda:"
                 "<versión>-cudnn-runtime-<so>, o el tag -runtime del framework), fijada por tag "
                 "o digest; compila en una etapa -devel si hace falta, o justifica la base en "
                 "un ADR y exceptúa DOCK003.")
    if other is not None:
        return T("Use a small, pinned runtime base for ", "Usa una base de ejecución pequeña y "
                 "fijada para ") + other + T(
            " (its -slim or -alpine tag, or distroless for a static binary), or justify the "
            "base in an ADR and waive DOCK003.",
            " (su tag -slim o -alpine, o distroless para un binario estático), o justifica la "
            "base en un ADR y exceptúa DOCK003.")
    return python


def _dock003(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    root, image = _base(df, final)
    via = "" if root is final else f" (through stage '{final.name}' built from '{root.name}')"
    via_es = "" if root is final else f" (a través de la etapa '{final.name}', basada en " \
                                      f"'{root.name}')"
    gpu = _gpu_image(df, final)
    other = non_python_runtime(df, final)
    fix_slim = _base_fix(gpu, other, T(
        "Use a slim, tagged runtime base such as python:3.11-slim (or distroless / "
        "chainguard), pinned by tag or digest.",
        "Usa una base de ejecución slim y etiquetada, como python:3.11-slim (o "
        "distroless / chainguard), fijada por tag o digest."))
    if root.is_scratch:
        yield passed(T(f"final base is scratch{via}: nothing but what you copy",
                       f"la base final es scratch{via_es}: solo lo que copies"),
                     df.path, root.line)
        return
    names = unresolved(root.base)
    if names or image is None:
        yield warned(T(f"final base '{root.base}'{via} uses unresolved variables "
                       f"({', '.join(names)}): cannot verify it is slim and pinned",
                       f"la base final '{root.base}'{via_es} usa variables sin resolver "
                       f"({', '.join(names)}): no se puede verificar que sea slim y fijada"),
                     df.path, root.line,
                     fix=T("Give the ARG a default (ARG PYTHON_VERSION=3.11) so the base can "
                           "be read.",
                           "Da un valor por defecto al ARG (ARG PYTHON_VERSION=3.11) para que "
                           "la base se pueda leer."))
        return
    ref = str(image)
    if image.untagged:
        full = in_list(ImageRef(image.registry, image.path, "latest", None), "full_bases")
        yield failed(T(f"final base {ref}{via} has no tag or digest (means :latest"
                       + (", and a full image)" if full else ")"),
                       f"la base final {ref}{via_es} no tiene tag ni digest (equivale a :latest"
                       + (" y a una imagen completa)" if full else ")")),
                     df.path, root.line, fix=fix_slim)
    elif image.tag == "latest" and not image.pinned:
        yield failed(T(f"final base {ref}{via} floats on :latest",
                       f"la base final {ref}{via_es} flota en :latest"), df.path, root.line,
                     fix=fix_slim)
    elif in_list(image, "alpine_bases") and (other := non_python_runtime(df, final)):
        yield passed(T(f"final base {ref}{via} is alpine, small and pinned; ",
                       f"la base final {ref}{via_es} es alpine, pequeña y fijada; ") + other
                     + T(": glibc-only Python wheels do not matter",
                         ": las wheels de Python solo glibc no importan"),
                     df.path, root.line)
    elif in_list(image, "alpine_bases"):
        yield warned(T(f"final base {ref}{via} is alpine (musl): small, but many ML wheels "
                       "(numpy, scipy, torch) are glibc-only and compile from source; the guide "
                       "prefers -slim (ADR-006)",
                       f"la base final {ref}{via_es} es alpine (musl): pequeña, pero muchas "
                       "wheels de ML (numpy, scipy, torch) son solo glibc y se compilan; la "
                       "guía prefiere -slim (ADR-006)"), df.path, root.line,
                     fix=T("Prefer python:3.11-slim; keep alpine only if the ADR justifies it.",
                           "Prefiere python:3.11-slim; mantén alpine solo si un ADR lo "
                           "justifica."))
    elif in_list(image, "full_bases"):
        yield failed(T(f"final base {ref}{via} is the full image (~1 GB, compilers included: "
                       "the guide's Level 1)",
                       f"la base final {ref}{via_es} es la imagen completa (~1 GB, con "
                       "compiladores: el Nivel 1 de la guía)"), df.path, root.line, fix=fix_slim)
    elif in_list(image, "lean_bases"):
        if image.tag is None:
            yield warned(T(f"final base {ref}{via} is pinned by digest only: the variant "
                           "cannot be read; add the tag (python:3.11-slim@sha256:…)",
                           f"la base final {ref}{via_es} está fijada solo por digest: no se "
                           "puede leer la variante; añade el tag (python:3.11-slim@sha256:…)"),
                         df.path, root.line, fix=fix_slim)
        elif _python_minor_missing(image):
            yield warned(T(f"final base {ref}{via} is slim but pins only the major version: "
                           "the next Python minor arrives unannounced",
                           f"la base final {ref}{via_es} es slim pero solo fija la versión "
                           "mayor: la siguiente versión menor de Python llega sin aviso"),
                         df.path, root.line,
                         fix=T("Pin the minor version: python:3.11-slim.",
                               "Fija la versión menor: python:3.11-slim."))
        else:
            yield passed(T(f"final base {ref}{via} is small and pinned",
                           f"la base final {ref}{via_es} es pequeña y está fijada"),
                         df.path, root.line)
    elif image.tag is None and image.pinned:
        yield warned(T(f"final base {ref}{via} is pinned by digest only: whether it is slim "
                       "cannot be read",
                       f"la base final {ref}{via_es} está fijada solo por digest: no se puede "
                       "saber si es slim"), df.path, root.line, fix=fix_slim)
    else:
        why = T.same("")
        if gpu is not None:
            why = T("; it is a GPU image (", "; es una imagen GPU (") + gpu + T(
                "), which needs a CUDA user space no slim Python base has",
                "), que necesita un espacio de usuario CUDA que ninguna base Python slim tiene")
        yield warned(T(f"final base {ref}{via} is not a known small base (python:X.Y-slim, "
                       "distroless, chainguard/wolfi, ubi-minimal): cannot verify its size",
                       f"la base final {ref}{via_es} no es una base pequeña conocida "
                       "(python:X.Y-slim, distroless, chainguard/wolfi, ubi-minimal): no se "
                       "puede verificar su tamaño") + why, df.path, root.line,
                     fix=_base_fix(gpu, other, T(
                         "Use python:3.11-slim, or justify the base in an ADR and waive "
                         "DOCK003.",
                         "Usa python:3.11-slim, o justifica la base en un ADR y exceptúa "
                         "DOCK003.")))


@check("dockerfiles_base_image")
def dockerfile_base_image(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK003: the final stage's base is slim (or distroless/chainguard/ubi-minimal) and
    pinned; alpine warns; full python, :latest and untagged fail."""
    yield from _each(ctx, _dock003)


# -- DOCK004 ---------------------------------------------------------------------------


def _dock004(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    if len(df.stages) < 2:
        tooling = sorted({p for p, _ in installed_packages(df, final) if _is_build_package(p)})
        caches = sorted({f.line for f in _hygiene(df, final) if f.line})
        shipped_en = [f"build tooling ({', '.join(tooling)})"] if tooling else []
        shipped_es = [f"herramientas de build ({', '.join(tooling)})"] if tooling else []
        if caches:
            lines = ", ".join(str(n) for n in caches)
            shipped_en.append(f"package caches (RUN at line{'s' if len(caches) > 1 else ''} "
                              f"{lines})")
            shipped_es.append(f"cachés de paquetes (RUN en la(s) línea(s) {lines})")
        yield failed(T(f"single-stage build (one FROM at line {final.line}): whatever the "
                       "build installs stays in the runtime image"
                       + (f", here {' and '.join(shipped_en)}" if shipped_en else ""),
                       f"build de una sola etapa (un FROM en la línea {final.line}): todo lo "
                       "que instala el build se queda en la imagen final"
                       + (f", aquí {' y '.join(shipped_es)}" if shipped_es else "")),
                     df.path, final.line,
                     fix=T("Split into a builder stage (FROM python:3.11-slim AS builder) that "
                           "installs dependencies and a runtime stage that copies them with "
                           "COPY --from=builder; or justify a single stage in an ADR.",
                           "Divide en una etapa builder (FROM python:3.11-slim AS builder) que "
                           "instala dependencias y una etapa final que las copia con COPY "
                           "--from=builder; o justifica una sola etapa en un ADR."))
        return
    lineage = df.lineage(final)
    members = {s.index for s in lineage}
    copies: list[tuple[Instruction, Stage]] = []
    for inst in df.inherited(final, "COPY"):
        source = inst.flags.get("from")
        if source is None:
            continue
        stage = df.stage_named(source)
        if stage is not None and stage.index not in members:
            copies.append((inst, stage))
    if not copies:
        yield failed(T(f"{len(df.stages)} stages, but the final {_where(final)} copies nothing "
                       "from another stage (COPY --from=<stage>)",
                       f"{len(df.stages)} etapas, pero la {_donde(final)} final no copia nada "
                       "de otra etapa (COPY --from=<etapa>)"), df.path, final.line,
                     fix=T("Build in a named stage and COPY --from=builder only the artefacts "
                           "(venv, wheels) into the runtime stage.",
                           "Construye en una etapa con nombre y copia con COPY --from=builder "
                           "solo los artefactos (venv, wheels) a la etapa final."))
        return
    tools = [(pkg, inst) for pkg, inst in installed_packages(df, final)
             if _is_build_package(pkg)]
    unnamed = [inst for inst, stage in copies if stage.alias is None
               or (inst.flags.get("from") or "").isdigit()]
    if tools:
        _pkg, inst = tools[0]
        yield warned(T(f"multi-stage, but the runtime {_where(final, inst.line)} installs build "
                       f"tooling ({', '.join(sorted({p for p, _ in tools}))})",
                       f"multi-stage, pero la {_donde(final, inst.line)} final instala "
                       f"herramientas de build ({', '.join(sorted({p for p, _ in tools}))})"),
                     df.path, inst.line,
                     fix=T("Install compilers and -dev packages in the builder only.",
                           "Instala compiladores y paquetes -dev solo en el builder."))
    elif unnamed:
        yield warned(T(f"multi-stage, but COPY --from at line {unnamed[0].line} refers to a stage "
                       "by number: name the builder (AS builder)",
                       f"multi-stage, pero COPY --from en la línea {unnamed[0].line} se refiere "
                       "a una etapa por número: nombra el builder (AS builder)"),
                     df.path, unnamed[0].line,
                     fix=T("Name the stage (FROM … AS builder) and use COPY --from=builder.",
                           "Nombra la etapa (FROM … AS builder) y usa COPY --from=builder."))
    else:
        inst, stage = copies[0]
        yield passed(T(f"multi-stage: the final {_where(final)} copies from '{stage.name}' "
                       f"(line {inst.line})",
                       f"multi-stage: la {_donde(final)} final copia de '{stage.name}' "
                       f"(línea {inst.line})"), df.path, inst.line)


@check("dockerfiles_multistage")
def dockerfile_multistage(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK004: ≥2 stages, the final stage copies from a named builder, no build tooling
    in the runtime stage."""
    yield from _each(ctx, _dock004)


# -- DOCK005 ---------------------------------------------------------------------------


def _user_created(df: Dockerfile, stage: Stage, user: str) -> bool:
    for inst in df.inherited(stage):
        if inst.cmd == "COPY" and "/etc/passwd" in inst.args:
            return True
        for cmd in run_commands(inst):
            if cmd.program in _USERADD and user in cmd.args:
                return True
        if inst.cmd == "RUN" and "/etc/passwd" in inst.script and user in inst.script:
            return True
    return False


def _user_family(root: Stage, image: ImageRef | None) -> str:
    """How a user is created on the base: ``busybox`` (adduser -D), ``none`` (no shell:
    distroless, scratch) or ``shadow`` (useradd)."""
    if root.is_scratch or in_list(image, "shell_less_bases"):
        return "none"
    if in_list(image, "busybox_bases"):
        return "busybox"
    return "shadow"


def _create_user_fix(root: Stage, image: ImageRef | None, user: str) -> T:
    family = _user_family(root, image)
    if family == "none":
        return T(f"The base {image or 'scratch'} has no shell to create {user}: use a numeric "
                 "uid (USER 65532, the distroless nonroot user) or copy an /etc/passwd that "
                 "defines it from a builder stage.",
                 f"La base {image or 'scratch'} no tiene shell para crear {user}: usa un uid "
                 "numérico (USER 65532, el usuario nonroot de distroless) o copia un "
                 "/etc/passwd que lo defina desde una etapa builder.")
    command = (f"adduser -D -u 10001 {user}" if family == "busybox"
               else f"useradd --create-home --uid 10001 {user}")
    return T(f"RUN {command} before USER {user}, or use a numeric uid (USER 10001).",
             f"RUN {command} antes de USER {user}, o usa un uid numérico (USER 10001).")


def non_root_fix(root: Stage, image: ImageRef | None) -> T:
    """Switching the final stage to a non-root user, with what the base has: useradd on
    Debian/RHEL bases, busybox adduser on Alpine, a bare numeric USER where there is no
    shell (distroless)."""
    family = _user_family(root, image)
    if family == "none":
        nonroot = (" or its :nonroot tag" if image is not None
                   and normal_name(image).startswith("gcr.io/distroless/") else "")
        return T(f"The base {image or 'scratch'} has no shell, so no useradd: add USER 65532 "
                 f"(the distroless nonroot user){nonroot} to the final stage; a numeric UID "
                 "lets Kubernetes verify runAsNonRoot.",
                 f"La base {image or 'scratch'} no tiene shell, así que no hay useradd: añade "
                 f"USER 65532 (el usuario nonroot de distroless)"
                 f"{' o su tag :nonroot' if nonroot else ''} a la etapa final; un UID numérico "
                 "permite a Kubernetes verificar runAsNonRoot.")
    command = ("adduser -D -u 10001 appuser" if family == "busybox"
               else "useradd --create-home --uid 10001 appuser")
    return T(f"Create a user and switch to it by number in the final stage: RUN {command}, "
             "then USER 10001 (a numeric UID lets Kubernetes verify runAsNonRoot).",
             f"Crea un usuario y cámbiate a él por número en la etapa final: RUN {command} y "
             "luego USER 10001 (un UID numérico permite a Kubernetes verificar runAsNonRoot).")


def _deployed_non_root(ctx: Context, df: Dockerfile) -> T | None:
    """Why the repository's own manifests run the image as non-root (every container that
    runs it sets a non-zero runAsUser), or None."""
    deployed = deployments(ctx.repo, df)
    if not deployed:
        return None
    users = [(d, run_as_user(d)) for d in deployed]
    if any(uid is None or uid == 0 for _, uid in users):
        return None
    first, uid = users[0]
    more = f" (and {len(users) - 1} more)" if len(users) > 1 else ""
    more_es = f" (y {len(users) - 1} más)" if len(users) > 1 else ""
    return T(f"its deployment runs it as user {uid}: securityContext.runAsUser in "
             f"{first.where}{more} ({first.how})",
             f"su despliegue la ejecuta como el usuario {uid}: securityContext.runAsUser en "
             f"{first.where}{more_es} ({first.how})")


def _dock005(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    ci_image = ci_job_image(ctx, df)
    if ci_image is not None:
        yield skipped(ci_image + T(": container jobs often need root to install tools, so the "
                                   "non-root rule does not apply",
                                   ": los jobs en contenedor suelen necesitar root para instalar "
                                   "herramientas, así que la regla de no-root no aplica"),
                      df.path)
        return
    root, image = _base(df, final)
    user_inst = df.effective(final, "USER")
    fix = non_root_fix(root, image)
    if user_inst is None:
        if root.is_scratch:
            yield failed(T(f"final {_where(final)} is FROM scratch with no USER: it runs as uid 0",
                           f"la {_donde(final)} final es FROM scratch sin USER: se ejecuta con "
                           "uid 0"), df.path, final.line,
                         fix=T("Add USER 65532 (or any non-zero uid) to the final stage.",
                               "Añade USER 65532 (o cualquier uid distinto de 0) a la etapa "
                               "final."))
            return
        names = unresolved(root.base)
        if names or image is None:
            yield warned(T(f"final {_where(final)} has no USER and its base '{root.base}' uses "
                           f"unresolved variables ({', '.join(names)}): cannot verify the "
                           "default user",
                           f"la {_donde(final)} final no tiene USER y su base '{root.base}' usa "
                           f"variables sin resolver ({', '.join(names)}): no se puede verificar "
                           "el usuario por defecto"), df.path, root.line, fix=fix)
            return
        if in_list(image, "nonroot_bases"):
            yield passed(T(f"final {_where(final)} has no USER, but its base {image} runs as "
                           "non-root",
                           f"la {_donde(final)} final no tiene USER, pero su base {image} se "
                           "ejecuta como no-root"), df.path, root.line)
            return
        builder_users = [i for s in df.stages if s.index not in {m.index for m in
                                                                 df.lineage(final)}
                         for i in s.find("USER")]
        extra = ""
        extra_es = ""
        if builder_users:
            extra = (f"; the USER at line {builder_users[-1].line} is in another stage and "
                     "does not reach the runtime image")
            extra_es = (f"; el USER de la línea {builder_users[-1].line} está en otra etapa y "
                        "no llega a la imagen final")
        deployed = _deployed_non_root(ctx, df)
        if deployed is not None:
            yield warned(T(f"final {_where(final)} has no USER: the image defaults to root "
                           f"(base {image}){extra}, but ",
                           f"la {_donde(final)} final no tiene USER: la imagen arranca como "
                           f"root (base {image}){extra_es}, pero ") + deployed,
                         df.path, final.line, fix=fix + T(
                             " The image then runs as non-root wherever it is started, not "
                             "only under the manifests.",
                             " Así la imagen corre sin root dondequiera que se arranque, no "
                             "solo con los manifiestos."))
            return
        yield failed(T(f"final {_where(final)} has no USER: the container runs as root "
                       f"(base {image}){extra}",
                       f"la {_donde(final)} final no tiene USER: el contenedor se ejecuta como "
                       f"root (base {image}){extra_es}"), df.path, final.line, fix=fix)
        return
    value = user_inst.value.strip()
    names = unresolved(value.split(":", 1)[0])  # only the user part decides root
    if names:
        yield warned(T(f"USER {value} at line {user_inst.line} uses unresolved variables "
                       f"({', '.join(names)}): cannot verify it is not root",
                       f"USER {value} en la línea {user_inst.line} usa variables sin resolver "
                       f"({', '.join(names)}): no se puede verificar que no sea root"),
                     df.path, user_inst.line,
                     fix=T("Give the ARG a non-root default (ARG UID=1000) or write the user "
                           "literally.",
                           "Da al ARG un valor por defecto no-root (ARG UID=1000) o escribe el "
                           "usuario literalmente."))
        return
    user = value.split(":", 1)[0].strip()
    if user.lower() == "root" or (user.isdigit() and int(user) == 0) or not user:
        yield failed(T(f"final {_where(final, user_inst.line)} runs as root: USER {value}",
                       f"la {_donde(final, user_inst.line)} final se ejecuta como root: USER "
                       f"{value}"), df.path, user_inst.line, fix=fix)
        return
    if not user.isdigit() and user not in (image_data().get("preexisting_users") or []) \
            and not in_list(image, "nonroot_bases") and not _user_created(df, final, user):
        yield warned(T(f"USER {user} at line {user_inst.line} is never created in the final "
                       "stage (useradd/adduser): unless the base defines it, docker run fails "
                       "with 'unable to find user'",
                       f"USER {user} en la línea {user_inst.line} nunca se crea en la etapa "
                       "final (useradd/adduser): salvo que la base lo defina, docker run falla "
                       "con 'unable to find user'"), df.path, user_inst.line,
                     fix=_create_user_fix(root, image, user))
        return
    yield passed(T(f"final {_where(final, user_inst.line)} runs as {value}",
                   f"la {_donde(final, user_inst.line)} final se ejecuta como {value}"),
                 df.path, user_inst.line)


@check("dockerfiles_non_root")
def dockerfile_non_root(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK005: the final stage (following FROM <stage> chains) runs as a non-root user."""
    yield from _each(ctx, _dock005)


# -- compose ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    name: str
    path: str  # compose file
    line: int | None
    body: dict[str, Any]

    def context(self) -> str | None:
        """Repository path of the build context, if the service builds an image."""
        build = self.body.get("build")
        if isinstance(build, str):
            context = build
        elif isinstance(build, dict):
            context = str(build.get("context", "."))
        else:
            return None
        if "://" in context or context.startswith("git@"):
            return None  # a remote context
        base = str(PurePosixPath(self.path).parent)
        return posixpath.normpath(posixpath.join(base, context))

    def dockerfile(self) -> str | None:
        """Repository path of the Dockerfile this service builds, if it builds one."""
        build = self.body.get("build")
        if build is None:
            return None
        context, name = ".", "Dockerfile"
        if isinstance(build, str):
            context = build
        elif isinstance(build, dict):
            context = str(build.get("context", "."))
            name = str(build.get("dockerfile", "Dockerfile"))
        base = str(PurePosixPath(self.path).parent)
        return posixpath.normpath(posixpath.join(base, context, name))


@dataclass
class Compose:
    files: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    broken: list[ParseError] = field(default_factory=list)
    top: dict[str, list[str]] = field(default_factory=dict)  # networks/volumes: names
    version: list[tuple[str, int | None]] = field(default_factory=list)


def _services_of(ctx: Context, path: str) -> list[Service]:
    data = ctx.repo.parse(path, load_yaml_rt)
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return []
    return [Service(str(name), path, line_of(services, key=name), body)
            for name, body in services.items() if isinstance(body, dict)]


def compose_paths(ctx: Context) -> list[str]:
    """The project's compose files: its own, plus the stacks elsewhere in the repository
    (a monorepo's root ``docker-compose.yml``) with a service built from the project's
    directory; a project with none of its own gets the files outside every project."""
    own = own_paths(ctx.files(COMPOSE_GLOBS, case_sensitive=False), ctx.repo)
    if ctx.project.path == ".":
        return own
    every = own_paths(ctx.repo.glob(COMPOSE_GLOBS, case_sensitive=False), ctx.repo)
    if not own:
        return [p for p in every
                if not any(_inside(p, proj.path) for proj in ctx.repo.projects)]
    building = [p for p in every if p not in own and any(
        (context := s.context()) is not None
        and (context == ctx.project.path or _inside(context, ctx.project.path))
        for s in _services_of(ctx, p))]
    return own + building


def load_compose(ctx: Context) -> Compose:
    out = Compose()
    for path in compose_paths(ctx):
        data = ctx.repo.parse(path, load_yaml_rt)
        if isinstance(data, ParseError):
            out.broken.append(data)
            continue
        out.files.append(path)
        if not isinstance(data, dict):
            continue
        if "version" in data:
            out.version.append((path, line_of(data, key="version")))
        services = data.get("services")
        if isinstance(services, dict):
            for name, body in services.items():
                if isinstance(body, dict):
                    out.services.append(Service(str(name), path, line_of(services, key=name),
                                                body))
        for key in ("networks", "volumes"):
            value = data.get(key)
            if isinstance(value, dict) and value:
                out.top.setdefault(key, []).extend(str(k) for k in value)
    return out


def _healthcheck(service: Service) -> dict[str, Any] | None:
    value = service.body.get("healthcheck")
    if not isinstance(value, dict) or value.get("disable") is True:
        return None
    test = value.get("test")
    if isinstance(test, list) and test and str(test[0]).upper() == "NONE":
        return None
    return value if test else None


def _compose_probe(test: Any) -> tuple[list[str], bool] | None:
    if isinstance(test, str):
        return _shell_argv(test), True
    if isinstance(test, list) and test:
        head = str(test[0]).upper()
        if head == "CMD":
            return [str(t) for t in test[1:]], False
        if head == "CMD-SHELL":
            return _shell_argv(" ".join(str(t) for t in test[1:])), True
    return None


# -- DOCK006 ---------------------------------------------------------------------------


def _shell_argv(text: str) -> list[str]:
    commands = split_commands(text)
    return list(commands[0].argv) if commands else []


def healthcheck_probe(inst: Instruction) -> tuple[list[str], bool]:
    """The probe's argument vector and whether it runs through /bin/sh."""
    rest = inst.args.strip()
    body = rest[3:].strip() if rest.upper().startswith("CMD") else rest
    if body.startswith("["):
        try:
            value = json.loads(body)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value, False
    return _shell_argv(body), True


def _binary_present(df: Dockerfile, stage: Stage, program: str) -> tuple[bool | None, str]:
    """Whether ``program`` exists in the image of ``stage``: True, False, or None when it
    cannot be told; plus how that was decided."""
    root, image = _base(df, stage)
    for package, inst in installed_packages(df, stage):
        if package.split("=", 1)[0].lower() == program:
            return True, f"installed at line {inst.line}"
    for inst in df.inherited(stage, "COPY", "ADD"):
        if any(PurePosixPath(a).name == program for a in inst.args.split()):
            return True, f"copied at line {inst.line}"
    if program in ("curl", "wget"):
        if in_list(image, "probe_binaries", program):
            return True, f"present in the base {image}"
        if root.is_scratch or image is not None:
            return False, f"the base {image or 'scratch'} does not ship it and no stage " \
                          "installs it"
        return None, f"the base '{root.base}' cannot be resolved"
    if _PYTHON.match(program):
        if in_list(image, "python_bases"):
            return True, f"the base {image} ships Python"
        if any(_PYTHON.match(p.split("=", 1)[0]) or p.startswith("python3")
               for p, _ in installed_packages(df, stage)):
            return True, "Python is installed"
        return None, f"cannot tell whether the base {image or root.base} ships Python"
    return None, f"cannot tell whether '{program}' exists in the image"


_SERVER_PROGRAMS = frozenset({"uvicorn", "gunicorn", "hypercorn", "daphne", "waitress-serve",
                              "flask", "streamlit", "gradio", "panel", "voila", "jupyter",
                              "mlflow", "bentoml", "torchserve", "tritonserver", "nginx",
                              "httpd", "caddy", "node", "npm", "java", "dotnet", "mlserver",
                              "seldon-core-microservice", "serve", "tensorflow_model_server",
                              "text-generation-launcher", "vllm"})
_PORT_ARG = re.compile(r"(^|\s)(--port|--bind|-b|--listen|--server\.port|--http-port)(\s|=)|"
                       r"(0\.0\.0\.0|localhost|\[::\]):\d{2,5}|\$\{?PORT\b")


def _env_port(df: Dockerfile, final: Stage) -> str | None:
    """The PORT the final stage sets with ENV (the convention of Cloud Run and Heroku)."""
    value = final.env.get("PORT")
    return value.strip() if value and value.strip().isdigit() else None


def _exposed_port(df: Dockerfile, final: Stage, services: list[Service]) -> str | None:
    """The first port the image documents (EXPOSE) or a compose service publishes."""
    for inst in df.inherited(final, "EXPOSE"):
        for word in inst.args.split():
            port = word.split("/", 1)[0]
            if port.isdigit():
                return port
    for service in services:
        ports = service.body.get("ports")
        for item in ports if isinstance(ports, list) else []:
            target = item.get("target") if isinstance(item, dict) else str(item).rsplit(":", 1)[-1]
            port = str(target).split("/", 1)[0]
            if port.isdigit():
                return port
    return None


# a listening socket in source code (Go, Node.js, Java, .NET, Rust, Python, Ruby)
_LISTENS = re.compile(r"ListenAndServe|net\.Listen\(|grpc\.NewServer\(|\.listen\(|"
                      r"createServer\(|SpringApplication\.run|HttpServer\.create|"
                      r"WebApplication\.Create|TcpListener::bind|\.bind\(\s*\(|"
                      r"uvicorn\.run\(|\.run\(\s*host\s*=|serve_forever\(|"
                      r"start_http_server\(|add_insecure_port\(|BindAddress|"
                      r"\bset\s+:(port|bind)\b|require\s+['\"]sinatra|express\(\)")
_SOURCE_SUFFIXES = frozenset({".go", ".js", ".mjs", ".ts", ".java", ".kt", ".cs", ".rs",
                              ".py", ".rb", ".php"})
_MAX_SOURCE_FILES = 300


def _source_listens(ctx: Context, df: Dockerfile) -> bool:
    """Whether the source code in the Dockerfile's folder opens a listening socket."""
    directory = str(PurePosixPath(df.path).parent)
    prefix = "" if directory == "." else directory + "/"
    scanned = 0
    for path in ctx.repo.files:
        if not path.startswith(prefix) or PurePosixPath(path).suffix not in _SOURCE_SUFFIXES:
            continue
        scanned += 1
        if scanned > _MAX_SOURCE_FILES:
            return True  # too large to tell: assume it serves
        text = ctx.repo.text(path)
        if isinstance(text, str) and _LISTENS.search(text[:200_000]):
            return True
    return False


def _serves(ctx: Context, df: Dockerfile, final: Stage) -> bool:
    """Whether anything shows the image serves: a known server program or a port option in
    its command, a base that runs a server, or source in its folder that listens."""
    argv = _entry_argv(df, final) or []
    text = " ".join(argv)[:2000]
    program = PurePosixPath(argv[0]).name if argv else ""
    _, image = _base(df, final)
    return program in _SERVER_PROGRAMS or bool(_PORT_ARG.search(text)) or any(
        PurePosixPath(a).name in _SERVER_PROGRAMS for a in argv[1:3]) or in_list(
        image, "server_bases") or _source_listens(ctx, df)


def healthcheck_fix(df: Dockerfile, final: Stage, port: str | None,
                    listen: Listening | None = None) -> T:
    """A HEALTHCHECK the final image can run: a Python probe where there is Python, curl
    or wget where the image has them, and for images without a shell or those tools (a
    distroless Go binary) an exec-form probe binary. The port and route are the project's
    (EXPOSE, its deployment, ENV PORT, its code); when they are unknown it says so rather
    than assume 8000 and /health; a gRPC server gets grpc_health_probe."""
    listen = listen or Listening()
    port = port or listen.port
    flags = "HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 CMD "
    note_en = note_es = ""
    if port is None:
        port = "<port>"
        note_en = " (<port>: the port the service listens on; nothing in the repository shows it)"
        note_es = (" (<port>: el puerto en el que escucha el servicio; nada en el repositorio "
                   "lo indica)")
    if listen.grpc and not listen.health:
        probe = json.dumps(["/bin/grpc_health_probe", f"-addr=:{port}"])
        return T(f"It serves gRPC, so an HTTP probe does not fit: copy the static "
                 f"grpc_health_probe binary into the final stage and add {flags}{probe}"
                 f"{note_en}; or leave health checking to Kubernetes grpc probes.",
                 f"Sirve gRPC, así que una sonda HTTP no encaja: copia el binario estático "
                 f"grpc_health_probe a la etapa final y añade {flags}{probe}{note_es}; o deja "
                 "la comprobación a sondas grpc de Kubernetes.")
    route = listen.route or "/health"
    if listen.route is None:
        note_en += (f"; the code shows no health route: add one ({route}) or probe a route "
                    "the app serves")
        note_es += (f"; el código no muestra una ruta de salud: añade una ({route}) o sondea "
                    "una ruta que sirva la app")
    elif not listen.health:
        note_en += ("; the code shows no health route, so this probes / (a dedicated one is "
                    "better)")
        note_es += ("; el código no muestra una ruta de salud, así que se sondea / (mejor una "
                    "propia)")
    url = f"http://localhost:{port}{route}"
    root, image = _base(df, final)
    runtimes = stage_runtimes(df, final)
    python = "Python" in runtimes or in_list(image, "python_bases")
    shell_less = root.is_scratch or in_list(image, "shell_less_bases")
    if python and not shell_less:
        probe = json.dumps(["python", "-c", f"import urllib.request; "
                            f"urllib.request.urlopen('{url}')"])
        return T(f"Add to the final stage: {flags}{probe}{note_en}",
                 f"Añade a la etapa final: {flags}{probe}{note_es}")
    for tool, probe in (("curl", f"curl -fsS {url} || exit 1"),
                        ("wget", f"wget -qO- {url} || exit 1")):
        if _binary_present(df, final, tool)[0] and not shell_less:
            return T(f"Add to the final stage: {flags}{probe}{note_en}",
                     f"Añade a la etapa final: {flags}{probe}{note_es}")
    if shell_less:
        return T(f"The base {image or 'scratch'} has no shell, curl or Python: copy a static "
                 "probe binary into the image (grpc_health_probe for a gRPC server, or a "
                 "health subcommand of the program itself) and call it in exec form, "
                 f'{flags}["/bin/healthcheck"]; or leave health checking to the '
                 "orchestrator's probes (a Kubernetes readinessProbe/livenessProbe).",
                 f"La base {image or 'scratch'} no tiene shell, curl ni Python: copia un "
                 "binario de sonda estático en la imagen (grpc_health_probe para un servidor "
                 "gRPC, o un subcomando de salud del propio programa) y llámalo en forma exec, "
                 f'{flags}["/bin/healthcheck"]; o deja la comprobación a las sondas del '
                 "orquestador (readinessProbe/livenessProbe de Kubernetes).")
    install = ("apk add --no-cache curl" if in_list(image, "busybox_bases")
               else "apt-get install -y --no-install-recommends curl, or apk add --no-cache "
                    "curl")
    return T(f"Install curl in the final stage ({install}) and add {flags}curl -fsS {url} "
             f"|| exit 1{note_en}",
             f"Instala curl en la etapa final ({install.replace(', or ', ', o ')}) y añade "
             f"{flags}curl -fsS {url} || exit 1{note_es}")


def _probe_verdict(df: Dockerfile, final: Stage, argv: list[str], shell: bool,
                   path: str, line: int | None, level: int) -> Finding:
    root, image = _base(df, final)
    if shell and (root.is_scratch or in_list(image, "shell_less_bases")):
        return failed(T(f"the health probe is in shell form but the base "
                        f"{image or 'scratch'} has no /bin/sh",
                        f"la sonda de salud está en forma shell pero la base "
                        f"{image or 'scratch'} no tiene /bin/sh"), path, line, level,
                      fix=T("Use exec form with a binary the image has. ",
                            "Usa forma exec con un binario que exista. ")
                      + healthcheck_fix(df, final, _exposed_port(df, final, [])))
    if not argv:
        return warned(T("the health probe command cannot be read",
                        "no se puede leer el comando de la sonda de salud"), path, line, level)
    program = PurePosixPath(argv[0]).name
    present, how = _binary_present(df, final, program)
    if present is False:
        return failed(T(f"the health probe calls {program}, which the final image lacks "
                        f"({how}): the check always fails and the container turns unhealthy",
                        f"la sonda de salud llama a {program}, que la imagen final no tiene "
                        f"({how}): la comprobación siempre falla y el contenedor queda "
                        "unhealthy"), path, line, level,
                      fix=T(f"Install {program} in the runtime stage, or probe with what "
                            "the image has. ",
                            f"Instala {program} en la etapa final, o sondea con lo que tenga "
                            "la imagen. ") + healthcheck_fix(df, final, _exposed_port(df, final,
                                                                                        [])))
    if present is None:
        return warned(T(f"the health probe calls {program}: {how} (cannot verify)",
                        f"la sonda de salud llama a {program}: {how} (no se puede verificar)"),
                      path, line, level)
    return passed(T(f"the probe binary {program} is in the final image ({how})",
                    f"el binario de la sonda {program} está en la imagen final ({how})"),
                  path, line, level)


HC_FLAGS = ("interval", "timeout", "start-period", "retries")


def _dock006_compose(df: Dockerfile, final: Stage, services: list[Service]) -> Iterator[Finding]:
    service = services[0]
    hc = _healthcheck(service) or {}
    line = line_of(service.body, key="healthcheck") or service.line
    yield passed(T(f"no HEALTHCHECK in {df.path}, but compose service '{service.name}' "
                   f"({service.path}) that builds it has a healthcheck",
                   f"no hay HEALTHCHECK en {df.path}, pero el servicio compose "
                   f"'{service.name}' ({service.path}) que lo construye tiene healthcheck"),
                 service.path, line, level=2)
    missing = [k for k in ("interval", "timeout", "start_period", "retries") if k not in hc]
    if missing:
        yield failed(T(f"compose healthcheck of '{service.name}' does not set "
                       f"{', '.join(missing)}",
                       f"el healthcheck compose de '{service.name}' no fija {', '.join(missing)}"),
                     service.path, line, level=3,
                     fix=T("Set interval: 30s, timeout: 10s, start_period: 40s, retries: 3.",
                           "Fija interval: 30s, timeout: 10s, start_period: 40s, retries: 3."))
        return
    probe = _compose_probe(hc.get("test"))
    if probe is None:
        yield warned(T("the compose healthcheck test cannot be read",
                       "no se puede leer el test del healthcheck compose"),
                     service.path, line, level=3)
        return
    yield _probe_verdict(df, final, probe[0], probe[1], service.path, line, 3)


def _dock006(ctx: Context, df: Dockerfile, services: list[Service]) -> Iterator[Finding]:
    final = final_stage(df)
    ci_image = ci_job_image(ctx, df)
    if ci_image is not None:
        yield skipped(ci_image + T(": it runs job steps, not a long-lived service, so a "
                                   "HEALTHCHECK does not apply",
                                   ": ejecuta pasos de jobs, no un servicio de larga duración, "
                                   "así que un HEALTHCHECK no aplica"), df.path)
        return
    hc = df.effective(final, "HEALTHCHECK")
    linked = [s for s in services if s.dockerfile() == df.path and _healthcheck(s)]
    if hc is None:
        if linked:
            yield from _dock006_compose(df, final, linked)
            return
        members = {s.index for s in df.lineage(final)}
        elsewhere = [i for s in df.stages if s.index not in members
                     for i in s.find("HEALTHCHECK")]
        extra = extra_es = ""
        if elsewhere:
            extra = (f"; the HEALTHCHECK at line {elsewhere[-1].line} is in a builder stage and "
                     "does not reach the runtime image")
            extra_es = (f"; el HEALTHCHECK de la línea {elsewhere[-1].line} está en una etapa "
                        "builder y no llega a la imagen final")
        deployed = deployments(ctx.repo, df)
        running = [d for d in deployed if d.long_running]
        probed = [(d, label) for d in running if (label := probe_label(d))]
        if running and len(probed) == len(running):
            d, label = probed[0]
            more = f" (and {len(probed) - 1} more)" if len(probed) > 1 else ""
            more_es = f" (y {len(probed) - 1} más)" if len(probed) > 1 else ""
            message = T(f"no HEALTHCHECK in {df.path}, but the Kubernetes containers that run "
                        f"it are probed: {label} in {d.where}{more} ({d.how}); Kubernetes "
                        "ignores Docker's HEALTHCHECK and uses these",
                        f"no hay HEALTHCHECK en {df.path}, pero los contenedores de Kubernetes "
                        f"que la ejecutan tienen sondas: {label} en {d.where}{more_es} "
                        f"({d.how}); Kubernetes ignora el HEALTHCHECK de Docker y usa estas")
            yield passed(message, d.path, d.line, level=2)
            yield passed(message, d.path, d.line, level=3)
            return
        if deployed and not running and not elsewhere:
            d = deployed[0]
            yield skipped(T(f"no HEALTHCHECK in the final {_where(final)}, and none needed: its "
                            f"manifests run it as a {d.kind} ({d.where}; {d.how}), a job that "
                            "runs to completion, not a service to probe",
                            f"no hay HEALTHCHECK en la {_donde(final)} final, ni hace falta: sus "
                            f"manifiestos la ejecutan como {d.kind} ({d.where}; {d.how}), un "
                            "job que termina, no un servicio que sondear"), df.path)
            return
        building = [s for s in services if s.dockerfile() == df.path]
        port = _exposed_port(df, final, building)
        why = None if port is not None or elsewhere or _serves(ctx, df, final) else (
            batch_image(ctx, df, final) or non_python_runtime(df, final))
        if why is not None:
            yield skipped(T(f"no HEALTHCHECK in the final {_where(final)}, and nothing shows a "
                            "server to probe: no EXPOSE, no published compose port, no server "
                            "or port in its command or its code; ",
                            f"no hay HEALTHCHECK en la {_donde(final)} final, y nada indica un "
                            "servidor que sondear: sin EXPOSE, sin puerto publicado en compose, "
                            "sin servidor ni puerto en su comando ni en su código; ") + why,
                          df.path)
            return
        message = T(f"no HEALTHCHECK in the final {_where(final)} and no compose healthcheck "
                    f"for it{extra}",
                    f"no hay HEALTHCHECK en la {_donde(final)} final ni healthcheck compose "
                    f"para ella{extra_es}")
        fix = healthcheck_fix(df, final, port, listening(ctx.repo, df, _env_port(df, final),
                                                          deployed))
        line = elsewhere[-1].line if elsewhere else final.line
        yield failed(message, df.path, line, level=2, fix=fix)
        yield failed(message, df.path, line, level=3, fix=fix)
        return
    if hc.args.strip().upper().startswith("NONE"):
        message = T(f"HEALTHCHECK NONE at line {hc.line} disables the health check of the final "
                    "image",
                    f"HEALTHCHECK NONE en la línea {hc.line} desactiva el health check de la "
                    "imagen final")
        yield failed(message, df.path, hc.line, level=2)
        yield failed(message, df.path, hc.line, level=3)
        return
    origin = "" if hc in final.instructions else " (inherited from a parent stage)"
    origin_es = "" if hc in final.instructions else " (heredado de una etapa padre)"
    yield passed(T(f"HEALTHCHECK at line {hc.line}{origin}", f"HEALTHCHECK en la línea "
                   f"{hc.line}{origin_es}"), df.path, hc.line, level=2)
    missing = [f"--{f}" for f in HC_FLAGS if f not in hc.flags]
    if missing:
        yield failed(T(f"HEALTHCHECK at line {hc.line} does not set {', '.join(missing)} "
                       "(defaults: 30s interval, 30s timeout, 0s start period, 3 retries)",
                       f"HEALTHCHECK en la línea {hc.line} no fija {', '.join(missing)} "
                       "(por defecto: 30s, 30s, 0s de arranque, 3 reintentos)"),
                     df.path, hc.line, level=3,
                     fix=T("HEALTHCHECK --interval=30s --timeout=10s --start-period=40s "
                           "--retries=3 CMD …", "HEALTHCHECK --interval=30s --timeout=10s "
                           "--start-period=40s --retries=3 CMD …"))
    argv, shell = healthcheck_probe(hc)
    probe = _probe_verdict(df, final, argv, shell, df.path, hc.line, 3)
    if probe.status is not Status.PASS or not missing:
        yield probe  # a missing binary is worth saying even when flags are missing too


@check("dockerfiles_healthcheck")
def dockerfile_healthcheck(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK006: a HEALTHCHECK reaches the final image (or a compose healthcheck covers it)
    (L2); all four timing flags and a probe binary the image really has (L3)."""
    services = load_compose(ctx).services
    yield from _each(ctx, lambda c, df: _dock006(c, df, services), (2, 3))


# -- DOCK007 ---------------------------------------------------------------------------


def _is_dep_install(cmd: Simple) -> bool:
    """A command that installs the project's dependencies from local files."""
    prog, args = cmd.program, cmd.args
    if prog == "uv" and args[:1] == ("pip",):
        prog, args = "pip", args[1:]
    if _PIP.match(prog) and "install" in args:
        rest = args[args.index("install") + 1:]
        return any(a in ("-r", "--requirement", "-e", "--editable", "-c", "--constraint")
                   or a.startswith(("-r", "--requirement=", ".", "/", "-e"))
                   for a in rest)
    if prog in ("poetry", "pdm", "pipenv") and args[:1] in (("install",), ("sync",)):
        return True
    return prog == "uv" and args[:1] == ("sync",)


def _pip_no_cache(cmd: Simple) -> bool:
    """``--no-cache-dir``, or an unambiguous abbreviation pip accepts (``--no-cache``)."""
    return any(len(a) >= len("--no-ca") and "--no-cache-dir".startswith(a) for a in cmd.args)


def _is_pip(cmd: Simple) -> bool:
    return bool(_PIP.match(cmd.program) and "install" in cmd.args)


_UV_NO_CACHE = frozenset({"--no-cache", "--no-cache-dir", "-n"})  # uv's alias for pip's flag


def _is_uv_pip(cmd: Simple) -> bool:
    return cmd.program == "uv" and (cmd.args[:2] == ("pip", "install") or cmd.args[:1] ==
                                    ("sync",))


def _copy_sources(inst: Instruction) -> list[str]:
    args = inst.exec_args
    tokens = args if args is not None else inst.args.split()
    return tokens[:-1]


def _is_manifest(source: str) -> bool:
    name = PurePosixPath(source.rstrip("/")).name if source.strip("./") else "."
    # requirements*.txt, requirements.in* (optional files copied with a wildcard)
    if _MANIFEST.match(name) or _MANIFEST.match(name.replace("*", "")):
        return True
    # requirements/*.txt, requirements/base.in: files of a requirements directory
    parts = PurePosixPath(source.rstrip("/")).parts
    return (len(parts) >= 2 and parts[-2].lower() == "requirements"
            and re.search(r"\.(txt|in)\*?$", name, re.IGNORECASE) is not None)


def _cache_mounted(inst: Instruction, *targets: str) -> bool:
    for mount in inst.mounts():
        if mount.get("type") == "cache":
            target = mount.get("target") or mount.get("dst") or mount.get("destination") or ""
            if not targets or any(t in target for t in targets):
                return True
    return False


def _runs_with_env(df: Dockerfile, stage: Stage
                   ) -> Iterator[tuple[Instruction, dict[str, str | None]]]:
    """Each RUN of ``stage``'s lineage with the ARG/ENV values in force when it runs."""
    env: dict[str, str | None] = {}
    for inst in df.inherited(stage, "ENV", "ARG", "RUN"):
        if inst.cmd == "RUN":
            yield inst, env
        else:
            env = {**env, **split_pairs(inst.value)}


def _order_problem(df: Dockerfile, stage: Stage) -> Finding | None:
    """The first dependency install of ``stage``'s lineage preceded by a source COPY."""
    source_copy: Instruction | None = None
    for inst in df.inherited(stage):
        if inst.cmd in ("COPY", "ADD") and "from" not in inst.flags and inst.heredoc is None:
            sources = _copy_sources(inst)
            if source_copy is None and any(not _is_manifest(s) for s in sources):
                source_copy = inst
        if any(_is_dep_install(c) for c in run_commands(inst)):
            if source_copy is None:
                return None
            owner = next(s for s in df.lineage(stage) if inst in s.instructions)
            return failed(
                T(f"{source_copy.cmd} {source_copy.args} at line {source_copy.line} precedes the "
                  f"dependency install at line {inst.line} ({_where(owner, inst.line)}): every "
                  "source change reinstalls all dependencies",
                  f"{source_copy.cmd} {source_copy.args} en la línea {source_copy.line} va "
                  f"antes de la instalación de dependencias en la línea {inst.line} "
                  f"({_donde(owner, inst.line)}): cada cambio de código reinstala todas las "
                  "dependencias"),
                df.path, source_copy.line,
                fix=T("COPY requirements.txt (or pyproject.toml + lockfile) first, RUN pip "
                      "install --no-cache-dir -r requirements.txt, then COPY the source.",
                      "Copia primero requirements.txt (o pyproject.toml + lockfile), ejecuta RUN "
                      "pip install --no-cache-dir -r requirements.txt y después copia el "
                      "código."))
    return None


def _hygiene(df: Dockerfile, final: Stage) -> Iterator[Finding]:
    for inst, env in _runs_with_env(df, final):
        commands = run_commands(inst)
        script = inst.script
        for cmd in commands:
            if _is_pip(cmd) and not _pip_no_cache(cmd) \
                    and not env.get("PIP_NO_CACHE_DIR") \
                    and not _cache_mounted(inst) and ".cache/pip" not in script:
                yield failed(T(f"pip install at line {inst.line} keeps its download cache in "
                               "the runtime image",
                               f"pip install en la línea {inst.line} deja su caché de "
                               "descargas en la imagen final"), df.path, inst.line,
                             fix=T("Add --no-cache-dir (or ENV PIP_NO_CACHE_DIR=1, or RUN "
                                   "--mount=type=cache,target=/root/.cache/pip).",
                                   "Añade --no-cache-dir (o ENV PIP_NO_CACHE_DIR=1, o RUN "
                                   "--mount=type=cache,target=/root/.cache/pip)."))
            elif _is_uv_pip(cmd) and not _UV_NO_CACHE.intersection(cmd.args) \
                    and not env.get("UV_NO_CACHE") \
                    and not _cache_mounted(inst) and ".cache/uv" not in script \
                    and "uv cache clean" not in script:
                yield failed(T(f"uv at line {inst.line} keeps its cache in the runtime image",
                               f"uv en la línea {inst.line} deja su caché en la imagen final"),
                             df.path, inst.line,
                             fix=T("Add --no-cache (or ENV UV_NO_CACHE=1, or a cache mount).",
                                   "Añade --no-cache (o ENV UV_NO_CACHE=1, o un cache mount)."))
            elif cmd.program in ("apt-get", "apt") and "install" in cmd.args:
                problems = []
                if "--no-install-recommends" not in cmd.args and \
                        "APT::Install-Recommends=false" not in script:
                    problems.append("--no-install-recommends")
                if "/var/lib/apt/lists" not in script and not _cache_mounted(inst, "/var/lib/apt"):
                    problems.append("rm -rf /var/lib/apt/lists/*")
                if problems:
                    yield failed(T(f"apt-get install at line {inst.line} lacks "
                                   f"{' and '.join(problems)} in the same RUN",
                                   f"apt-get install en la línea {inst.line} no tiene "
                                   f"{' ni '.join(problems)} en el mismo RUN"),
                                 df.path, inst.line,
                                 fix=T("RUN apt-get update && apt-get install -y "
                                       "--no-install-recommends <pkgs> && rm -rf "
                                       "/var/lib/apt/lists/*",
                                       "RUN apt-get update && apt-get install -y "
                                       "--no-install-recommends <paquetes> && rm -rf "
                                       "/var/lib/apt/lists/*"))
            elif cmd.program == "apk" and "add" in cmd.args and "--no-cache" not in cmd.args \
                    and "/var/cache/apk" not in script and not _cache_mounted(inst, "apk"):
                yield failed(T(f"apk add at line {inst.line} keeps the package index in the "
                               "image", f"apk add en la línea {inst.line} deja el índice de "
                               "paquetes en la imagen"), df.path, inst.line,
                             fix=T("Use apk add --no-cache.", "Usa apk add --no-cache."))


def _local_adds(df: Dockerfile) -> Iterator[Finding]:
    for inst in df.instructions:
        if inst.cmd != "ADD" or inst.heredoc is not None:
            continue
        sources = _copy_sources(inst)
        local = [s for s in sources if not _URL.match(s) and not _ARCHIVE.search(s)]
        if local:
            yield warned(T(f"ADD at line {inst.line} copies local files ({', '.join(local)}): "
                           "ADD also unpacks archives and fetches URLs, COPY says what it does",
                           f"ADD en la línea {inst.line} copia archivos locales "
                           f"({', '.join(local)}): ADD también descomprime y descarga URLs, "
                           "COPY dice lo que hace"), df.path, inst.line,
                         fix=T(f"Replace ADD with COPY at line {inst.line}.",
                               f"Sustituye ADD por COPY en la línea {inst.line}."))


def _dock007(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    problems = 0
    checked: set[int] = set()
    for stage in df.stages:
        finding = _order_problem(df, stage)
        if finding is not None and finding.line not in checked:
            checked.add(finding.line or 0)
            problems += 1
            yield finding
    for finding in [*_hygiene(df, final), *_local_adds(df)]:
        problems += 1
        yield finding
    if not problems:
        yield passed(T("dependency manifests installed before the source COPY; no package "
                       "caches or apt lists left in the runtime image",
                       "manifiestos de dependencias instalados antes de copiar el código; sin "
                       "cachés de paquetes ni listas de apt en la imagen final"), df.path)


@check("dockerfiles_layer_hygiene")
def dockerfile_layer_hygiene(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK007: manifests installed before the source COPY; pip/uv caches and apt lists
    kept out of the runtime stages; ADD only for URLs and archives (warn)."""
    yield from _each(ctx, _dock007)


# -- DOCK008 ---------------------------------------------------------------------------


def _dock008(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    problems = 0
    root, image = _base(df, final)
    if in_list(image, "full_bases"):
        problems += 1
        yield failed(T(f"the runtime base {image} ships compilers (gcc, make)",
                       f"la base de ejecución {image} trae compiladores (gcc, make)"),
                     df.path, root.line,
                     fix=T("Base the runtime stage on python:3.11-slim.",
                           "Basa la etapa final en python:3.11-slim."))
    tools = [(p, i) for p, i in installed_packages(df, final) if _is_build_package(p)]
    if tools:
        problems += 1
        names = ", ".join(sorted({p for p, _ in tools}))
        yield failed(T(f"the runtime {_where(final, tools[0][1].line)} installs build tooling: "
                       f"{names}",
                       f"la {_donde(final, tools[0][1].line)} final instala herramientas de "
                       f"build: {names}"), df.path, tools[0][1].line,
                     fix=T("Install compilers and -dev packages in a builder stage and copy only "
                           "the built artefacts (venv, wheels) into the runtime stage.",
                           "Instala compiladores y paquetes -dev en una etapa builder y copia "
                           "solo los artefactos (venv, wheels) a la etapa final."))
    other = non_python_runtime(df, final)
    inherited = base_env(image)
    missing = [] if root.is_scratch or other else [  # no Python in a scratch image
        name for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")
        if not final.env.get(name) and name not in inherited]
    from_base = sorted(n for n in inherited if not final.env.get(n))
    if other and not problems:
        yield skipped(T("not a Python image: ", "no es una imagen de Python: ") + other
                      + T(f"; PYTHONDONTWRITEBYTECODE/PYTHONUNBUFFERED do not apply, and the "
                          f"final {_where(final)} installs no build tooling",
                          f"; PYTHONDONTWRITEBYTECODE/PYTHONUNBUFFERED no aplican, y la "
                          f"{_donde(final)} final no instala herramientas de build"),
                      df.path)
        return
    note_en = note_es = ""
    if from_base:
        note_en = f" (its base {image} sets {' and '.join(from_base)})"
        note_es = f" (su base {image} fija {' y '.join(from_base)})"
    if missing:
        problems += 1
        yield failed(T(f"the final {_where(final)} does not set {' and '.join(missing)}"
                       + note_en,
                       f"la {_donde(final)} final no fija {' ni '.join(missing)}" + note_es),
                     df.path, final.line,
                     fix=T.same("ENV " + " ".join(f"{n}=1" for n in missing)))
    if not problems:
        yield passed(T(f"the final {_where(final)} installs no build tooling and sets "
                       "PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED" + note_en,
                       f"la {_donde(final)} final no instala herramientas de build y fija "
                       "PYTHONDONTWRITEBYTECODE y PYTHONUNBUFFERED" + note_es), df.path)


@check("dockerfiles_lean_runtime")
def dockerfile_lean_runtime(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK008: no compilers or -dev packages in the runtime stage; PYTHONDONTWRITEBYTECODE
    and PYTHONUNBUFFERED set."""
    yield from _each(ctx, _dock008)


# -- DOCK009 ---------------------------------------------------------------------------

SCAN_ACTIONS = ("aquasecurity/trivy-action", "anchore/scan-action", "docker/scout-action",
                "snyk/actions/docker", "crazy-max/ghaction-container-scan")
LINT_ACTIONS = ("hadolint/hadolint-action", "jbergstroem/hadolint-gh-action",
                "reviewdog/action-hadolint")


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int | None
    what: str
    severity: bool  # filters or fails on CRITICAL/HIGH


def _scan_command(cmd: Simple) -> str | None:
    prog, args = cmd.program, cmd.args
    if prog == "trivy" and args[:1] in (("image",), ("i",)):
        return "trivy image"
    if prog == "grype" and args:
        return "grype"
    if prog == "docker" and args[:2] in (("scout", "cves"), ("scout", "quickview")):
        return "docker scout"
    if prog == "snyk" and args[:2] == ("container", "test"):
        return "snyk container test"
    if prog == "docker" and args[:1] == ("run",) and any("trivy" in a for a in args):
        return "trivy (docker run)"
    return None


def _severity(text: str) -> bool:
    upper = text.upper()
    return "CRITICAL" in upper or "HIGH" in upper


def _workflow_steps(ctx: Context) -> Iterator[tuple[Workflow, Any]]:
    for wf in workflows(ctx.repo):
        if isinstance(wf, ParseError):
            continue
        for job in wf.jobs:
            for step in job.steps:
                yield wf, step


def _per_repo(ctx: Context, key: str, read: Callable[[Context], list[Evidence]]
              ) -> list[Evidence]:
    """``read(ctx)``, which depends on the repository only: once per run, not per project."""
    cached: list[Evidence] | None = ctx.repo.memo.get(key)
    if cached is None:
        cached = ctx.repo.memo[key] = read(ctx)
    return list(cached)


def scan_evidence(ctx: Context) -> list[Evidence]:
    return _per_repo(ctx, "docker:scan_evidence", _scan_evidence)


def lint_evidence(ctx: Context) -> list[Evidence]:
    return _per_repo(ctx, "docker:lint_evidence", _lint_evidence)


def _scan_evidence(ctx: Context) -> list[Evidence]:
    out = []
    for wf, step in _workflow_steps(ctx):
        uses = (step.uses or "").lower()
        if any(uses.startswith(a) for a in SCAN_ACTIONS):
            with_ = {str(k).lower(): str(v) for k, v in step.with_.items()}
            scan_type = with_.get("scan-type", "image")
            if "trivy" in uses and scan_type not in ("image",):
                continue
            sev = " ".join(with_.get(k, "") for k in ("severity", "severity-cutoff",
                                                      "only-severities", "args"))
            out.append(Evidence(wf.path, step.line, uses.split("@")[0], _severity(sev)))
    for command in ci_commands(ctx.repo):
        for cmd in split_commands(command.text):
            what = _scan_command(cmd)
            if what:
                out.append(Evidence(command.path, command.line, what,
                                    _severity(" ".join(cmd.args))))
    return out


def _lint_evidence(ctx: Context) -> list[Evidence]:
    out = []
    for path in ctx.repo.glob([".pre-commit-config.yaml", ".pre-commit-config.yml"]):
        config = ctx.repo.parse(path, parse_precommit)
        if isinstance(config, PreCommitConfig):
            for hook in config.hooks:
                if hook.id.startswith("hadolint") or (hook.entry or "").startswith("hadolint"):
                    out.append(Evidence(path, hook.line, f"pre-commit hook {hook.id}", True))
    for wf, step in _workflow_steps(ctx):
        uses = (step.uses or "").lower()
        if any(uses.startswith(a) for a in LINT_ACTIONS) or "hadolint/hadolint" in uses:
            out.append(Evidence(wf.path, step.line, uses.split("@")[0], True))
    for command in ci_commands(ctx.repo):
        for cmd in split_commands(command.text):
            if cmd.program == "hadolint" or (cmd.program == "docker" and
                                             any("hadolint/hadolint" in a for a in cmd.args)):
                out.append(Evidence(command.path, command.line, "hadolint", True))
    return out


@check("dockerfiles_scan_and_lint")
def docker_scanned_and_linted(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK009: an image CVE scan in CI filtered on CRITICAL/HIGH, and hadolint in CI or
    pre-commit."""
    found = load(ctx)
    if found.none:
        yield failed(no_dockerfile(found), fix=NO_DOCKERFILE_FIX, see="DOCK001")
        return
    scans = scan_evidence(ctx)
    lints = lint_evidence(ctx)
    strong = [s for s in scans if s.severity]
    if strong:
        s = strong[0]
        yield passed(T(f"image scan {s.what} filtered on CRITICAL/HIGH",
                       f"escaneo de imagen {s.what} filtrado por CRITICAL/HIGH"), s.path, s.line)
    elif scans:
        s = scans[0]
        yield warned(T(f"image scan {s.what} runs, but not limited to or failing on "
                       "CRITICAL,HIGH: every low finding is noise and nothing blocks",
                       f"el escaneo de imagen {s.what} se ejecuta, pero sin limitarse ni fallar "
                       "por CRITICAL,HIGH: los hallazgos menores son ruido y nada bloquea"),
                     s.path, s.line,
                     fix=T("Set severity: CRITICAL,HIGH and exit-code: '1' (trivy-action) or "
                           "--severity CRITICAL,HIGH --exit-code 1.",
                           "Fija severity: CRITICAL,HIGH y exit-code: '1' (trivy-action) o "
                           "--severity CRITICAL,HIGH --exit-code 1."))
    else:
        yield failed(T("no image CVE scan in CI (trivy, grype, docker scout, snyk container)",
                       "no hay escaneo de CVEs de la imagen en CI (trivy, grype, docker scout, "
                       "snyk container)"),
                     fix=T("Add a CI step after the build: uses: aquasecurity/trivy-action "
                           "with image-ref, severity: CRITICAL,HIGH, exit-code: '1' (and upload "
                           "the SARIF).",
                           "Añade un paso de CI tras el build: uses: aquasecurity/trivy-action "
                           "con image-ref, severity: CRITICAL,HIGH, exit-code: '1' (y sube el "
                           "SARIF)."))
    if lints:
        lint = lints[0]
        yield passed(T(f"Dockerfile lint: {lint.what}", f"lint de Dockerfile: {lint.what}"),
                     lint.path, lint.line)
    else:
        yield failed(T("no Dockerfile lint (hadolint) in CI or pre-commit",
                       "no hay lint de Dockerfile (hadolint) en CI ni en pre-commit"),
                     fix=T("Add the hadolint-docker hook (repo: "
                           "https://github.com/hadolint/hadolint) to .pre-commit-config.yaml, "
                           "or hadolint/hadolint-action in CI.",
                           "Añade el hook hadolint-docker (repo: "
                           "https://github.com/hadolint/hadolint) a .pre-commit-config.yaml, o "
                           "hadolint/hadolint-action en CI."))


# -- DOCK010 ---------------------------------------------------------------------------

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]i?b|b|bytes)?\b", re.IGNORECASE)
_UNITS = {"b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def _size_from_text(text: str) -> int | None:
    match = _SIZE.search(text)
    if not match:
        return None
    unit = (match.group(2) or "b").lower()
    return int(float(match.group(1)) * _UNITS.get(unit, 1))


def _size_from_json(data: Any) -> int | None:
    if isinstance(data, list):
        for item in data:
            size = _size_from_json(item)
            if size is not None:
                return size
        return None
    if not isinstance(data, dict):
        return None
    for key in ("Size", "size", "size_bytes", "bytes", "VirtualSize"):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
        if isinstance(value, str):
            return _size_from_text(value)
    for key, factor in (("size_mb", 10**6), ("size_gb", 10**9), ("size_kb", 10**3)):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value * factor)
    return None


def read_image_size(ctx: Context, path: str) -> int | ParseError | None:
    text = ctx.repo.text(path)
    if isinstance(text, ParseError):
        return text
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            return ParseError(path, f"invalid JSON: {exc}")
        return _size_from_json(data)
    return _size_from_text(text)


SIZE_LIMITS = ((1, 10**9, "< 1 GB"), (2, 500 * 10**6, "< 500 MB"), (3, 200 * 10**6, "≤ 200 MB"))


@check("dockerfiles_image_size")
def docker_image_size(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK010 (evidence): a committed image size (docker image inspect JSON,
    docker-image-size.json or image-size.txt) under 1 GB / 500 MB / 200 MB."""
    paths = ctx.files(IMAGE_SIZE_GLOBS, case_sensitive=False)
    if not paths:
        yield skipped(T("no image-size evidence (reports/docker-image-size.json, "
                        "reports/image-size.txt or a docker image inspect JSON saved as "
                        "reports/docker-image-inspect.json); not judged",
                        "no hay evidencia del tamaño de la imagen (reports/"
                        "docker-image-size.json, reports/image-size.txt o un JSON de docker "
                        "image inspect guardado como reports/docker-image-inspect.json); no se "
                        "evalúa"))
        return
    for path in paths:
        size = read_image_size(ctx, path)
        if isinstance(size, ParseError):
            yield skipped(T(f"{path} cannot be read: {size.message}",
                            f"{path} no se puede leer: {size.message}"), path)
            continue
        if size is None or size <= 0:
            yield skipped(T(f"{path} holds no image size", f"{path} no contiene un tamaño de "
                            "imagen"), path)
            continue
        megabytes = size / 10**6
        for level, limit, label in SIZE_LIMITS:
            ok = size < limit if level < 3 else size <= limit
            message = T(f"image size {megabytes:.0f} MB ({path}); target {label}",
                        f"tamaño de imagen {megabytes:.0f} MB ({path}); objetivo {label}")
            if ok:
                yield passed(message, path, level=level)
            else:
                yield failed(message, path, level=level,
                             fix=T("Shrink the image: slim base, multi-stage build, "
                                   "--no-cache-dir, a .dockerignore that excludes data and "
                                   "models.",
                                   "Reduce la imagen: base slim, build multi-stage, "
                                   "--no-cache-dir, un .dockerignore que excluya datos y "
                                   "modelos."))


# -- DOCK011 ---------------------------------------------------------------------------


def _mounts(service: Service) -> list[tuple[str, bool, int | None]]:
    """(source:target text, read-only, line) of a service's volumes."""
    out = []
    volumes = service.body.get("volumes")
    for index, item in enumerate(volumes if isinstance(volumes, list) else []):
        line = line_of(volumes, index=index) or service.line
        if isinstance(item, str):
            parts = item.split(":")
            out.append((item, len(parts) >= 3 and "ro" in parts[-1].split(","), line))
        elif isinstance(item, dict):
            text = f"{item.get('source', '')}:{item.get('target', '')}"
            out.append((text, item.get("read_only") is True, line))
    return out


def _literal_secrets(service: Service) -> list[tuple[str, int | None]]:
    """(key, line) of the secret-named variables a service sets to a literal value."""
    env = service.body.get("environment")
    pairs: list[tuple[str, Any, int | None]] = []
    if isinstance(env, dict):
        pairs = [(str(k), v, line_of(env, key=k)) for k, v in env.items()]
    elif isinstance(env, list):
        for index, item in enumerate(env):
            key, sep, value = str(item).partition("=")
            pairs.append((key, value if sep else None, line_of(env, index=index)))
    return [(key, line or service.line) for key, value, line in pairs
            if _SECRET_KEY.search(key) and value not in (None, "")
            and "${" not in str(value) and not str(value).startswith("$")]


# services a stack runs only on demand: monitoring, tracing, admin and debugging tools
_OPTIONAL_SERVICE = re.compile(
    r"prometheus|grafana|alertmanager|loki|promtail|jaeger|tempo|zipkin|otel|opentelemetry|"
    r"cadvisor|node-exporter|kibana|adminer|pgadmin|phpmyadmin|mongo-express|"
    r"redis-commander|redisinsight|mailhog|mailpit|mailcatcher|flower|portainer|dozzle|"
    r"tensorboard|locust", re.IGNORECASE)


def _optional(service: Service) -> bool:
    image = service.body.get("image")
    text = f"{service.name} {image if isinstance(image, str) else ''}"[:300]
    return bool(_OPTIONAL_SERVICE.search(text))


def _at(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


@dataclass(frozen=True)
class _Gap:
    en: str
    es: str
    path: str | None = None  # the compose file the gap is in, when it is in one


def _l3_missing(compose: Compose, api: list[Service]) -> list[_Gap]:
    services = compose.services
    missing: list[_Gap] = []
    others = [s for s in services if s not in api]
    if not others:
        missing.append(_Gap("extra services (MLflow, Prometheus/Grafana, dashboard)",
                            "servicios extra (MLflow, Prometheus/Grafana, dashboard)"))
    if not any(isinstance(s.body.get("depends_on"), dict) and any(
            isinstance(v, dict) and v.get("condition") == "service_healthy"
            for v in s.body["depends_on"].values()) for s in services):
        plain = [(s, line_of(s.body, key="depends_on") or s.line) for s in services
                 if s.body.get("depends_on")]
        if plain:
            where = ", ".join(f"{s.name} ({_at(s.path, line)})" for s, line in plain[:5])
            missing.append(_Gap(f"depends_on with condition: service_healthy (plain depends_on "
                                f"in {where})", f"depends_on con condition: service_healthy "
                                f"(depends_on simple en {where})", plain[0][0].path))
        else:
            missing.append(_Gap("depends_on with condition: service_healthy",
                                "depends_on con condition: service_healthy"))
    if not compose.top:
        missing.append(_Gap("a named network or volume", "una red o un volumen con nombre"))
    writable = [(s.path, f"{text} ({_at(s.path, line)})") for s in services
                for text, ro, line in _mounts(s) if "model" in text.lower() and not ro]
    if writable:
        listed = ", ".join(text for _, text in writable)
        missing.append(_Gap(f"read-only model mounts (:ro): {listed}",
                            f"montajes de modelos de solo lectura (:ro): {listed}",
                            writable[0][0]))
    literal = [(s.path, f"{s.name}.{k} ({_at(s.path, line)})") for s in services
               for k, line in _literal_secrets(s)]
    if literal:
        listed = ", ".join(text for _, text in literal)
        missing.append(_Gap(f"secrets from env_file or ${{VAR}}, not literals: {listed}",
                            f"secretos desde env_file o ${{VAR}}, no literales: {listed}",
                            literal[0][0]))
    unprofiled = [s for s in services if _optional(s) and not s.body.get("profiles")]
    if unprofiled:
        listed = ", ".join(f"{s.name} ({_at(s.path, s.line)})" for s in unprofiled[:6])
        missing.append(_Gap(f"profiles: for the optional services {listed}",
                            f"profiles: para los servicios opcionales {listed}",
                            unprofiled[0].path))
    return missing


@check("dockerfiles_compose_stack")
def compose_stack(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK011: a compose file with the API service (build, ports, healthcheck) (L2); extra
    services, healthy depends_on, named networks/volumes, :ro model mounts, no literal
    secrets and profiles (L3)."""
    compose = load_compose(ctx)
    for error in compose.broken:
        where = f" (line {error.line})" if error.line else ""
        message = T(f"compose file does not parse{where}: {error.message}",
                    f"el archivo compose no se puede leer{where}: {error.message}")
        yield failed(message, error.path, error.line, level=2)
        yield failed(message, error.path, error.line, level=3)
    if not compose.files:
        if not compose.broken:
            message = T("no compose file (docker-compose.yml / compose.yaml)",
                        "no hay archivo compose (docker-compose.yml / compose.yaml)")
            fix = T("Add docker-compose.yml with the API service (build: ., ports: "
                    "[\"8000:8000\"], healthcheck) plus MLflow and monitoring services.",
                    "Añade docker-compose.yml con el servicio de la API (build: ., ports: "
                    "[\"8000:8000\"], healthcheck) más MLflow y monitorización.")
            yield failed(message, level=2, fix=fix)
            yield failed(message, level=3, fix=fix)
        return
    main = compose.files[0]
    built = [s for s in compose.services if "build" in s.body]
    api = [s for s in built if s.body.get("ports") and _healthcheck(s)]
    note_en = note_es = ""
    if compose.version:
        path, line = compose.version[0]
        note_en = f" (info: the 'version:' key in {path}:{line} is obsolete; remove it)"
        note_es = f" (info: la clave 'version:' en {path}:{line} está obsoleta; quítala)"
    if api:
        service = api[0]
        yield passed(T(f"service '{service.name}' builds the image, publishes ports and has a "
                       f"healthcheck{note_en}",
                       f"el servicio '{service.name}' construye la imagen, publica puertos y "
                       f"tiene healthcheck{note_es}"), service.path, service.line, level=2)
    else:
        if built:
            service = built[0]
            lacks = [k for k, ok in (("ports", bool(service.body.get("ports"))),
                                     ("healthcheck", _healthcheck(service) is not None)) if not ok]
            message = T(f"service '{service.name}' builds the image but lacks "
                        f"{' and '.join(lacks)}{note_en}",
                        f"el servicio '{service.name}' construye la imagen pero le falta "
                        f"{' y '.join(lacks)}{note_es}")
            path, line = service.path, service.line
        else:
            message = T(f"no service builds the project's image (build:){note_en}",
                        f"ningún servicio construye la imagen del proyecto (build:){note_es}")
            path, line = main, None
        fix = T("Give the API service build: ., ports: [\"8000:8000\"] and a healthcheck "
                "(test: [\"CMD\", \"python\", \"-c\", \"…/health\"], interval, timeout, "
                "start_period, retries).",
                "Da al servicio de la API build: ., ports: [\"8000:8000\"] y un healthcheck "
                "(test: [\"CMD\", \"python\", \"-c\", \"…/health\"], interval, timeout, "
                "start_period, retries).")
        yield failed(message, path, line, level=2, fix=fix)
    missing = _l3_missing(compose, api or built)
    if missing:
        # the finding points at the file the first located gap is in
        where = next((m.path for m in missing if m.path), main)
        yield failed(T("the compose stack lacks: " + "; ".join(m.en for m in missing),
                       "al stack compose le falta: " + "; ".join(m.es for m in missing)),
                     where, level=3,
                     fix=T("See the guide's docker-compose.demo.yml (13.5, 13.6): MLflow and "
                           "Prometheus services, depends_on: {api: {condition: "
                           "service_healthy}}, a named network, model volumes mounted :ro, "
                           "env_file for secrets, profiles: [monitoring] on optional services.",
                           "Mira el docker-compose.demo.yml de la guía (13.5, 13.6): servicios "
                           "MLflow y Prometheus, depends_on: {api: {condition: "
                           "service_healthy}}, una red con nombre, volúmenes de modelos :ro, "
                           "env_file para secretos, profiles: [monitoring] en los servicios "
                           "opcionales."))
    else:
        profiled = any(_optional(s) for s in compose.services)
        yield passed(T(f"the compose stack has {len(compose.services)} services, healthy "
                       "dependencies, named networks/volumes, read-only model mounts, no "
                       "literal secrets" + (" and profiles for its optional services"
                                            if profiled else ""),
                       f"el stack compose tiene {len(compose.services)} servicios, dependencias "
                       "healthy, redes/volúmenes con nombre, modelos de solo lectura, sin "
                       "secretos literales" + (" y profiles en sus servicios opcionales"
                                               if profiled else "")), main, level=3)

