"""DOC008: the documentation site. Level 2: ``mkdocs.yml`` (root or ``docs/``, or a template
repository's scaffold) with site_name, nav, the material theme and an index page; level 3:
mkdocstrings, mermaid superfences and CI that builds (``--strict``) or deploys the docs.

``mkdocs.yml`` uses tags (``!!python/name:``, ``!ENV``) that a safe YAML loader rejects:
:func:`load_mkdocs` reads them as plain values; ``INHERIT`` is followed one level. A Sphinx
site is a well-known equivalent (levels.md point 2): credited at level 2, and at level 3
when it is built (Read the Docs or CI) with API pages (autodoc); an unedited template
stub (placeholder text) warns for that reason.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import ci_commands, workflows
from mlops_lint.rules import rule
from mlops_lint.rules.docs._shared import scaffold_files

MKDOCS_FILES = ("mkdocs.yml", "mkdocs.yaml", "docs/mkdocs.yml", "docs/mkdocs.yaml")


_PAGES_ACTIONS = lazy_re.compile(
    r"actions/deploy-pages|peaceiris/actions-gh-pages|"
    r"mhausenblas/mkdocs-deploy-gh-pages|actions/upload-pages-artifact|"
    r"JamesIves/github-pages-deploy-action", re.I)


def load_mkdocs(text: str) -> Any:
    """mkdocs.yml with unknown tags (``!!python/name:``, ``!ENV``, ``!relative``) read as
    plain values instead of errors: MkDocs configs use them routinely."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    try:
        from ruamel.yaml.cyaml import CSafeLoader as Base
    except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
        from ruamel.yaml.loader import SafeLoader as Base  # type: ignore[assignment]

    class Tolerant(Base):
        pass

    def unknown(loader: Any, node: Any) -> Any:
        if isinstance(node, ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, SequenceNode):
            return loader.construct_sequence(node, deep=True)
        if isinstance(node, MappingNode):
            return loader.construct_mapping(node, deep=True)
        return None  # pragma: no cover - every node is one of the three

    Tolerant.add_constructor(None, unknown)
    loader = Tolerant(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _mkdocs_config(ctx: Context, path: str) -> dict[str, Any] | ParseError:
    data = ctx.repo.yaml(path)
    if isinstance(data, ParseError):  # maybe only MkDocs tags; else report the first error
        tolerant = ctx.repo.parse(path, load_mkdocs)
        if isinstance(tolerant, ParseError):
            return data
        data = tolerant
    if not isinstance(data, dict):
        return ParseError(path, "not a mapping")
    config = {str(k): v for k, v in data.items()}
    parent = config.get("INHERIT")
    if isinstance(parent, str):
        base = posixpath.normpath(str(PurePosixPath(path).parent / parent))
        if ctx.repo.exists(base) and base != path:
            inherited = ctx.repo.parse(base, load_mkdocs)
            if isinstance(inherited, dict):
                config = {**{str(k): v for k, v in inherited.items()}, **config}
    return config


def _key_line(ctx: Context, path: str, key: str) -> int | None:
    text = ctx.repo.text(path)
    if isinstance(text, ParseError):
        return None
    match = re.search(rf"^[ \t]*(?:-[ \t]*)?{re.escape(key)}[ \t]*:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _nav_pages(nav: Any) -> list[str]:
    pages: list[str] = []
    if isinstance(nav, str):
        pages.append(nav)
    elif isinstance(nav, list):
        for item in nav:
            pages.extend(_nav_pages(item))
    elif isinstance(nav, dict):
        for value in nav.values():
            pages.extend(_nav_pages(value))
    return [p for p in pages if not re.match(r"^[a-z][\w+.-]*://", p) and p.endswith(".md")]


def _names(items: Any) -> list[str]:
    if isinstance(items, dict):
        return [str(k) for k in items]
    if isinstance(items, list):
        out: list[str] = []
        for item in items:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, dict):
                out.extend(str(k) for k in item)
        return out
    return []


def _entry(items: Any, name: str) -> Any:
    if isinstance(items, dict):
        return items.get(name)
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and name in item:
                return item[name]
    return None


def _mermaid(config: dict[str, Any]) -> bool:
    superfences = _entry(config.get("markdown_extensions"), "pymdownx.superfences")
    fences = superfences.get("custom_fences") if isinstance(superfences, dict) else None
    if isinstance(fences, list) and any(isinstance(f, dict) and f.get("name") == "mermaid"
                                        for f in fences):
        return True
    return any(p in ("mermaid2", "mkdocs-mermaid2") for p in _names(config.get("plugins")))


def _docs_workflow(ctx: Context) -> tuple[str, int | None, bool] | None:
    """(path, line, strict) of CI that builds or deploys the docs."""
    for command in ci_commands(ctx.repo):
        if re.search(r"\bmkdocs\s+gh-deploy\b", command.text):
            return command.path, command.line, True
    for wf in workflows(ctx.repo):
        if isinstance(wf, ParseError):
            continue
        for job in wf.jobs:
            for step in job.steps:
                if step.uses and _PAGES_ACTIONS.search(step.uses):
                    return wf.path, step.line, True
    for command in ci_commands(ctx.repo):
        if re.search(r"\bmkdocs\s+build\b", command.text):
            strict = bool(re.search(r"--strict\b|\s-s\b", command.text))
            return command.path, command.line, strict
    for rtd in ctx.repo.glob((".readthedocs.yml", ".readthedocs.yaml")):
        data = ctx.repo.yaml(rtd)
        if isinstance(data, dict) and "mkdocs" in data:
            return rtd, None, True
    return None


def _sphinx_build(ctx: Context) -> tuple[str, int | None] | None:
    """Where a Sphinx site is built: a Read the Docs config with a ``sphinx:`` section, or
    a CI command running sphinx-build."""
    for rtd in ctx.repo.glob((".readthedocs.yml", ".readthedocs.yaml")):
        data = ctx.repo.yaml(rtd)
        if isinstance(data, dict) and "sphinx" in data:
            return rtd, _key_line(ctx, rtd, "sphinx")
    for command in ci_commands(ctx.repo):
        if re.search(r"\bsphinx-build\b|\bsphinx\.cmd\.build\b", command.text):
            return command.path, command.line
    return None


# placeholder text of a project template's documentation stub left unedited
_STUB = lazy_re.compile(
    r"This is where you describe|Lorem ipsum|Add your (?:content|documentation) "
    r"here|Write your documentation here", re.IGNORECASE)
_AUTODOC = lazy_re.compile(r"sphinx\.ext\.autodoc|autoapi|sphinx\.ext\.napoleon|sphinx_autodoc")
_MAX_STUB_SCAN = 50


def _stub_page(ctx: Context, conf: str) -> str | None:
    """A page of the Sphinx site that still holds a template's placeholder text."""
    folder = str(PurePosixPath(conf).parent)
    prefix = "" if folder == "." else folder + "/"
    pages = ctx.repo.glob((f"{prefix}*.rst", f"{prefix}*.md", f"{prefix}**/*.rst"))
    for page in pages[:_MAX_STUB_SCAN]:
        text = ctx.repo.text(page)
        if isinstance(text, str) and (match := _STUB.search(text[:20000])):
            return f"'{match.group(0)}' in {page}"
    return None


def _sphinx_site(ctx: Context, conf: str) -> Iterator[Finding]:
    """Sphinx is a well-known equivalent of MkDocs (levels.md point 2): credited, unless
    its pages are an unedited template stub; level 3 wants it built and API docs."""
    stub = _stub_page(ctx, conf)
    if stub is not None:
        stub_en = T(f"the Sphinx site ({conf}) is an unedited template stub (placeholder text "
                    f"{stub})", f"el sitio Sphinx ({conf}) es un esqueleto de plantilla sin "
                    f"editar (texto de relleno {stub})")
        fix = T("replace the template's placeholder pages with the project's own "
                "documentation (setup, usage, API), or remove the stub",
                "sustituye las páginas de relleno de la plantilla por la documentación del "
                "proyecto (instalación, uso, API), o elimina el esqueleto")
        yield warned(stub_en, conf, level=2, fix=fix)
        yield warned(stub_en, conf, level=3, fix=fix)
        return
    yield passed(T(f"Sphinx site ({conf}), a well-known equivalent of MkDocs",
                   f"sitio Sphinx ({conf}), un equivalente conocido de MkDocs"), conf, level=2)
    build = _sphinx_build(ctx)
    conf_text = ctx.repo.text(conf)
    autodoc = isinstance(conf_text, str) and bool(_AUTODOC.search(conf_text[:50000]))
    if build is None:
        yield failed(T(f"Sphinx site ({conf}): neither Read the Docs nor CI builds it",
                       f"sitio Sphinx ({conf}): ni Read the Docs ni la CI lo construyen"),
                     conf, level=3,
                     fix=T("build the site in CI (sphinx-build -W) or on Read the Docs"
                           + ("" if autodoc else ", with API pages from sphinx.ext.autodoc"),
                           "construye el sitio en CI (sphinx-build -W) o en Read the Docs"
                           + ("" if autodoc else ", con páginas de API de sphinx.ext.autodoc")))
        return
    where = build[0] + (f":{build[1]}" if build[1] else "")
    if autodoc:
        yield passed(T(f"Sphinx site ({conf}) built by {where}, with API docs (autodoc)",
                       f"sitio Sphinx ({conf}) construido por {where}, con documentación de "
                       "API (autodoc)"), build[0], build[1], level=3)
        return
    yield warned(T(f"Sphinx site ({conf}) built by {where}, without API pages (no "
                   "sphinx.ext.autodoc or autoapi in its extensions)",
                   f"sitio Sphinx ({conf}) construido por {where}, sin páginas de API (sin "
                   "sphinx.ext.autodoc ni autoapi en sus extensiones)"),
                 build[0], build[1], level=3,
                 fix=T("add sphinx.ext.autodoc (or sphinx-autoapi) to extensions in "
                       f"{conf} and an API page", "añade sphinx.ext.autodoc (o "
                       f"sphinx-autoapi) a extensions en {conf} y una página de API"))


def _no_mkdocs(ctx: Context) -> Iterator[Finding]:
    sphinx = ctx.repo.glob(("docs/conf.py", "docs/source/conf.py", "conf.py"))
    if sphinx:
        yield from _sphinx_site(ctx, sphinx[0])
        return
    yield failed(T("no mkdocs.yml at the root or in docs/",
                   "no hay mkdocs.yml en la raíz ni en docs/"),
                 fix=T("add mkdocs.yml with site_name, nav and theme: {name: material}",
                       "añade mkdocs.yml con site_name, nav y theme: {name: material}"))


def _docs_root(path: str, config: dict[str, Any]) -> str:
    """The folder of the site's pages (``docs_dir``, beside ``path``), with a slash; empty
    at the repository root."""
    docs_dir = str(config.get("docs_dir") or "docs")
    base = posixpath.normpath(str(PurePosixPath(path).parent / docs_dir))
    return "" if base == "." else base + "/"


def _site_lacks(ctx: Context, config: dict[str, Any], root: str) -> list[T]:
    """What level 2 needs that the config lacks: site_name, nav, the material theme, an
    index page."""
    lacks: list[T] = []
    if not config.get("site_name"):
        lacks.append(T("site_name", "site_name"))
    if not config.get("nav"):
        lacks.append(T("nav", "nav"))
    theme = config.get("theme")
    theme_name = theme.get("name") if isinstance(theme, dict) else theme
    if theme_name != "material":
        lacks.append(T(f"theme.name: material (is {theme_name!r})",
                       f"theme.name: material (es {theme_name!r})"))
    if not any(ctx.repo.exists(root + name) for name in ("index.md", "README.md")):
        lacks.append(T(f"{root}index.md", f"{root}index.md"))
    return lacks


def _site_finding(ctx: Context, path: str, config: dict[str, Any]) -> Finding:
    """Level 2: the site's configuration, its index page and the pages its nav lists."""
    root = _docs_root(path, config)
    lacks = _site_lacks(ctx, config, root)
    if lacks:
        return failed(T(f"{path} lacks: {T.join(lacks, ', ').en}",
                        f"a {path} le falta: {T.join(lacks, ', ').es}"), path, level=2,
                      fix=T(f"add to {path}: {T.join(lacks, ', ').en}",
                            f"añade a {path}: {T.join(lacks, ', ').es}"))
    broken = [p for p in _nav_pages(config.get("nav")) if not ctx.repo.exists(root + p)]
    if broken:
        return warned(T(f"nav lists pages that do not exist: {', '.join(broken[:5])}",
                        f"nav lista páginas que no existen: {', '.join(broken[:5])}"),
                      path, _key_line(ctx, path, "nav"), level=2,
                      fix=T("create the pages or fix nav (mkdocs build --strict fails)",
                            "crea las páginas o corrige nav (mkdocs build --strict falla)"))
    return passed(T(f"{path}: site_name, nav, material theme and index page",
                    f"{path}: site_name, nav, tema material y página índice"),
                  path, level=2)


def _integration_finding(ctx: Context, path: str, config: dict[str, Any]) -> Finding:
    """Level 3: mkdocstrings, mermaid superfences and CI that builds or deploys the site."""
    missing3: list[T] = []
    if "mkdocstrings" not in _names(config.get("plugins")):
        missing3.append(T("the mkdocstrings plugin", "el plugin mkdocstrings"))
    if not _mermaid(config):
        missing3.append(T("mermaid superfences", "superfences de mermaid"))
    workflow = _docs_workflow(ctx)
    if workflow is None:
        missing3.append(T("a docs build/deploy workflow (mkdocs build --strict, "
                          "mkdocs gh-deploy or a Pages action)",
                          "un workflow que construya/publique la documentación (mkdocs build "
                          "--strict, mkdocs gh-deploy o una acción de Pages)"))
    if missing3:
        return failed(T(f"{path} lacks: {T.join(missing3, '; ').en}",
                        f"a {path} le falta: {T.join(missing3, '; ').es}"), path, level=3,
                      fix=T(f"add {T.join(missing3, '; ').en}",
                            f"añade {T.join(missing3, '; ').es}"))
    if workflow is not None and not workflow[2]:
        return warned(T("the docs are built in CI without --strict",
                        "la documentación se construye en CI sin --strict"),
                      workflow[0], workflow[1], level=3,
                      fix=T("use mkdocs build --strict so broken links fail the build",
                            "usa mkdocs build --strict para que los enlaces rotos fallen"))
    where = workflow[0] if workflow else ""
    return passed(T(f"mkdocstrings, mermaid and docs deployment ({where})",
                    f"mkdocstrings, mermaid y despliegue de docs ({where})"), path, level=3)


@rule("DOC008")
def mkdocs_site(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC008: L2 mkdocs.yml (root or docs/, or those of a template repository's
    scaffold) with site_name, nav, material theme and an index page; L3 mkdocstrings,
    mermaid superfences and a docs build/deploy workflow."""
    path = next((p for p in MKDOCS_FILES if ctx.repo.exists(p)), None) or next(
        iter(scaffold_files(ctx, MKDOCS_FILES)), None)
    if path is None:
        yield from _no_mkdocs(ctx)
        return
    config = _mkdocs_config(ctx, path)
    if isinstance(config, ParseError):
        yield failed(T(f"{path} does not parse: {config.message}",
                       f"{path} no se puede analizar: {config.message}"), path, config.line)
        return
    yield _site_finding(ctx, path, config)
    yield _integration_finding(ctx, path, config)
