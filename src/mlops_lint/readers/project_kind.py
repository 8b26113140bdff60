"""What kind of repository this is, where the kind takes a rule's subject away.

Most rules judge a project that trains, serves or deploys something. Three kinds of
repository have none of that, and the rules whose subject they lack are not applicable
there (levels.md §6); each kind is decided from evidence and reported with it:

* a **published library**: a Python package (``pyproject.toml`` with a ``[project]`` or
  ``[tool.poetry]`` table, ``setup.py`` or ``setup.cfg``) that CI publishes to a package
  index (the ``pypa/gh-action-pypi-publish`` action, ``twine upload``, ``poetry``/``uv``/
  ``flit``/``hatch``/``pdm``/``maturin publish``, or ``cibuildwheel``), and that deploys
  nothing (:func:`mlops_lint.readers.deployment.deployment`): no app of its own, no image,
  manifest or deploy job. Serving code under ``docs/``, ``examples/``, ``benchmark(s)/``
  or tests is a reader's example, not the library's own service.
* a **published server package**: a package CI publishes to a package index, like a
  library, whose only deployment evidence is its own image and serving code (no manifest,
  compose, platform descriptor, Terraform or deploy job). It is a server for others to
  deploy (an inference server distributed as a wheel and an image): it runs as a service,
  but how and where is its users' platform's concern, so the rules about the repository's
  own deployment descriptor and its rollback are not applicable. Not one of the kinds that
  run nothing.
* a **Terraform module library**: reusable modules with usage examples and no backend in
  any configuration (:func:`mlops_lint.readers.terraform_config.module_library`). Nothing
  runs until a caller instantiates a module in a stack of its own.
* a **documentation repository**: Markdown and no source code of its own outside its
  documentation and notebook folders (no ``.py``, ``.go``, ``.js``/``.ts``, ``.java``,
  ``.tf``, … files elsewhere), more Markdown pages than notebooks, nothing deployed, and
  a site: a generator's configuration (MkDocs, Sphinx, Read the Docs, Docusaurus, Jekyll,
  mdBook, Jupyter Book, Antora) or at least ten pages. A README alone is a project that
  has not started, judged as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Workflow, ci_commands, workflows
from mlops_lint.parsers.fastapi_app import load_module
from mlops_lint.parsers.python_source import is_test_path
from mlops_lint.readers.deployment import deployment, in_docs
from mlops_lint.readers.terraform_config import module_library as _module_library
from mlops_lint.repo import Repo

# a CI command that uploads a distribution to a package index
PUBLISH_COMMAND = lazy_re.compile(
    r"\btwine\s+upload\b|\b(poetry|uv|flit|hatch|pdm|maturin)\s+publish\b|\bcibuildwheel\b",
    re.IGNORECASE)
PUBLISH_ACTIONS = ("pypa/gh-action-pypi-publish",)
# folders of a library's repository whose programs are not the library's own service
BESIDE_PACKAGE = frozenset({"docs", "doc", "examples", "example", "benchmarks", "benchmark",
                            "benchmarking", "tests", "test"})
SOURCE_SUFFIXES = frozenset({
    ".py", ".go", ".js", ".mjs", ".ts", ".jsx", ".tsx", ".java", ".kt", ".scala", ".rs",
    ".rb", ".cs", ".c", ".cc", ".cpp", ".h", ".hpp", ".php", ".r", ".jl", ".swift", ".tf"})
# a documentation repository is a site (its generator's configuration) or a body of pages
SITE_CONFIGS = ("mkdocs.y*ml", "docs/mkdocs.y*ml", "docs/conf.py", "doc/conf.py",
                ".readthedocs.y*ml",
                "docusaurus.config.*", "_config.yml", "book.toml", "_toc.yml", "antora.yml")
MIN_PAGES = 10
DOC_FOLDERS = frozenset({"docs", "doc", "documentation", "notebooks", "notebook", "site"})


@dataclass(frozen=True)
class ProjectKind:
    """Why the repository is each kind (None when it is not)."""

    library: T | None = None
    module_library: T | None = None
    documentation: T | None = None
    server_package: T | None = None

    def runs_nothing(self) -> T | None:
        """Why nothing of this repository runs as a service (a published library, a
        Terraform module library or a documentation repository), or None."""
        return self.library or self.module_library or self.documentation

    def no_code(self) -> T | None:
        return self.documentation


def project_kind(repo: Repo) -> ProjectKind:
    """The kind of ``repo`` (memoized per run)."""
    cached = repo.memo.get("project:kind")
    if isinstance(cached, ProjectKind):
        return cached
    library = _published_library(repo)
    kind = ProjectKind(library, _module_library(repo), _documentation(repo),
                       None if library is not None else _server_package(repo))
    repo.memo["project:kind"] = kind
    return kind


def beside_package(path: str) -> bool:
    """A file of a library's docs, examples, benchmarks or tests (or a hidden folder)."""
    parts = [p.lower() for p in PurePosixPath(path).parts[:-1]]
    return is_test_path(path) or any(p.startswith(".") or p in BESIDE_PACKAGE
                                     for p in parts)


def _packaging(repo: Repo) -> str | None:
    if repo.exists("pyproject.toml"):
        data = repo.toml("pyproject.toml")
        if isinstance(data, dict) and ("project" in data or "poetry" in data.get("tool", {})):
            return "pyproject.toml"
    return next((name for name in ("setup.py", "setup.cfg") if repo.exists(name)), None)


def _publish_step(repo: Repo) -> str | None:
    for wf in workflows(repo):
        if not isinstance(wf, Workflow):
            continue
        for job in wf.jobs:
            for step in job.steps:
                if (step.uses or "").lower().startswith(PUBLISH_ACTIONS):
                    return f"{(step.uses or '').split('@')[0]} in {wf.path}"
    for command in ci_commands(repo):
        match = PUBLISH_COMMAND.search(command.text)
        if match:
            return f"`{' '.join(match.group(0).split())}` in {command.path}"
    return None


def _own_serving(repo: Repo) -> str | None:
    for path in repo.glob(["**/*.py"]):
        if beside_package(path) or "{{" in path:
            continue
        loaded = load_module(repo, path, path)
        if isinstance(loaded, ParseError):
            continue
        module, _ = loaded
        if module.recognised:
            return path
    return None


def _published_library(repo: Repo) -> T | None:
    packaging = _packaging(repo)
    if packaging is None:
        return None
    step = _publish_step(repo)
    if step is None:
        return None
    fact = deployment(repo)
    if any(e.kind != "serving" for e in fact.evidence):
        return None
    if fact.evidence and (not beside_package(fact.evidence[0].path) or _own_serving(repo)):
        return None
    return T(f"a published library ({packaging}, published to a package index by {step}; "
             "no service, image, manifest or deploy job of its own)",
             f"una biblioteca publicada ({packaging}, publicada en un índice de paquetes por "
             f"{step}; sin servicio, imagen, manifiesto ni job de despliegue propios)")


# what a server package's repository may hold of its own and still deploy nothing itself
SERVER_PACKAGE_EVIDENCE = frozenset({"serving", "image"})


def _server_package(repo: Repo) -> T | None:
    """A published package whose only deployment evidence is its image and serving code."""
    packaging = _packaging(repo)
    if packaging is None:
        return None
    fact = deployment(repo)
    kinds = {e.kind for e in fact.evidence}
    if not kinds or not kinds <= SERVER_PACKAGE_EVIDENCE:
        return None
    step = _publish_step(repo)
    if step is None:
        return None
    image = next((e.path for e in fact.evidence if e.kind == "image"), None)
    what = f"its image ({image}) and serving code" if image else "its serving code"
    que = f"su imagen ({image}) y su código de servicio" if image else \
        "su código de servicio"
    return T(f"a published server package ({packaging}, published to a package index by "
             f"{step}; {what} are for others to deploy: no manifest, compose, platform "
             "descriptor, Terraform or deploy job of its own)",
             f"un paquete de servidor publicado ({packaging}, publicado en un índice de "
             f"paquetes por {step}; {que} son para que otros lo desplieguen: sin manifiesto, "
             "compose, descriptor de plataforma, Terraform ni job de despliegue propios)")


def _documentation(repo: Repo) -> T | None:
    markdown = 0
    notebooks = 0
    for path in repo.glob(["**/*"]):
        parts = PurePosixPath(path).parts
        suffix = PurePosixPath(path).suffix.lower()
        if suffix in (".md", ".rst", ".mdx"):
            markdown += 1
            continue
        if suffix == ".ipynb":
            notebooks += 1
        if suffix not in SOURCE_SUFFIXES:
            continue
        folders = [p.lower() for p in parts[:-1]]
        if any(p.startswith(".") for p in folders) or in_docs(path) or \
                not DOC_FOLDERS.isdisjoint(folders):
            continue
        return None
    if markdown == 0 or notebooks >= markdown or deployment(repo).deploys:
        return None
    if markdown < MIN_PAGES and not repo.glob(SITE_CONFIGS):
        return None  # a README or two is a project that has not started, not a docs site
    nb = T(f", {notebooks} notebook(s)", f", {notebooks} notebook(s)") if notebooks else T("", "")
    return T(f"a documentation repository ({markdown} Markdown page(s)", f"un repositorio de "
             f"documentación ({markdown} página(s) Markdown") + nb + T(
        "; no source code outside its documentation and notebook folders)",
        "; sin código fuente fuera de sus carpetas de documentación y notebooks)")
