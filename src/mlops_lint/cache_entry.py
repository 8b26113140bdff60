"""A cache entry on disk: the results of a run as JSON, and the framing of an entry file
(a header with the key, the checks to repeat on a hit and a SHA-256 of the body).

Values that JSON cannot hold (tuples, sets, paths in findings) are tagged on the way in and
restored on the way out; an entry that does not frame or does not match its digest is
read as ``None`` (a miss), never an exception.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_lint.cache_key import SCHEMA

if TYPE_CHECKING:
    from mlops_lint.engine import Run
    from mlops_lint.repo import Repo

MAX_HEADER = 64 * 1024 * 1024

def dump_run(run: Run) -> dict[str, Any]:
    """A run as JSON data: every distinct string once in a table, each result a row of
    numbers (index -1 for ``None``): small and quick to write and read."""
    table: dict[str, int] = {}

    def at(text: str | None) -> int:
        if text is None:
            return -1
        index = table.get(text)
        if index is None:
            index = table[text] = len(table)
        return index

    rows = [[at(r.rule), r.phase, r.level, int(r.gate), r.weight, at(r.status.value),
             at(r.severity), at(r.project), at(r.path), -1 if r.line is None else r.line,
             at(r.message.en), at(r.message.es), at(r.fix.en), at(r.fix.es), at(r.title.en),
             at(r.title.es), at(r.waiver), int(r.baselined), at(r.fingerprint), at(r.see)]
            for r in run.results]
    return {"strings": list(table), "results": rows, "ignored": list(run.ignored),
            "notes": [[n.en, n.es] for n in run.notes]}


def load_run(data: Any, repo: Repo) -> Run:
    from mlops_lint.engine import Run
    from mlops_lint.model import Result, Status, T

    table: list[str] = data["strings"]
    if not isinstance(table, list) or any(not isinstance(entry, str) for entry in table):
        raise TypeError("the string table holds something else than strings")

    def at(index: int) -> str | None:
        return None if index == -1 else text(index)

    def text(index: int) -> str:
        if index < 0:
            raise ValueError("a required text is missing")
        return table[index]

    statuses = {s.value: s for s in Status}
    results = []
    for row in data["results"]:
        (rule, phase, level, gate, weight, status, severity, project, path, line, message_en,
         message_es, fix_en, fix_es, title_en, title_es, waiver, baselined, fingerprint,
         see) = row
        results.append(Result(
            rule=text(rule), phase=int(phase), level=int(level), gate=bool(gate),
            weight=float(weight), status=statuses[text(status)], severity=text(severity),
            project=text(project), path=at(path), line=None if line == -1 else int(line),
            message=T(text(message_en), text(message_es)), fix=T(text(fix_en), text(fix_es)),
            title=T(text(title_en), text(title_es)), waiver=at(waiver),
            baselined=bool(baselined), fingerprint=text(fingerprint), see=at(see)))
    return Run(tuple(results), repo.projects, tuple(str(i) for i in data["ignored"]),
               tuple(T(str(en), str(es)) for en, es in data["notes"]))


def header_line(header: Mapping[str, Any], body: bytes) -> bytes:
    head = dict(header, schema=SCHEMA, sha256=hashlib.sha256(body).hexdigest())
    return json.dumps(head, sort_keys=True).encode("utf-8") + b"\n"


def pack(header: Mapping[str, Any], body: bytes) -> bytes:
    return header_line(header, body) + body


def unpack(data: bytes) -> tuple[dict[str, Any], bytes] | None:
    first, newline, body = data.partition(b"\n")
    if not newline:
        return None
    try:
        header = json.loads(first)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("schema") != SCHEMA \
            or header.get("sha256") != hashlib.sha256(body).hexdigest():
        return None
    return header, body


def read_packed(path: Path) -> tuple[dict[str, Any], bytes] | None:
    """A file :func:`pack` wrote: its header and body, ``None`` when it is missing,
    damaged or of another schema."""
    try:
        with open(path, "rb") as handle:
            header = json.loads(handle.readline(MAX_HEADER))
            body = handle.read()
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict) or header.get("schema") != SCHEMA \
            or header.get("sha256") != hashlib.sha256(body).hexdigest():
        return None
    return header, body


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """No cyclic garbage collection while (de)serialising a run: after a run the heap
    holds every tree and document read, and the thousands of small objects made here
    would trigger full collections of it (no cycle is made here)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


MISSING = object()


def tag(value: Any) -> Any:
    """Plain data as JSON that keeps every type: a mapping becomes ``{"m": pairs}``
    (keys of any plain type), a list ``{"l": items}``; scalars stay as they are."""
    if isinstance(value, dict):
        return {"m": [[tag(k), tag(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return {"l": [tag(v) for v in value]}
    if value is None or isinstance(value, (str, bool, int, float)):
        if isinstance(value, float) and value != value:
            raise ValueError("NaN")
        return value
    raise TypeError(type(value).__name__)


def untag(value: Any) -> Any:
    if isinstance(value, dict):
        if "m" in value:
            return {untag(k): untag(v) for k, v in value["m"]}
        return [untag(v) for v in value["l"]]
    if isinstance(value, list):
        raise TypeError("untagged list")
    return value


def variant(fmt: str, color: bool, width: int | None, view: str,
            phases: Iterable[int]) -> str | None:
    """The name of a stored report, or ``None`` for a format with side effects (the
    ``github`` format appends to the step summary file)."""
    if fmt == "github":
        return None
    text = json.dumps([fmt, color, width, view, sorted(phases)])
    return f"{fmt}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
