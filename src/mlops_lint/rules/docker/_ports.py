"""The port the command of an image listens on: its server's port option, the program's
environment variable, else its default (``flask run`` 5000, uvicorn and gunicorn 8000,
streamlit 8501). DOCK001 names it in its EXPOSE fix before the ports the project shows
elsewhere (a manifest's containerPort, ENV PORT, the code): ``python -m flask run``
ignores the ``app.run(port=…)`` of the code.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.model import T
from mlops_lint.parsers.deployed_images import Deployed, container_ports, nearby
from mlops_lint.parsers.dockerfile import Dockerfile, Stage
from mlops_lint.repo import Repo
from mlops_lint.rules.docker._runtime import entry_argv
from mlops_lint.rules.docker._shared import PYTHON

# the port a server program listens on when its command line names none
_DEFAULT_PORTS = {"flask": "5000", "uvicorn": "8000", "gunicorn": "8000", "hypercorn": "8000",
                  "streamlit": "8501"}
_PORT_OPTIONS = {"flask": ("--port", "-p"), "uvicorn": ("--port",),
                 "gunicorn": ("--bind", "-b"), "hypercorn": ("--bind", "-b"),
                 "streamlit": ("--server.port",)}
_PORT_ENV = {"flask": "FLASK_RUN_PORT", "streamlit": "STREAMLIT_SERVER_PORT"}
_PORT_VALUE = lazy_re.compile(r"(?:^|:)(\d{2,5})$")


def _server_program(argv: list[str]) -> tuple[str, list[str]] | None:
    """(server program, its arguments) of ``flask run``, ``uvicorn …``, ``gunicorn …``,
    ``streamlit run …``, directly or as ``python -m <program>``."""
    program = PurePosixPath(argv[0]).name if argv else ""
    args = argv[1:]
    if PYTHON.match(program) and args[:1] == ["-m"] and len(args) > 1:
        program, args = args[1], args[2:]
    if program not in _DEFAULT_PORTS or (program in ("flask", "streamlit") and "run" not in
                                         args):
        return None
    return program, args


def command_port(df: Dockerfile, final: Stage) -> tuple[str, T] | None:
    """(port, where it comes from) for the server the CMD/ENTRYPOINT starts: its port
    option (``--port``, ``--bind host:port``), the program's environment variable
    (FLASK_RUN_PORT), else the program's default (flask run 5000, uvicorn and gunicorn
    8000, streamlit 8501); None when the command starts none of them or the port is a
    variable that cannot be read."""
    argv = entry_argv(df, final) or []
    found = _server_program(argv)
    if found is None:
        return None
    program, args = found
    shown = " ".join(argv)[:80]
    for i, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if name in _PORT_OPTIONS[program]:
            value = value if eq else (args[i + 1] if i + 1 < len(args) else "")
            if "$" in value:
                port = (final.env.get("PORT") or "") if "PORT" in value else ""
                return (port.strip(), T(f"{shown} with ENV PORT", f"{shown} con ENV PORT")) \
                    if port.strip().isdigit() else None
            match = _PORT_VALUE.search(value)
            return (match.group(1), T.same(shown)) if match else None
    variable = _PORT_ENV.get(program)
    value = (final.env.get(variable) or "") if variable else ""
    if value and value.strip().isdigit():
        return value.strip(), T(f"ENV {variable} for {shown}", f"ENV {variable} para {shown}")
    return _DEFAULT_PORTS[program], T(f"the default of {shown}",
                                      f"el valor por defecto de {shown}")


def _declared_ports(d: Deployed) -> set[str]:
    """The containerPorts of a container and the PORT its environment sets."""
    found = set(container_ports(d))
    for item in d.spec.get("env") or []:
        if isinstance(item, dict) and item.get("name") == "PORT" and \
                str(item.get("value", "")).isdigit():
            found.add(str(item["value"]))
    return found


def nearby_port(repo: Repo, df: Dockerfile) -> tuple[str, Deployed] | None:
    """(port, container) when the manifests beside the Dockerfile or in the folder above
    it, which nothing ties to its image, agree on one port (containerPort, env PORT)."""
    ports: dict[str, Deployed] = {}
    for d in nearby(repo, df):
        for port in _declared_ports(d):
            ports.setdefault(port, d)
    if len(ports) != 1:
        return None
    port, d = next(iter(ports.items()))
    return port, d


def nearby_note(port: str, d: Deployed) -> T:
    """Says where a port not tied to the image was read, and that it is a guess."""
    return T(f"it is the image that {d.kind} {d.name} ({d.where}, {d.how}) runs (that "
             f"manifest declares port {port}, though nothing ties its image to this "
             "Dockerfile)",
             f"es la imagen que ejecuta {d.kind} {d.name} ({d.where}, "
             f"{_ES_HOW.get(d.how, d.how)}) (ese manifiesto declara el puerto {port}, aunque "
             "nada liga su imagen a este Dockerfile)")


_ES_HOW = {"beside it": "junto a él", "in the folder above it": "en la carpeta superior"}


UNKNOWN_PORT = T("neither its command, EXPOSE, a manifest that runs the image, ENV PORT nor "
                 "its code shows it",
                 "ni su orden, EXPOSE, un manifiesto que ejecute la imagen, ENV PORT ni su "
                 "código lo indican")
