"""TEST007: an end-to-end training test (train, save, load, predict) or an API test of
``/predict`` and ``/health`` (L2); both (L3).

A test counts as end-to-end through the fixtures it requests; a test of the served model
counts when it points the service at a model the test saved.

A project with no model of its own (:func:`mlops_lint.readers.training.no_model_of_its_own`:
a published library that fits its callers' models, a documentation repository) has no
model artefact to save and load and no service whose API to test: a test that trains and
predicts with its code is its end-to-end test (pass), and without one the rule is not
applicable.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.readers.training import (
    every_call,
    last,
    literal_path,
    method,
    no_model_of_its_own,
    scope_of,
    source_files,
    training,
    training_errors,
)
from mlops_lint.rules import rule
from mlops_lint.rules.testing._http import calls_services, is_inference, request_path, script_cases
from mlops_lint.rules.testing._shared import (
    Case,
    Suite,
    fixture_functions,
    names_in,
    no_model,
    no_python,
    no_tests,
    suite,
)

LOAD_NAMES = lazy_re.compile(r"^(load|load_model|load_pipeline|load_artifact|load_\w*model\w*)$")


TRAIN_NAMES = lazy_re.compile(r"(^|_)(train|fit)(_|$)|^run_training$|^train\w*$")


HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "request", "options",
                          "head"})


def _tmp_case(case: Case) -> bool:
    return any("tmp" in p for p in case.params) or any(
        "tmp" in n for n in names_in(case.node))


def _integration_case(case: Case) -> bool:
    local = case.path
    return "integration" in case.markers or "/integration/" in f"/{local}" or \
        PurePosixPath(local).name.startswith(("test_integration", "test_e2e", "test_end_to_end"))


FRAMEWORK_LOADS = frozenset({"load_from_checkpoint", "from_pretrained", "load_state_dict",
                             "load_model", "from_checkpoint", "restore"})


CHECKPOINT_WORDS = lazy_re.compile(r"ckpt|checkpoint", re.IGNORECASE)


def _checkpoint_reference(case: Case) -> bool:
    """The test names a checkpoint it wrote (``cfg.ckpt_path = tmp_path / "last.ckpt"``)."""
    for node in case.nodes:
        text = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(
            node, ast.Name) else node.value if isinstance(node, ast.Constant) and isinstance(
                node.value, str) and len(node.value) < 200 else None
        if text and CHECKPOINT_WORDS.search(text):
            return True
    return False


LOAD_CALLS = frozenset({"joblib.load", "torch.load", "pickle.load", "cloudpickle.load",
                        "dill.load", "skops.io.load", "tensorflow.keras.models.load_model",
                        "keras.models.load_model"})


MODEL_LOADS = lazy_re.compile(r"^(load_pipeline|load_artifact|load_\w*model\w*)$")


PREDICTS = lazy_re.compile(r"^(predict\w*|evaluate\w*|test|validate|infer\w*)$")


def model_loaders(ctx: Context) -> frozenset[str]:
    """Names of the project's functions that load a saved model (``joblib.load(path)``,
    ``load_model``): a test that trains and then calls one loads what it saved."""
    out: set[str] = set()
    for index in source_files(ctx).indexes:
        for qual, call in every_call(index):
            name = method(call) or last(qual)
            if qual in LOAD_CALLS or name in FRAMEWORK_LOADS or MODEL_LOADS.match(name):
                scope = scope_of(index, call)
                if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                    out.add(scope.name)
    return frozenset(out)


def _steps(case: Case, loaders: frozenset[str] = frozenset()) -> tuple[bool, bool, bool]:
    """Whether the test trains, loads (itself, or through a project function that loads
    the saved model) and predicts (or evaluates)."""
    trains = loads = predicts = False
    for qual, call in case.calls():
        name = method(call) or last(qual)
        trains |= name in ("fit", "fit_transform") or bool(TRAIN_NAMES.search(name))
        loads |= bool(LOAD_NAMES.match(name)) or qual in LOAD_CALLS or \
            name in FRAMEWORK_LOADS or name in loaders
        predicts |= bool(PREDICTS.match(name))
    return trains, loads, predicts


def e2e_test(case: Case, loaders: frozenset[str] = frozenset()) -> bool:
    """Train, save, load and predict (or evaluate) in a temporary directory; or train and
    predict in an integration test. ``loaders``: the project functions that load a saved
    model (:func:`model_loaders`)."""
    trains, loads, predicts = _steps(case, loaders)
    loads |= trains and predicts and _checkpoint_reference(case)
    if trains and predicts and (loads and _tmp_case(case)):
        return True
    return _integration_case(case) and trains and predicts


SAVE_CALLS = frozenset({"joblib.dump", "pickle.dump", "torch.save", "cloudpickle.dump",
                        "dill.dump", "skops.io.dump", "mlflow.sklearn.save_model",
                        "mlflow.pyfunc.save_model"})


SAVE_METHODS = frozenset({"save_model", "save_pretrained", "save"})


ENV_POINTERS = frozenset({"setenv", "setitem", "dict"})  # monkeypatch, mock.patch.dict


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _fixture_table(found: Suite, path: str) -> dict[str, Function]:
    """The fixtures a test of ``path`` can request: conftest.py files of its directory and
    above, then its own file (which wins)."""
    table: dict[str, Function] = {}
    folder = PurePosixPath(path).parent
    for conftest in sorted(found.conftests, key=lambda i: len(i.path)):
        base = PurePosixPath(conftest.path).parent
        if base == folder or base in folder.parents or str(base) == ".":
            table.update({f.name: f for f in fixture_functions(conftest)})
    own = next((i for i in found.files if i.path == path), None)
    if own is not None:
        table.update({f.name: f for f in fixture_functions(own)})
    return table


def _requested(case: Case, table: dict[str, Function], limit: int = 20) -> list[Function]:
    """The fixtures a test requests, directly or through other fixtures (bounded)."""
    out: list[Function] = []
    todo = list(case.params)
    seen: set[str] = set()
    while todo and len(out) < limit:
        name = todo.pop(0)
        if name in seen or name not in table:
            continue
        seen.add(name)
        fixture = table[name]
        out.append(fixture)
        args = fixture.args
        todo.extend(a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
    return out


def _saves(qual: str, call: ast.Call) -> bool:
    return qual in SAVE_CALLS or (method(call) or "") in SAVE_METHODS


def _points_at(node: ast.AST) -> bool:
    """``monkeypatch.setenv("MODEL_PATH", ...)``, ``os.environ[...] = ...``,
    ``mock.patch.dict(os.environ, ...)``: the app under test is told where to read from."""
    if isinstance(node, ast.Call):
        return (method(node) or "") in ENV_POINTERS
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute)
                   and t.value.attr == "environ" for t in node.targets)
    return False


def served_e2e_test(case: Case, fixtures: list[Function]) -> bool:
    """The test or its fixtures train a model, save it under a temporary directory and
    point the app at it (an environment variable); the test then requests a /predict
    endpoint: train -> save -> load (by the app) -> predict."""
    posts = any(method(call) in HTTP_METHODS and call.args and (literal_path(call.args[0]) or "")
                .rstrip("/").endswith("predict") for _, call in case.calls())
    if not posts:
        return False
    trains = saves = tmp = points = False
    for function in [case.node, *fixtures]:
        args = function.args
        tmp |= any("tmp" in a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                qual = case.index.qualname(node.func) or ""
                name = method(node) or last(qual)
                trains |= name in ("fit", "fit_transform") or bool(TRAIN_NAMES.search(name))
                saves |= _saves(qual, node)
            points |= _points_at(node)
    return trains and saves and tmp and points


@dataclass
class ApiTests:
    cases: list[Case] = field(default_factory=list)
    endpoints: set[str] = field(default_factory=set)

    @property
    def predict(self) -> bool:
        return any(is_inference(e) for e in self.endpoints)

    @property
    def health(self) -> bool:
        return any("health" in e for e in self.endpoints)


def api_tests(found: Suite, scripts: list[Case] | None = None) -> ApiTests:
    """Tests whose requests name paths: through an in-process client (TestClient, httpx's
    AsyncClient/ASGITransport, directly or through a conftest fixture), or to a running
    service through an HTTP client (requests, httpx, aiohttp) in collected tests or in the
    end-to-end ``scripts`` CI runs against a deployed service."""
    out = ApiTests()
    client_files = {i.path for i in [*found.files, *found.conftests] if any(
        last(q) in ("TestClient", "AsyncClient", "ASGITransport") for q, _ in i.calls)}
    live_files = {i.path for i in found.files if calls_services(i)}
    conftest_client = any(i.path in client_files for i in found.conftests)
    live_files.update(c.path for c in scripts or [])
    for case in [*found.cases, *(scripts or [])]:
        client = case.path in client_files or (conftest_client and any(
            "client" in p for p in case.params))
        if not client and case.path not in live_files:
            continue
        hit = False
        for _, call in case.calls():
            if method(call) in HTTP_METHODS:
                target = request_path(call, client)
                if target:
                    out.endpoints.add(target)
                    hit = True
        if hit:
            out.cases.append(case)
    return out


def _e2e_cases(ctx: Context, found: Suite) -> list[Case]:
    """End-to-end training tests; without one, the first test of a served model saved by
    the test."""
    loaders = model_loaders(ctx) if found.cases else frozenset()
    e2e = [c for c in found.cases if e2e_test(c, loaders)]
    if not e2e:
        tables: dict[str, dict[str, Function]] = {}
        for case in found.cases:
            table = tables.setdefault(case.path, _fixture_table(found, case.path))
            if served_e2e_test(case, _requested(case, table)):
                e2e.append(case)
                break
    return e2e


def _e2e_part(e2e: list[Case], trains: bool) -> T:
    if e2e:
        return T(f"end-to-end training test at {e2e[0].path}:{e2e[0].node.lineno}",
                 f"test de entrenamiento de extremo a extremo en {e2e[0].path}:"
                 f"{e2e[0].node.lineno}")
    if not trains:
        return T("no end-to-end training test needed: the project trains no model",
                 "no hace falta un test de entrenamiento de extremo a extremo: el proyecto "
                 "no entrena ningún modelo")
    return T("no end-to-end training test (train -> save -> load -> predict or "
             "evaluate in tmp_path)", "no hay test de entrenamiento de extremo a "
             "extremo (entrenar -> guardar -> cargar -> predecir o evaluar en "
             "tmp_path)")


def _api_part(api: ApiTests, api_ok: bool) -> T:
    if api_ok:
        return T(f"API tests hit {', '.join(sorted(api.endpoints)[:4])}",
                 f"los tests de API llaman a {', '.join(sorted(api.endpoints)[:4])}")
    if api.cases:
        missing = [e for e, ok in (("/predict (or another inference route)", api.predict),
                                   ("/health", api.health)) if not ok]
        missing_es = [e for e, ok in (("/predict (u otra ruta de inferencia)", api.predict),
                                      ("/health", api.health)) if not ok]
        return T(f"API tests do not hit {' and '.join(missing)}",
                 f"los tests de API no llaman a {' y '.join(missing_es)}")
    return T("no API test (TestClient/httpx on /predict and /health, in process or against "
             "a running service)", "no hay test de API (TestClient/httpx sobre /predict y "
             "/health, en proceso o contra un servicio en marcha)")


def _verdicts(e2e: list[Case], api: ApiTests, trains: bool) -> Iterator[Finding]:
    """Level 2 wants an end-to-end test or API tests of both endpoints; level 3 both (the
    API tests alone when the project trains no model: there is no training to test)."""
    api_ok = api.predict and api.health
    message = T.join([_e2e_part(e2e, trains), _api_part(api, api_ok)])
    anchor = e2e[0] if e2e else api.cases[0] if api.cases else None
    path = anchor.path if anchor else None
    line = anchor.node.lineno if anchor else None
    if e2e or api_ok:
        yield passed(message, path, line, level=2)
    else:
        yield failed(message, path, line, level=2)
    if api_ok and (e2e or not trains):
        yield passed(message, path, line, level=3)
    else:
        yield failed(message, path, line, level=3)


@rule("TEST007")
def integration_tests(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST007: an end-to-end training test or an API test of /predict and /health (L2);
    both (L3)."""
    found = suite(ctx)
    absent = no_python(ctx)
    if absent is not None:
        yield absent
        return
    e2e = _e2e_cases(ctx, found)
    api = api_tests(found, script_cases(ctx, found))
    if not e2e and not api.predict:  # a project without a model has nothing to test here
        yield from training_errors(ctx)
        untested = no_model(ctx)
        if untested is not None:
            yield untested
            return
    borrowed = None if api.cases else no_model_of_its_own(ctx)
    if borrowed is not None:
        yield from _without_own_model(found, e2e, borrowed)
        return
    if not found.cases and not api.cases:
        yield no_tests(2)
        yield no_tests(3)
        return
    yield from _verdicts(e2e, api, training(ctx).anywhere)


def _without_own_model(found: Suite, e2e: list[Case], reason: T) -> Iterator[Finding]:
    """A project with no model of its own: an end-to-end test, or a test that trains and
    predicts with its code, passes both levels (nothing of its own to save and load, no
    API to call); none is not applicable."""
    subject = T("it has no model artefact to save and load and no service whose API to "
                "test", "no tiene artefacto de modelo que guardar y cargar ni servicio cuya "
                "API probar")
    case = e2e[0] if e2e else next((c for c in found.cases if _steps(c)[0] and _steps(c)[2]),
                                   None)
    if case is None:
        yield skipped(T("not applicable: ", "no aplica: ") + reason + T("; ", "; ") + subject)
        return
    where = f"{case.path}:{case.node.lineno}"
    for level in (2, 3):
        yield passed(reason + T(f"; {case.node.name} at {where} trains and predicts with its "
                                "code, its end-to-end test, and ",
                                f"; {case.node.name} en {where} entrena y predice con su "
                                "código, su test de extremo a extremo, y ") + subject,
                     case.path, case.node.lineno, level=level)
