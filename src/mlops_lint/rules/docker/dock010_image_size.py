"""DOCK010 (evidence): a committed image size (``docker image inspect`` JSON,
``docker-image-size.json`` or ``image-size.txt``) under 1 GB / 500 MB / 200 MB.

Without such a file the rule is skipped: the size of an image cannot be read from its
Dockerfile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.rules import rule

IMAGE_SIZE_GLOBS = ("**/docker-image-size.json", "**/docker-image-size.txt",
                    "**/image-size.json", "**/image-size.txt", "**/docker-image-inspect.json",
                    "**/image-inspect.json")


_SIZE = lazy_re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]i?b|b|bytes)?\b", re.IGNORECASE)


_UNITS = {"b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def _size_from_text(text: str) -> int | None:
    match = _SIZE.search(text)
    if not match:
        return None
    unit = (match.group(2) or "b").lower()
    return int(float(match.group(1)) * _UNITS.get(unit, 1))


def _size_from_json(data: Any) -> int | None:
    if isinstance(data, list):
        for item in data:
            size = _size_from_json(item)
            if size is not None:
                return size
        return None
    if not isinstance(data, dict):
        return None
    for key in ("Size", "size", "size_bytes", "bytes", "VirtualSize"):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
        if isinstance(value, str):
            return _size_from_text(value)
    for key, factor in (("size_mb", 10**6), ("size_gb", 10**9), ("size_kb", 10**3)):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value * factor)
    return None


def read_image_size(ctx: Context, path: str) -> int | ParseError | None:
    text = ctx.repo.text(path)
    if isinstance(text, ParseError):
        return text
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            return ParseError(path, f"invalid JSON: {exc}")
        return _size_from_json(data)
    return _size_from_text(text)


SIZE_LIMITS = ((1, 10**9, "< 1 GB"), (2, 500 * 10**6, "< 500 MB"), (3, 200 * 10**6, "≤ 200 MB"))


@rule("DOCK010")
def docker_image_size(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK010 (evidence): a committed image size (docker image inspect JSON,
    docker-image-size.json or image-size.txt) under 1 GB / 500 MB / 200 MB."""
    paths = ctx.files(IMAGE_SIZE_GLOBS, case_sensitive=False)
    if not paths:
        yield skipped(T("no image-size evidence (reports/docker-image-size.json, "
                        "reports/image-size.txt or a docker image inspect JSON saved as "
                        "reports/docker-image-inspect.json); not judged",
                        "no hay evidencia del tamaño de la imagen (reports/"
                        "docker-image-size.json, reports/image-size.txt o un JSON de docker "
                        "image inspect guardado como reports/docker-image-inspect.json); no se "
                        "evalúa"))
        return
    for path in paths:
        size = read_image_size(ctx, path)
        if isinstance(size, ParseError):
            yield skipped(T(f"{path} cannot be read: {size.message}",
                            f"{path} no se puede leer: {size.message}"), path)
            continue
        if size is None or size <= 0:
            yield skipped(T(f"{path} holds no image size", f"{path} no contiene un tamaño de "
                            "imagen"), path)
            continue
        megabytes = size / 10**6
        for level, limit, label in SIZE_LIMITS:
            ok = size < limit if level < 3 else size <= limit
            message = T(f"image size {megabytes:.0f} MB ({path}); target {label}",
                        f"tamaño de imagen {megabytes:.0f} MB ({path}); objetivo {label}")
            if ok:
                yield passed(message, path, level=level)
            else:
                yield failed(message, path, level=level,
                             fix=T("Shrink the image: slim base, multi-stage build, "
                                   "--no-cache-dir, a .dockerignore that excludes data and "
                                   "models.",
                                   "Reduce la imagen: base slim, build multi-stage, "
                                   "--no-cache-dir, un .dockerignore que excluya datos y "
                                   "modelos."))
