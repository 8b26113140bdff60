"""Path globs used by the catalog: ``*``, ``?``, ``[...]``, ``{a,b}`` and ``**``.

A glob matches a whole repository-relative POSIX path. ``**/`` matches zero or more
directories, so ``**/Dockerfile`` matches ``Dockerfile`` at the root too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


def _translate(glob: str) -> str:
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = glob[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        elif c == "{":
            end = glob.find("}", i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                options = glob[i + 1:end].split(",")
                out.append("(?:" + "|".join(_translate(o) for o in options) + ")")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def compile_glob(glob: str, case_sensitive: bool = True) -> re.Pattern[str]:
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(r"\A" + _translate(glob.lstrip("/")) + r"\Z", flags)


def matches(path: str, globs: Iterable[str], case_sensitive: bool = True) -> bool:
    return any(compile_glob(g, case_sensitive).match(path) for g in globs)


def filter_paths(paths: Iterable[str], globs: Iterable[str],
                 case_sensitive: bool = True) -> list[str]:
    compiled = [compile_glob(g, case_sensitive) for g in globs]
    return [p for p in paths if any(c.match(p) for c in compiled)]
