"""TEST009: a Locust, k6 or JMeter script targets ``/predict`` and ``/health``; a Locust CSV,
when present, is judged against P95 < 200 ms and errors < 0.1 %.

Well-known equivalents count as load tests (levels.md point 2): a shell script that runs
an HTTP load generator (Apache Bench, hey, wrk, vegeta, k6, oha...), and a Python script in
a benchmark or load folder that sends concurrent HTTP requests (asyncio, threads or
processes driving aiohttp, httpx, requests or an OpenAI client).

The fix names the project's own routes (read from its serving code, never imported): its
health route and its prediction route, or another route it serves when it has no
prediction route (a service that is not a model server); a generic text when no route is
known. A project whose serving code has routes but none for inference is not asked to load
``/predict``.

A repository that deploys nothing (:func:`mlops_lint.readers.deployment.deployment`: no
serving code, image, manifest, compose or platform descriptor, no deploy job) has no
service to put under load: with no load script either, the rule is not applicable
(levels.md §6), not failed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex, python_index
from mlops_lint.parsers.shell import split_commands
from mlops_lint.readers.deployment import deployment
from mlops_lint.readers.serving import health_routes, is_inference_path, serving
from mlops_lint.readers.training import (
    parse_skip,
    string_constants,
)
from mlops_lint.rules import rule

LOAD_SCRIPT_GLOBS = ("**/*.jmx", "**/*k6*.js", "**/*k6*.ts", "**/k6/**/*.js", "**/*load*.js",
                     "**/*load*/**/*.js", "**/*perf*/**/*.js", "**/*stress*/**/*.js",
                     "**/*load*/**/*.ts", "**/*perf*/**/*.ts")


def _locust_stats(text: str) -> tuple[float, float]:
    """(P95 in ms, error rate) of the ``Aggregated`` row of a locust ``*_stats.csv``."""
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next((r for r in rows if (r.get("Name") or "").strip() == "Aggregated"), None)
    if row is None:
        raise ValueError("no Aggregated row")
    p95 = float(row["95%"])
    requests = float(row.get("Request Count") or row.get("# requests") or 0)
    failures = float(row.get("Failure Count") or row.get("# failures") or 0)
    return p95, (failures / requests if requests else 0.0)


def _load_candidates(ctx: Context, globs: Iterable[str]) -> list[str]:
    """Files of the project, plus, in a monorepo, shared files outside every project
    (a load test at the repository root usually drives all the services)."""
    globs = tuple(globs)
    own = ctx.files(globs)
    if len(ctx.repo.projects) <= 1:
        return own
    key = f"testing:outside:{globs}"  # files outside every project: the same for all
    outside: list[str] | None = ctx.repo.memo.get(key)
    if outside is None:
        roots = tuple(p.path + "/" for p in ctx.repo.projects if p.path != ".")
        outside = ctx.repo.memo[key] = [f for f in ctx.repo.glob(globs)
                                        if not f.startswith(roots)]
    mine = set(own)
    return own + [f for f in outside if f not in mine]


# HTTP load generators a shell script may run (Apache Bench, hey, wrk, vegeta, k6...)
LOAD_TOOLS = frozenset({"ab", "hey", "wrk", "wrk2", "vegeta", "k6", "locust", "oha",
                        "bombardier", "siege", "artillery", "jmeter", "ghz"})
# folders that hold benchmark or load scripts
LOAD_DIRS = frozenset({"benchmark", "benchmarks", "bench", "perf", "performance", "load",
                       "loadtest", "loadtests", "load_test", "load_tests", "load-tests",
                       "stress", "stress_test", "stress_tests", "stress-tests"})
CONCURRENCY = ("asyncio", "concurrent.futures", "threading", "multiprocessing", "gevent")
HTTP_CLIENTS = ("aiohttp", "httpx", "requests", "openai", "urllib3", "urllib.request")
_URL_PATH = lazy_re.compile(r"/[A-Za-z0-9_/.-]{1,200}")


def _concurrent_client(path: str, index: PythonIndex) -> bool:
    """A Python script in a benchmark/load folder that sends concurrent HTTP requests
    (an asyncio, thread or process pool driving aiohttp, httpx, requests or an OpenAI
    client): a load test written by hand."""
    folders = {part.lower() for part in PurePosixPath(path).parts[:-1]}
    return bool(folders & LOAD_DIRS) and any(index.imports(m) for m in CONCURRENCY) and any(
        index.imports(m) for m in HTTP_CLIENTS)


def _shell_load_scripts(ctx: Context, errors: list[ParseError]
                        ) -> list[tuple[str, set[str]]]:
    """Shell scripts that run an HTTP load generator (``ab -c 100 -n 1000 URL``...)."""
    scripts: list[tuple[str, set[str]]] = []
    for path in _load_candidates(ctx, ["**/*.sh", "**/*.bash"]):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            errors.append(text)
        elif any(c.program in LOAD_TOOLS for c in split_commands(text)):
            scripts.append((path, set(_URL_PATH.findall(text))))
    return scripts


def _load_scripts(ctx: Context, errors: list[ParseError]) -> list[tuple[str, set[str]]]:
    """Locust files (by name or import), k6 scripts, JMeter plans, shell scripts running a
    load generator and concurrent HTTP clients in a benchmark folder, with their strings."""
    scripts: list[tuple[str, set[str]]] = []
    for path in _load_candidates(ctx, ["**/*.py"]):
        is_locustfile = PurePosixPath(path).name.startswith("locustfile")
        index = python_index(ctx.repo, path)
        if isinstance(index, ParseError):
            if is_locustfile:
                errors.append(index)
        elif is_locustfile or index.imports("locust") or _concurrent_client(path, index):
            scripts.append((path, {s for s, _ in string_constants(index)}))
    scripts += _shell_load_scripts(ctx, errors)
    for path in _load_candidates(ctx, LOAD_SCRIPT_GLOBS):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            errors.append(text)
        elif path.endswith(".jmx") or "k6/http" in text:
            scripts.append((path, set(re.findall(r"/[A-Za-z0-9_/.-]+", text))))
    return scripts


def _stats_finding(path: str, text: str) -> Finding:
    """Judge a locust ``*_stats.csv`` against the guide's targets."""
    try:
        p95, errors = _locust_stats(text)
    except (ValueError, KeyError) as exc:
        return skipped(T(f"{path} is not a readable locust stats file ({exc})",
                         f"{path} no es un archivo de estadísticas de locust legible ({exc})"),
                       path)
    message = T(f"load test results {path}: P95 {p95:g} ms, errors {errors:.2%}",
                f"resultados de carga {path}: P95 {p95:g} ms, errores {errors:.2%}")
    if p95 >= 500 or errors >= 0.01:
        return failed(message + T(" (critical: P95 >= 500 ms or errors >= 1%)",
                                  " (crítico: P95 >= 500 ms o errores >= 1%)"), path)
    if p95 >= 200 or errors >= 0.001:
        return warned(message + T(" (target: P95 < 200 ms, errors < 0.1%)",
                                  " (objetivo: P95 < 200 ms, errores < 0.1%)"), path)
    return passed(message, path)


@rule("TEST009")
def load_tests(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST009: a Locust/k6/JMeter script targets /predict and /health; a locust CSV, when
    present, is judged against P95 < 200 ms and errors < 0.1 %."""
    errors: list[ParseError] = []
    scripts = _load_scripts(ctx, errors)
    for path in _load_candidates(ctx, ["**/*_stats.csv"]):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            errors.append(text)
        else:
            yield _stats_finding(path, text)
    yield from (parse_skip(e) for e in errors)
    targets = _targets(ctx)
    if not scripts and not (fact := deployment(ctx.repo)).deploys:
        yield skipped(fact.nothing_deployed(T(
            ", so there is no service to load-test", ", así que no hay servicio que someter "
            "a carga")))
        return
    if not scripts:
        yield failed(T("no load test (locustfile.py, k6 script, JMeter plan, a shell script "
                       "running ab/hey/wrk/vegeta, or a concurrent HTTP client in a "
                       "benchmarks/ or perf/ folder)",
                       "no hay test de carga (locustfile.py, script de k6, plan de JMeter, un "
                       "script de shell que ejecute ab/hey/wrk/vegeta, o un cliente HTTP "
                       "concurrente en una carpeta benchmarks/ o perf/)"),
                     fix=_fix(targets, missing_predict=True, missing_health=True))
        return
    best = max(scripts, key=lambda s: (_hits(s[1], targets), s[0]))
    predict, health = _endpoint_flags(best[1], targets)
    wanted = "/predict" if targets.predict is None else targets.predict[1]
    if predict and health:
        what = "/predict and /health" if not targets.known else " and ".join(
            ([wanted] if targets.predict else []) + [targets.health or "/health"])
        yield passed(T(f"load test {best[0]} targets {what}",
                       f"el test de carga {best[0]} apunta a {what.replace(' and ', ' y ')}"),
                     best[0])
    else:
        missing = [e for e, ok in ((wanted, predict), (targets.health or "/health", health))
                   if not ok]
        yield warned(T(f"load test {best[0]} does not target {' and '.join(missing)}",
                       f"el test de carga {best[0]} no apunta a {' y '.join(missing)}"),
                     best[0], fix=_fix(targets, not predict, not health))


class _Targets:
    """The routes a load test of the project should hit, from its serving code."""

    def __init__(self, known: bool, health: str | None, predict: tuple[str, str] | None,
                 other: tuple[str, str] | None, inference: tuple[str, ...] = ()) -> None:
        self.known = known  # the serving code declares routes
        self.health = health  # the health route's path
        self.predict = predict  # (method, path) of the inference route
        self.other = other  # (method, path) of another route, when there is no predict
        self.inference = inference  # the paths of every inference route


def _targets(ctx: Context) -> _Targets:
    all_routes = serving(ctx).model.routes
    if not all_routes:
        return _Targets(False, None, None, None)
    health = next((path for path, _ in health_routes(ctx)), None)
    inference = [r for r in all_routes if is_inference_path(r)]
    predict = next(((("POST" if r.allows("POST") else r.methods[0]), r.path)
                    for r in inference if r.methods), None)
    others = sorted((r for r in all_routes if r.path != health and r.methods
                     and not is_inference_path(r)),
                    key=lambda r: ("{" in r.path, not r.allows("GET"), r.path.count("/")))
    other = next((("GET" if r.allows("GET") else r.methods[0], r.path) for r in others),
                 None)
    return _Targets(True, health, predict, other, tuple(r.path for r in inference))


def _fix(targets: _Targets, missing_predict: bool, missing_health: bool) -> T:
    """Ask for the project's own routes; the guide's /health and /predict only when the
    serving code declares no route."""
    if not targets.known:
        return T("Add tests/load/locustfile.py with an HttpUser hitting the service's health "
                 "check and its main endpoints (e.g. GET /health, POST /predict).",
                 "Añade tests/load/locustfile.py con un HttpUser que llame al health check "
                 "del servicio y a sus endpoints principales (p. ej. GET /health, POST "
                 "/predict).")
    calls: list[str] = []
    if missing_health and targets.health:
        calls.append(f"GET {targets.health}")
    if missing_predict and targets.predict:
        calls.append(" ".join(targets.predict))
    elif missing_predict and targets.other:
        calls.append(" ".join(targets.other))
    if not calls:
        calls.append(" ".join(targets.predict or targets.other or ("GET", "/")))
    shown = " and ".join(calls)
    return T(f"Add a load test (e.g. tests/load/locustfile.py, an HttpUser) whose tasks "
             f"call {shown}.", "Añade un test de carga (p. ej. tests/load/locustfile.py, un "
             f"HttpUser) cuyas tareas llamen a {shown.replace(' and ', ' y ')}.")


def _stem(path: str) -> str:
    """A route path up to its first parameter: what a script's URL strings contain."""
    return path.split("{", 1)[0].rstrip("/") or path


def _endpoint_flags(strings: set[str], targets: _Targets) -> tuple[bool, bool]:
    predict = any("/predict" in s for s in strings) or any(
        _stem(path) in s for path in targets.inference for s in strings)
    if targets.known and targets.predict is None:
        predict = True  # no inference route to load: the service is not a model server
    health = any("/health" in s for s in strings) or (
        targets.health is not None and any(_stem(targets.health) in s for s in strings))
    return predict, health


def _hits(strings: set[str], targets: _Targets) -> int:
    return sum(_endpoint_flags(strings, targets))
