"""API009: latency evidence from a load test.

The aggregated row of a locust ``*_stats.csv`` against the P95 and error-rate targets;
latency is a runtime measurement, so without such a file the rule is manual.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from pydantic import Field

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, manual, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.readers.unread import noted, reports_unread
from mlops_lint.rules import Params, rule


class LatencyParams(Params):
    p95_ms: float = Field(200, gt=0)
    p95_critical_ms: float = Field(500, gt=0)
    error_rate: float = Field(0.001, ge=0, le=1)
    error_rate_critical: float = Field(0.01, ge=0, le=1)


def parse_locust_stats(text: str) -> dict[str, float]:
    """The aggregated row of a locust ``*_stats.csv``: P95/P99 (ms), requests, failures."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "95%" not in reader.fieldnames:
        raise ValueError("not a locust stats CSV (no 95% column)")
    rows = list(reader)
    row = next((r for r in rows if (r.get("Name") or "").strip() == "Aggregated"),
               rows[-1] if rows else None)
    if row is None:
        raise ValueError("no rows")

    def num(key: str) -> float:
        value = (row.get(key) or "").strip()
        return float(value) if value and value != "N/A" else float("nan")

    return {"p95": num("95%"), "p99": num("99%"), "requests": num("Request Count"),
            "failures": num("Failure Count")}


@rule("API009", LatencyParams)
@reports_unread
def api_latency_evidence(ctx: Context, params: LatencyParams) -> Iterator[Finding]:
    """API009: latency SLO from a locust stats CSV; manual without one."""
    found = False
    for path in ctx.files(["**/*_stats.csv"]):
        stats = noted(ctx.repo.parse(path, parse_locust_stats))
        if isinstance(stats, ParseError):
            continue
        found = True
        p95, requests, failures = stats["p95"], stats["requests"], stats["failures"]
        if p95 != p95:  # NaN: the run recorded no request
            yield skipped(T(f"{path} has no P95 value", f"{path} no tiene valor P95"), path)
            continue
        rate = failures / requests if requests and requests == requests else 0.0
        text = T(f"P95 {p95:g} ms, error rate {rate:.2%} ({path})",
                 f"P95 {p95:g} ms, tasa de error {rate:.2%} ({path})")
        if p95 < params.p95_ms and rate < params.error_rate:
            yield passed(text, path)
        elif p95 < params.p95_critical_ms and rate < params.error_rate_critical:
            yield warned(text + T(f" (target P95 < {params.p95_ms:g} ms, errors < "
                                  f"{params.error_rate:.1%})",
                                  f" (objetivo P95 < {params.p95_ms:g} ms, errores < "
                                  f"{params.error_rate:.1%})"), path)
        else:
            yield failed(text + T(f" (critical: P95 ≥ {params.p95_critical_ms:g} ms or "
                                  f"errors ≥ {params.error_rate_critical:.0%})",
                                  f" (crítico: P95 ≥ {params.p95_critical_ms:g} ms o errores "
                                  f"≥ {params.error_rate_critical:.0%})"), path)
    if not found:
        yield manual(T(f"latency is a runtime measurement: run a load test (locust --csv=...) "
                       f"and keep its *_stats.csv; targets P95 < {params.p95_ms:g} ms, < 50 ms "
                       "ideal",
                       f"la latencia se mide en ejecución: lanza una prueba de carga (locust "
                       f"--csv=...) y guarda su *_stats.csv; objetivo P95 < {params.p95_ms:g} "
                       "ms, < 50 ms ideal"))
