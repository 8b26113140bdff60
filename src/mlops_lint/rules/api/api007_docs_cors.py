"""API007: OpenAPI docs on, title and version set, CORS added (level 2); CORS origins
restricted (level 3).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
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
    for app in s.fastapi_apps:
        problems: list[T] = []
        for key in ("docs_url", "openapi_url"):
            value = _kw(app.call, key)
            if isinstance(value, ast.Constant) and value.value is None:
                problems.append(T(f"{key}=None disables the OpenAPI docs",
                                  f"{key}=None desactiva la documentación OpenAPI"))
        missing = [k for k in ("title", "version") if _kw(app.call, k) is None]
        if missing:
            problems.append(T(f"FastAPI(...) without {' and '.join(missing)}",
                              f"FastAPI(...) sin {' ni '.join(missing)}"))
        if not cors:
            problems.append(T("no CORSMiddleware", "sin CORSMiddleware"))
        head = T(f"app `{app.name}`: ", f"app `{app.name}`: ")
        if problems:
            yield failed(head + T.join(problems), app.path, app.line, level=2)
        else:
            yield passed(head + T("docs on, title and version set, CORSMiddleware added",
                                  "docs activas, título y versión, CORSMiddleware añadido"),
                         app.path, app.line, level=2)
    if not cors:
        app = s.fastapi_apps[0]
        yield failed(T("no CORSMiddleware, so no origin list to restrict",
                       "sin CORSMiddleware, no hay lista de orígenes que restringir"),
                     app.path, app.line, level=3)
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
