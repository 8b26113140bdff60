"""What the code beside a Dockerfile listens on: the port (a manifest's containerPort
for the image first, then ENV PORT, then the source: an environment default, a ``port =``
setting, a ``ListenAndServe``/``listen`` call), the health route it serves, and whether it
is a gRPC server. The source is read as text from the image's build folder, bounded in
files and characters; nothing is imported or run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mlops_lint import lazy_re
from mlops_lint.parsers.deployed_images import Deployed, container_ports, probe_label
from mlops_lint.parsers.dockerfile import Dockerfile, build_folder_files

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

_SOURCE_SUFFIXES = frozenset({".go", ".js", ".mjs", ".ts", ".java", ".kt", ".cs", ".rs",
                              ".py", ".rb", ".php"})
_MAX_SOURCE_FILES = 200
_MAX_TEXT = 200_000
_PORT_PATTERNS = (
    # an environment default: ENV['PORT'] || '8080', os.getenv("PORT", "8080"),
    # process.env.PORT || 8080, os.environ.get('PORT', 8080)
    lazy_re.compile(r"PORT['\"]?\s*\]?\s*(?:\|\||\bor\b|\?\?|,)\s*['\"]?(\d{2,5})\b"),
    # port := "8080", port = 8080, port=8080 (a keyword argument), set :port, 8080
    lazy_re.compile(r"\bport\b['\"]?\s*(?::=|=|,)\s*['\"]?(\d{2,5})\b", re.IGNORECASE),
    # ListenAndServe(":8080", …), add_insecure_port("[::]:50051"), .listen(3000)
    lazy_re.compile(r"(?:ListenAndServe|Listen|add_insecure_port|bind)\([^)'\"]{0,20}"
                    r"(?:['\"][^'\"]{0,20}['\"]\s*,\s*)?['\"][^'\"\s]{0,40}:(\d{2,5})['\"]"),
    lazy_re.compile(r"\.listen\(\s*(\d{2,5})\b"),
)
_HEALTH_NAMES = (r"health|healthz|healthcheck|health-check|livez|readyz|ready|live|liveness|"
                 r"readiness|check|ping|status")
_HEALTH_ROUTE = lazy_re.compile(
    rf"['\"](/(?:{_HEALTH_NAMES})(?:/[\w-]{{1,30}})?)['\"]")
_HEALTH_PATH = lazy_re.compile(rf"/(?:{_HEALTH_NAMES})(?:/[\w-]{{1,30}})?")
_ROOT_ROUTE = lazy_re.compile(
    r"\b(?:get|route|HandleFunc|Handle|api_route|GET)\b\s*\(?\s*['\"]/['\"]")
# a route declared with its method: @app.route("/x", methods=["POST"]), @app.get("/x"),
# router.post("/x"), app.api_route("/x", methods=[...]); the arguments are read up to
# the closing parenthesis on the same line, bounded
_ROUTE_DECL = lazy_re.compile(
    r"\.(route|api_route|get|post|put|delete|patch)\(\s*['\"](/[\w./{}<>:-]{0,80})['\"]"
    r"([^)\n]{0,200})")
_METHODS = lazy_re.compile(r"methods\s*=\s*[\[(]([^\])]{0,80})[\])]")
_GRPC = lazy_re.compile(r"grpc\.NewServer\(|grpc\.server\(|grpc\.aio\.server\(|ServerBuilder|"
                        r"io\.grpc\.|add_insecure_port\(|MapGrpcService|tonic::transport")


def _sources(repo: Repo, df: Dockerfile) -> Iterator[tuple[str, str]]:
    scanned = 0
    for path in build_folder_files(repo, df.path):
        if PurePosixPath(path).suffix not in _SOURCE_SUFFIXES:
            continue
        if "test" in PurePosixPath(path).name.lower():
            continue
        scanned += 1
        if scanned > _MAX_SOURCE_FILES:
            return
        text = repo.text(path)
        if isinstance(text, str):
            yield path, text[:_MAX_TEXT]


def _declared_routes(text: str) -> tuple[list[str], set[str]]:
    """The routes ``text`` declares with a method: those a GET reaches (in order) and
    those declared for other methods only. ``route``/``api_route`` default to GET."""
    gets: list[str] = []
    others: set[str] = set()
    for match in _ROUTE_DECL.finditer(text):
        kind, path, rest = match.group(1), match.group(2), match.group(3)
        if kind in ("route", "api_route"):
            methods = _METHODS.search(rest)
            verbs = (methods.group(1).upper() if methods else "GET")
            get = "GET" in verbs
        else:
            get = kind == "get"
        if get:
            gets.append(path)
        else:
            others.add(path)
    return gets, others


def _route(texts: list[str]) -> tuple[str | None, bool]:
    """The route to probe and whether it is a health route: a GET health route first
    (declared with its method, else any quoted health path not declared POST-only), then
    a GET /, then any GET route; never a route declared for other methods only."""
    get_routes: list[str] = []
    post_only: set[str] = set()
    for text in texts:
        gets, others = _declared_routes(text)
        get_routes += gets
        post_only |= others - set(gets)
    route = next((r for r in get_routes if _HEALTH_PATH.fullmatch(r)), None)
    for text in texts:
        if route is None:
            route = next((m.group(1) for m in _HEALTH_ROUTE.finditer(text)
                          if m.group(1) not in post_only), None)
    if route is not None:
        return route, True
    if "/" in get_routes or ("/" not in post_only and any(_ROOT_ROUTE.search(t)
                                                           for t in texts)):
        return "/", False
    return (get_routes[0] if get_routes else None), False


@dataclass(frozen=True)
class Listening:
    port: str | None = None
    port_from: str = ""  # where the port was read
    route: str | None = None  # a health route, or "/" when the app serves it
    health: bool = False  # the route is a health route
    grpc: bool = False


def listening(repo: Repo, df: Dockerfile, env_port: str | None,
              deployed: list[Deployed]) -> Listening:
    """The port, health route and protocol the code beside ``df`` serves, from its
    deployments, its ENV PORT and its source."""
    key = f"docker:listening:{df.path}:{env_port}"
    cached = repo.memo.get(key)
    if cached is not None:
        result: Listening = cached
        return result
    port: str | None = None
    port_from = ""
    for d in deployed:
        ports = container_ports(d)
        if ports:
            port, port_from = ports[0], f"containerPort in {d.where}"
            break
    if port is None and env_port and env_port.isdigit():
        port, port_from = env_port, "ENV PORT"
    texts: list[str] = []
    grpc = False
    for path, text in _sources(repo, df):
        texts.append(text)
        if port is None:
            for pattern in _PORT_PATTERNS:
                match = pattern.search(text)
                if match:
                    port, port_from = match.group(1), path
                    break
        grpc = grpc or bool(_GRPC.search(text))
    if any("grpc" in (probe_label(d) or "") for d in deployed):
        grpc = True
    route, health = _route(texts)
    found = Listening(port, port_from, route, health, grpc)
    repo.memo[key] = found
    return found
