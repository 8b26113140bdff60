"""Phase 2 data-versioning checks: DVC initialised (DATA001), data tracked by DVC and not
by git (DATA002), a remote (DATA003) and a ``dvc.yaml`` pipeline (DATA004).

Repository-scoped (rules.md §0.4). ``.dvc/config`` is INI (:mod:`configparser`), ``*.dvc``
pointers, ``dvc.yaml`` and ``dvc.lock`` are YAML. A remote on a local path reaches level
2 at most; level 3 needs real storage.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.checks import check
from mlops_lint.context import Context
from mlops_lint.globs import is_test_data
from mlops_lint.model import Finding, T, failed, passed, verdict, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.gitignore import IgnoreRules, ignore_rules
from mlops_lint.parsers.ini import Ini, parse_ini
from mlops_lint.parsers.yaml_file import line_of, load_yaml_rt

DVC_CONFIG = ".dvc/config"
REMOTE_SCHEMES = ("s3", "gs", "gcs", "azure", "gdrive", "ssh", "http", "https", "hdfs",
                  "webhdfs", "webdav", "webdavs", "oss")
_REMOTE_SECTION = re.compile(r"""^'?\s*remote\s+"(?P<name>[^"]+)"\s*'?$""")
MAX_LISTED = 5
Stages = dict[str, tuple[dict[str, Any], int | None]]  # name -> (body, line)


def _dvc_yaml(ctx: Context, path: str) -> Any:
    """A DVC YAML file (pointer, dvc.yaml, dvc.lock) read once, with line numbers."""
    return ctx.repo.parse(path, load_yaml_rt)


def _join(base: str, path: str) -> str:
    joined = PurePosixPath(path) if base in ("", ".") else PurePosixPath(base) / path
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _dvc_files_beside(ctx: Context, base: str) -> bool:
    """Whether ``base`` holds a dvc.yaml, a dvc.lock or a *.dvc pointer."""
    prefix = base + "/"
    return any(ctx.repo.exists(prefix + name) for name in ("dvc.yaml", "dvc.lock")) or any(
        p.startswith(prefix) for p in ctx.repo.glob(["**/*.dvc"]))


def dvc_config(ctx: Context) -> str:
    """The DVC repository's config: the root's ``.dvc/config``; without one, the config of
    a DVC repository initialised in a sub-folder (``dvc init --subdir``), those with a
    pipeline or pointers beside them first, then the shallowest. Never one inside test
    data (a fixture). :data:`DVC_CONFIG` when there is none."""
    if ctx.repo.exists(DVC_CONFIG):
        return DVC_CONFIG
    found = [p for p in ctx.repo.glob(["**/.dvc/config"])
             if p != DVC_CONFIG and not is_test_data(p)]
    if not found:
        return DVC_CONFIG
    return min(found, key=lambda p: (not _dvc_files_beside(ctx, p[:-len("/" + DVC_CONFIG)]),
                                     p.count("/"), p))


def _beside(config: str, name: str) -> str:
    """``name`` in the folder of the DVC repository whose config is ``config``."""
    base = config[:-len(DVC_CONFIG)]
    return base + name


# -- DATA001 ----------------------------------------------------------------------------------


@check("dvc_initialised")
def dvc_initialised(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA001: .dvc/config exists (and .dvcignore), committed."""
    config = dvc_config(ctx)
    if not ctx.repo.exists(config):
        yield failed(T("DVC is not initialised (no .dvc/config)",
                       "DVC no está inicializado (no hay .dvc/config)"),
                     fix=T("dvc init && git add .dvc .dvcignore && git commit -m "
                           "'build: initialise DVC' (or waive the rule with an ADR)",
                           "dvc init && git add .dvc .dvcignore && git commit -m "
                           "'build: initialise DVC' (o exceptúa la regla con un ADR)"))
        return
    ignore = _beside(config, ".dvcignore")
    if ctx.repo.is_git and not ctx.repo.is_tracked(config):
        yield warned(T(f"{config} exists but is not committed",
                       f"{config} existe pero no está en el repositorio"), config, 1,
                     fix=T.same(f"git add {config} {ignore}"))
        return
    note = T("", "") if ctx.repo.exists(ignore) else T(
        f" ({ignore} is missing; dvc init creates it)",
        f" (falta {ignore}; dvc init lo crea)")
    yield passed(T(f"DVC is initialised ({config})", f"DVC está inicializado ({config})")
                 + note, config)


# -- DATA002 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    path: str  # repository-relative
    source: str  # the pointer or dvc.yaml naming it
    line: int | None


def _pointer_outputs(ctx: Context, pointer: str) -> list[Output] | ParseError:
    data = _dvc_yaml(ctx, pointer)
    if isinstance(data, ParseError):
        return data
    outs = data.get("outs") if isinstance(data, dict) else None
    base = str(PurePosixPath(pointer).parent)
    found = []
    for index, entry in enumerate(outs if isinstance(outs, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            found.append(Output(_join(base, entry["path"]), pointer, line_of(outs, index=index)))
    return found


def _entries(value: Any) -> list[tuple[str, dict[str, Any], int | None]]:
    """``deps``/``outs``/``metrics`` items: (path, options, line)."""
    out: list[tuple[str, dict[str, Any], int | None]] = []
    for index, item in enumerate(value if isinstance(value, list) else []):
        line = line_of(value, index=index)
        if isinstance(item, str):
            out.append((item, {}, line))
        elif isinstance(item, dict):
            for key, options in item.items():
                out.append((str(key), dict(options) if isinstance(options, dict) else {}, line))
    return out


def _stages(data: Any) -> Stages:
    stages = data.get("stages") if isinstance(data, dict) else None
    out: dict[str, tuple[dict[str, Any], int | None]] = {}
    if not isinstance(stages, dict):
        return out
    for name, body in stages.items():
        if isinstance(body, dict) and isinstance(body.get("do"), dict):
            body = body["do"]  # foreach/do
        if isinstance(body, dict):
            out[str(name)] = (body, line_of(stages, key=name))
    return out


def _pipeline_outputs(ctx: Context, path: str) -> list[Output]:
    data = _dvc_yaml(ctx, path)
    base = str(PurePosixPath(path).parent)
    found = []
    for body, _ in _stages(data).values():
        wdir = _join(base, str(body.get("wdir", ".")))
        for out, _options, line in _entries(body.get("outs")):
            found.append(Output(_join(wdir, out), path, line))
    return found


def _pointers(ctx: Context) -> tuple[list[Output], list[Finding]]:
    """Outputs named by *.dvc pointers, and findings about the pointers themselves."""
    outputs: list[Output] = []
    findings: list[Finding] = []
    for pointer in ctx.repo.glob(["**/*.dvc"]):
        if pointer.startswith(".dvc/") or "/.dvc/" in pointer:
            continue
        found = _pointer_outputs(ctx, pointer)
        if isinstance(found, ParseError):
            findings.append(failed(T(f"cannot read the DVC pointer: {found.message}",
                                     f"no se puede leer el puntero DVC: {found.message}"),
                                   found.path, found.line))
            continue
        outputs += found
        if ctx.repo.is_git and not ctx.repo.is_tracked(pointer):
            findings.append(warned(T(f"the DVC pointer {pointer} is not committed",
                                     f"el puntero DVC {pointer} no está en el repositorio"),
                                   pointer, 1, fix=T.same(f"git add {pointer}")))
    return outputs, findings


def _tracked_paths(ctx: Context) -> set[str]:
    """Tracked files and every directory holding one."""
    paths: set[str] = set()
    for path in ctx.repo.git_info.tracked if ctx.repo.git_info else ():
        paths.add(path)
        paths.update(str(p) for p in PurePosixPath(path).parents if str(p) != ".")
    return paths


def _output_problem(output: Output, tracked: set[str], rules: IgnoreRules) -> Finding | None:
    path = output.path.rstrip("/")
    if path in tracked:
        return failed(T(f"{output.path} is versioned by DVC ({output.source}) and also tracked "
                        "by git", f"{output.path} está versionado por DVC ({output.source}) y "
                        "además por git"), output.source, output.line,
                      fix=T.same(f"git rm -r --cached {output.path}"))
    if rules.ignored(path) or rules.ignored(path, is_dir=True):
        return None
    name = PurePosixPath(path).name
    return failed(T(f"{output.path} ({output.source}) is not gitignored: git add -A would commit "
                    "the data", f"{output.path} ({output.source}) no está en .gitignore: git "
                    "add -A subiría los datos"), output.source, output.line,
                  fix=T(f"add /{name} to the .gitignore next to it (dvc add does this)",
                        f"añade /{name} al .gitignore de su carpeta (dvc add lo hace)"))


@check("data_under_dvc")
def data_under_dvc(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA002: data/ is versioned by DVC pointers or pipeline outputs, ignored by git."""
    outputs, findings = _pointers(ctx)
    yield from findings
    outputs += [o for path in ctx.repo.glob(["**/dvc.yaml"]) for o in _pipeline_outputs(ctx, path)
                if "data" in PurePosixPath(o.path).parts[:-1] or o.path.startswith("data/")]
    hidden = ctx.repo.ignored_dvc_pointers
    for pointer in hidden[:MAX_LISTED]:
        folder = str(PurePosixPath(pointer).parent)
        yield failed(T(f"the DVC pointer {pointer} is inside a folder git ignores: it can "
                       "never be committed, so a clone cannot fetch the data",
                       f"el puntero DVC {pointer} está dentro de una carpeta que git ignora: "
                       "nunca se podrá subir, así que un clon no puede descargar los datos"),
                     pointer, 1,
                     fix=T(f"ignore the data, not the folder: in .gitignore replace {folder}/ "
                           f"by /{folder}/* and !/{folder}/*.dvc (dvc add writes such entries)",
                           f"ignora los datos, no la carpeta: en .gitignore cambia {folder}/ "
                           f"por /{folder}/* y !/{folder}/*.dvc (dvc add escribe esas "
                           "entradas)"))
    if not outputs and hidden:
        return
    if not outputs:
        yield failed(T("no data versioned with DVC (no *.dvc pointer and no dvc.yaml outs under "
                       "data/)", "no hay datos versionados con DVC (ni punteros *.dvc ni outs de "
                       "dvc.yaml en data/)"),
                     fix=T("dvc add data/raw/<file> and commit the .dvc pointer",
                           "dvc add data/raw/<archivo> y sube el puntero .dvc"),
                     see=None if ctx.repo.exists(dvc_config(ctx)) else "DATA001")
        return
    rules = ignore_rules(ctx.repo)
    tracked = _tracked_paths(ctx)
    problems = [p for o in outputs if (p := _output_problem(o, tracked, rules)) is not None]
    yield from problems
    if not problems:
        listed = ", ".join(o.path for o in outputs[:MAX_LISTED])
        yield passed(T(f"{len(outputs)} data path(s) versioned by DVC and ignored by git: "
                       f"{listed}", f"{len(outputs)} ruta(s) de datos versionadas por DVC e "
                       f"ignoradas por git: {listed}"), outputs[0].source, outputs[0].line)


# -- DATA003 ----------------------------------------------------------------------------------


def _remotes(ini: Ini) -> dict[str, tuple[str | None, str]]:
    """remote name -> (url, section)."""
    out = {}
    for section in ini.sections():
        match = _REMOTE_SECTION.match(section.strip())
        if match:
            out[match.group("name")] = (ini.get(section, "url"), section)
    return out


def _is_storage(url: str) -> bool:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    return scheme in REMOTE_SCHEMES


@check("dvc_remote")
def dvc_remote(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA003: a default DVC remote (L2) on real storage, not a local path (L3)."""
    config = dvc_config(ctx)
    if not ctx.repo.exists(config):
        yield failed(T("no .dvc/config, so no remote (see DATA001)",
                       "no hay .dvc/config, así que no hay remote (ver DATA001)"), see="DATA001")
        return
    ini = ctx.repo.parse(config, parse_ini)
    if isinstance(ini, ParseError):
        yield failed(T(f"cannot read {config}: {ini.message}",
                       f"no se puede leer {config}: {ini.message}"), config, ini.line)
        return
    default = ini.get("core", "remote")
    remotes = _remotes(ini)
    local = config + ".local"
    local_note = T(f" ({local} is not committed: others cannot pull)",
                   f" ({local} no se sube: nadie más puede hacer pull)") if (
        ctx.repo.exists(local)) else T("", "")
    if not default:
        names = ", ".join(remotes) or "none"
        yield failed(T(f"no default remote ([core] remote = ...); remotes defined: {names}",
                       f"no hay remote por defecto ([core] remote = ...); remotes definidos: "
                       f"{names}") + local_note, config, ini.line("core") or 1,
                     fix=T("dvc remote add -d storage s3://<bucket>/dvc",
                           "dvc remote add -d storage s3://<bucket>/dvc"))
        return
    url, section = remotes.get(default, (None, ""))
    if not url:
        yield failed(T(f"the default remote '{default}' has no url in {config}",
                       f"el remote por defecto '{default}' no tiene url en {config}")
                     + local_note, config, ini.line(section) or ini.line("core") or 1)
        return
    line = ini.line(section) or 1
    yield passed(T(f"default remote '{default}' -> {url}", f"remote por defecto '{default}' -> "
                   f"{url}"), config, line, level=2)
    yield verdict(_is_storage(url),
                  T(f"'{default}' is remote storage ({url.split('://', 1)[0]})",
                    f"'{default}' es almacenamiento remoto ({url.split('://', 1)[0]})"),
                  T(f"'{default}' is a local path ({url}): level 2 at most",
                    f"'{default}' es una ruta local ({url}): nivel 2 como máximo"),
                  config, line, level=3,
                  fix=T("use real storage: s3://, gs://, azure://, gdrive://, ssh:// or "
                        "http(s)://", "usa almacenamiento real: s3://, gs://, azure://, "
                        "gdrive://, ssh:// o http(s)://"))


# -- DATA004 ----------------------------------------------------------------------------------

_PYTHON = re.compile(r"^python(\d(\.\d+)?)?$")


def _script_candidates(cmd: str) -> list[str]:
    """Scripts a stage command runs: ``python src/train.py`` -> ``src/train.py``;
    ``python -m pkg.train`` -> the module's possible file paths."""
    found = []
    for line in cmd.splitlines():
        for part in re.split(r"&&|;|\|\|", line):
            try:
                argv = shlex.split(part)
            except ValueError:
                argv = part.split()
            while argv and "=" in argv[0] and not argv[0].startswith("-"):
                argv = argv[1:]
            if argv[:2] in (["uv", "run"], ["poetry", "run"], ["pdm", "run"]):
                argv = argv[2:]
            if not argv:
                continue
            if _PYTHON.match(argv[0].rsplit("/", 1)[-1]) and len(argv) > 1:
                if argv[1] == "-m" and len(argv) > 2:
                    module = argv[2].replace(".", "/")
                    found += [f"{module}.py", f"src/{module}.py", f"{module}/__main__.py",
                              f"src/{module}/__main__.py"]
                elif not argv[1].startswith("-"):
                    found.append(argv[1])
            elif argv[0].endswith((".py", ".sh", ".R")):
                found.append(argv[0])
    return [f.removeprefix("./") for f in found]


def _covered(script: str, deps: list[str]) -> bool:
    for dep in deps:
        dep = dep.removeprefix("./").rstrip("/")
        if script == dep or script.startswith(dep + "/"):
            return True
    return False


@check("dvc_pipeline")
def dvc_pipeline(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA004: dvc.yaml stages with cmd/deps/outs and params (L2); scripts in deps,
    uncached metrics and a committed dvc.lock (L3)."""
    files = ctx.repo.glob(["**/dvc.yaml"])
    if not files:
        yield failed(T("no dvc.yaml pipeline", "no hay pipeline dvc.yaml"),
                     fix=T("declare the stages (prepare -> train -> evaluate) with dvc stage "
                           "add, each with deps, outs and params",
                           "declara las etapas (prepare -> train -> evaluate) con dvc stage "
                           "add, cada una con deps, outs y params"),
                     see=None if ctx.repo.exists(dvc_config(ctx)) else "DATA001")
        return
    for path in files:
        data = _dvc_yaml(ctx, path)
        if isinstance(data, ParseError):
            yield failed(T(f"cannot read dvc.yaml: {data.message}",
                           f"no se puede leer dvc.yaml: {data.message}"), path, data.line)
            continue
        yield from _judge_pipeline(ctx, path, _stages(data))


def _level2_gaps(ctx: Context, base: str, stages: Stages) -> list[T]:
    gaps: list[T] = []
    if len(stages) < 2:
        gaps.append(T(f"{len(stages)} stage(s); at least 2 are needed",
                      f"{len(stages)} etapa(s); se necesitan al menos 2"))
    incomplete = [name for name, (body, _) in stages.items()
                  if not body.get("cmd") or not body.get("deps")
                  or not any(body.get(k) for k in ("outs", "metrics", "plots"))]
    if incomplete:
        gaps.append(T(f"stages without cmd, deps and outs: {', '.join(incomplete[:MAX_LISTED])}",
                      f"etapas sin cmd, deps y outs: {', '.join(incomplete[:MAX_LISTED])}"))
    param_files = {"params.yaml"}
    for body, _ in stages.values():
        param_files.update(str(k) for item in body.get("params") or []
                           if isinstance(item, dict) for k in item)
    if not any(body.get("params") for body, _ in stages.values()):
        gaps.append(T("no stage lists params:", "ninguna etapa declara params:"))
    if not any(ctx.repo.exists(_join(base, f)) for f in param_files):
        gaps.append(T("no params.yaml", "no hay params.yaml"))
    return gaps


def _script_outside_deps(name: str, body: dict[str, Any]) -> str | None:
    """``name (script)`` when the script the stage's cmd runs is not among its deps."""
    deps = [d for d, _, _ in _entries(body.get("deps"))]
    cmd = body.get("cmd")
    text = "\n".join(str(c) for c in cmd) if isinstance(cmd, list) else str(cmd or "")
    scripts = _script_candidates(text)
    if scripts and not any(_covered(s, deps) for s in scripts):
        return f"{name} ({scripts[0]})"
    return None


# ``{service}``, ``{{ cookiecutter.repo_name }}``: a placeholder left for the user to fill
# in (DVC's own templating is ``${...}``)
PLACEHOLDER = re.compile(r"(?<![$\w{])\{\{?\s*[A-Za-z_][\w.]{0,60}\s*\}\}?")


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 10:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, depth + 1)


def template_placeholder(path: str, stages: Stages) -> str | None:
    """The first unresolved placeholder of a dvc.yaml that is a template (in its path or
    in a stage's cmd, deps or outs): such a pipeline has never been run, so it has no
    dvc.lock to commit."""
    found = PLACEHOLDER.search(path)
    if found:
        return found.group(0)
    for body, _ in stages.values():
        for key in ("cmd", "deps", "outs", "wdir"):
            for text in _strings(body.get(key)):
                found = PLACEHOLDER.search(text[:10_000])
                if found:
                    return found.group(0)
    return None


def _level3_gaps(ctx: Context, base: str, stages: Stages,
                 template: str | None = None) -> list[T]:
    gaps: list[T] = []
    if any(not body.get("deps") for body, _ in stages.values()):
        gaps.append(T("every stage needs deps", "cada etapa necesita deps"))
    outside = [o for name, (body, _) in stages.items()
               if (o := _script_outside_deps(name, body)) is not None]
    if outside:
        gaps.append(T(f"the script a stage runs is not among its deps: {', '.join(outside)}",
                      f"el script que ejecuta la etapa no está en sus deps: "
                      f"{', '.join(outside)}"))
    if not any(options.get("cache") is False for body, _ in stages.values()
               for _, options, _ in _entries(body.get("metrics"))):
        gaps.append(T("no stage declares metrics with cache: false",
                      "ninguna etapa declara metrics con cache: false"))
    lock = _join(base, "dvc.lock")
    if template is None and not (ctx.repo.is_tracked(lock) if ctx.repo.is_git
                                 else ctx.repo.exists(lock)):
        gaps.append(T("dvc.lock is not committed (run dvc repro and commit it)",
                      "dvc.lock no está en el repositorio (ejecuta dvc repro y súbelo)"))
    return gaps


def _judge_pipeline(ctx: Context, path: str, stages: Stages) -> Iterator[Finding]:
    base = str(PurePosixPath(path).parent)
    first_line = next((line for _, line in stages.values() if line), 1)
    summary = T(f"{len(stages)} stage(s) in {path}", f"{len(stages)} etapa(s) en {path}")
    l2 = _level2_gaps(ctx, base, stages)
    if l2:
        yield failed(T.join(l2), path, first_line, level=2)
    else:
        yield passed(summary + T(" with cmd, deps, outs and params",
                                 " con cmd, deps, outs y params"), path, first_line, level=2)
    plots = any(body.get("plots") for body, _ in stages.values())
    bonus = T("; plots declared", "; plots declarados") if plots else T("", "")
    template = template_placeholder(path, stages)
    l3 = _level3_gaps(ctx, base, stages, template)
    lock_note = T(f"; no dvc.lock is expected: the pipeline is a template with unresolved "
                  f"placeholders ({template})", f"; no se espera dvc.lock: el pipeline es una "
                  f"plantilla con marcadores sin resolver ({template})") if template \
        else T("", "")
    if l3:
        yield failed(T.join(l3) + lock_note + bonus, path, first_line, level=3)
    elif template:
        yield passed(summary + T(": scripts in deps, uncached metrics", ": scripts en deps, "
                                 "métricas sin caché") + lock_note + bonus, path, first_line,
                     level=3)
    else:
        yield passed(summary + T(": scripts in deps, uncached metrics, dvc.lock committed",
                                 ": scripts en deps, métricas sin caché, dvc.lock en el "
                                 "repositorio") + bonus, path, first_line, level=3)
