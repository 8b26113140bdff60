"""GIT001: the root .gitignore covers what the repository has.

Each group of :data:`GITIGNORE_GROUPS` is required only where its subject exists
(levels.md §6): Python files for bytecode, environments and coverage; Python code or a
dotenv file for ``.env``; ML code or data for data and models; MLflow for ``mlruns/``.
A group is covered when the root ``.gitignore`` ignores one of its candidate paths, or
when every sub-project ``.gitignore`` that governs the subject does (git applies a
nested ``.gitignore`` to its directory). Small committed data (at most
:data:`SAMPLE_FILE_MAX` per file and :data:`SAMPLE_TOTAL_MAX` in all) is sample data kept
on purpose: its directories need not be ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.globs import COMPOSE_FILES_ANYWHERE
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.gitignore import IgnoreRules, ignore_rules
from mlops_lint.rules import not_read, rule
from mlops_lint.rules.git._shared import (
    DATA_SUFFIXES,
    MAX_FILE_FINDINGS,
    MAX_SCANNED,
    TEST_DIRS,
    tracked_files,
)

# (applies to, patterns, name, candidate paths): a group is required only where its subject
# exists (levels.md §6): Python files for bytecode, environments and coverage; Python code
# or a dotenv file for .env; ML code or data for data and models; MLflow for mlruns/.
GITIGNORE_GROUPS: tuple[tuple[str, str, T, tuple[str, ...]], ...] = (
    ("python", "__pycache__/, *.py[cod]", T("bytecode", "bytecode"),
     ("pkg/__pycache__/mod.cpython-311.pyc", "mod.pyc")),
    ("python", ".venv/, venv/", T("virtual environments", "entornos virtuales"),
     (".venv/pyvenv.cfg", "venv/pyvenv.cfg", "env/pyvenv.cfg", "ENV/pyvenv.cfg")),
    ("secrets", ".env", T("secrets", "secretos"), (".env",)),
    ("data", "data/ or data/raw/*", T("data", "datos"),
     ("data/raw/train.csv", "data/train.csv", "data/processed/features.parquet")),
    ("ml", "*.pkl, *.joblib, artifacts/, models/", T("models", "modelos"),
     ("model.pkl", "model.joblib", "models/model.bin", "artifacts/model.bin")),
    ("mlflow", "mlruns/", T("MLflow runs", "ejecuciones de MLflow"), ("mlruns/0/meta.yaml",)),
    ("python", ".coverage, htmlcov/", T("coverage reports", "informes de cobertura"),
     (".coverage", "htmlcov/index.html")),
)
GITIGNORE_EXTRAS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    # (pattern, candidate paths, should be ignored)
    ("*.pem / *.key", ("certs/server.pem", "secrets/private.key"), True),
    (".ipynb_checkpoints/", ("notebooks/.ipynb_checkpoints/a-checkpoint.ipynb",), True),
    ("!.env.example", (".env.example",), False),
)


def _dvc_outputs(ctx: Context) -> list[str]:
    """Data paths that DVC pointers name (relative to the repository)."""
    out = []
    for pointer in ctx.repo.glob(["**/*.dvc"]):
        data = ctx.repo.yaml(pointer)
        outs = data.get("outs") if isinstance(data, dict) else None
        base = str(PurePosixPath(pointer).parent)
        for entry in outs if isinstance(outs, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                out.append(entry["path"] if base == "." else f"{base}/{entry['path']}")
    return out


# Imports that make a file ML code (or data work) and mention MLflow: matched in Python
# files and in notebooks' JSON (where a line starts after a quote). Bounded, one line.
ML_IMPORT = lazy_re.compile(
    r"""(?:^|["'\s;])(?:from|import)[ \t]+(?:sklearn|imblearn|torch|torchvision|tensorflow|keras|"""
    r"xgboost|lightgbm|catboost|transformers|datasets|jax|flax|mlflow|wandb|joblib|pandas|"
    r"polars|statsmodels|prophet|optuna|pytorch_lightning|lightning|azureml|azure\.ai\.ml|"
    r"sagemaker|bentoml|mlserver|onnx|onnxruntime|dvc|evidently|great_expectations|pandera)\b",
    re.M)
MLFLOW_IMPORT = lazy_re.compile(r"""(?:^|["'\s;])(?:from|import)[ \t]+mlflow\b""", re.M)
MLFLOW_DECLARED = lazy_re.compile(r"(?<![\w.-])mlflow(?:-skinny)?(?![\w.-])", re.I)
DEPENDENCY_GLOBS = ("**/requirements*.txt", "**/requirements*.in", "**/requirements/*.txt",
                    "**/pyproject.toml", "**/setup.py", "**/setup.cfg", "**/Pipfile",
                    "**/environment*.yml", "**/environment*.yaml", "**/conda*.yml",
                    "**/conda*.yaml", "**/MLproject")
MODEL_GLOBS = ("**/*.pkl", "**/*.pickle", "**/*.joblib", "**/*.pt", "**/*.pth", "**/*.h5",
               "**/*.onnx", "**/*.safetensors", "**/*.ckpt", "**/models/**", "**/model/**")
DOTENV_GLOBS = ("**/.env", "**/.env.*", "**/*.env", *COMPOSE_FILES_ANYWHERE, "**/package.json")
DATA_DIRS = frozenset({"data", "datasets", "dataset"})
SAMPLE_FILE_MAX = 1_000_000  # bytes: committed data at most this big per file...
SAMPLE_TOTAL_MAX = 10_000_000  # ...and in all is sample or fixture data, kept on purpose


@dataclass(frozen=True)
class _Subjects:
    """What the repository has that each .gitignore group is about."""

    python: bool
    secrets: bool
    ml: bool
    mlflow: bool
    data: str  # "required", "sample" (small data committed on purpose) or "none"
    sample: tuple[int, int] = (0, 0)  # committed data files and their bytes
    unread: tuple[ParseError, ...] = ()  # files that could not be read to decide
    # where each group's subject lives: the code, plus .env/compose files for secrets,
    # model files for models, committed data for data
    files: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def of(self, key: str) -> tuple[str, ...]:
        return next((found for k, found in self.files if k == key), ())


def _any_text(ctx: Context, paths: list[str], pattern: re.Pattern[str],
              unread: list[ParseError]) -> bool:
    for path in paths[:MAX_SCANNED]:
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            if text not in unread:
                unread.append(text)
        elif pattern.search(text):
            return True
    return False


def _committed_data(ctx: Context) -> list[str]:
    files, _ = tracked_files(ctx)
    out = []
    for path in files:
        parts = PurePosixPath(path).parts
        if PurePosixPath(path).suffix.lower() in DATA_SUFFIXES and \
                {p.lower() for p in parts[:-1]} & DATA_DIRS and \
                not set(parts[:-1]) & TEST_DIRS:
            out.append(path)
    return out


def _subjects(ctx: Context) -> _Subjects:
    cached = ctx.repo.memo.get("git001:subjects")
    if isinstance(cached, _Subjects):
        return cached
    code = ctx.files(["**/*.py"]) + ctx.files(["**/*.ipynb"])
    python = bool(code)
    deps = ctx.files(DEPENDENCY_GLOBS)
    unread: list[ParseError] = []
    mlflow = _any_text(ctx, code, MLFLOW_IMPORT, unread) or _any_text(
        ctx, deps, MLFLOW_DECLARED, unread)
    ml = mlflow or bool(ctx.files(MODEL_GLOBS)) or _any_text(ctx, code, ML_IMPORT, unread)
    committed = _committed_data(ctx)
    sizes = [ctx.repo.size(p) for p in committed]
    data = "none"
    if _dvc_outputs(ctx):
        data = "required"
    elif committed:
        small = max(sizes) <= SAMPLE_FILE_MAX and sum(sizes) <= SAMPLE_TOTAL_MAX
        data = "sample" if small else "required"
    elif ml:
        data = "required"
    dotenv = ctx.files(DOTENV_GLOBS)
    secrets = python or bool(dotenv)
    projects = _project_code(ctx, code)
    where = (("python", projects), ("mlflow", projects),
             ("secrets", tuple(code + dotenv)),
             ("ml", tuple(code + ctx.files(MODEL_GLOBS))),
             ("data", tuple(code + committed + _dvc_outputs(ctx))))
    found = _Subjects(python, secrets, ml, mlflow, data, (len(committed), sum(sizes)),
                      tuple(unread), where)
    ctx.repo.memo["git001:subjects"] = found
    return found


# folders of helper scripts that are run, not imported, installed or tested: when the
# Python projects keep .gitignore files of their own, bytecode, environments and coverage
# reports are theirs, not these scripts'
HELPER_DIRS = frozenset({"scripts", "hooks", "bin", "tools", ".github", ".devcontainer",
                         "docs", "doc"})


def _project_code(ctx: Context, code: list[str]) -> tuple[str, ...]:
    """The Python files whose bytecode, environments and coverage reports a .gitignore
    must cover: all of them, except the helper scripts outside every sub-project when the
    rest of the code lives in sub-projects with a .gitignore of their own."""
    if _homes(ctx, code) <= {""}:  # no sub-project .gitignore governs any of the code
        return tuple(code)
    kept = [p for p in code if _homes(ctx, [p]) != {""}
            or PurePosixPath(p).parts[0] not in HELPER_DIRS]
    return tuple(kept or code)


def _homes(ctx: Context, paths: Iterable[str]) -> set[str]:
    """The directories whose .gitignore governs ``paths``: for each path, the nearest
    directory above it with a .gitignore of its own ("" for the repository root, with or
    without one), as git applies a nested .gitignore to its directory."""
    nested = ctx.repo.memo.get("git001:nested")
    if not isinstance(nested, frozenset):
        nested = frozenset(str(PurePosixPath(p).parent) for p in ctx.repo.glob(["**/.gitignore"])
                           if p != ".gitignore")
        ctx.repo.memo["git001:nested"] = nested
    homes: set[str] = set()
    for path in paths:
        home = ""
        for parent in PurePosixPath(path).parents:
            if str(parent) in nested:
                home = str(parent)
                break
        homes.add(home)
    return homes


def _covered(rules: IgnoreRules, candidates: list[str], homes: set[str]) -> set[str] | None:
    """The sub-project .gitignore directories that cover a group (empty when the root
    .gitignore does), or None when it is not covered: the root .gitignore ignores a
    candidate path, or every directory whose .gitignore governs the subject ignores the
    candidates under it."""
    if any(rules.ignored(p) for p in candidates):
        return set()
    if homes and "" not in homes and all(
            any(rules.ignored(f"{home}/{c}") for c in candidates) for home in homes):
        return homes
    return None


def _applies(subjects: _Subjects, key: str) -> bool:
    return {"python": subjects.python, "secrets": subjects.secrets, "ml": subjects.ml,
            "mlflow": subjects.mlflow, "data": subjects.data != "none"}[key]


def _no_root_file(ctx: Context, rules: IgnoreRules, own: set[str]) -> Finding | None:
    """The failure when the .gitignore that governs the repository's files is missing or
    cannot be read."""
    if not ctx.repo.exists(".gitignore") and "" in own:
        return failed(T("no .gitignore at the repository root",
                        "no hay .gitignore en la raíz del repositorio"),
                      fix=T("add a .gitignore for the stack in use (for Python/ML, the guide's "
                            "PLA §7: __pycache__/, .venv/, .env, data/, *.pkl, .coverage ...)",
                            "añade un .gitignore para la tecnología usada (para Python/ML, PLA "
                            "§7 de la guía: __pycache__/, .venv/, .env, data/, *.pkl, "
                            ".coverage ...)"))
    broken = [e for e in rules.errors if e.path == ".gitignore"]
    if broken:
        return failed(T(f"cannot read .gitignore: {broken[0].message}",
                        f"no se puede leer .gitignore: {broken[0].message}"), ".gitignore")
    return None


def _sample_advice(subjects: _Subjects) -> T:
    """Why data directories need not be ignored: their committed data is small samples."""
    count, size = subjects.sample
    return T(f" (data directories are not ignored: their {count} committed data "
             f"file(s), {size // 1024} KB in all, are small sample data; ignore "
             "larger data before it is added)",
             f" (los directorios de datos no se ignoran: sus {count} archivo(s) de "
             f"datos versionados, {size // 1024} KB en total, son pequeños datos de "
             "muestra; ignora los datos grandes antes de añadirlos)")


@dataclass
class _Coverage:
    """What the .gitignore files cover of the groups that apply."""

    missing: list[tuple[T, str]] = field(default_factory=list)  # (name, patterns)
    advice: T = field(default_factory=lambda: T("", ""))
    nested: set[str] = field(default_factory=set)  # sub-project .gitignore files covering
    lacking: set[str] = field(default_factory=set)  # .gitignore files lacking a missing group


def _coverage(ctx: Context, rules: IgnoreRules, subjects: _Subjects,
              groups: list[tuple[str, str, T, tuple[str, ...]]]) -> _Coverage:
    found = _Coverage()
    for key, patterns, name, candidates in groups:
        paths = list(candidates)
        if key == "data":
            paths += _dvc_outputs(ctx)
        homes = _homes(ctx, subjects.of(key))
        covering = _covered(rules, paths, homes)
        if covering is not None:
            found.nested |= covering
            continue
        if key == "data" and subjects.data == "sample":
            found.advice = _sample_advice(subjects)
            continue
        if homes - {""}:  # sub-projects judged: which .gitignore files lack a group
            found.lacking |= {f"{h}/.gitignore" if h else ".gitignore" for h in homes
                              if not any(rules.ignored(f"{h}/{c}" if h else c) for c in paths)}
        found.missing.append((name, patterns))
    return found


def _not_covered(ctx: Context, found: _Coverage, own: set[str], anchor: str) -> Finding:
    """The failure naming the groups the .gitignore files miss (and which files)."""
    names = T.join([name for name, _ in found.missing], ", ")
    patterns = "; ".join(p for _, p in found.missing)
    advice = found.advice
    tried, several = _which(ctx, own | ({""} if ctx.repo.exists(".gitignore") else set()))
    judged_files = {f"{h}/.gitignore" if h else ".gitignore" for h in own | {""}}
    lacking = found.lacking
    if several and lacking and lacking < {f for f in judged_files if ctx.repo.exists(f)}:
        shown = sorted(lacking)
        listed = ", ".join(shown[:4]) + (f" (+{len(shown) - 4})" if len(shown) > 4 else "")
        advice = T(f" (lacking in {listed})", f" (falta en {listed})") + advice
    return failed(tried + (T(" do not cover ", " no cubren ") if several else
                           T(" does not cover ", " no cubre ")) + names + advice,
                  anchor, 1, fix=T(f"add patterns such as: {patterns}",
                                   f"añade patrones como: {patterns}"))


@rule("GIT001")
def gitignore_ml(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT001: the root .gitignore covers what the repository has: bytecode, environments
    and coverage for Python code, .env, data and models for ML code or data, mlruns/ for
    MLflow."""
    rules = ignore_rules(ctx.repo)
    subjects = _subjects(ctx)
    everything = [f for _, files in subjects.files for f in files]
    own = _homes(ctx, everything) if everything else {""}
    missing_file = _no_root_file(ctx, rules, own)
    if missing_file is not None:
        yield missing_file
        return
    yield from (not_read(error) for error in subjects.unread[:MAX_FILE_FINDINGS])
    groups = [g for g in GITIGNORE_GROUPS if _applies(subjects, g[0])]
    if not groups:
        yield skipped(T("not applicable: no Python or ML code, data, models or .env files in "
                        "the repository, which the groups of this rule are about",
                        "no aplica: no hay código Python o de ML, datos, modelos ni archivos "
                        ".env en el repositorio, que es de lo que tratan los grupos de esta "
                        "regla"), ".gitignore")
        return
    found = _coverage(ctx, rules, subjects, groups)
    extras = _extras(rules)
    anchor = ".gitignore" if ctx.repo.exists(".gitignore") else \
        f"{sorted(own - {''})[0]}/.gitignore"
    if found.missing:
        yield _not_covered(ctx, found, own, anchor)
    else:
        names = T.join([name for _, _, name, _ in groups], ", ")
        judged, several = _which(ctx, found.nested | ({""} if ctx.repo.exists(".gitignore")
                                                      else set()))
        yield passed(judged + (T(" cover ", " cubren ") if several else T(" covers ", " cubre "))
                     + names + found.advice + extras, anchor)


def _which(ctx: Context, homes: set[str]) -> tuple[T, bool]:
    """How a message names the .gitignore files judged: the root one alone as before,
    else each file (a sub-project's own .gitignore applies to its directory); and whether
    they are several."""
    files = [f"{h}/.gitignore" if h else ".gitignore" for h in sorted(homes)
             if ctx.repo.exists(f"{h}/.gitignore" if h else ".gitignore")]
    if files in ([], [".gitignore"]):
        return T("the .gitignore", "el .gitignore"), False
    shown = ", ".join(files[:4]) + (f" (+{len(files) - 4})" if len(files) > 4 else "")
    return T(f"the .gitignore files ({shown})", f"los .gitignore ({shown})"), True


def _extras(rules: IgnoreRules) -> T:
    lacking = [pattern for pattern, candidates, wanted in GITIGNORE_EXTRAS
               if any(rules.ignored(c) for c in candidates) != wanted]
    if not lacking:
        return T("", "")
    return T(f" (level-2 extras missing: {', '.join(lacking)})",
             f" (faltan extras de nivel 2: {', '.join(lacking)})")
