"""Phase 2 git checks (GIT001-GIT007), all repository-scoped (rules.md §0.4).

History is read once per run (:func:`mlops_lint.parsers.gitlog.history`: one ``git log``
and one ``git for-each-ref``), file sizes come from ``os.lstat`` of the tracked files
(no subprocess), and ``.gitignore`` files are matched with git's rules by pathspec.
Without git, GIT007 fails and the history rules (GIT002, GIT006) skip with "not a git
repository"; GIT005 then judges the files ``.gitignore`` would let in.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.globs import GlobError, compile_glob
from mlops_lint.model import Finding, T, failed, manual, passed, skipped, verdict, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import WORKFLOW_GLOBS, other_ci_files
from mlops_lint.parsers.conventional import CHAOTIC, check_subject, excluded
from mlops_lint.parsers.gitignore import IgnoreRules, ignore_rules
from mlops_lint.parsers.gitlog import Commit, History, history
from mlops_lint.parsers.invocations import MYPY, PRECOMMIT_CONFIG, precommit_config, tool_runs
from mlops_lint.parsers.precommit import Hook, PreCommitConfig
from mlops_lint.readers.hook_filters import multiline_filter_hint, shown_filter
from mlops_lint.rules import check, not_read

MIN_COMMITS = 5
SCORED_COMMITS = 100
MAX_FILE_FINDINGS = 20


# -- GIT001 .gitignore -------------------------------------------------------------------------

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
ML_IMPORT = re.compile(
    r"""(?:^|["'\s;])(?:from|import)[ \t]+(?:sklearn|imblearn|torch|torchvision|tensorflow|keras|"""
    r"xgboost|lightgbm|catboost|transformers|datasets|jax|flax|mlflow|wandb|joblib|pandas|"
    r"polars|statsmodels|prophet|optuna|pytorch_lightning|lightning|azureml|azure\.ai\.ml|"
    r"sagemaker|bentoml|mlserver|onnx|onnxruntime|dvc|evidently|great_expectations|pandera)\b",
    re.M)
MLFLOW_IMPORT = re.compile(r"""(?:^|["'\s;])(?:from|import)[ \t]+mlflow\b""", re.M)
MLFLOW_DECLARED = re.compile(r"(?<![\w.-])mlflow(?:-skinny)?(?![\w.-])", re.I)
DEPENDENCY_GLOBS = ("**/requirements*.txt", "**/requirements*.in", "**/requirements/*.txt",
                    "**/pyproject.toml", "**/setup.py", "**/setup.cfg", "**/Pipfile",
                    "**/environment*.yml", "**/environment*.yaml", "**/conda*.yml",
                    "**/conda*.yaml", "**/MLproject")
MODEL_GLOBS = ("**/*.pkl", "**/*.pickle", "**/*.joblib", "**/*.pt", "**/*.pth", "**/*.h5",
               "**/*.onnx", "**/*.safetensors", "**/*.ckpt", "**/models/**", "**/model/**")
DOTENV_GLOBS = ("**/.env", "**/.env.*", "**/*.env", "**/docker-compose*.yml",
                "**/docker-compose*.yaml", "**/compose.yml", "**/compose.yaml",
                "**/package.json")
DATA_DIRS = frozenset({"data", "datasets", "dataset"})
SAMPLE_FILE_MAX = 1_000_000  # bytes: committed data at most this big per file...
SAMPLE_TOTAL_MAX = 10_000_000  # ...and in all is sample or fixture data, kept on purpose
MAX_SCANNED = 2000  # files read to look for ML imports


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


@check("gitignore_ml")
def gitignore_ml(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT001: the root .gitignore covers what the repository has: bytecode, environments
    and coverage for Python code, .env, data and models for ML code or data, mlruns/ for
    MLflow."""
    rules = ignore_rules(ctx.repo)
    subjects = _subjects(ctx)
    everything = [f for _, files in subjects.files for f in files]
    own = _homes(ctx, everything) if everything else {""}
    if not ctx.repo.exists(".gitignore") and "" in own:
        yield failed(T("no .gitignore at the repository root",
                       "no hay .gitignore en la raíz del repositorio"),
                     fix=T("add a .gitignore for the stack in use (for Python/ML, the guide's "
                           "PLA §7: __pycache__/, .venv/, .env, data/, *.pkl, .coverage ...)",
                           "añade un .gitignore para la tecnología usada (para Python/ML, PLA "
                           "§7 de la guía: __pycache__/, .venv/, .env, data/, *.pkl, "
                           ".coverage ...)"))
        return
    broken = [e for e in rules.errors if e.path == ".gitignore"]
    if broken:
        yield failed(T(f"cannot read .gitignore: {broken[0].message}",
                       f"no se puede leer .gitignore: {broken[0].message}"), ".gitignore")
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
    missing = []
    advice = T("", "")
    nested: set[str] = set()  # sub-project .gitignore files that cover a group
    lacking: set[str] = set()  # the .gitignore files that lack a missing group
    for key, patterns, name, candidates in groups:
        paths = list(candidates)
        if key == "data":
            paths += _dvc_outputs(ctx)
        homes = _homes(ctx, subjects.of(key))
        covering = _covered(rules, paths, homes)
        if covering is not None:
            nested |= covering
            continue
        if key == "data" and subjects.data == "sample":
            count, size = subjects.sample
            advice = T(f" (data directories are not ignored: their {count} committed data "
                       f"file(s), {size // 1024} KB in all, are small sample data; ignore "
                       "larger data before it is added)",
                       f" (los directorios de datos no se ignoran: sus {count} archivo(s) de "
                       f"datos versionados, {size // 1024} KB en total, son pequeños datos de "
                       "muestra; ignora los datos grandes antes de añadirlos)")
            continue
        if homes - {""}:  # sub-projects judged: which .gitignore files lack a group
            lacking |= {f"{h}/.gitignore" if h else ".gitignore" for h in homes
                        if not any(rules.ignored(f"{h}/{c}" if h else c) for c in paths)}
        missing.append((name, patterns))
    extras = _extras(rules)
    anchor = ".gitignore" if ctx.repo.exists(".gitignore") else \
        f"{sorted(own - {''})[0]}/.gitignore"
    if missing:
        names = T.join([name for name, _ in missing], ", ")
        patterns = "; ".join(p for _, p in missing)
        tried, several = _which(ctx, own | ({""} if ctx.repo.exists(".gitignore") else set()))
        judged_files = {f"{h}/.gitignore" if h else ".gitignore" for h in own | {""}}
        if several and lacking and lacking < {f for f in judged_files if ctx.repo.exists(f)}:
            shown = sorted(lacking)
            listed = ", ".join(shown[:4]) + (f" (+{len(shown) - 4})" if len(shown) > 4 else "")
            advice = T(f" (lacking in {listed})", f" (falta en {listed})") + advice
        yield failed(tried + (T(" do not cover ", " no cubren ") if several else
                              T(" does not cover ", " no cubre ")) + names + advice,
                     anchor, 1, fix=T(f"add patterns such as: {patterns}",
                                      f"añade patrones como: {patterns}"))
    else:
        names = T.join([name for _, _, name, _ in groups], ", ")
        judged, several = _which(ctx, nested | ({""} if ctx.repo.exists(".gitignore")
                                                else set()))
        yield passed(judged + (T(" cover ", " cubren ") if several else T(" covers ", " cubre "))
                     + names + advice + extras, anchor)


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


# -- GIT002 Conventional Commits ---------------------------------------------------------------


def _history_or_skip(ctx: Context) -> History | Finding:
    found = history(ctx.repo)
    if isinstance(found, str) and ctx.repo.git_problem:
        return skipped(T(f"git could not read the repository: {ctx.repo.git_problem}",
                         f"git no pudo leer el repositorio: {ctx.repo.git_problem}"))
    if isinstance(found, str):
        reason = {"not a git repository": T("not a git repository", "no es un repositorio git"),
                  "no commits yet": T("no commits yet", "todavía no hay commits")}[found]
        return skipped(reason)
    return found


SHALLOW = T("history too short (shallow clone?)", "historial demasiado corto (¿clon superficial?)")
COMMIT_FIX = T("write subjects as 'type(scope): description' (feat, fix, docs, style, refactor, "
               "test, perf, ci, build, chore, revert) and enforce them with a commit-msg hook",
               "escribe asuntos como 'tipo(ámbito): descripción' (feat, fix, docs, style, "
               "refactor, test, perf, ci, build, chore, revert) y exígelos con un hook "
               "commit-msg")


def _scored_commits(found: History) -> list[Commit] | Finding:
    """The last non-merge commits to score, or why the history is too short."""
    recent = found.non_merge(SCORED_COMMITS)
    scored = [c for c in recent if not excluded(c.subject)]
    if len(scored) < MIN_COMMITS:
        return skipped(SHALLOW if found.shallow else T(
            f"history too short: {len(scored)} scorable commits (< {MIN_COMMITS})",
            f"historial demasiado corto: {len(scored)} commits evaluables (< {MIN_COMMITS})"))
    if found.shallow and len(recent) < SCORED_COMMITS:
        return skipped(SHALLOW)
    return scored


def _commit_summary(scored: list[Commit]) -> tuple[float, T]:
    """The share of Conventional subjects and the report line with three failing examples."""
    verdicts = [(c, check_subject(c.subject)) for c in scored]
    failing = [(c, v.problem or T("", "")) for c, v in verdicts if not v.ok]
    good = len(scored) - len(failing)
    share = good / len(scored)
    summary = T(f"{good}/{len(scored)} ({share:.0%}) of the last {len(scored)} non-merge "
                "commits follow Conventional Commits",
                f"{good}/{len(scored)} ({share:.0%}) de los últimos {len(scored)} commits "
                "(sin merges) siguen Conventional Commits")
    if failing:
        examples = [T.same(f"{c.short} '{c.subject[:60]}' (") + problem + T.same(")")
                    for c, problem in failing[:3]]
        summary = summary + T("; e.g. ", "; p. ej. ") + T.join(examples)
    chaotic = sum(1 for c, _ in failing if CHAOTIC.match(c.subject.strip()))
    if chaotic:
        summary = summary + T(f"; {chaotic} say nothing ('wip', 'fix', 'updates'...)",
                              f"; {chaotic} no dicen nada ('wip', 'fix', 'updates'...)")
    return share, summary


@check("conventional_commits")
def conventional_commits(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT002: share of Conventional Commit subjects among the last 100 non-merge commits."""
    found = _history_or_skip(ctx)
    scored = found if isinstance(found, Finding) else _scored_commits(found)
    if isinstance(scored, Finding):
        yield scored
        return
    share, summary = _commit_summary(scored)
    for level, minimum in zip((1, 2, 3), ctx.thresholds.conventional_commits, strict=True):
        need = T(f" (level {level} needs {minimum:.0%})",
                 f" (el nivel {level} necesita {minimum:.0%})")
        yield verdict(share >= minimum, summary + need, summary + need, level=level,
                      fix=COMMIT_FIX)


# -- GIT003 / GIT004 pre-commit ----------------------------------------------------------------

# linters and formatters of other stacks, for repositories without Python code
STACK_LINTERS = frozenset({"terraform_tflint", "terraform_validate", "terraform_checkov",
                           "terraform_trivy", "tflint", "eslint", "golangci-lint", "go-vet",
                           "go-vet-mod", "shellcheck", "hadolint", "hadolint-docker",
                           "helmlint", "yamllint", "markdownlint", "markdownlint-cli2",
                           "clippy", "rubocop", "ktlint", "actionlint"})
STACK_FORMATTERS = frozenset({"terraform_fmt", "prettier", "go-fmt", "gofmt", "goimports",
                              "fmt", "rustfmt", "cargo-fmt", "shfmt", "clang-format",
                              "google-java-format", "rubocop", "ktlint", "mdformat"})
HYGIENE_HOOKS = ("trailing-whitespace", "end-of-file-fixer", "check-yaml",
                 "check-added-large-files", "check-merge-conflict")


def _config_or_finding(ctx: Context, needed: T) -> PreCommitConfig | Finding:
    """The pre-commit configuration, or the finding that replaces the rule's verdict; a
    missing file names everything the rule will ask of it (``needed``), so that a user
    does not discover the requirements one run at a time."""
    config = precommit_config(ctx.repo)
    if config is None:
        return failed(T("no .pre-commit-config.yaml; needed: ",
                        "no hay .pre-commit-config.yaml; hace falta: ") + needed,
                      fix=T("add .pre-commit-config.yaml (the guide's 05 \"5.2\") and run "
                            "pre-commit install", "añade .pre-commit-config.yaml (05 \"5.2\" "
                            "de la guía) y ejecuta pre-commit install"))
    if isinstance(config, ParseError):
        return failed(T(f"cannot read .pre-commit-config.yaml: {config.message}",
                        f"no se puede leer .pre-commit-config.yaml: {config.message}"),
                      config.path, config.line)
    return config


def _ids(config: PreCommitConfig) -> set[str]:
    return {h.id for h in config.hooks}


def _maxkb(hooks: list[Hook]) -> int | None:
    for hook in hooks:
        for arg in hook.args:
            match = re.match(r"--maxkb=(\d+)", arg)
            if match:
                return int(match.group(1))
    return None


@check("precommit_hygiene")
def precommit_hygiene(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT003: pre-commit hygiene hooks, a linter and a formatter, revs pinned to tags."""
    hooks = ", ".join(HYGIENE_HOOKS)
    config = _config_or_finding(ctx, T(
        f"the hooks {hooks}, a linter and a formatter (ruff + ruff-format, or black + "
        "isort/flake8), revs pinned to tags",
        f"los hooks {hooks}, un linter y un formateador (ruff + ruff-format, o black + "
        "isort/flake8), revs fijados a tags"))
    if isinstance(config, Finding):
        yield config
        return
    ids = _ids(config)
    problems: list[T] = []
    missing = [h for h in HYGIENE_HOOKS if h not in ids]
    if missing:
        problems.append(T(f"missing pre-commit-hooks: {', '.join(missing)}",
                          f"faltan hooks de pre-commit-hooks: {', '.join(missing)}"))
    ruff = bool(ids & {"ruff", "ruff-check"})
    formatter = bool(ids & {"ruff-format", "black", "black-jupyter"})
    classic = bool(ids & {"black", "black-jupyter"}) and bool(ids & {"isort", "flake8"})
    if not ctx.files(["**/*.py"]):
        # no Python: the linter and formatter of the stack in use (Terraform, Go, JS...)
        if not (ids & STACK_LINTERS and ids & STACK_FORMATTERS):
            problems.append(T("no linter + formatter hooks for the code in the repository "
                              "(e.g. terraform_fmt + terraform_tflint, prettier + eslint, "
                              "gofmt + golangci-lint)", "faltan hooks de linter + formateador "
                              "para el código del repositorio (p. ej. terraform_fmt + "
                              "terraform_tflint, prettier + eslint, gofmt + golangci-lint)"))
    elif not ((ruff and formatter) or classic):
        problems.append(T("no linter + formatter hooks (ruff + ruff-format, or black + "
                          "isort/flake8)", "faltan hooks de linter + formateador (ruff + "
                          "ruff-format, o black + isort/flake8)"))
    unpinned = sorted({f"{h.repo}@{h.rev}" for h in config.hooks if not h.pinned})
    if unpinned:
        problems.append(T(f"rev not pinned to a release tag: {', '.join(unpinned)}",
                          f"rev no fijado a una etiqueta de versión: {', '.join(unpinned)}"))
    note = T("", "")
    maxkb = _maxkb(config.hook("check-added-large-files"))
    if maxkb is not None and maxkb > ctx.thresholds.large_file_kb:
        note = T(f" (check-added-large-files allows {maxkb} KB, above the "
                 f"{ctx.thresholds.large_file_kb} KB limit of GIT005)",
                 f" (check-added-large-files permite {maxkb} KB, más que el límite de "
                 f"{ctx.thresholds.large_file_kb} KB de GIT005)")
    line = config.hooks[0].line if config.hooks else 1
    if problems:
        yield failed(T.join(problems) + note, PRECOMMIT_CONFIG, line)
    else:
        yield passed(T("pre-commit runs the hygiene hooks, a linter and a formatter, with revs "
                       "pinned", "pre-commit ejecuta los hooks de higiene, un linter y un "
                       "formateador, con revs fijados") + note, PRECOMMIT_CONFIG, line)
    yield manual(T("whether the hooks are installed (pre-commit install) can only be checked "
                   "on each clone", "si los hooks están instalados (pre-commit install) solo se "
                   "puede comprobar en cada clon"), PRECOMMIT_CONFIG)


COMMITLINT_GLOBS = ("commitlint.config.*", ".commitlintrc", ".commitlintrc.*", ".cz.toml",
                    "cz.json", ".cz.json", ".cz.yaml", "cz.yaml")


def _commit_msg_enforcer(ctx: Context, config: PreCommitConfig) -> str | None:
    for hook in config.hooks:
        if hook.id == "conventional-pre-commit" and (not hook.stages
                                                     or "commit-msg" in hook.stages):
            return "conventional-pre-commit"
        if hook.id in ("commitizen", "commitlint", "gitlint") or "commit-msg" in hook.stages:
            return hook.id
    files = ctx.repo.glob(COMMITLINT_GLOBS)
    if files:
        return files[0]
    doc = ctx.repo.toml("pyproject.toml") if ctx.repo.exists("pyproject.toml") else None
    if isinstance(doc, dict) and isinstance(doc.get("tool"), dict) and "commitizen" in doc["tool"]:
        return "[tool.commitizen]"
    return None


@dataclass(frozen=True)
class _Gap:
    message: T
    fix: T
    line: int | None


def _mypy_gap(ctx: Context, config: PreCommitConfig) -> _Gap | None:
    hooks = [r for r in tool_runs(ctx.repo, MYPY) if r.where == "pre-commit"]
    if not hooks:
        return _Gap(T("no mypy hook (mirrors-mypy)", "no hay hook de mypy (mirrors-mypy)"),
                    T("add the mirrors-mypy hook", "añade el hook mirrors-mypy"), None)
    if any(r.checks_files for r in hooks):
        return None
    dead = hooks[0]
    hook = dead.hook
    # the exclude filter is shown when no files filter narrows the selection
    filters = "; ".join(f"{k}: {shown_filter(v)}" for k, v in (
        ("files", hook.files if hook else None),
        ("exclude", hook.exclude if hook and not hook.files else None),
        ("types", ",".join(hook.types) if hook else None)) if v)
    where = f" ({filters})" if filters else ""
    hint = multiline_filter_hint(hook) if hook else None
    fix = T("fix the mypy hook's filters so that they select the Python files",
            "corrige los filtros del hook de mypy para que seleccionen los archivos Python")
    if hint is not None:
        fix = fix + T(": ", ": ") + hint
    return _Gap(T(f"the mypy hook's files/exclude/types select none of the Python files{where}",
                  f"los filtros files/exclude/types del hook de mypy no seleccionan ningún "
                  f"archivo Python{where}"), fix, dead.line)


def _secrets_gap(ctx: Context, config: PreCommitConfig) -> _Gap | None:
    ids = _ids(config)
    if ids & {"gitleaks", "gitleaks-docker", "gitleaks-system", "trufflehog",
              "detect-private-key"}:
        return None
    if "detect-secrets" in ids:
        if ctx.repo.exists(".secrets.baseline"):
            return None
        line = next((h.line for h in config.hooks if h.id == "detect-secrets"), None)
        return _Gap(T("detect-secrets without a .secrets.baseline",
                      "detect-secrets sin .secrets.baseline"),
                    T("run detect-secrets scan > .secrets.baseline and commit it",
                      "ejecuta detect-secrets scan > .secrets.baseline y súbelo"), line)
    return _Gap(T("no secrets hook (gitleaks, detect-secrets or detect-private-key)",
                  "no hay hook de secretos (gitleaks, detect-secrets o detect-private-key)"),
                T("add a secrets hook (gitleaks, or detect-secrets with .secrets.baseline, or "
                  "at least detect-private-key)", "añade un hook de secretos (gitleaks, o "
                  "detect-secrets con .secrets.baseline, o al menos detect-private-key)"), None)


@check("precommit_advanced")
def precommit_advanced(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT004: pre-commit mypy (where there is Python code), a secrets hook and a
    commit-message enforcer."""
    python = bool(ctx.files(["**/*.py"]))
    config = _config_or_finding(ctx, (T(
        "a mypy hook (mirrors-mypy), ", "un hook de mypy (mirrors-mypy), ") if python else T(
        "", "")) + T(
        "a secrets hook (gitleaks, detect-secrets with "
        ".secrets.baseline, or detect-private-key) and a commit-message check "
        "(conventional-pre-commit at the commit-msg stage, commitlint or commitizen)",
        "un hook de secretos (gitleaks, detect-secrets con "
        ".secrets.baseline, o detect-private-key) y una comprobación del mensaje de commit "
        "(conventional-pre-commit en la etapa commit-msg, commitlint o commitizen)"))
    if isinstance(config, Finding):
        yield config
        return
    gaps = [gap for gap in (_mypy_gap(ctx, config) if python else None,
                            _secrets_gap(ctx, config)) if gap is not None]
    enforcer = _commit_msg_enforcer(ctx, config)
    if enforcer is None:
        gaps.append(_Gap(T("no commit-message enforcer (conventional-pre-commit at the "
                           "commit-msg stage, commitlint or commitizen)",
                           "no se exige el formato de commit (conventional-pre-commit en la "
                           "etapa commit-msg, commitlint o commitizen)"),
                         T("add conventional-pre-commit at the commit-msg stage (or a "
                           "commitlint/commitizen configuration)",
                           "añade conventional-pre-commit en la etapa commit-msg (o una "
                           "configuración de commitlint/commitizen)"), None))
    ids = _ids(config)
    bonus = sorted(ids & {"bandit", "no-commit-to-branch", "nbstripout", "hadolint",
                          "hadolint-docker"})
    extra = T(f"; bonus: {', '.join(bonus)}", f"; extra: {', '.join(bonus)}") if bonus else T(
        "", "")
    if gaps:
        # the hook a finding is about; the file's first line for what is absent
        line = next((g.line for g in gaps if g.line), None) or 1
        yield failed(T.join([g.message for g in gaps]) + extra, PRECOMMIT_CONFIG, line,
                     fix=T.join([g.fix for g in gaps]))
    else:
        first_line = config.hooks[0].line if config.hooks else 1
        checked = T("mypy, ", "mypy, ") if python else T("", "")
        yield passed(T("pre-commit runs ", "pre-commit ejecuta ") + checked + T(
            f"a secrets hook and a commit-message check ({enforcer})",
            f"un hook de secretos y una comprobación del mensaje de commit ({enforcer})")
            + extra, PRECOMMIT_CONFIG, first_line)


# -- GIT005 large and binary files -------------------------------------------------------------

DATA_SUFFIXES = frozenset({".csv", ".parquet", ".pkl", ".pickle", ".joblib", ".h5", ".hdf5",
                           ".onnx", ".pt", ".pth", ".ckpt", ".safetensors", ".keras", ".npy",
                           ".npz", ".feather", ".arrow", ".tfrecord", ".xlsx"})
TEST_DIRS = frozenset({"tests", "test", "testing", "fixtures"})
RUN_DIRS = frozenset({"mlruns", "mlartifacts"})


def _lfs_patterns(ctx: Context) -> list[str]:
    patterns = []
    for path in ctx.repo.glob(["**/.gitattributes"]):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            continue
        base = str(PurePosixPath(path).parent)
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and "filter=lfs" in parts[1:]:
                pattern = parts[0]
                if "/" not in pattern.strip("/"):
                    pattern = "**/" + pattern.lstrip("/")
                patterns.append(pattern if base == "." else f"{base}/{pattern.lstrip('/')}")
    return patterns


def _notebook_outputs(data: Any) -> tuple[int, int]:
    cells = data.get("cells") if isinstance(data, dict) else None
    if cells is None and isinstance(data, dict):  # nbformat 3
        cells = [c for ws in data.get("worksheets") or [] if isinstance(ws, dict)
                 for c in ws.get("cells") or []]
    code = [c for c in cells or [] if isinstance(c, dict) and c.get("cell_type") == "code"]
    return sum(1 for c in code if c.get("outputs")), len(code)


def tracked_files(ctx: Context) -> tuple[list[str], bool]:
    """Files in git (or, without git, the files .gitignore lets in) and whether git."""
    if ctx.repo.is_git and ctx.repo.git_info is not None:
        return sorted(f for f in ctx.repo.files if ctx.repo.is_tracked(f)), True
    return list(ctx.repo.files), False


@check("no_large_files")
def no_large_files(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT005: no large files, data/model binaries or mlruns/ in git; notebooks stripped."""
    files, in_git = tracked_files(ctx)
    limit_kb = ctx.thresholds.large_file_kb
    lfs = []
    for pattern in _lfs_patterns(ctx):
        try:
            lfs.append(compile_glob(pattern))
        except GlobError:  # git ignores a pattern it cannot read; so does this check
            continue
    problems: list[Finding] = []
    notebooks: list[Finding] = []
    root = str(ctx.repo.root)
    verb = T("tracked", "versionado") if in_git else T("not ignored", "no ignorado")
    for path in files:
        if lfs and any(p.match(path) for p in lfs):
            continue
        parts = PurePosixPath(path).parts
        suffix = PurePosixPath(path).suffix.lower()
        if set(parts[:-1]) & RUN_DIRS:
            problems.append(failed(T(f"MLflow run data {path} is ", f"los datos de MLflow {path} "
                                     "están ") + verb + T(" in git", " en git"), path,
                                   fix=T("git rm -r --cached mlruns/ and add mlruns/ to "
                                         ".gitignore", "git rm -r --cached mlruns/ y añade "
                                         "mlruns/ a .gitignore")))
            continue
        try:
            size = os.lstat(os.path.join(root, path)).st_size
        except OSError:
            size = 0
        if size > limit_kb * 1024:
            problems.append(failed(T(f"{path} is {size // 1024} KB (limit {limit_kb} KB) and ",
                                     f"{path} pesa {size // 1024} KB (límite {limit_kb} KB) y "
                                     "está ") + verb,
                                   path, fix=T("move it out of git: DVC (dvc add), Git LFS or "
                                               "object storage", "sácalo de git: DVC (dvc add), "
                                               "Git LFS o almacenamiento de objetos")))
        elif suffix in DATA_SUFFIXES and not set(parts[:-1]) & TEST_DIRS:
            problems.append(failed(T(f"data/model file {path} is ", f"el archivo de datos/modelo "
                                     f"{path} está ") + verb + T(" in git (not a DVC pointer)",
                                                                  " en git (no es un puntero "
                                                                  "DVC)"), path,
                                   fix=T(f"dvc add {path} and commit the {path}.dvc pointer",
                                         f"dvc add {path} y sube el puntero {path}.dvc")))
        elif suffix == ".ipynb" and not set(parts[:-1]) & TEST_DIRS:
            data = ctx.repo.parse(path, json.loads)
            if isinstance(data, ParseError):
                notebooks.append(warned(T(f"cannot read notebook: {data.message}",
                                          f"no se puede leer el notebook: {data.message}"),
                                        path, data.line))
                continue
            with_output, total = _notebook_outputs(data)
            if with_output:
                notebooks.append(warned(T(f"{with_output}/{total} code cells keep their outputs",
                                          f"{with_output}/{total} celdas de código conservan "
                                          "sus salidas"), path,
                                        fix=T("strip outputs (nbstripout, or jupyter nbconvert "
                                              "--clear-output) before committing",
                                              "limpia las salidas (nbstripout, o jupyter "
                                              "nbconvert --clear-output) antes del commit")))
    yield from problems[:MAX_FILE_FINDINGS]
    if len(problems) > MAX_FILE_FINDINGS:
        more = len(problems) - MAX_FILE_FINDINGS
        yield failed(T(f"... and {more} more large or data files",
                       f"... y {more} archivos grandes o de datos más"))
    yield from notebooks[:MAX_FILE_FINDINGS]
    if not problems and not notebooks:
        where = T("tracked", "versionados") if in_git else T(
            "not ignored (git could not read the repository)",
            "no ignorados (git no pudo leer el repositorio)") if ctx.repo.git_problem else T(
            "not ignored (not a git repository)", "no ignorados (no es un repositorio git)")
        yield passed(T(f"{len(files)} files ", f"{len(files)} archivos ") + where + T(
            f": none above {limit_kb} KB, no data/model binaries, no mlruns/",
            f": ninguno supera {limit_kb} KB, sin binarios de datos/modelos ni mlruns/"))


# -- GIT006 release hygiene --------------------------------------------------------------------

_PR_REF = re.compile(r"#\d+|\b(feature|feat|fix|bugfix|hotfix|refactor|experiment|exp|docs|chore)"
                     r"/[\w.-]+", re.IGNORECASE)
_SQUASH = re.compile(r"\(#\d+\)\s*$")


# Release notes kept as GitHub/GitLab releases: a CI step or tool that publishes them...
RELEASE_TOOL = re.compile(
    r"softprops/action-gh-release|actions/create-release|ncipollo/release-action|"
    r"release-please|release-drafter/release-drafter|semantic-release|goreleaser|"
    r"changesets/action|helm/chart-releaser-action|\bgh[ \t]+release[ \t]+(?:create|edit)\b|"
    r"\bglab[ \t]+release[ \t]+create\b|"
    r"release-cli[ \t]+create", re.I)
RELEASE_CONFIGS = (".releaserc", ".releaserc.*", "release.config.*", "release-please-config.json",
                   ".release-please-manifest.json", ".github/release-drafter.yml",
                   ".github/release-drafter.yaml", ".github/release.yml", ".github/release.yaml",
                   ".goreleaser.yml", ".goreleaser.yaml", ".changeset/config.json")
# ...or release documentation that asks for release notes
RELEASE_DOCS = ("RELEAS*.md", "**/RELEAS*.md", "**/releas*/*.md", "**/releas*.md",
                "CONTRIBUTING.md", ".github/CONTRIBUTING.md", "docs/**/CONTRIBUTING.md")
RELEASE_NOTES = re.compile(r"release[ \t]+notes|notas[ \t]+de[ \t]+(?:la[ \t]+)?versi[oó]n",
                           re.I)


def _first_match(ctx: Context, paths: list[str], pattern: re.Pattern[str]
                 ) -> tuple[str, int] | None:
    for path in paths[:MAX_SCANNED]:
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            continue
        found = pattern.search(text)
        if found:
            return path, text.count("\n", 0, found.start()) + 1
    return None


def release_notes(ctx: Context) -> tuple[str, int | None, bool] | None:
    """Where release notes are kept outside a changelog file: (path, line, published by
    automation). A CI job or tool configuration that creates releases is automation; a
    release document that asks for release notes is a documented, manual process."""
    ci = ctx.repo.glob(WORKFLOW_GLOBS) + [p for paths in other_ci_files(ctx.repo).values()
                                          for p in paths]
    hit = _first_match(ctx, sorted(set(ci)), RELEASE_TOOL)
    if hit:
        return hit[0], hit[1], True
    configs = ctx.repo.glob(RELEASE_CONFIGS)
    if configs:
        return configs[0], None, True
    docs = ctx.repo.glob(RELEASE_DOCS, case_sensitive=False)
    hit = _first_match(ctx, docs, RELEASE_NOTES)
    if hit:
        return hit[0], hit[1], False
    return None


@check("release_hygiene")
def release_hygiene(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT006: a semver tag, a CHANGELOG and a visible pull-request flow."""
    found = _history_or_skip(ctx)
    if isinstance(found, Finding):
        yield found
        return
    if found.shallow:
        yield skipped(SHALLOW)
        return
    if len(found.commits) < MIN_COMMITS:
        yield skipped(T(f"history too short: {len(found.commits)} commits (< {MIN_COMMITS})",
                        f"historial demasiado corto: {len(found.commits)} commits "
                        f"(< {MIN_COMMITS})"))
        return
    semver = found.semver_tags
    yield verdict(bool(semver),
                  T(f"{len(semver)} semver tag(s), latest {semver[-1]}" if semver else "",
                    f"{len(semver)} etiqueta(s) semver, última {semver[-1]}" if semver else ""),
                  T("no semver release tag (v1.2.3)", "no hay etiqueta de versión semver "
                    "(v1.2.3)"),
                  fix=T("tag releases: git tag -a v0.1.0 -m 'first release' && git push --tags",
                        "etiqueta las versiones: git tag -a v0.1.0 -m 'primera versión' && git "
                        "push --tags"))
    changelog = ctx.repo.glob(["CHANGELOG*", "CHANGES.md", "HISTORY.md"], case_sensitive=False)
    notes = None if changelog else release_notes(ctx)
    if notes is not None and notes[2]:
        yield passed(T("no CHANGELOG file, but release notes are published as releases by "
                       f"{notes[0]}", "no hay archivo CHANGELOG, pero las notas de versión se "
                       f"publican como releases desde {notes[0]}"), notes[0], notes[1])
    elif notes is not None:
        yield warned(T("no CHANGELOG file; release notes are kept in the hosting service's "
                       f"releases, as {notes[0]} describes (not verifiable from the "
                       "repository)", "no hay archivo CHANGELOG; las notas de versión se "
                       f"guardan en las releases del servicio de hosting, según describe "
                       f"{notes[0]} (no verificable desde el repositorio)"),
                     notes[0], notes[1],
                     fix=T("publish the release notes from CI (e.g. softprops/action-gh-release "
                           "or release-please), or keep them in a CHANGELOG.md too",
                           "publica las notas de versión desde la CI (p. ej. "
                           "softprops/action-gh-release o release-please), o guárdalas también "
                           "en un CHANGELOG.md"))
    else:
        yield verdict(bool(changelog),
                      T(f"{changelog[0]} exists" if changelog else "",
                        f"{changelog[0]} existe" if changelog else ""),
                      T("no CHANGELOG.md", "no hay CHANGELOG.md"),
                      path=changelog[0] if changelog else None,
                      fix=T("keep a CHANGELOG.md (Keep a Changelog format), or publish release "
                            "notes as releases from CI",
                            "mantén un CHANGELOG.md (formato Keep a Changelog), o publica las "
                            "notas de versión como releases desde la CI"))
    merges = [c for c in found.commits if c.is_merge or _SQUASH.search(c.subject)]
    referenced = [c for c in merges if _PR_REF.search(c.subject)]
    if not merges:
        yield failed(T(f"no merge or pull-request commits in the last {len(found.commits)}: "
                       "every change went straight to the branch",
                       f"no hay commits de merge o pull request en los últimos "
                       f"{len(found.commits)}: todo fue directo a la rama"),
                     fix=T("work in feature/... branches merged through pull requests",
                           "trabaja en ramas feature/... integradas con pull requests"))
    else:
        share = len(referenced) / len(merges)
        yield verdict(share >= 0.5,
                      T(f"{len(referenced)}/{len(merges)} merge/squash commits reference a PR "
                        "or a feature branch", f"{len(referenced)}/{len(merges)} commits de "
                        "merge/squash citan un PR o una rama feature"),
                      T(f"only {len(referenced)}/{len(merges)} merge/squash commits reference a "
                        "PR (#N) or a feature/, fix/, refactor/, experiment/ branch (needs 50 %)",
                        f"solo {len(referenced)}/{len(merges)} commits de merge/squash citan un "
                        "PR (#N) o una rama feature/, fix/, refactor/, experiment/ (se necesita "
                        "50 %)"))


# -- GIT007 git repository ---------------------------------------------------------------------


@check("git_repository")
def git_repository(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT007: the target is inside a git work tree."""
    info = ctx.repo.git_info
    if info is None and ctx.repo.git_problem:
        yield warned(T(f"git could not read the repository: {ctx.repo.git_problem}",
                       f"git no pudo leer el repositorio: {ctx.repo.git_problem}"),
                     fix=T("make the repository readable by the user running mlops-lint "
                           "(for a checkout owned by another user: git config --global "
                           "--add safe.directory <path>)",
                           "haz el repositorio legible para el usuario que ejecuta mlops-lint "
                           "(si otro usuario es el dueño: git config --global --add "
                           "safe.directory <ruta>)"))
        return
    if info is None:
        yield failed(T("not a git repository: history rules (GIT002, GIT006) are skipped",
                       "no es un repositorio git: las reglas de historial (GIT002, GIT006) se "
                       "omiten"), fix=T("git init && git add -A && git commit -m "
                                        "'chore: initial commit'", "git init && git add -A && "
                                        "git commit -m 'chore: initial commit'"))
        return
    shallow = T(" (shallow clone)", " (clon superficial)") if info.shallow else T("", "")
    yield passed(T(f"inside a git work tree; {len(info.tracked)} tracked files",
                   f"dentro de un repositorio git; {len(info.tracked)} archivos versionados")
                 + shallow)
