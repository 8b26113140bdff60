"""Package caches left in the runtime image (pip and uv caches, apt lists, the apk
index): DOCK007 fails them, DOCK004 names them as what a single-stage build ships.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.model import Finding, T, failed
from mlops_lint.parsers.dockerfile import Dockerfile, Instruction, Stage, split_pairs
from mlops_lint.parsers.shell import Simple
from mlops_lint.rules.docker._shared import PIP, run_commands


def _pip_no_cache(cmd: Simple) -> bool:
    """``--no-cache-dir``, or an unambiguous abbreviation pip accepts (``--no-cache``)."""
    return any(len(a) >= len("--no-ca") and "--no-cache-dir".startswith(a) for a in cmd.args)


def _is_pip(cmd: Simple) -> bool:
    return bool(PIP.match(cmd.program) and "install" in cmd.args)


_UV_NO_CACHE = frozenset({"--no-cache", "--no-cache-dir", "-n"})  # uv's alias for pip's flag


def _is_uv_pip(cmd: Simple) -> bool:
    return cmd.program == "uv" and (cmd.args[:2] == ("pip", "install") or cmd.args[:1] ==
                                    ("sync",))


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


Env = dict[str, str | None]


def hygiene(df: Dockerfile, final: Stage) -> Iterator[Finding]:
    """The package caches each RUN of the final stage's lineage leaves in the image."""
    for inst, env in _runs_with_env(df, final):
        for cmd in run_commands(inst):
            for judge in (_pip_cache, _uv_cache, _apt_lists, _apk_index):
                finding = judge(df, inst, cmd, env)
                if finding is not None:
                    yield finding
                    break


def _pip_cache(df: Dockerfile, inst: Instruction, cmd: Simple, env: Env) -> Finding | None:
    if not (_is_pip(cmd) and not _pip_no_cache(cmd) and not env.get("PIP_NO_CACHE_DIR")
            and not _cache_mounted(inst) and ".cache/pip" not in inst.script):
        return None
    return failed(T(f"pip install at line {inst.line} keeps its download cache in "
                    "the runtime image",
                    f"pip install en la línea {inst.line} deja su caché de "
                    "descargas en la imagen final"), df.path, inst.line,
                  fix=T("Add --no-cache-dir (or ENV PIP_NO_CACHE_DIR=1, or RUN "
                        "--mount=type=cache,target=/root/.cache/pip).",
                        "Añade --no-cache-dir (o ENV PIP_NO_CACHE_DIR=1, o RUN "
                        "--mount=type=cache,target=/root/.cache/pip)."))


def _uv_cache(df: Dockerfile, inst: Instruction, cmd: Simple, env: Env) -> Finding | None:
    script = inst.script
    if not (_is_uv_pip(cmd) and not _UV_NO_CACHE.intersection(cmd.args)
            and not env.get("UV_NO_CACHE") and not _cache_mounted(inst)
            and ".cache/uv" not in script and "uv cache clean" not in script):
        return None
    return failed(T(f"uv at line {inst.line} keeps its cache in the runtime image",
                    f"uv en la línea {inst.line} deja su caché en la imagen final"),
                  df.path, inst.line,
                  fix=T("Add --no-cache (or ENV UV_NO_CACHE=1, or a cache mount).",
                        "Añade --no-cache (o ENV UV_NO_CACHE=1, o un cache mount)."))


def _apt_lists(df: Dockerfile, inst: Instruction, cmd: Simple, env: Env) -> Finding | None:
    if cmd.program not in ("apt-get", "apt") or "install" not in cmd.args:
        return None
    script = inst.script
    problems = []
    if "--no-install-recommends" not in cmd.args and \
            "APT::Install-Recommends=false" not in script:
        problems.append("--no-install-recommends")
    if "/var/lib/apt/lists" not in script and not _cache_mounted(inst, "/var/lib/apt"):
        problems.append("rm -rf /var/lib/apt/lists/*")
    if not problems:
        return None
    return failed(T(f"apt-get install at line {inst.line} lacks "
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


def _apk_index(df: Dockerfile, inst: Instruction, cmd: Simple, env: Env) -> Finding | None:
    if not (cmd.program == "apk" and "add" in cmd.args and "--no-cache" not in cmd.args
            and "/var/cache/apk" not in inst.script and not _cache_mounted(inst, "apk")):
        return None
    return failed(T(f"apk add at line {inst.line} keeps the package index in the "
                    "image", f"apk add en la línea {inst.line} deja el índice de "
                    "paquetes en la imagen"), df.path, inst.line,
                  fix=T("Use apk add --no-cache.", "Usa apk add --no-cache."))
