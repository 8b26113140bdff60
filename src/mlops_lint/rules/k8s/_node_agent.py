"""K8S005's node agents: a container that mounts system paths of the node through
``hostPath`` volumes (a log shipper reading /var/log and /var/lib/docker/containers, a
metrics agent reading /proc and /sys) reads files only root can read, so asking it to run
as non-root would break it. It keeps root and is asked for the rest: no privilege
escalation, a read-only root filesystem, every capability dropped, read-only mounts."""

from __future__ import annotations

from typing import Any

from mlops_lint.model import Finding, T, verdict
from mlops_lint.rules.k8s._shared import hardening_gaps

# system paths of a node (and what is below them) that only root can read in general
SYSTEM_PATHS = ("/var/log", "/var/lib/docker", "/var/lib/containerd", "/var/lib/kubelet",
                "/proc", "/sys", "/run", "/var/run", "/etc", "/dev", "/var/lib/containers")


def _system(path: str) -> bool:
    clean = path.rstrip("/") or "/"
    return clean == "/" or any(clean == p or clean.startswith(p + "/") for p in SYSTEM_PATHS)


def system_host_mounts(pod_spec: dict[str, Any], mounts: Any) -> list[tuple[str, bool]]:
    """(host path, mounted read-only) of each hostPath volume of a system path that the
    container mounts; empty when it mounts none."""
    host: dict[str, str] = {}
    volumes = pod_spec.get("volumes")
    for volume in volumes if isinstance(volumes, list) else []:
        if not isinstance(volume, dict):
            continue
        source = volume.get("hostPath")
        if isinstance(source, dict) and isinstance(source.get("path"), str) and \
                _system(source["path"]):
            host[str(volume.get("name", ""))] = source["path"]
    found = []
    for mount in mounts if isinstance(mounts, list) else []:
        if isinstance(mount, dict) and str(mount.get("name", "")) in host:
            found.append((host[str(mount["name"])], mount.get("readOnly") is True))
    return found


def node_agent_verdict(subject: str, sujeto: str, mounts: list[tuple[str, bool]],
                       context: dict[str, Any], path: str, line: int | None) -> Finding:
    """Root is kept (the host paths need it); the rest of the hardening is asked for."""
    shown = ", ".join(dict.fromkeys(p for p, _ in mounts))
    en, es = hardening_gaps(context)
    caps = context.get("capabilities")
    drop = caps.get("drop") if isinstance(caps, dict) else None
    if not (isinstance(drop, list) and any(str(d).upper() == "ALL" for d in drop)):
        en.append("capabilities are not dropped (drop: [ALL])")
        es.append("no se quitan las capabilities (drop: [ALL])")
    writable = [p for p, read_only in mounts if not read_only]
    if writable:
        en.append(f"hostPath mounted writable ({', '.join(dict.fromkeys(writable))})")
        es.append(f"hostPath montado con escritura ({', '.join(dict.fromkeys(writable))})")
    head = T(f"{subject}: a node agent reading hostPath {shown}, system paths of the node "
             "that generally need root, so running as root is expected",
             f"{sujeto}: un agente de nodo que lee hostPath {shown}, rutas de sistema del "
             "nodo que en general requieren root, así que se espera que se ejecute como root")
    fix = T("Keep root (the node paths need it) and harden the rest: allowPrivilegeEscalation: "
            "false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]} (add back only "
            "what it needs, e.g. DAC_READ_SEARCH), and readOnly: true on the hostPath mounts.",
            "Mantén root (las rutas del nodo lo requieren) y endurece el resto: "
            "allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: "
            "{drop: [ALL]} (añade solo lo que necesite, p. ej. DAC_READ_SEARCH) y readOnly: "
            "true en los montajes hostPath.")
    return verdict(not en,
                   head + T("; no privilege escalation, read-only root filesystem, "
                            "capabilities dropped, read-only mounts",
                            "; sin escalada de privilegios, raíz de solo lectura, "
                            "capabilities quitadas, montajes de solo lectura"),
                   head + T("; " + "; ".join(en), "; " + "; ".join(es)),
                   path, line, fix=fix)
