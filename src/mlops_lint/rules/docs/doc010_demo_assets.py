"""DOC010: a runnable demo (scripts/demo.sh, run_demo.sh, a ``demo`` Makefile target,
docker-compose.demo.yml) and a README demo link, GIF, screenshot or video; recording the
video and rehearsing the speech are a manual item.

A link to a local server (``http://localhost:8000/docs``) shows no demo to a reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from urllib.parse import urlparse

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, manual, passed
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.markdown import (
    Markdown,
)
from mlops_lint.parsers.markdown_inline import Link
from mlops_lint.rules import rule
from mlops_lint.rules.docs._sections import section_set
from mlops_lint.rules.docs._shared import (
    find_sections,
    no_template,
    read_markdown,
    readme_path,
    unreadable,
)

DEMO_FILES = ("scripts/demo.sh", "scripts/*demo*.sh", "run_demo.sh", "demo.sh", "**/run_demo.sh",
              "**/demo.sh", "docker-compose.demo.yml", "docker-compose.demo.yaml",
              "compose.demo.yml", "compose.demo.yaml", "**/docker-compose.demo.y*ml")


_DEMO_TARGET = lazy_re.compile(r"(?:^|[-_])demo(?:$|[-_])", re.I)


_DEMO_MEDIA = lazy_re.compile(
    r"demo|video|youtube\.com|youtu\.be|loom\.com|vimeo\.com|asciinema|"
    r"screenshot|captura|screencast|huggingface\.co/spaces|streamlit\.app|"
    r"gradio\.live", re.I)


_LOCAL_URL = lazy_re.compile(r"^https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?:[:/]|$)", re.I)


IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})


# uploads without a file suffix: images pasted into GitHub issues and READMEs
_IMAGE_HOSTS = lazy_re.compile(r"^https?://(?:user-images\.githubusercontent\.com/|"
                               r"github\.com/user-attachments/assets/|i\.imgur\.com/)", re.I)


# badges (shields.io, CI and coverage services) and logos show the project, not its demo
_NOT_SCREENSHOT = lazy_re.compile(r"shields\.io|badge|badgen\.net|fury\.io|codecov\.io|"
                                  r"coveralls\.io|travis-ci\.|circleci\.com|pepy\.tech|"
                                  r"readthedocs\.org/projects|/workflows/|logo|icon|favicon|"
                                  r"avatar", re.I)


def _screenshot(link: Link) -> bool:
    """An image in the README (remote or local) that is not a badge or a logo."""
    if not link.image or _NOT_SCREENSHOT.search(link.url + " " + link.text):
        return False
    suffix = PurePosixPath(urlparse(link.url).path).suffix.lower()
    return suffix in IMAGE_SUFFIXES or bool(_IMAGE_HOSTS.match(link.url))


def _demo_entry(ctx: Context) -> tuple[str, int | None] | None:
    files = no_template(ctx.repo.glob(DEMO_FILES, case_sensitive=False))
    if files:
        return files[0], None
    for path in ctx.repo.glob(("Makefile", "**/Makefile", "makefile", "GNUmakefile")):
        parsed = ctx.repo.parse(path, parse_makefile)
        if isinstance(parsed, Makefile):
            for name, target in parsed.targets.items():
                if _DEMO_TARGET.search(name):
                    return path, target.line
    return None


def _demo_media(doc: Markdown) -> int | None:
    readme = section_set("readme")
    demo_heads = find_sections(doc, readme["demo"])
    for link in doc.links:
        if _LOCAL_URL.match(link.url):
            continue  # a local server (http://localhost:8000/docs) shows no demo to a reader
        if (link.image and PurePosixPath(urlparse(link.url).path).suffix.lower() == ".gif") \
                or _DEMO_MEDIA.search(link.url + " " + link.text):
            return link.line
        if any(doc.span(h)[0] <= link.line <= doc.span(h)[1] for h in demo_heads):
            return link.line
    screenshot = next((link for link in doc.links if _screenshot(link)), None)
    if screenshot is not None:
        return screenshot.line
    for number, text in doc.prose:
        if re.search(r"<video\b", text, re.I):
            return number
    return None


@rule("DOC010")
def demo_assets(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC010: a runnable demo (demo.sh, make demo, docker-compose.demo.yml) and a README
    demo link, GIF or screenshot; the video and the speech are manual."""
    entry = _demo_entry(ctx)
    if entry is None:
        yield failed(T("no demo entry point (scripts/demo.sh, run_demo.sh, make demo or "
                       "docker-compose.demo.yml)",
                       "no hay punto de entrada de demo (scripts/demo.sh, run_demo.sh, make "
                       "demo o docker-compose.demo.yml)"),
                     fix=T("add scripts/demo.sh (install, train, test, serve; the guide's "
                           "run_demo.sh) or a `make demo` target",
                           "añade scripts/demo.sh (instala, entrena, prueba, sirve; el "
                           "run_demo.sh de la guía) o un objetivo `make demo`"))
    else:
        yield passed(T(f"demo entry point {entry[0]}", f"punto de entrada de demo {entry[0]}"),
                     entry[0], entry[1])
    path = readme_path(ctx)
    doc = read_markdown(ctx, path) if path else None
    if path is None or doc is None:
        yield failed(T("no README.md to link the demo from",
                       "no hay README.md desde el que enlazar la demo"))
    elif isinstance(doc, ParseError):
        yield unreadable(path, doc)
    else:
        line = _demo_media(doc)
        if line is None:
            yield failed(T("README has no demo link, GIF or screenshot",
                           "el README no tiene enlace, GIF ni captura de la demo"), path,
                         fix=T("add a demo GIF/screenshot or a link to the demo video to the "
                               "README",
                               "añade al README un GIF/captura o un enlace al vídeo de la demo"))
        else:
            yield passed(T("README shows the demo", "el README muestra la demo"), path, line)
    yield manual(T("record the 3-5 min demo video and rehearse the 5-7 min speech",
                   "graba el vídeo de demo de 3-5 min y ensaya el speech de 5-7 min"))
