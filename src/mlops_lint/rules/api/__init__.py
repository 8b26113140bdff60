"""The serving API, the dashboard and the deployment (phase 5): API001 serving app exists,
API002 health route, API003 prediction route, API004 typed and constrained schemas,
API005 error handling, API006 model loaded once from a configured path, API007 OpenAPI
docs and CORS, API008 production features, API009 latency evidence, DASH001 Streamlit
dashboard, DEP001 deployment decision (ADR), DEP002 deployment descriptor and rollback.

Everything is static: the project's Python files are read into the serving model of
:mod:`mlops_lint.parsers.fastapi_app` (apps, routers, composed route paths, handlers,
hooks) by :mod:`mlops_lint.readers.serving`; FastAPI( instances, APIRouter prefixes and
include_router prefixes are composed into full route paths (/api/v1 + /health).
Deployment descriptors are read with the YAML/TOML/JSON parsers.

With no serving code at all API001 fails ("no serving layer": rules.md §2.4, phase 5 is
then level 0; the rules fail, they do not skip) and the other API rules say so too,
pointing at API001 (``see``), so a run of the whole catalog reports the absence once and
lists them as skipped. A Flask (or other framework) service is recognised: its routes
still count for ``/health`` and ``/predict`` (API002/API003), while the criteria written
for FastAPI specifics (schemas, HTTPException, lifespan, OpenAPI/CORS, production
features: API004-API008) are skipped with that reason.

What several rules share is in ``_shared.py`` (the serving layer they require, the routes,
model loading calls, the deployment documents), ``_endpoints.py`` (model endpoints declared
as code) and ``_servers.py`` (well-known model servers); ``_model_path.py`` (where a loaded
model's path comes from) is API006's alone, a module of its own to keep the rule short.

SEC006 (safe loading in serving code), once in the same module as these rules, is in the
security family (rules/security/): it shares only the serving layer, which is a reader.
The files a rule could not read are reported after its findings (``reports_unread`` of
:mod:`mlops_lint.readers.unread`).
"""
