"""DOCK006's view of the Kubernetes containers that run an image: Kubernetes ignores
Docker's HEALTHCHECK, so probes in the manifest cover the image, and where a container
has none the fix belongs in the manifest."""

from __future__ import annotations

from mlops_lint.model import Finding, T, passed
from mlops_lint.parsers.deployed_images import Deployed, probe_label
from mlops_lint.parsers.dockerfile import Dockerfile
from mlops_lint.parsers.listening import Listening


def run_by_kubernetes(unprobed: list[Deployed]) -> T:
    d = unprobed[0]
    more = f" (and {len(unprobed) - 1} more)" if len(unprobed) > 1 else ""
    more_es = f" (y {len(unprobed) - 1} más)" if len(unprobed) > 1 else ""
    return T(f"; Kubernetes runs it ({d.kind} {d.name} in {d.where}{more}) without a "
             "readinessProbe or livenessProbe, and Kubernetes ignores Docker's HEALTHCHECK",
             f"; Kubernetes la ejecuta ({d.kind} {d.name} en {d.where}{more_es}) sin "
             "readinessProbe ni livenessProbe, y Kubernetes ignora el HEALTHCHECK de Docker")


def kubernetes_probe_fix(d: Deployed, port: str | None, listen: Listening) -> T:
    """Probes for the manifest that runs the image: the project's port and a GET route
    its code serves (a health route first), or a tcpSocket probe when none is known."""
    port = port or "<port>"
    where = f"container '{d.container}' of {d.kind} {d.name} ({d.where})"
    where_es = f"al contenedor '{d.container}' del {d.kind} {d.name} ({d.where})"
    if listen.grpc and not listen.health:
        probe = f"grpc: {{port: {port}}}"
        note_en = note_es = ""
    elif listen.route is None:
        probe = f"tcpSocket: {{port: {port}}}"
        note_en = (", or httpGet on a health route once the app has one (the code shows "
                   "none: add one, e.g. /health)")
        note_es = (", o httpGet a una ruta de salud cuando la app tenga una (el código no "
                   "muestra ninguna: añade una, p. ej. /health)")
    else:
        probe = f"httpGet: {{path: {listen.route}, port: {port}}}"
        note_en = "" if listen.health else (f" ({listen.route} is a GET route the app "
                                            "serves; a dedicated health route is better)")
        note_es = "" if listen.health else (f" ({listen.route} es una ruta GET que sirve "
                                            "la app; mejor una ruta de salud propia)")
    return T(f"Add the probes where Kubernetes runs the image, to the {where}: "
             f"readinessProbe and livenessProbe with {probe}{note_en}; a Dockerfile "
             "HEALTHCHECK only serves docker run and compose.",
             f"Añade las sondas donde Kubernetes ejecuta la imagen, {where_es}: "
             f"readinessProbe y livenessProbe con {probe}{note_es}; un HEALTHCHECK del "
             "Dockerfile solo sirve a docker run y compose.")


def kubernetes_probes(df: Dockerfile, deployed: list[Deployed]) -> list[Finding] | None:
    """Passes when every long-running Kubernetes container that runs the image is probed
    (Kubernetes ignores Docker's HEALTHCHECK); None otherwise."""
    running = [d for d in deployed if d.long_running]
    probed = [(d, label) for d in running if (label := probe_label(d))]
    if not running or len(probed) != len(running):
        return None
    d, label = probed[0]
    more = f" (and {len(probed) - 1} more)" if len(probed) > 1 else ""
    more_es = f" (y {len(probed) - 1} más)" if len(probed) > 1 else ""
    message = T(f"no HEALTHCHECK in {df.path}, but the Kubernetes containers that run "
                f"it are probed: {label} in {d.where}{more} ({d.how}); Kubernetes "
                "ignores Docker's HEALTHCHECK and uses these",
                f"no hay HEALTHCHECK en {df.path}, pero los contenedores de Kubernetes "
                f"que la ejecutan tienen sondas: {label} en {d.where}{more_es} "
                f"({d.how}); Kubernetes ignora el HEALTHCHECK de Docker y usa estas")
    return [passed(message, d.path, d.line, level=2), passed(message, d.path, d.line, level=3)]
