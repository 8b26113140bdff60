"""Whether a container of a long-running workload receives traffic: what K8S003 asks of
its probes.

* An **idle** container (its command is ``tail -f /dev/null``, ``sleep infinity``, a long
  ``sleep``, a ``sleep`` that is the whole command, or a ``while true; do sleep`` loop) is a
  toolbox used through ``kubectl exec``: it serves nothing and does no work of its own, so
  probes have no subject.
* A **port-less agent** (no ``ports``, no probe aimed at a port, and no Service of its
  namespace selecting its pods) gets no traffic: a readinessProbe gates nothing, but a
  livenessProbe still restarts a hung agent (a log shipper, a node agent); the fix is an
  ``exec`` check, since there is no port for ``tcpSocket`` or ``httpGet``.
"""

from __future__ import annotations

from mlops_lint import lazy_re
from mlops_lint.model import T
from mlops_lint.parsers.kubernetes import Container, Manifests, Workload
from mlops_lint.rules.k8s._shared import items, mapping

IDLE_COMMAND = lazy_re.compile(
    r"\btail\s{1,5}-f\s{1,5}/dev/null\b|\bsleep\s{1,5}(?:infinity|inf)\b|\bsleep\s{1,5}\d{5,12}\b"
    r"|\bwhile\s{1,5}(?:true|:)\s{0,5};\s{0,5}do\s{1,5}sleep\b"
    # a sleep that is the whole command, however short: nothing else runs in it
    r"|^(?:(?:/usr)?(?:/bin/)?(?:ba)?sh\s{1,5}-c\s{1,5})?(?:/bin/)?sleep\s{1,5}\d{1,12}[smhd]?$")
PORT_HANDLERS = ("httpGet", "tcpSocket", "grpc")


def idle_command(container: Container) -> str | None:
    """The idle command the container runs (``tail -f /dev/null``), or None."""
    words = [str(w) for key in ("command", "args") for w in items(container.get(key))
             if isinstance(w, str | int)]
    match = IDLE_COMMAND.search(" ".join(words)[:2000])
    return match.group(0) if match else None


def _aims_at_port(container: Container) -> bool:
    return any(isinstance(probe := container.get(key), dict) and
               any(isinstance(probe.get(h), dict) for h in PORT_HANDLERS)
               for key in ("readinessProbe", "livenessProbe", "startupProbe"))


def selected_by_service(found: Manifests, workload: Workload) -> bool:
    """Whether a Service of the workload's namespace selects its pods."""
    labels = workload.pod_labels
    for service in found.of_kind("Service"):
        selector = mapping(service.spec.get("selector"))
        if selector and service.namespace == workload.obj.namespace and all(
                labels.get(k) == v for k, v in selector.items()):
            return True
    return False


def portless_agent(found: Manifests, workload: Workload, container: Container) -> bool:
    """A container that declares no port, probes no port and no Service selects."""
    return not items(container.get("ports")) and not _aims_at_port(container) and \
        not selected_by_service(found, workload)


LIVENESS_EXEC_FIX = T(
    "Add a livenessProbe with an exec check that the agent is alive (exec: {command: "
    "[\"pgrep\", \"-f\", \"<process>\"]} or the agent's own status command), with "
    "initialDelaySeconds and periodSeconds; it exposes no port, so no tcpSocket or httpGet, "
    "and no readinessProbe is needed.",
    "Añade una livenessProbe con una comprobación exec de que el agente vive (exec: "
    "{command: [\"pgrep\", \"-f\", \"<proceso>\"]} o el comando de estado del propio "
    "agente), con initialDelaySeconds y periodSeconds; no expone ningún puerto, así que ni "
    "tcpSocket ni httpGet, y no hace falta readinessProbe.")
