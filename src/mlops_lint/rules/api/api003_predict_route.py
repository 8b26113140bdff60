"""API003: a POST prediction route.

A POST route whose path contains ``predict`` or a serving protocol's inference segment
(``/v2/models/{name}/infer``, ``/invocations``, ``/score``); a managed endpoint declared as
code has the platform's inference route.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.readers.serving import inference_call, is_inference_path, serving
from mlops_lint.rules import rule
from mlops_lint.rules.api._endpoints import endpoint_pass, managed_endpoints
from mlops_lint.rules.api._shared import no_code, routes_or_finding, service_site


@rule("API003")
def api_predict_route(ctx: Context, params: None) -> Iterator[Finding]:
    """API003: a POST route whose path contains ``predict`` (or a serving protocol's
    inference segment: ``/v2/models/{name}/infer``, ``/invocations``, ``/score``); a
    managed endpoint declared as code has the platform's inference route."""
    if no_code(serving(ctx)) and (endpoints := managed_endpoints(ctx)):
        yield endpoint_pass(endpoints, T("", ""), T(
            f": the platform's inference route, {endpoints[0].infer}",
            f": la ruta de inferencia de la plataforma, {endpoints[0].infer}"))
        return
    s, routes, early = routes_or_finding(ctx)
    if early is not None:
        yield early
        return
    predict = s.predict_routes(routes)
    if predict:
        route = predict[0]
        more = T(f" (and {len(predict) - 1} more)", f" (y {len(predict) - 1} más)") \
            if len(predict) > 1 else T("", "")
        call = None if is_inference_path(route) else inference_call(route)
        runs = T(f", whose handler {route.handler_name} calls {call}",
                 f", cuyo handler {route.handler_name} llama a {call}") if call else T("", "")
        yield passed(T(f"POST {route.path}", f"POST {route.path}") + runs + more, route.file,
                     route.line)
        return
    get_only = [r for r in routes if is_inference_path(r)]
    if get_only:
        route = get_only[0]
        yield failed(T(f"{route.path} answers {', '.join(route.methods)}, not POST: "
                       "predictions take a JSON body",
                       f"{route.path} responde a {', '.join(route.methods)}, no a POST: las "
                       "predicciones reciben un cuerpo JSON"), route.file, route.line)
        return
    path, line = service_site(s)
    yield failed(T("no prediction route: expected POST /predict (or /api/v1/predict)",
                   "no hay ruta de predicción: se espera POST /predict (o /api/v1/predict)"),
                 path, line)
