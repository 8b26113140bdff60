"""Jinja-templated files: a file whose path or text carries template markup is rendered
when a project is generated from it (cookiecutter, copier), so it is not judged as the
file it will become. Asked only after a file failed to parse, so valid files whose values
merely contain ``{{`` are judged as usual."""

from __future__ import annotations

from mlops_lint import lazy_re
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.repo import Repo

# bounded: markup on one line, at most 200 characters inside
_MARKUP = lazy_re.compile(r"\{\{[^{}\n]{1,200}\}\}|\{%[^\n]{1,200}?%\}|\{#[^\n]{1,200}?#\}")


def templated_path(path: str) -> bool:
    """Whether a component of ``path`` is a template placeholder (``{{ cookiecutter.x }}``)."""
    return any(_MARKUP.search(part) for part in path.split("/"))


def is_template(repo: Repo, path: str) -> bool:
    """Whether ``path`` is a Jinja template: by its path, or by markup in its text."""
    if templated_path(path):
        return True
    text = repo.text(path)
    return not isinstance(text, ParseError) and bool(_MARKUP.search(text))


def template_reason(path: str) -> T:
    return T(f"{path} is a Jinja template (rendered when a project is generated from it), "
             "not judged as it stands",
             f"{path} es una plantilla Jinja (se renderiza al generar un proyecto a partir de "
             "ella), no se juzga tal cual")
