"""``mlops-lint init``: write the guide's templates for what a repository lacks.

Only this command writes, and only new files: a template is skipped when the file, or
anything the rules would accept in its place (another model card, an ADR elsewhere), is
already there. Files are created exclusively (``O_EXCL``: an existing file or symlink is
never opened) and never outside the repository. The templates are package data in
``mlops_lint/templates/<lang>/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from mlops_lint.model import Lang, T
from mlops_lint.parsers.dockerfile import is_template_path
from mlops_lint.repo import Repo


@dataclass(frozen=True)
class Template:
    source: str  # file name under templates/<lang>/
    target: str  # where it goes in the repository
    phase: int
    present: tuple[str, ...]  # globs: a match means the repository already has one
    what: T
    counts: Callable[[str], bool] = lambda path: True  # whether a match is really one


def _templates() -> tuple[Template, ...]:
    from mlops_lint.readers.adr import RECORD_GLOBS, is_record
    from mlops_lint.rules.docs._shared import DATA_CARD_GLOBS, MODEL_CARD_GLOBS

    return (
        Template("adr.md", "docs/decisions/ADR-001-record-architecture-decisions.md", 1,
                 RECORD_GLOBS, T("an architecture decision record (DES001)",
                                 "un registro de decisión de arquitectura (DES001)"),
                 is_record),
        Template("Makefile", "Makefile", 1, ("Makefile", "makefile", "GNUmakefile"),
                 T("a Makefile with the guide's targets (PY010)",
                   "un Makefile con los targets de la guía (PY010)")),
        Template("pre-commit-config.yaml", ".pre-commit-config.yaml", 2,
                 (".pre-commit-config.yaml", ".pre-commit-config.yml"),
                 T("pre-commit hooks (GIT003, GIT004)", "hooks de pre-commit (GIT003, GIT004)")),
        Template("dockerignore", ".dockerignore", 4, (".dockerignore",),
                 T("a .dockerignore (DOCK002)", "un .dockerignore (DOCK002)")),
        Template("workflow.yml", ".github/workflows/mlops-lint.yml", 4,
                 (".github/workflows/mlops-lint.yml", ".github/workflows/mlops-lint.yaml"),
                 T("a CI workflow with the mlops-lint gate (replace YOUR-ORG)",
                   "un workflow de CI con la puerta de mlops-lint (sustituye YOUR-ORG)")),
        Template("model_card.md", "docs/model_card.md", 7, MODEL_CARD_GLOBS,
                 T("a model card (DOC004-DOC006)", "una model card (DOC004-DOC006)")),
        Template("data_card.md", "docs/data_card.md", 7, DATA_CARD_GLOBS,
                 T("a dataset card (DOC007)", "una dataset card (DOC007)")),
    )


@dataclass(frozen=True)
class Outcome:
    template: Template
    written: bool
    reason: T  # what was written, or why not


def template_text(template: Template, lang: Lang) -> str:
    return (resources.files("mlops_lint.templates") / lang / template.source).read_text(
        encoding="utf-8")


def _create(root: Path, target: str, text: str) -> T | None:
    """Create ``root/target`` with ``text``; ``None`` when written, else why not."""
    path = root / target
    real_root = root.resolve()
    try:
        folder = root
        for part in Path(target).parent.parts:  # one level at a time: no folder is
            folder = folder / part              # created through a link leading out
            if not os.path.lexists(folder):
                folder.mkdir()
            elif not folder.resolve().is_relative_to(real_root):
                return T("skipped: its folder leads outside the repository (a symlink)",
                         "omitido: su carpeta sale del repositorio (un enlace simbólico)")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(path, flags, 0o644)
    except FileExistsError:
        return T("skipped: the file exists", "omitido: el archivo existe")
    except OSError as exc:
        return T(f"not written: {exc.strerror or exc}", f"no escrito: {exc.strerror or exc}")
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return None


def scaffold(root: Path, phases: set[int] | None, lang: Lang,
             exclude: tuple[str, ...] = ()) -> list[Outcome]:
    """Write the templates of ``phases`` (every phase when ``None``) that the repository
    at ``root`` lacks."""
    repo = Repo(root, exclude)
    outcomes = []
    for template in _templates():
        if phases is not None and template.phase not in phases:
            continue
        found = [p for p in repo.glob(template.present, case_sensitive=False)
                 # docs/templates/…: copies to fill, not ours
                 if not is_template_path(p) and template.counts(p)]
        if found or os.path.lexists(root / template.target):
            where = found[0] if found else template.target
            outcomes.append(Outcome(template, False, T(
                "skipped: the file exists", "omitido: el archivo existe")
                if where == template.target else T(f"skipped: {where} exists",
                                                   f"omitido: {where} existe")))
            continue
        problem = _create(root, template.target, template_text(template, lang))
        outcomes.append(Outcome(template, problem is None, problem or T(
            "written: " + template.what.en, "escrito: " + template.what.es)))
    return outcomes
