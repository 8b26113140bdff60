"""K8S003: readiness and liveness probes on the containers of long-running workloads.

gRPC, TCP and exec handlers are probes in their own right; an httpGet probe must target a
health route. The fix keeps the probe type the container already uses; a container with
none gets a TCP or exec check when it runs a well-known non-HTTP server (MySQL, Redis,
Kafka, by image or port), httpGet only on a health route the project's serving code
declares, else a TCP check on its port. Batch workloads
(Job, CronJob, Pod) are skipped; a Helm chart's templates and values are read as text.
An idle toolbox container (``tail -f /dev/null``) is skipped, and a port-less agent that
no Service selects is asked for a liveness probe only, with an ``exec`` fix
(:mod:`mlops_lint.rules.k8s._traffic`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.kubernetes import Container, HelmChart, Manifests, Workload
from mlops_lint.readers.serving import health_routes, near
from mlops_lint.rules import rule
from mlops_lint.rules.k8s._shared import (
    NOT_APPLICABLE,
    complete,
    items,
    manifests,
    mapping,
    pod_templates,
    quien,
    template_text,
    unread,
    who,
)
from mlops_lint.rules.k8s._traffic import LIVENESS_EXEC_FIX, idle_command, portless_agent

HEALTH_PATH = lazy_re.compile(r"health|ready|live|ping|status", re.IGNORECASE)


PROBE_HANDLERS = ("grpc", "tcpSocket", "exec")


def _handlers(container: Container) -> str:
    """The non-HTTP handlers of the container's probes (``grpc``), for the message."""
    kinds = {h for key in ("readinessProbe", "livenessProbe")
             if isinstance(probe := container.get(key), dict)
             for h in PROBE_HANDLERS if isinstance(probe.get(h), dict)}
    return ", ".join(sorted(kinds))


def _probe_problems(container: Container, has_startup: bool) -> tuple[list[str], list[str]]:
    en: list[str] = []
    es: list[str] = []
    for key in ("readinessProbe", "livenessProbe"):
        probe = container.get(key)
        if not isinstance(probe, dict):
            continue
        http = probe.get("httpGet")
        if not isinstance(http, dict):
            # gRPC health checks, TCP connects and exec commands are probes in their own
            # right (a gRPC or TCP server has no HTTP route to probe)
            if not any(isinstance(probe.get(h), dict) for h in PROBE_HANDLERS):
                en.append(f"{key} has no handler (httpGet, grpc, tcpSocket or exec)")
                es.append(f"{key} no tiene handler (httpGet, grpc, tcpSocket o exec)")
        elif not HEALTH_PATH.search(str(http.get("path", ""))):
            en.append(f"{key} probes {http.get('path', '/')}, not a health route")
            es.append(f"{key} consulta {http.get('path', '/')}, no una ruta de salud")
        lack = [k for k in ("initialDelaySeconds", "periodSeconds") if k not in probe
                and not (k == "initialDelaySeconds" and has_startup)]
        if lack:
            en.append(f"{key} without {' and '.join(lack)}")
            es.append(f"{key} sin {' ni '.join(lack)}")
    return en, es


_HANDLER_NAMES = {"httpGet": "httpGet", "grpc": "gRPC", "tcpSocket": "TCP", "exec": "exec"}


def _probe_kinds(container: Container) -> list[str]:
    """The handler types of the container's probes (readiness, liveness, startup)."""
    return list(dict.fromkeys(
        h for key in ("readinessProbe", "livenessProbe", "startupProbe")
        if isinstance(probe := container.get(key), dict)
        for h in ("httpGet", *PROBE_HANDLERS) if isinstance(probe.get(h), dict)))


def _container_port(container: Container) -> str | None:
    for port in items(container.get("ports")):
        value = mapping(port).get("containerPort")
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


# well-known servers that speak no HTTP: their default port, the image names they ship
# as, and the command that checks them from inside the container
DATASTORES: tuple[tuple[str, int, tuple[str, ...], str | None], ...] = (
    ("MySQL", 3306, ("mysql", "mariadb", "percona"), "mysqladmin ping"),
    ("PostgreSQL", 5432, ("postgres", "postgis", "timescaledb", "pgvector"),
     "pg_isready -U postgres"),
    ("Redis", 6379, ("redis", "valkey", "keydb"), "redis-cli ping"),
    ("MongoDB", 27017, ("mongo", "mongodb"),
     "mongosh --quiet --eval \"db.adminCommand('ping')\""),
    ("Kafka", 9092, ("kafka", "cp-kafka"), None),
    ("ZooKeeper", 2181, ("zookeeper", "cp-zookeeper"), None),
    ("RabbitMQ", 5672, ("rabbitmq",), "rabbitmq-diagnostics -q ping"),
    ("Memcached", 11211, ("memcached",), None),
    ("Cassandra", 9042, ("cassandra",), None),
)


def _image_name(container: Container) -> str:
    """The image's last path component without tag or digest (``bitnami/mysql:8`` ->
    ``mysql``)."""
    image = str(container.get("image") or "").split("@", 1)[0]
    return image.rsplit("/", 1)[-1].split(":", 1)[0].lower()


def _datastore(container: Container,
               port: str | None) -> tuple[str, int, tuple[str, ...], str | None] | None:
    """The well-known non-HTTP server the container runs, by its image or its port."""
    name = _image_name(container)
    for store in DATASTORES:
        if name in store[2] or any(name.startswith(n + "-") for n in store[2]):
            return store
    for store in DATASTORES:
        if port == str(store[1]):
            return store
    return None


def _add_probes_fix(container: Container, kinds: list[str], missing: list[str],
                    health: list[str]) -> T:
    """The fix that adds the ``missing`` probes, with the handler the container already
    uses, else grpc on a port named for it, else a TCP (or the server's own ping) check
    on a well-known non-HTTP server, else httpGet on a health route the project's
    serving code declares, else a TCP check on the container port."""
    port = _container_port(container)
    at = f" (port {port})" if port else ""
    wanted = " and ".join(missing)
    if kinds:
        kind = kinds[0]
        return T(f"Add {wanted} with the same {_HANDLER_NAMES[kind]} check the container "
                 "already uses, with initialDelaySeconds and periodSeconds.",
                 f"Añade {wanted} con la misma comprobación {_HANDLER_NAMES[kind]} que ya "
                 "usa el contenedor, con initialDelaySeconds y periodSeconds.")
    grpc = any("grpc" in str(mapping(p).get("name", "")).lower()
               for p in items(container.get("ports")))
    if grpc:
        return T(f"Add {wanted} with a grpc check{at} (grpc: {{port: {port or '<port>'}}}), "
                 "initialDelaySeconds and periodSeconds.",
                 f"Añade {wanted} con una comprobación grpc{at} (grpc: {{port: "
                 f"{port or '<puerto>'}}}), initialDelaySeconds y periodSeconds.")
    if store := _datastore(container, port):
        name, default, _, ping = store
        tcp = f"tcpSocket: {{port: {port or default}}}"
        if ping:
            return T(f"Add {wanted} with an exec check of the server ({ping}) or {tcp} "
                     f"({name} speaks no HTTP), with initialDelaySeconds and periodSeconds.",
                     f"Añade {wanted} con una comprobación exec del servidor ({ping}) o "
                     f"{tcp} ({name} no habla HTTP), con initialDelaySeconds y "
                     "periodSeconds.")
        return T(f"Add {wanted} with {tcp} ({name} speaks no HTTP), with "
                 "initialDelaySeconds and periodSeconds.",
                 f"Añade {wanted} con {tcp} ({name} no habla HTTP), con "
                 "initialDelaySeconds y periodSeconds.")
    if health:
        return T(f"Add {wanted} with httpGet on {health[0]} (the health route of the "
                 f"project's service){at}, initialDelaySeconds and periodSeconds.",
                 f"Añade {wanted} con httpGet en {health[0]} (la ruta de salud del "
                 f"servicio del proyecto){at}, initialDelaySeconds y periodSeconds.")
    tcp = f"tcpSocket: {{port: {port or '<port>'}}}"
    tcp_es = f"tcpSocket: {{port: {port or '<puerto>'}}}"
    return T(f"Add {wanted} with {tcp} (or httpGet on a health route the server really "
             "serves), initialDelaySeconds and periodSeconds.",
             f"Añade {wanted} con {tcp_es} (o httpGet en una ruta de salud que el servidor "
             "sirva de verdad), initialDelaySeconds y periodSeconds.")


def _repair_probes_fix(kinds: list[str], problems: list[str]) -> T:
    """The fix for the ``problems`` of probes that exist, keeping their handlers."""
    en: list[str] = []
    es: list[str] = []
    lacking = [k for k in ("initialDelaySeconds", "periodSeconds")
               if any("without" in p and k in p for p in problems)]
    if lacking:
        shown = ", ".join(_HANDLER_NAMES[k] for k in kinds) or "existing"
        startup = " (or a startupProbe to cover start-up)" \
            if "initialDelaySeconds" in lacking else ""
        arranque = " (o una startupProbe para el arranque)" \
            if "initialDelaySeconds" in lacking else ""
        en.append(f"keep the {shown} probes and add {' and '.join(lacking)}{startup}")
        es.append(f"conserva las sondas {shown} y añade {' y '.join(lacking)}{arranque}")
    if any("not a health route" in p for p in problems):
        en.append("point httpGet at a health route (/health, /ready)")
        es.append("apunta httpGet a una ruta de salud (/health, /ready)")
    if any("no handler" in p for p in problems):
        en.append("give each probe a handler (httpGet, grpc, tcpSocket or exec)")
        es.append("da a cada sonda un handler (httpGet, grpc, tcpSocket o exec)")
    text_en, text_es = "; ".join(en), "; ".join(es)
    return T(text_en[:1].upper() + text_en[1:] + ".", text_es[:1].upper() + text_es[1:] + ".")


def probe_fix(container: Container, missing: list[str], problems: list[str],
              health: list[str] | None = None) -> T:
    """The fix for one container, keeping the probe type it already uses (a gRPC server's
    grpc or exec grpc_health_probe check, a TCP check) instead of always httpGet."""
    kinds = _probe_kinds(container)
    if missing:
        return _add_probes_fix(container, kinds, missing, health or [])
    return _repair_probes_fix(kinds, problems)


def _judge(ctx: Context, found: Manifests, workload: Workload, c: Container) -> Finding:
    """The probes of one container of a long-running workload."""
    where = (workload.path, c.line or workload.line)
    if idle := idle_command(c):
        return skipped(T(f"{who(c, workload)}: runs the idle command `{idle}` (kept alive "
                         "for kubectl exec or a sidecar's work, it serves no traffic): "
                         "probes not applicable",
                         f"{quien(c, workload)}: ejecuta el comando inactivo `{idle}` (se "
                         "mantiene vivo para kubectl exec o el trabajo de otro contenedor, "
                         "no sirve tráfico): las probes no aplican"), workload.path)
    agent = portless_agent(found, workload, c)
    missing = [k for k in ("readinessProbe", "livenessProbe")
               if not isinstance(c.get(k), dict) and not (agent and k == "readinessProbe")]
    if missing and agent:
        return failed(T(f"{who(c, workload)}: no livenessProbe (it exposes no port and no "
                        "Service selects it, so no readinessProbe is needed)",
                        f"{quien(c, workload)}: sin livenessProbe (no expone ningún puerto y "
                        "ningún Service lo selecciona, así que no hace falta readinessProbe)"),
                      *where, fix=LIVENESS_EXEC_FIX)
    if missing:
        return failed(T(f"{who(c, workload)}: no {' and no '.join(missing)}",
                        f"{quien(c, workload)}: sin {' ni '.join(missing)}"), *where,
                      fix=probe_fix(c, missing, [], [path for path, code in health_routes(ctx)
                                                     if near(workload.path, code)]))
    en, es = _probe_problems(c, isinstance(c.get("startupProbe"), dict))
    if en:
        return warned(T(f"{who(c, workload)}: " + "; ".join(en),
                        f"{quien(c, workload)}: " + "; ".join(es)), *where,
                      fix=probe_fix(c, [], en))
    if agent and not isinstance(c.get("readinessProbe"), dict):
        return passed(T(f"{who(c, workload)}: a livenessProbe with delays and periods; it "
                        "exposes no port and no Service selects it, so no readinessProbe is "
                        "needed", f"{quien(c, workload)}: livenessProbe con retardos y "
                        "periodos; no expone ningún puerto y ningún Service lo selecciona, "
                        "así que no hace falta readinessProbe"), *where)
    if handlers := _handlers(c):
        return passed(T(f"{who(c, workload)}: readiness and liveness probes ({handlers}), "
                        "with delays and periods", f"{quien(c, workload)}: probes de "
                        f"readiness y liveness ({handlers}), con retardos y periodos"), *where)
    return passed(T(f"{who(c, workload)}: readiness and liveness probes on a health route, "
                    "with delays and periods", f"{quien(c, workload)}: probes de readiness y "
                    "liveness en una ruta de salud, con retardos y periodos"), *where)


@rule("K8S003")
@complete()
def k8s_probes(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S003: readiness + liveness probes on the containers of long-running workloads."""
    found = manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from unread(found)
    for workload in found.workloads:
        if not workload.long_running:
            yield skipped(T(f"{workload.label}: batch workload, probes not required",
                            f"{workload.label}: carga batch, no requiere probes"),
                          workload.path)
            continue
        for c in workload.containers:
            if not c.init:
                yield _judge(ctx, found, workload, c)
    for chart in found.charts:
        pods = pod_templates(ctx, chart)
        if not pods:
            continue
        yield _chart_probes(ctx, chart, pods)


def _chart_probes(ctx: Context, chart: HelmChart, pods: list[str]) -> Finding:
    """Both probe kinds somewhere in the chart's templates or values (read as text); the
    failure names only the kinds missing, and where the other one is."""
    texts = {**template_text(ctx, chart)}
    for path, _ in chart.values:
        text = ctx.repo.text(path)
        if isinstance(text, str):
            texts[path] = text
    where: dict[str, str] = {}
    for key in ("readinessProbe", "livenessProbe"):
        for path, text in texts.items():
            index = text.find(key + ":")
            if index >= 0:
                where[key] = f"{path}:{text.count(chr(10), 0, index) + 1}"
                break
    missing = [k for k in ("readinessProbe", "livenessProbe") if k not in where]
    if not missing:
        return passed(T(f"chart {chart.name}: readinessProbe and livenessProbe in the "
                        "templates/values (read as text, not rendered)",
                        f"chart {chart.name}: readinessProbe y livenessProbe en "
                        "plantillas/values (leído como texto, sin renderizar)"), pods[0])
    present = "; ".join(f"{k} at {w}" for k, w in where.items())
    present_es = "; ".join(f"{k} en {w}" for k, w in where.items())
    return failed(T(f"chart {chart.name}: no {' or '.join(missing)} in its templates or values"
                    + (f" ({present})" if present else ""),
                    f"chart {chart.name}: no hay {' ni '.join(missing)} en sus plantillas ni "
                    "values" + (f" ({present_es})" if present_es else "")), pods[0], None,
                  fix=T(f"Add {' and '.join(missing)} with initialDelaySeconds and "
                        "periodSeconds to every long-running container of the chart: httpGet "
                        "on the health route the service really serves, or a tcpSocket or exec "
                        "check for a server that speaks no HTTP.",
                        f"Añade {' y '.join(missing)} con initialDelaySeconds y periodSeconds "
                        "a cada contenedor de larga duración del chart: httpGet a la ruta de "
                        "salud que sirve de verdad el servicio, o un check tcpSocket o exec "
                        "para un servidor que no habla HTTP."))
