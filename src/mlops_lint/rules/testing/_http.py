"""HTTP requests in tests (TEST007): the path a request names, through an in-process
client (``client.get("/health")``) or against a running service
(``requests.get(f"{base_url}/health")``, ``httpx.post(BASE + "/v1/completions")``), and
the end-to-end test scripts that CI runs against a deployed service without pytest
collecting them (``tests/e2e/test-service.py``, ``e2e/check_service.py``)."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.parsers.python_source import PythonIndex, python_index
from mlops_lint.readers.serving import INFERENCE_SEGMENTS
from mlops_lint.readers.training import FUNCTION_NODES, literal_path
from mlops_lint.rules.testing._shared import Case, Suite

# modules whose clients send requests to a running service
HTTP_CLIENTS = ("requests", "httpx", "aiohttp", "urllib3")

TEST_FOLDERS = frozenset({"test", "tests", "e2e", "integration", "integration_tests",
                          "e2e_tests", "smoke", "smoke_tests"})

MAX_SCRIPTS = 50


def _template(node: ast.expr) -> str | None:
    """A string expression with ``{}`` for its unknown parts: an f-string, a ``+``
    concatenation, a literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str)
                       else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        return (left or "{}") + (right or "{}")
    return None


def url_path(node: ast.expr) -> str | None:
    """The path of a URL to a running service: ``f"{base}/health"`` -> ``/health``,
    ``BASE + "/predict"`` -> ``/predict``, ``"http://localhost:8000/predict"`` ->
    ``/predict``; ``None`` when the expression names no path."""
    text = _template(node)
    if text is None or len(text) > 300:
        return None
    for scheme in ("http://", "https://"):
        if text.startswith(scheme):
            rest = text[len(scheme):]
            cut = rest.find("/")
            return rest[cut:] if cut >= 0 else None
    if text.startswith("{}/"):
        return text[2:]
    return None


def request_path(call: ast.Call, client_file: bool) -> str | None:
    """The path a request names: a literal path through an in-process client, or the path
    of a URL to a running service."""
    target = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg == "url"), None)
    if target is None:
        return None
    if client_file:
        path = literal_path(target)
        if path and path.startswith("/"):
            return path
    return url_path(target)


def is_inference(path: str) -> bool:
    """A path that asks for a prediction: ``predict`` anywhere, or a serving protocol's
    inference segment (``/v2/models/{}/infer``, ``/invocations``, ``/v1/completions``)."""
    low = path.lower().split("?", 1)[0]
    return "predict" in low or bool(set(low.strip("/").split("/")) & INFERENCE_SEGMENTS)


def calls_services(index: PythonIndex) -> bool:
    return any(index.imports(m) for m in HTTP_CLIENTS)


def _script_like(local: str) -> bool:
    pure = PurePosixPath(local)
    stem = pure.stem.lower()
    return stem.startswith(("test", "e2e", "smoke")) or any(
        part.lower() in TEST_FOLDERS for part in pure.parts[:-1])


def script_cases(ctx: Context, found: Suite) -> list[Case]:
    """Test functions and methods (``test*``) of end-to-end scripts that pytest does not
    collect (a hyphenated name, a class with ``__init__``): files under a tests/e2e folder
    or named test*/e2e*, that import an HTTP client."""
    known = {i.path for i in [*found.files, *found.conftests]}
    out: list[Case] = []
    scanned = 0
    for path in ctx.files(["**/*.py"]):
        if path in known or not _script_like(ctx.project.local(path)):
            continue
        scanned += 1
        if scanned > MAX_SCRIPTS:
            break
        index = python_index(ctx.repo, path)
        if not isinstance(index, PythonIndex) or not calls_services(index):
            continue
        for node in index.of_type(*FUNCTION_NODES):
            if isinstance(node, FUNCTION_NODES) and node.name.startswith("test"):
                out.append(Case(index, node, None, frozenset()))
    return out
