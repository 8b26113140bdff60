"""Whether an image is a batch job, a CLI or a client rather than a server: DOCK001 then
asks for no EXPOSE, DOCK006 for no HEALTHCHECK (:func:`batch_image`).
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.deployed_images import PROBES, Deployed, container_ports, deployments
from mlops_lint.parsers.dockerfile import Dockerfile, Stage, build_folder_files
from mlops_lint.parsers.fastapi_app import DASHBOARDS, FRAMEWORKS
from mlops_lint.parsers.k8s_model import dig
from mlops_lint.parsers.kubernetes import read_manifests
from mlops_lint.rules.docker._runtime import (
    LISTENS,
    PORT_ARG,
    SERVER_PROGRAMS,
    entry_argv,
    source_listens,
    stage_runtimes,
)
from mlops_lint.rules.docker._shared import PYTHON, base_of, in_list, inside

# imports that make a script a server (it listens on a port)
_SERVER_IMPORTS = (*FRAMEWORKS, *DASHBOARDS, "uvicorn", "gunicorn", "hypercorn",
                   "waitress", "werkzeug", "http.server", "socketserver", "wsgiref",
                   "grpc", "aiohttp", "tornado", "twisted", "zmq", "prometheus_client",
                   "websockets", "socket")


_SHELLS = frozenset({"sh", "bash", "ash", "zsh", "dash"})


_CLI_PROGRAMS = frozenset({"pytest", "papermill", "dvc", "spark-submit", "nbconvert"})


_PYTHON_VALUED = frozenset({"-X", "-W", "-Q"})


def _under(files: Sequence[str], folder: str) -> list[str]:
    """The files of the sorted ``files`` below ``folder`` (a contiguous run)."""
    prefix = folder + "/"
    out = []
    for index in range(bisect.bisect_left(files, prefix), len(files)):
        if not files[index].startswith(prefix):
            break
        out.append(files[index])
    return out


def _script_files(ctx: Context, df: Dockerfile, target: str) -> list[str]:
    """Repository files the container path ``target`` may be (matched by its tail inside
    the Dockerfile's folder, else the project). The folder is read from the repository: a
    Dockerfile shared by every project (outside them all) builds from its own folder."""
    tail = target.strip().lstrip("./")
    name = PurePosixPath(tail).name
    if not name:
        return []
    folder = str(PurePosixPath(df.path).parent)
    scopes = [(folder, _under(ctx.repo.files, folder))] if folder != "." else []
    scopes.append((ctx.project.path, [f for f in ctx.project.files
                                      if inside(f, ctx.project.path)]))
    for _, files in scopes:
        found = [f for f in files if f == tail or f.endswith("/" + tail) or (
            PurePosixPath(f).name == name and "/" not in tail)]
        if found:
            return found[:20]
    return []


def _imports_server(ctx: Context, path: str) -> bool | None:
    tree = ctx.repo.python(path)
    if isinstance(tree, ParseError):
        return None
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        if any(n == p or n.startswith(p + ".") for n in names for p in _SERVER_IMPORTS):
            return True
    return False


def batch_image(ctx: Context, df: Dockerfile, final: Stage) -> T | None:
    """Why the image is a batch job or a CLI rather than a server, or ``None``: its
    command runs a Python script (or module) of the repository that imports no web or
    network server, or a command-line tool (pytest, papermill, dvc, locust --headless,
    mlflow run)."""
    argv = entry_argv(df, final)
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    args = argv[1:]
    shown = " ".join(argv)[:80]
    tool = _shell_or_tool(program, args, shown)
    if tool is not None:
        return tool
    if not PYTHON.match(program):
        return _go_client(ctx, df, final, argv) or _not_served(ctx, df, final, argv)
    candidates = _python_scripts(ctx, df, args)
    if not candidates:
        return _not_served(ctx, df, final, argv)
    verdicts = [_imports_server(ctx, path) for path in candidates]
    if any(v is not False for v in verdicts):
        return None
    return T(f"it runs {shown}, and {candidates[0]} imports no web or network server "
             "(a batch job or CLI)",
             f"ejecuta {shown}, y {candidates[0]} no importa ningún servidor web ni de red "
             "(un job batch o una CLI)")


# Go imports that can accept connections: the net package and its servers, gRPC, the
# web frameworks (golang.org/x/net/context and net/url do not listen)
_GO_SERVER_IMPORT = lazy_re.compile(
    r'"(?:net|net/http(?:/[\w/]{1,40})?|net/rpc(?:/\w{1,20})?|google\.golang\.org/grpc|'
    r'github\.com/(?:gin-gonic|labstack/echo|gofiber|valyala/fasthttp|gorilla/mux|'
    r'go-chi|julienschmidt/httprouter)[\w./-]{0,60})"')
_GO_MAIN = lazy_re.compile(r"^package main\b", re.MULTILINE)
_MAX_GO_FILES = 100


def _go_client(ctx: Context, df: Dockerfile, final: Stage, argv: list[str]) -> T | None:
    """Why a Go image is a job or a client rather than a server: it runs a program built
    from the ``package main`` source beside the Dockerfile, no file of which imports a
    package that can listen (net, net/http, gRPC, a web framework) or opens a listener;
    None when anything else is run or shows a port, or the source is not there."""
    text = " ".join(argv)[:2000]
    _, image = base_of(df, final)
    if "Go" not in stage_runtimes(df, final) or PurePosixPath(argv[0]).name in \
            SERVER_PROGRAMS or PORT_ARG.search(text) or in_list(image, "server_bases"):
        return None
    directory = str(PurePosixPath(df.path).parent)
    prefix = "" if directory == "." else directory + "/"
    sources = [p for p in build_folder_files(ctx.repo, df.path) if p.endswith(".go")
               and not p.endswith("_test.go") and "/vendor/" not in p[len(prefix) - 1:]]
    if not sources or len(sources) > _MAX_GO_FILES:
        return None
    mains = []
    for path in sources:
        code = ctx.repo.text(path)
        if not isinstance(code, str):
            return None
        code = code[:200_000]
        if _GO_SERVER_IMPORT.search(code) or LISTENS.search(code):
            return None
        if _GO_MAIN.search(code):
            mains.append(path)
    if not mains:
        return None
    return T(f"it runs {text[:80]}, a Go program ({mains[0]}) that imports no package able to "
             "listen (net, net/http, gRPC, a web framework) and opens no listener: a job or a "
             "client that pushes, not a service",
             f"ejecuta {text[:80]}, un programa Go ({mains[0]}) que no importa ningún paquete "
             "capaz de escuchar (net, net/http, gRPC, un framework web) ni abre un listener: un "
             "job o un cliente que envía, no un servicio")


def _shell_or_tool(program: str, args: list[str], shown: str) -> T | None:
    """Why the command is a shell or a command-line tool rather than a server, or None."""
    if program in _SHELLS and "-c" not in args and not any(
            a.endswith(".sh") or ("/" in a and not a.startswith("/etc/")) for a in args):
        return T(f"its command opens a shell ({shown}), a utility or job image rather than a "
                 "server",
                 f"su orden abre una shell ({shown}), una imagen de utilidades o de jobs más "
                 "que un servidor")
    if program in _CLI_PROGRAMS or (program == "locust" and "--headless" in args) or (
            program == "mlflow" and args[:1] == ["run"]):
        return T(f"it runs the command-line tool {program} ({shown})",
                 f"ejecuta la herramienta de línea de órdenes {program} ({shown})")
    return None


def _python_scripts(ctx: Context, df: Dockerfile, args: list[str]) -> list[str]:
    """The repository files a ``python`` command line runs (a script, or a module's file)."""
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] not in ("-m", "-c"):
        i += 2 if args[i] in _PYTHON_VALUED else 1
    if i >= len(args) or args[i] == "-c":
        return []
    if args[i] == "-m":
        if i + 1 >= len(args):
            return []
        module = args[i + 1].replace(".", "/")
        return _script_files(ctx, df, module + ".py") or _script_files(
            ctx, df, module + "/__main__.py")
    return _script_files(ctx, df, args[i]) if args[i].endswith(".py") else []


# workloads whose pods are reached only through a Service the repository declares (an
# operator's resource, a Knative Service, may create its own, so it is not judged)
_PLAIN_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod",
                              "ReplicationController"})
_NETWORK_PROBES = ("httpGet", "tcpSocket", "grpc")
_MAX_DEPTH = 14


def _pod_labels(node: Any, pod: dict[str, Any], depth: int = 0) -> dict[str, Any] | None:
    """The labels of the pod template whose spec is ``pod`` (its sibling metadata)."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, dict):
        if node.get("spec") is pod:
            labels = dig(node, "metadata", "labels")
            return labels if isinstance(labels, dict) else {}
        items: list[Any] = list(node.values())
    elif isinstance(node, list):
        items = node
    else:
        return None
    for item in items:
        if isinstance(item, (dict, list)):
            found = _pod_labels(item, pod, depth + 1)
            if found is not None:
                return found
    return None


def _reachable(d: Deployed, labels: dict[str, Any], selectors: list[dict[str, Any]]) -> bool:
    """Whether the container shows it can be reached: a containerPort, a network probe,
    or a Service whose selector its pod labels match."""
    if container_ports(d) or any(isinstance(d.spec.get(p), dict) and any(
            k in d.spec[p] for k in _NETWORK_PROBES) for p in PROBES):
        return True
    return any(all(labels.get(k) == v for k, v in sel.items()) for sel in selectors)


def unserved(ctx: Context, deployed: list[Deployed]) -> Deployed | None:
    """A manifest container that runs the image, when none of them declares a port or a
    network probe and no Service selects their pods; None otherwise (or when a workload
    is not a plain one)."""
    if not deployed or any(d.kind not in _PLAIN_WORKLOADS for d in deployed):
        return None
    manifests = read_manifests(ctx.repo)
    selectors = [sel for o in manifests.objects if o.kind == "Service"
                 for sel in [dig(o.doc, "spec", "selector")] if isinstance(sel, dict) and sel]
    docs = {(o.path, o.kind, o.name): o.doc for o in manifests.objects}
    for d in deployed:
        labels = _pod_labels(docs.get((d.path, d.kind, d.name)), d.pod)
        if labels is None or _reachable(d, labels, selectors):
            return None
    return deployed[0]


# language runtimes that run servers and workers alike: what they run decides
_RUNTIMES = frozenset({"node", "npm", "java", "dotnet"})


def _not_served(ctx: Context, df: Dockerfile, final: Stage, argv: list[str]) -> T | None:
    """Why an image whose command starts no known server is not a service: the manifests
    that run it declare no port, no network probe and no Service for it, and no source
    beside the Dockerfile opens a listener; None when anything shows it serves."""
    text = " ".join(argv)[:2000]
    _, image = base_of(df, final)
    servers = SERVER_PROGRAMS - _RUNTIMES
    if any(PurePosixPath(a).name in servers for a in argv[:3]) or PORT_ARG.search(text) or \
            in_list(image, "server_bases"):
        return None
    d = unserved(ctx, deployments(ctx.repo, df))
    if d is None or source_listens(ctx, df):
        return None
    return T(f"the {d.kind} that runs it ({d.where}; {d.how}) declares no port or network "
             "probe, no Service selects its pods, and no source beside the Dockerfile opens a "
             "listener: a worker or a client, not a service",
             f"el {d.kind} que la ejecuta ({d.where}; {d.how}) no declara puerto ni sonda de "
             "red, ningún Service selecciona sus pods, y ningún código junto al Dockerfile "
             "abre un listener: un worker o un cliente, no un servicio")
