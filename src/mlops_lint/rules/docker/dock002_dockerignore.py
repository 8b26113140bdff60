"""DOCK002: a ``.dockerignore`` in each Dockerfile's build context (level 1) that
excludes at least 6 of the 9 recommended entries (level 2).

Matching is Docker's own (Go ``filepath.Match`` plus ``**``; a pattern excludes a path or
any of its parents; the last matching rule wins), tried on sample paths of each entry
(:data:`IGNORE_CATEGORIES`). The file is ``<Dockerfile>.dockerignore`` (BuildKit), then
``.dockerignore`` beside the Dockerfile, in the project, or at the root. For an image of
another stack (Go, Node.js, ...), only .git, .env and the Python/ML artefacts its build
context really holds apply, and all of them must be excluded. ``.git`` applies only when
the build context (the folder of the ``.dockerignore``) is the repository root or holds a
``.git`` of its own (a ``<Dockerfile>.dockerignore`` goes with any context, so it keeps
.git); without it a Python image needs 5 of the other 8. The message credits the stack's
own exclusions (node_modules, target/, bin/ and obj/) without requiring them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.dockerfile import Dockerfile, Instruction
from mlops_lint.rules import rule
from mlops_lint.rules.docker._dockerignore import IgnoreRule, ignored, parse_dockerignore
from mlops_lint.rules.docker._runtime import non_python_runtime, stage_runtimes
from mlops_lint.rules.docker._shared import copy_sources, each, final_stage

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


def _git_in_context(ctx: Context, df: Dockerfile, path: str) -> bool:
    """Whether the build context the ignore file ``path`` serves can hold ``.git``: it is
    the repository root (or a folder with its own .git), or unknown (a
    ``<Dockerfile>.dockerignore`` goes with whatever context the build names)."""
    if path == f"{df.path}.dockerignore":
        return True
    directory = str(PurePosixPath(path).parent)
    return directory == "." or (ctx.repo.root / directory / ".git").exists()


def _applicable(ctx: Context, df: Dockerfile, path: str) -> tuple[list[str], T | None]:
    """The .dockerignore categories that apply to the build context of ``df``: all of them
    for a Python (or unknown) image; for another stack, .git, .env and the Python/ML
    artefacts the context holds. .git only when the context can hold it (the root)."""
    stack = _foreign_stack(df)
    git = _git_in_context(ctx, df, path)
    if stack is None:
        return [n for n in IGNORE_CATEGORIES if git or n != ".git"], None
    directory = str(PurePosixPath(path).parent)
    prefix = "" if directory == "." else directory + "/"
    applicable = [".git", ".env"] if git else [".env"]
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


def _whole_context_copies(df: Dockerfile) -> list[Instruction]:
    """The COPY/ADD instructions (from the build context, not another stage) that copy
    the whole context (``COPY . .``, ``COPY ./ /app``, ``COPY * ./``)."""
    found = []
    for inst in df.instructions:
        if inst.cmd not in ("COPY", "ADD") or "from" in inst.flags or inst.heredoc is not None:
            continue
        if any(src.rstrip("/") in (".", "./*", "*") for src in copy_sources(inst)):
            found.append(inst)
    return found


def _builder_only(df: Dockerfile, copies: list[Instruction]) -> str | None:
    """The builder stage of the whole-context copies when none of them is in the final
    image's lineage (the final stage takes only what it copies --from a stage); None
    when one reaches the final image."""
    final = final_stage(df)
    if final is None:
        return None
    lineage = {id(i) for stage in df.lineage(final) for i in stage.instructions}
    if any(id(inst) in lineage for inst in copies):
        return None
    stage = next((st for st in df.stages if copies[0] in st.instructions), None)
    return (stage.alias or f"stage {stage.index + 1}") if stage is not None else None


def _no_ignore_message(ctx: Context, df: Dockerfile) -> T:
    directory = str(PurePosixPath(df.path).parent)
    count, found = context_contents(ctx, directory)
    where = "the repository root" if directory == "." else directory + "/"
    donde = "la raíz del repositorio" if directory == "." else directory + "/"
    copies = _whole_context_copies(df)
    whole = copies[0] if copies else None
    builder = _builder_only(df, copies) if copies else None
    if whole is not None and builder is not None:
        head = T(f"no .dockerignore in the build context of {df.path}: if it is built from "
                 f"{where}, all {count} files there are sent to the daemon and {whole.cmd} "
                 f"{whole.args} (line {whole.line}) puts them in the builder stage "
                 f"'{builder}', not the final image (which copies only what it takes from "
                 "that stage): they weigh on every build and its cache, and a secret among "
                 "them could leak through the builder's layers",
                 f"no hay .dockerignore en el contexto de build de {df.path}: si se construye "
                 f"desde {donde}, sus {count} archivos se envían al daemon y {whole.cmd} "
                 f"{whole.args} (línea {whole.line}) los mete en la etapa builder "
                 f"'{builder}', no en la imagen final (que solo copia lo que toma de esa "
                 "etapa): pesan en cada build y su caché, y un secreto entre ellos podría "
                 "filtrarse por las capas del builder")
        tail = T("; none is data, a virtualenv or a secret today",
                 "; hoy ninguno es de datos, un entorno virtual o un secreto")
    elif whole is not None:
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


# the recommended entries that are committed content, seen in the build context by these
# globs (relative to it); the others (.git, .env, a virtualenv, __pycache__) are local
# files git does not show, so they are always recommended
_TRACKED_ENTRIES: dict[str, tuple[str, ...]] = {
    "data/": ("data/**", "datasets/**"),
    "tests/": ("tests/**",),
    "notebooks/*.ipynb": ("**/*.ipynb",),
    "mlruns": ("mlruns/**", "**/mlruns/**"),
    ".dvc": (".dvc/**", "**/*.dvc"),
}


def _absent(ctx: Context, directory: str, names: list[str]) -> list[str]:
    """The committed-content entries of ``names`` that match nothing in the build context
    ``directory`` today; ``__pycache__`` too when the context holds no Python file."""
    prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
    absent = [n for n in names if n in _TRACKED_ENTRIES
              and not ctx.repo.glob(tuple(prefix + g for g in _TRACKED_ENTRIES[n]))]
    if "__pycache__" in names and not ctx.repo.glob((prefix + "**/*.py",)):
        absent.append("__pycache__")
    return [n for n in names if n in absent]


def _entries_fix(ctx: Context, df: Dockerfile, directory: str, names: list[str]
                 ) -> tuple[str, T]:
    """(the entries to add, what the fix says of those the context does not hold today
    and of what the image takes): entries that match nothing are still named, as a
    guard, so that following the fix meets the recommended set."""
    absent = _absent(ctx, directory, names)
    present = [n for n in names if n not in absent]
    note = T("", "")
    if absent:
        note = T(f"; {_entries(absent)} match nothing in the build context today (they "
                 "only guard against future additions)",
                 f"; {_entries(absent)} no coinciden hoy con nada del contexto de build "
                 "(solo protegen frente a lo que se añada)")
    if not _whole_context_copies(df):
        note = note + T("; no COPY copies the whole context, so these entries slim what "
                        "is sent to the daemon, not the image",
                        "; ningún COPY copia el contexto entero, así que estas entradas "
                        "aligeran lo que se envía al daemon, no la imagen")
    return _entries(present + absent), note


def _no_ignore_fix(ctx: Context, df: Dockerfile) -> T:
    """A .dockerignore for the stack of the image: the guide's nine entries for a Python
    image; .git, .env and the Python/ML artefacts the context holds for another stack."""
    directory = str(PurePosixPath(df.path).parent)
    target = ".dockerignore" if directory == "." else f"{directory}/.dockerignore"
    applicable, stack = _applicable(ctx, df, target)
    if stack is None:
        entries, note = _entries_fix(ctx, df, directory, applicable)
        return T(f"Add {target} excluding {entries}", f"Añade {target} excluyendo {entries}"
                 ) + note + T.same(".")
    return T(f"Add {target} excluding {_entries(applicable)} (and the build outputs and local "
             "files the image does not need; ",
             f"Añade {target} excluyendo {_entries(applicable)} (y las salidas de build y los "
             "archivos locales que la imagen no necesita; ") + stack + T(
        ": the Python/ML entries do not apply).", ": las entradas Python/ML no aplican).")


def _context_of(df: Dockerfile, path: str) -> str:
    """The build context an ignore file serves: its folder (the Dockerfile's for a
    ``<Dockerfile>.dockerignore``, whose context the build names)."""
    return str(PurePosixPath(df.path if path == f"{df.path}.dockerignore" else path).parent)


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
            ": only .env, .git (in a context at the repository root) and the Python/ML "
            "artefacts its build context holds apply",
            ": solo aplican .env, .git (en un contexto en la raíz del repositorio) y los "
            "artefactos Python/ML que contiene su contexto de build")
    message = message + _context_notes(ctx, df, path, rules)
    # 6 of the 9 for a Python image (5 of 8 without .git); all that apply to another stack
    if (stack is None and len(covered) >= total - 3) or (stack is not None and
                                                         not missing_names):
        yield passed(message, path, level=2)
    else:
        entries, note = _entries_fix(ctx, df, _context_of(df, path), missing_names)
        yield failed(message, path, 1, level=2,
                     fix=T(f"Add to {path}: {entries}", f"Añade a {path}: {entries}")
                     + note + T.same("."))


# what each stack's own build leaves in the context, which the image installs or builds
# itself: (runtime, entry, sample paths)
_STACK_ENTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Node.js", "node_modules", ("node_modules/pkg/index.js",)),
    ("Rust", "target/", ("target/release/app",)),
    ("Java", "target/", ("target/app.jar",)),
    ("Java", "build/", ("build/libs/app.jar",)),
    ("Java", ".gradle", (".gradle/caches/x",)),
    (".NET", "bin/", ("bin/Release/app.dll",)),
    (".NET", "obj/", ("obj/project.assets.json",)),
)


def _context_notes(ctx: Context, df: Dockerfile, path: str, rules: list[IgnoreRule]) -> T:
    """What the message adds: why .git is not asked for (a context below the root), and
    the stack's own exclusions the file has (node_modules for Node.js, target/ for Rust)."""
    notes = T.same("")
    if not _git_in_context(ctx, df, path):
        context = str(PurePosixPath(path).parent) + "/"
        notes = T(f"; .git is not asked for: the build context {context} is not the "
                  "repository root",
                  f"; no se pide .git: el contexto de build {context} no es la raíz del "
                  "repositorio")
    runtimes = stage_runtimes(df, final_stage(df))
    credited = [f"{entry} ({runtime})" for runtime, entry, samples in _STACK_ENTRIES
                if runtime in runtimes and any(ignored(rules, p) for p in samples)]
    if credited:
        notes = notes + T(f"; it also excludes the stack's own {', '.join(credited)}",
                          f"; también excluye lo propio de su stack: {', '.join(credited)}")
    return notes


@rule("DOCK002")
def dockerignore(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK002: a .dockerignore in each Dockerfile's build context (L1) that excludes at
    least 6 of the 9 recommended entries, with Docker's own matching (L2)."""
    yield from each(ctx, _dock002, (1, 2))
