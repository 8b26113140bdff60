"""DOCK011: a compose file with the API service (build, ports, healthcheck) (level 2);
extra services, healthy depends_on, named networks or volumes, read-only model mounts, no
literal secrets and profiles for optional services (level 3).

Independent of DOCK001: it reads compose files only. The level-3 finding points at the
file of the first gap that has one. With no compose file, a project that has no
Dockerfile of its own and no serving app (:func:`mlops_lint.readers.serving.serving`;
templates for others, with ``{{`` in their path, are not its own) has nothing for a
stack to run: not applicable, with that reason. With no compose file, a well-known
equivalent that runs the services locally (Skaffold, Tilt, DevSpace:
:mod:`._dev_stack`) earns level 2; level 3's checks are compose's own and do not apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers.yaml_file import line_of
from mlops_lint.readers.serving import serving
from mlops_lint.rules import rule
from mlops_lint.rules.docker._compose import Compose, Service, healthcheck, load_compose
from mlops_lint.rules.docker._dev_stack import DevStack, dev_stack
from mlops_lint.rules.docker._shared import load

_SECRET_KEY = lazy_re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|"
                              r"CREDENTIALS?)", re.IGNORECASE)


def _mounts(service: Service) -> list[tuple[str, bool, int | None]]:
    """(source:target text, read-only, line) of a service's volumes."""
    out = []
    volumes = service.body.get("volumes")
    for index, item in enumerate(volumes if isinstance(volumes, list) else []):
        line = line_of(volumes, index=index) or service.line
        if isinstance(item, str):
            parts = item.split(":")
            out.append((item, len(parts) >= 3 and "ro" in parts[-1].split(","), line))
        elif isinstance(item, dict):
            text = f"{item.get('source', '')}:{item.get('target', '')}"
            out.append((text, item.get("read_only") is True, line))
    return out


def _literal_secrets(service: Service) -> list[tuple[str, int | None]]:
    """(key, line) of the secret-named variables a service sets to a literal value."""
    env = service.body.get("environment")
    pairs: list[tuple[str, Any, int | None]] = []
    if isinstance(env, dict):
        pairs = [(str(k), v, line_of(env, key=k)) for k, v in env.items()]
    elif isinstance(env, list):
        for index, item in enumerate(env):
            key, sep, value = str(item).partition("=")
            pairs.append((key, value if sep else None, line_of(env, index=index)))
    return [(key, line or service.line) for key, value, line in pairs
            if _SECRET_KEY.search(key) and value not in (None, "")
            and "${" not in str(value) and not str(value).startswith("$")]


# services a stack runs only on demand: monitoring, tracing, admin and debugging tools
_OPTIONAL_SERVICE = lazy_re.compile(
    r"prometheus|grafana|alertmanager|loki|promtail|jaeger|tempo|zipkin|otel|opentelemetry|"
    r"cadvisor|node-exporter|kibana|adminer|pgadmin|phpmyadmin|mongo-express|"
    r"redis-commander|redisinsight|mailhog|mailpit|mailcatcher|flower|portainer|dozzle|"
    r"tensorboard|locust", re.IGNORECASE)


def _optional(service: Service) -> bool:
    image = service.body.get("image")
    text = f"{service.name} {image if isinstance(image, str) else ''}"[:300]
    return bool(_OPTIONAL_SERVICE.search(text))


def _at(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


@dataclass(frozen=True)
class _Gap:
    en: str
    es: str
    path: str | None = None  # the compose file the gap is in, when it is in one


def _l3_missing(compose: Compose, api: list[Service]) -> list[_Gap]:
    services = compose.services
    missing: list[_Gap] = []
    others = [s for s in services if s not in api]
    if not others:
        missing.append(_Gap("extra services (MLflow, Prometheus/Grafana, dashboard)",
                            "servicios extra (MLflow, Prometheus/Grafana, dashboard)"))
    if not any(_healthy_dependency(s) for s in services):
        missing.append(_dependency_gap(services))
    if not compose.top:
        missing.append(_Gap("a named network or volume", "una red o un volumen con nombre"))
    for gap in (_writable_models(services), _literal_secret_gap(services),
                _unprofiled(services)):
        if gap is not None:
            missing.append(gap)
    return missing


def _healthy_dependency(service: Service) -> bool:
    """Whether ``service`` waits on a dependency with condition: service_healthy."""
    return isinstance(service.body.get("depends_on"), dict) and any(
        isinstance(v, dict) and v.get("condition") == "service_healthy"
        for v in service.body["depends_on"].values())


def _dependency_gap(services: list[Service]) -> _Gap:
    plain = [(s, line_of(s.body, key="depends_on") or s.line) for s in services
             if s.body.get("depends_on")]
    if plain:
        where = ", ".join(f"{s.name} ({_at(s.path, line)})" for s, line in plain[:5])
        return _Gap(f"depends_on with condition: service_healthy (plain depends_on "
                    f"in {where})", f"depends_on con condition: service_healthy "
                    f"(depends_on simple en {where})", plain[0][0].path)
    return _Gap("depends_on with condition: service_healthy",
                "depends_on con condition: service_healthy")


def _writable_models(services: list[Service]) -> _Gap | None:
    writable = [(s.path, f"{text} ({_at(s.path, line)})") for s in services
                for text, ro, line in _mounts(s) if "model" in text.lower() and not ro]
    if not writable:
        return None
    listed = ", ".join(text for _, text in writable)
    return _Gap(f"read-only model mounts (:ro): {listed}",
                f"montajes de modelos de solo lectura (:ro): {listed}", writable[0][0])


def _literal_secret_gap(services: list[Service]) -> _Gap | None:
    literal = [(s.path, f"{s.name}.{k} ({_at(s.path, line)})") for s in services
               for k, line in _literal_secrets(s)]
    if not literal:
        return None
    listed = ", ".join(text for _, text in literal)
    return _Gap(f"secrets from env_file or ${{VAR}}, not literals: {listed}",
                f"secretos desde env_file o ${{VAR}}, no literales: {listed}", literal[0][0])


def _unprofiled(services: list[Service]) -> _Gap | None:
    unprofiled = [s for s in services if _optional(s) and not s.body.get("profiles")]
    if not unprofiled:
        return None
    listed = ", ".join(f"{s.name} ({_at(s.path, s.line)})" for s in unprofiled[:6])
    return _Gap(f"profiles: for the optional services {listed}",
                f"profiles: para los servicios opcionales {listed}", unprofiled[0].path)


@rule("DOCK011")
def compose_stack(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK011: a compose file with the API service (build, ports, healthcheck) (L2); extra
    services, healthy depends_on, named networks/volumes, :ro model mounts, no literal
    secrets and profiles (L3)."""
    compose = load_compose(ctx)
    if not compose.files and not compose.broken and (stack := dev_stack(ctx)) is not None:
        yield from _equivalent(stack)
        return
    if not compose.files and not compose.broken and (reason := _no_subject(ctx)) is not None:
        yield skipped(reason)
        return
    yield from _unusable(compose)
    if not compose.files:
        return
    built = [s for s in compose.services if "build" in s.body]
    api = [s for s in built if s.body.get("ports") and healthcheck(s)]
    yield _api_service(compose, built, api)
    yield _stack(compose, api or built)


def _equivalent(stack: DevStack) -> Iterator[Finding]:
    """No compose file, but a well-known equivalent runs the services locally: level 2
    is earned; level 3's checks are compose's own (healthy depends_on, profiles...)."""
    built = f", building {stack.images} image{'s' if stack.images != 1 else ''}" \
        if stack.images else ""
    construye = f", que construye {stack.images} imagen{'es' if stack.images != 1 else ''}" \
        if stack.images else ""
    yield passed(T(f"no compose file; the services run locally with {stack.tool} "
                   f"({stack.path}{built}), a well-known equivalent",
                   f"no hay archivo compose; los servicios se ejecutan en local con "
                   f"{stack.tool} ({stack.path}{construye}), un equivalente conocido"),
                 stack.path, None, level=2)
    yield skipped(T(f"not applicable: the level-3 checks are compose's own (healthy "
                    f"depends_on, named networks, profiles); the stack {stack.tool} deploys "
                    "is judged by the Kubernetes rules (probes, resources)",
                    f"no aplica: las comprobaciones del nivel 3 son propias de compose "
                    f"(depends_on healthy, redes con nombre, profiles); el stack que despliega "
                    f"{stack.tool} lo juzgan las reglas de Kubernetes (sondas, recursos)"),
                  stack.path, level=3)


def _no_subject(ctx: Context) -> T | None:
    """Why a project with no compose file needs none: no Dockerfile of its own and no
    serving app (None when it has either)."""
    if not load(ctx).none:
        return None
    model = serving(ctx).model
    own = [path for path, _ in model.frameworks.values() if "{{" not in path] + \
        [e.path for e in model.apps if "{{" not in e.path]
    if own:
        return None
    return T("not applicable: no compose file, and none is needed: the project has no "
             "Dockerfile of its own and no serving app, so there is no service for a "
             "compose stack to run", "no aplica: no hay archivo compose, ni hace falta: el "
             "proyecto no tiene Dockerfile propio ni aplicación de servicio, así que no hay "
             "ningún servicio que ejecutar en un stack compose")


def _unusable(compose: Compose) -> Iterator[Finding]:
    """Compose files that do not parse; no compose file at all."""
    for error in compose.broken:
        where = f" (line {error.line})" if error.line else ""
        message = T(f"compose file does not parse{where}: {error.message}",
                    f"el archivo compose no se puede leer{where}: {error.message}")
        yield failed(message, error.path, error.line, level=2)
        yield failed(message, error.path, error.line, level=3)
    if not compose.files and not compose.broken:
        message = T("no compose file (docker-compose.yml / compose.yaml)",
                    "no hay archivo compose (docker-compose.yml / compose.yaml)")
        fix = T("Add docker-compose.yml with the API service (build: ., ports: "
                "[\"8000:8000\"], healthcheck) plus MLflow and monitoring services.",
                "Añade docker-compose.yml con el servicio de la API (build: ., ports: "
                "[\"8000:8000\"], healthcheck) más MLflow y monitorización.")
        yield failed(message, level=2, fix=fix)
        yield failed(message, level=3, fix=fix)


def _api_service(compose: Compose, built: list[Service], api: list[Service]) -> Finding:
    """Level 2: a service builds the image, publishes ports and has a healthcheck."""
    main = compose.files[0]
    note_en = note_es = ""
    if compose.version:
        path, line = compose.version[0]
        note_en = f" (info: the 'version:' key in {path}:{line} is obsolete; remove it)"
        note_es = f" (info: la clave 'version:' en {path}:{line} está obsoleta; quítala)"
    if api:
        service = api[0]
        return passed(T(f"service '{service.name}' builds the image, publishes ports and has a "
                        f"healthcheck{note_en}",
                        f"el servicio '{service.name}' construye la imagen, publica puertos y "
                        f"tiene healthcheck{note_es}"), service.path, service.line, level=2)
    if built:
        service = built[0]
        lacks = [k for k, ok in (("ports", bool(service.body.get("ports"))),
                                 ("healthcheck", healthcheck(service) is not None)) if not ok]
        message = T(f"service '{service.name}' builds the image but lacks "
                    f"{' and '.join(lacks)}{note_en}",
                    f"el servicio '{service.name}' construye la imagen pero le falta "
                    f"{' y '.join(lacks)}{note_es}")
        path, line = service.path, service.line
    else:
        message = T(f"no service builds the project's image (build:){note_en}",
                    f"ningún servicio construye la imagen del proyecto (build:){note_es}")
        path, line = main, None
    fix = T("Give the API service build: ., ports: [\"8000:8000\"] and a healthcheck "
            "(test: [\"CMD\", \"python\", \"-c\", \"…/health\"], interval, timeout, "
            "start_period, retries).",
            "Da al servicio de la API build: ., ports: [\"8000:8000\"] y un healthcheck "
            "(test: [\"CMD\", \"python\", \"-c\", \"…/health\"], interval, timeout, "
            "start_period, retries).")
    return failed(message, path, line, level=2, fix=fix)


def _stack(compose: Compose, api: list[Service]) -> Finding:
    """Level 3: what the stack around the API service lacks."""
    main = compose.files[0]
    missing = _l3_missing(compose, api)
    if missing:
        # the finding points at the file the first located gap is in
        where = next((m.path for m in missing if m.path), main)
        return failed(T("the compose stack lacks: " + "; ".join(m.en for m in missing),
                        "al stack compose le falta: " + "; ".join(m.es for m in missing)),
                      where, level=3,
                      fix=T("See the guide's docker-compose.demo.yml (13.5, 13.6): MLflow and "
                            "Prometheus services, depends_on: {api: {condition: "
                            "service_healthy}}, a named network, model volumes mounted :ro, "
                            "env_file for secrets, profiles: [monitoring] on optional "
                            "services.",
                            "Mira el docker-compose.demo.yml de la guía (13.5, 13.6): servicios "
                            "MLflow y Prometheus, depends_on: {api: {condition: "
                            "service_healthy}}, una red con nombre, volúmenes de modelos :ro, "
                            "env_file para secretos, profiles: [monitoring] en los servicios "
                            "opcionales."))
    profiled = any(_optional(s) for s in compose.services)
    return passed(T(f"the compose stack has {len(compose.services)} services, healthy "
                    "dependencies, named networks/volumes, read-only model mounts, no "
                    "literal secrets" + (" and profiles for its optional services"
                                         if profiled else ""),
                    f"el stack compose tiene {len(compose.services)} servicios, dependencias "
                    "healthy, redes/volúmenes con nombre, modelos de solo lectura, sin "
                    "secretos literales" + (" y profiles en sus servicios opcionales"
                                            if profiled else "")), main, level=3)
