"""What the image runs: the language runtimes a stage carries (a non-Python image is
judged on what applies to it by DOCK002, DOCK003, DOCK006 and DOCK008), the command it
runs, and whether it shows that it serves (a server program or a port in its command, a
base that runs a server, source beside the Dockerfile that listens: DOCK006 then asks for
a HEALTHCHECK). Whether it is a batch job or a CLI instead is :mod:`._batch`.
"""

from __future__ import annotations

import fnmatch
import shlex
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import T
from mlops_lint.parsers.dockerfile import (
    Dockerfile,
    ImageRef,
    Instruction,
    Stage,
    build_folder_files,
)
from mlops_lint.parsers.shell import Simple, split_commands
from mlops_lint.rules.docker._shared import (
    PIP,
    PYTHON,
    base_of,
    in_list,
    normal_name,
    packages,
    run_commands,
)

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


_PYTHON_PACKAGES = lazy_re.compile(r"^(python3?|python3\.\d+|py3-.*|python3-.*)$")


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
    _, image = base_of(df, stage)
    runtime = _image_runtime(image)
    if runtime:
        found[runtime] = T(f"base {image}", f"base {image}")
    for inst in df.inherited(stage):
        for cmd in _commands(inst):
            _add_command_runtimes(found, inst, cmd)
        if inst.cmd == "COPY" and depth < 4:
            _add_copied_runtime(found, df, stage, inst)
    return found


def _add_command_runtimes(found: dict[str, T], inst: Instruction, cmd: Simple) -> None:
    """Add to ``found`` the runtimes the program ``cmd`` runs, or the packages it installs,
    point to."""
    program = cmd.program
    if PYTHON.match(program) or PIP.match(program):
        program = "python"
    named = _RUNTIME_PROGRAMS.get(program)
    if named and named not in found:
        found[named] = T(f"{inst.cmd} {program} at line {inst.line}",
                         f"{inst.cmd} {program} en la línea {inst.line}")
    for package in packages(cmd) or []:
        bare = package.split("=", 1)[0].lower()
        named = "Python" if _PYTHON_PACKAGES.match(bare) else next(
            (r for p, r in _RUNTIME_PACKAGES if bare.startswith(p)), None)
        if named and named not in found:
            found[named] = T(f"{package} installed at line {inst.line}",
                             f"{package} instalado en la línea {inst.line}")


def _add_copied_runtime(found: dict[str, T], df: Dockerfile, stage: Stage,
                        inst: Instruction) -> None:
    """Add to ``found`` the runtime of the stage a ``COPY --from`` copies from."""
    # what is copied from another stage is built with that stage's base image (a
    # builder's own tooling, such as python3 for node-gyp, stays there)
    source = inst.flags.get("from")
    other = df.stage_named(source) if source else None
    if other is not None and other is not stage:
        _, base = base_of(df, other)
        name = _image_runtime(base)
        if name:
            found.setdefault(name, T(f"copied from stage '{other.name}' (base {base})",
                                     f"copiado de la etapa '{other.name}' (base "
                                     f"{base})"))


def non_python_runtime(df: Dockerfile, stage: Stage) -> T | None:
    """Why ``stage`` is not a Python image (``a Go image (base golang:1.22)``), or
    ``None`` when it is one or nothing tells."""
    found = stage_runtimes(df, stage)
    if "Python" in found or not found:
        return None
    name, why = next(iter(found.items()))
    return T(f"a {name} image (", f"una imagen {name} (") + why + T.same(")")



def entry_argv(df: Dockerfile, final: Stage) -> list[str] | None:
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



def env_port(df: Dockerfile, final: Stage) -> str | None:
    """The PORT the final stage sets with ENV (the convention of Cloud Run and Heroku)."""
    value = final.env.get("PORT")
    return value.strip() if value and value.strip().isdigit() else None


SERVER_PROGRAMS = frozenset({"uvicorn", "gunicorn", "hypercorn", "daphne", "waitress-serve",
                              "flask", "streamlit", "gradio", "panel", "voila", "jupyter",
                              "mlflow", "bentoml", "torchserve", "tritonserver", "nginx",
                              "httpd", "caddy", "node", "npm", "java", "dotnet", "mlserver",
                              "seldon-core-microservice", "serve", "tensorflow_model_server",
                              "text-generation-launcher", "vllm"})


PORT_ARG = lazy_re.compile(r"(^|\s)(--port|--bind|-b|--listen|--server\.port|--http-port)(\s|=)|"
                            r"(0\.0\.0\.0|localhost|\[::\]):\d{2,5}|\$\{?PORT\b")


# a listening socket in source code (Go, Node.js, Java, .NET, Rust, Python, Ruby)
LISTENS = lazy_re.compile(r"ListenAndServe|net\.Listen\(|grpc\.NewServer\(|\.listen\(|"
                           r"createServer\(|SpringApplication\.run|HttpServer\.create|"
                           r"WebApplication\.Create|TcpListener::bind|\.bind\(\s*\(|"
                           r"uvicorn\.run\(|\.run\(\s*host\s*=|serve_forever\(|"
                           r"start_http_server\(|add_insecure_port\(|BindAddress|"
                           r"\bset\s+:(port|bind)\b|require\s+['\"]sinatra|express\(\)")


_SOURCE_SUFFIXES = frozenset({".go", ".js", ".mjs", ".ts", ".java", ".kt", ".cs", ".rs",
                              ".py", ".rb", ".php"})


_MAX_SOURCE_FILES = 300


def source_listens(ctx: Context, df: Dockerfile) -> bool:
    """Whether the source code in the Dockerfile's folder opens a listening socket."""
    scanned = 0
    for path in build_folder_files(ctx.repo, df.path):
        if PurePosixPath(path).suffix not in _SOURCE_SUFFIXES:
            continue
        scanned += 1
        if scanned > _MAX_SOURCE_FILES:
            return True  # too large to tell: assume it serves
        text = ctx.repo.text(path)
        if isinstance(text, str) and LISTENS.search(text[:200_000]):
            return True
    return False


def serves(ctx: Context, df: Dockerfile, final: Stage) -> bool:
    """Whether anything shows the image serves: a known server program or a port option in
    its command, a base that runs a server, or source in its folder that listens."""
    argv = entry_argv(df, final) or []
    text = " ".join(argv)[:2000]
    program = PurePosixPath(argv[0]).name if argv else ""
    _, image = base_of(df, final)
    return program in SERVER_PROGRAMS or bool(PORT_ARG.search(text)) or any(
        PurePosixPath(a).name in SERVER_PROGRAMS for a in argv[1:3]) or in_list(
        image, "server_bases") or source_listens(ctx, df)
