"""DOCK003: the final stage's base is small (slim, distroless, chainguard/wolfi,
ubi-minimal) and pinned; alpine warns; the full image, ``:latest`` and an untagged base
fail.

The base is the root of the final stage's ``FROM <stage>`` chain. Which bases are lean,
full or alpine is data (``rules/_data/dockerfile_bases.yaml``). The fix fits the image: a
CUDA runtime base for a GPU image (a ``gpu_bases`` base or CUDA builds of its packages;
a TPU build is not one), the runtime's own small base for a non-Python image. A slim
Python base is suggested only when the base already is the python image; another base
(conda, Ray, vLLM, distroless) is told to pin that same image by tag or digest, or to be
justified, and a plain OS base to be pinned, with a slim Python base as an option.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.dockerfile import Dockerfile, ImageRef, Stage, unresolved
from mlops_lint.rules import rule
from mlops_lint.rules.docker._runtime import non_python_runtime
from mlops_lint.rules.docker._shared import (
    PIP,
    base_of,
    each,
    entry_matches,
    final_stage,
    image_data,
    in_list,
    normal_name,
    run_commands,
)

_PY_VERSION = lazy_re.compile(r"^(\d+)(?:\.(\d+))?")


def _python_minor_missing(image: ImageRef) -> bool:
    if normal_name(image) != "python" or not image.tag:
        return False
    match = _PY_VERSION.match(image.tag)
    return bool(match and match.group(2) is None)


# CUDA builds only: a TPU build (jax[tpu], .[tpu]) needs no CUDA user space
_GPU_PACKAGE = lazy_re.compile(r"(^|[\[,])(cuda|cu\d{2,3}|gpu)([\],=]|$)|^(jax|torch)\[cuda|"
                               r"^(nvidia-|cupy-cuda|tensorflow-gpu|onnxruntime-gpu|"
                               r"paddlepaddle-gpu)", re.IGNORECASE)


def _gpu_image(df: Dockerfile, final: Stage) -> T | None:
    """Why the final image is a GPU/accelerator image: a CUDA or framework GPU base
    (``gpu_bases`` in the data), or CUDA builds of its Python packages."""
    _, image = base_of(df, final)
    if in_list(image, "gpu_bases"):
        return T(f"base {image}", f"base {image}")
    for inst in df.inherited(final, "RUN"):
        for cmd in run_commands(inst):
            if not (PIP.match(cmd.program) or cmd.program in ("uv", "conda", "mamba")):
                continue
            for arg in cmd.args:
                if not arg.startswith("-") and _GPU_PACKAGE.search(arg.strip("'\"")):
                    return T(f"{arg.strip(chr(39) + chr(34))[:60]} installed at line "
                             f"{inst.line}",
                             f"{arg.strip(chr(39) + chr(34))[:60]} instalado en la línea "
                             f"{inst.line}")
    return None


# plain operating-system bases: pinning them is the fix, a slim Python base an option
_OS_BASES = frozenset({"ubuntu", "debian", "centos", "fedora", "rockylinux", "almalinux",
                       "amazonlinux", "oraclelinux", "opensuse/leap", "ubi8", "ubi9",
                       "redhat/ubi8", "redhat/ubi9", "busybox"})


def _family_fix(image: ImageRef | None, floating: bool) -> T | None:
    """The fix for a base that is not the python image: pin THAT image (a version tag or
    a digest of the same repository) when it floats, else keep it and justify its size;
    a slim Python base only as an option for a plain OS base. None for the python image."""
    if image is None or image.repository.lower() == "python":
        return None
    name = image.name
    pin = T(f"{name}:<version> or {name}@sha256:…", f"{name}:<versión> o {name}@sha256:…")
    if normal_name(image) in _OS_BASES:
        head = T(f"Pin {name} to a version tag or digest (", f"Fija {name} a un tag de versión "
                 "o digest (") + pin + T(
            "); for a Python service, python:3.11-slim is an option.",
            "); para un servicio Python, python:3.11-slim es una opción.")
        return head
    if floating:
        variant = T(").", ").") if in_list(image, "lean_bases") else T(
            "); use its slim or runtime variant if it publishes one.",
            "); usa su variante slim o runtime si la publica.")
        return T(f"Keep {name}, the image the build relies on, but pin it to a version tag or "
                 "digest (", f"Mantén {name}, la imagen de la que depende el build, pero fíjala "
                 "a un tag de versión o digest (") + pin + variant
    return T(f"Keep {name} if the stack needs it, pinned by tag or digest; use its slim or "
             "runtime variant if it publishes one, or justify its size in an ADR and waive "
             "DOCK003.",
             f"Mantén {name} si el stack la necesita, fijada por tag o digest; usa su variante "
             "slim o runtime si la publica, o justifica su tamaño en un ADR y exceptúa DOCK003.")


def _base_fix(gpu: T | None, other: T | None, python: T, family: T | None = None,
              lean: bool = False) -> T:
    """The base advice that fits the image: a CUDA runtime base for a GPU image, the
    runtime's own small base for a non-Python image (unless its base is already a
    ``lean`` one, only floating), the same image pinned for a base that is not the python
    image (``family``), ``python`` otherwise."""
    if gpu is not None:
        return T("Keep a CUDA base but its runtime variant, not -devel (nvidia/cuda:<version>-"
                 "cudnn-runtime-<os>, or the framework's -runtime tag), pinned by tag or digest; "
                 "build in a -devel stage if compilation is needed, or justify the base in an "
                 "ADR and waive DOCK003.",
                 "Mantén una base CUDA pero su variante runtime, no -devel (nvidia/cuda:"
                 "<versión>-cudnn-runtime-<so>, o el tag -runtime del framework), fijada por tag "
                 "o digest; compila en una etapa -devel si hace falta, o justifica la base en "
                 "un ADR y exceptúa DOCK003.")
    if other is not None and not lean:
        return T("Use a small, pinned runtime base for ", "Usa una base de ejecución pequeña y "
                 "fijada para ") + other + T(
            " (its -slim or -alpine tag, or distroless for a static binary), or justify the "
            "base in an ADR and waive DOCK003.",
            " (su tag -slim o -alpine, o distroless para un binario estático), o justifica la "
            "base en un ADR y exceptúa DOCK003.")
    return family or python


def _dock003(ctx: Context, df: Dockerfile) -> Iterator[Finding]:
    final = final_stage(df)
    root, image = base_of(df, final)
    via = "" if root is final else f" (through stage '{final.name}' built from '{root.name}')"
    via_es = "" if root is final else f" (a través de la etapa '{final.name}', basada en " \
                                      f"'{root.name}')"
    gpu = _gpu_image(df, final)
    other = non_python_runtime(df, final)
    fix_slim = _base_fix(gpu, other, T(
        "Use a slim, tagged runtime base such as python:3.11-slim (or distroless / "
        "chainguard), pinned by tag or digest.",
        "Usa una base de ejecución slim y etiquetada, como python:3.11-slim (o "
        "distroless / chainguard), fijada por tag o digest."), _family_fix(
        image, image is not None and (image.floating or in_list(image, "full_bases"))),
        image is not None and in_list(image, "lean_bases"))
    if root.is_scratch:
        yield passed(T(f"final base is scratch{via}: nothing but what you copy",
                       f"la base final es scratch{via_es}: solo lo que copies"),
                     df.path, root.line)
        return
    names = unresolved(root.base)
    if names or image is None:
        yield warned(T(f"final base '{root.base}'{via} uses unresolved variables "
                       f"({', '.join(names)}): cannot verify it is slim and pinned",
                       f"la base final '{root.base}'{via_es} usa variables sin resolver "
                       f"({', '.join(names)}): no se puede verificar que sea slim y fijada"),
                     df.path, root.line,
                     fix=T("Give the ARG a default (ARG PYTHON_VERSION=3.11) so the base can "
                           "be read.",
                           "Da un valor por defecto al ARG (ARG PYTHON_VERSION=3.11) para que "
                           "la base se pueda leer."))
        return
    yield _judge_base(df, root, image, via, via_es, gpu, other, fix_slim)


def _platform(image: ImageRef) -> str | None:
    """The serverless platform whose runtime base ``image`` is (``platform_bases``)."""
    for entry in image_data().get("platform_bases") or []:
        if isinstance(entry, dict) and entry_matches(image, entry):
            return str(entry.get("platform", "platform"))
    return None


def _judge_base(df: Dockerfile, root: Stage, image: ImageRef, via: str, via_es: str,
                gpu: T | None, other: T | None, fix_slim: T) -> Finding:
    """The verdict on a resolved base: floating, alpine, full, lean or unknown."""
    ref = str(image)
    if image.untagged:
        full = in_list(ImageRef(image.registry, image.path, "latest", None), "full_bases")
        return failed(T(f"final base {ref}{via} has no tag or digest (means :latest"
                        + (", and a full image)" if full else ")"),
                        f"la base final {ref}{via_es} no tiene tag ni digest (equivale a :latest"
                        + (" y a una imagen completa)" if full else ")")),
                      df.path, root.line, fix=fix_slim)
    elif image.tag == "latest" and not image.pinned:
        return failed(T(f"final base {ref}{via} floats on :latest",
                        f"la base final {ref}{via_es} flota en :latest"), df.path, root.line,
                      fix=fix_slim)
    elif in_list(image, "alpine_bases") and other:
        return passed(T(f"final base {ref}{via} is alpine, small and pinned; ",
                        f"la base final {ref}{via_es} es alpine, pequeña y fijada; ") + other
                      + T(": glibc-only Python wheels do not matter",
                          ": las wheels de Python solo glibc no importan"),
                      df.path, root.line)
    elif in_list(image, "alpine_bases"):
        return warned(T(f"final base {ref}{via} is alpine (musl): small, but many ML wheels "
                        "(numpy, scipy, torch) are glibc-only and compile from source; the guide "
                        "prefers -slim (ADR-006)",
                        f"la base final {ref}{via_es} es alpine (musl): pequeña, pero muchas "
                        "wheels de ML (numpy, scipy, torch) son solo glibc y se compilan; la "
                        "guía prefiere -slim (ADR-006)"), df.path, root.line,
                      fix=T("Prefer python:3.11-slim; keep alpine only if the ADR justifies it.",
                            "Prefiere python:3.11-slim; mantén alpine solo si un ADR lo "
                            "justifica."))
    elif (platform := _platform(image)) is not None:
        return passed(T(f"final base {ref}{via} is the {platform} runtime base, pinned: the "
                        "platform runs only images built on it, so a slim Python base cannot "
                        "replace it",
                        f"la base final {ref}{via_es} es la base de ejecución de {platform}, "
                        "fijada: la plataforma solo ejecuta imágenes construidas sobre ella, "
                        "así que una base Python slim no puede sustituirla"), df.path, root.line)
    elif in_list(image, "full_bases"):
        return failed(T(f"final base {ref}{via} is the full image (~1 GB, compilers included: "
                        "the guide's Level 1)",
                        f"la base final {ref}{via_es} es la imagen completa (~1 GB, con "
                        "compiladores: el Nivel 1 de la guía)"), df.path, root.line, fix=fix_slim)
    elif in_list(image, "lean_bases"):
        return _lean_base(df, root, image, ref, via, via_es, fix_slim)
    elif image.tag is None and image.pinned:
        return warned(T(f"final base {ref}{via} is pinned by digest only: whether it is slim "
                        "cannot be read",
                        f"la base final {ref}{via_es} está fijada solo por digest: no se puede "
                        "saber si es slim"), df.path, root.line, fix=fix_slim)
    else:
        why = T.same("")
        if gpu is not None:
            why = T("; it is a GPU image (", "; es una imagen GPU (") + gpu + T(
                "), which needs a CUDA user space no slim Python base has",
                "), que necesita un espacio de usuario CUDA que ninguna base Python slim tiene")
        return warned(T(f"final base {ref}{via} is not a known small base (python:X.Y-slim, "
                        "distroless, chainguard/wolfi, ubi-minimal): cannot verify its size",
                        f"la base final {ref}{via_es} no es una base pequeña conocida "
                        "(python:X.Y-slim, distroless, chainguard/wolfi, ubi-minimal): no se "
                        "puede verificar su tamaño") + why, df.path, root.line,
                      fix=_base_fix(gpu, other, T(
                          "Use python:3.11-slim, or justify the base in an ADR and waive "
                          "DOCK003.",
                          "Usa python:3.11-slim, o justifica la base en un ADR y exceptúa "
                          "DOCK003."), _family_fix(image, False)))


def _lean_base(df: Dockerfile, root: Stage, image: ImageRef, ref: str, via: str, via_es: str,
               fix_slim: T) -> Finding:
    """A base on the lean list: its variant readable, its Python minor pinned."""
    if image.tag is None:
        return warned(T(f"final base {ref}{via} is pinned by digest only: the variant "
                        "cannot be read; add the tag (python:3.11-slim@sha256:…)",
                        f"la base final {ref}{via_es} está fijada solo por digest: no se "
                        "puede leer la variante; añade el tag (python:3.11-slim@sha256:…)"),
                      df.path, root.line, fix=fix_slim)
    elif _python_minor_missing(image):
        return warned(T(f"final base {ref}{via} is slim but pins only the major version: "
                        "the next Python minor arrives unannounced",
                        f"la base final {ref}{via_es} es slim pero solo fija la versión "
                        "mayor: la siguiente versión menor de Python llega sin aviso"),
                      df.path, root.line,
                      fix=T("Pin the minor version: python:3.11-slim.",
                            "Fija la versión menor: python:3.11-slim."))
    else:
        return passed(T(f"final base {ref}{via} is small and pinned",
                        f"la base final {ref}{via_es} es pequeña y está fijada"),
                      df.path, root.line)


@rule("DOCK003")
def dockerfile_base_image(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK003: the final stage's base is slim (or distroless/chainguard/ubi-minimal) and
    pinned; alpine warns; full python, :latest and untagged fail."""
    yield from each(ctx, _dock003)
