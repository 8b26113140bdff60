"""API007: OpenAPI docs on, title and version set, CORS added (level 2); CORS origins
restricted (level 3).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.fastapi_app import Hook
from mlops_lint.readers.serving import Serving
from mlops_lint.rules import rule
from mlops_lint.rules.api._shared import require, service_site


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _cors(s: Serving) -> list[Hook]:
    out = []
    for hook in s.model.hooks_of("middleware"):
        module = s.model.module(hook.path)
        if module is None or hook.target is None:
            continue
        if (s.model.qualname(module, hook.target) or "").endswith("CORSMiddleware"):
            out.append(hook)
    return out


def _origins_wildcard(s: Serving, hook: Hook) -> bool | None:
    """True when allow_origins is ["*"] (or a wildcard regex); None when not given."""
    module = s.model.module(hook.path)
    if hook.call is None or module is None:
        return None
    regex = s.model.const_str(module, _kw(hook.call, "allow_origin_regex"))
    if regex is not None and regex.strip() in (".*", ".+", "^.*$", "*"):
        return True
    node = _kw(hook.call, "allow_origins")
    if node is None:
        return None if regex is None else False
    if isinstance(node, ast.Name):
        found = s.model.symbol(module, node)
        if found is not None and isinstance(found[2], ast.expr):
            module, node = found[0], found[2]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(s.model.const_str(module, e) == "*" for e in node.elts)
    return s.model.const_str(module, node) == "*"


# files of a browser front end (pages, components, a JavaScript package)
FRONT_END_GLOBS = ("**/*.html", "**/*.htm", "**/*.jsx", "**/*.tsx", "**/*.vue", "**/*.svelte",
                   "**/package.json")
NOT_FRONT_END = frozenset({"docs", "doc", "htmlcov", "site", "node_modules", "tests", "test",
                           ".github"})


def browser_front_end(ctx: Context) -> str | None:
    """The first file of a browser front end in the repository (an HTML page, a JSX/TSX,
    Vue or Svelte component, a package.json), outside docs, coverage reports and tests:
    a browser app that may call the API from another origin."""
    for path in ctx.repo.glob(FRONT_END_GLOBS):
        if not set(path.split("/")[:-1]) & NOT_FRONT_END:
            return path
    return None


def _fix(problems: list[str]) -> T:
    """Only what the app lacks."""
    en = {"docs": "keep /docs on (drop docs_url=None/openapi_url=None)",
          "title": "set FastAPI(title=..., version=...)",
          "cors": "add CORSMiddleware with allow_origins read from settings"}
    es = {"docs": "mantén /docs (quita docs_url=None/openapi_url=None)",
          "title": "define FastAPI(title=..., version=...)",
          "cors": "añade CORSMiddleware con allow_origins leído de la configuración"}
    text_en = ", ".join(en[p] for p in problems)
    text_es = ", ".join(es[p] for p in problems)
    return T(text_en[:1].upper() + text_en[1:] + ".", text_es[:1].upper() + text_es[1:] + ".")


NO_FRONT_END = T("no browser front end in the repository calls the API (no HTML page, no "
                 "JSX/TSX, Vue or Svelte component, no package.json), and without "
                 "CORSMiddleware browsers get no cross-origin access at all",
                 "ningún front-end de navegador del repositorio llama a la API (ni página "
                 "HTML, ni componente JSX/TSX, Vue o Svelte, ni package.json), y sin "
                 "CORSMiddleware los navegadores no tienen ningún acceso desde otro origen")


def _app_findings(s: Serving, cors: list[Hook], front: str | None) -> Iterator[Finding]:
    """Level 2 per app: docs on, title and version set, CORS added (advice, a warning,
    when no browser front end of the repository calls the API)."""
    for app in s.fastapi_apps:
        problems: list[T] = []
        keys: list[str] = []
        for key in ("docs_url", "openapi_url"):
            value = _kw(app.call, key)
            if isinstance(value, ast.Constant) and value.value is None:
                problems.append(T(f"{key}=None disables the OpenAPI docs",
                                  f"{key}=None desactiva la documentación OpenAPI"))
                keys.append("docs")
        missing = [k for k in ("title", "version") if _kw(app.call, k) is None]
        if missing:
            problems.append(T(f"FastAPI(...) without {' and '.join(missing)}",
                              f"FastAPI(...) sin {' ni '.join(missing)}"))
            keys.append("title")
        head = T(f"app `{app.name}`: ", f"app `{app.name}`: ")
        keys = list(dict.fromkeys(keys))
        if not cors and not problems and front is None:
            yield warned(head + T("docs on, title and version set; no CORSMiddleware, but ",
                                  "docs activas, título y versión; sin CORSMiddleware, pero ")
                         + NO_FRONT_END + T(": CORS is advice here", ": CORS es aquí un "
                                            "consejo"), app.path, app.line, level=2,
                         fix=T("When a browser app calls the API, add CORSMiddleware with "
                               "allow_origins read from settings.",
                               "Cuando una app de navegador llame a la API, añade "
                               "CORSMiddleware con allow_origins leído de la configuración."))
            continue
        if not cors:
            problems.append(T("no CORSMiddleware", "sin CORSMiddleware"))
            keys.append("cors")
        if problems:
            yield failed(head + T.join(problems), app.path, app.line, level=2, fix=_fix(keys))
        else:
            yield passed(head + T("docs on, title and version set, CORSMiddleware added",
                                  "docs activas, título y versión, CORSMiddleware añadido"),
                         app.path, app.line, level=2)


@rule("API007")
def api_docs_cors(ctx: Context, params: None) -> Iterator[Finding]:
    """API007: OpenAPI docs on, title/version set, CORS added (L2); origins restricted (L3)."""
    s, early = require(ctx, fastapi_only=True)
    if early is not None:
        yield early
        return
    cors = _cors(s)
    if not s.fastapi_apps:
        path, line = service_site(s)
        yield failed(T("no FastAPI( instance to check", "no hay instancia FastAPI( que revisar"),
                     path, line)
        return
    front = browser_front_end(ctx) if not cors else None
    yield from _app_findings(s, cors, front)
    if not cors:
        app = s.fastapi_apps[0]
        if front is None:
            yield skipped(T("not applicable: no origin list to restrict: ",
                            "no aplica: no hay lista de orígenes que restringir: ")
                          + NO_FRONT_END, app.path, level=3)
            return
        yield failed(T(f"no CORSMiddleware, so no origin list to restrict (a browser front "
                       f"end such as {front} may call the API)",
                       f"sin CORSMiddleware, no hay lista de orígenes que restringir (un "
                       f"front-end de navegador como {front} puede llamar a la API)"),
                     app.path, app.line, level=3, fix=_fix(["cors"]))
        return
    for hook in cors:
        wildcard = _origins_wildcard(s, hook)
        if wildcard:
            yield failed(T('CORS allows every origin (allow_origins=["*"])',
                           'CORS permite cualquier origen (allow_origins=["*"])'),
                         hook.path, hook.line, level=3,
                         fix=T("Read the allowed origins from settings (e.g. "
                               "CORS_ORIGINS=https://app.example.com).",
                               "Lee los orígenes permitidos de la configuración (p. ej. "
                               "CORS_ORIGINS=https://app.example.com)."))
        elif wildcard is None:
            yield failed(T("CORSMiddleware without allow_origins (no origin is allowed)",
                           "CORSMiddleware sin allow_origins (no se permite ningún origen)"),
                         hook.path, hook.line, level=3)
        else:
            yield passed(T("CORS origins are a configured list",
                           "los orígenes CORS son una lista configurada"), hook.path,
                         hook.line, level=3)
