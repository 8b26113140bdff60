"""The files the rules that read a project's code and documents look at: the project's own
and, in a monorepo, the repository's files outside every project (shared code such as the
guide's ``common_utils/logger.py``, the repository's ADRs); and the coercions for values
read from hand-written files, which lie about their types.
"""

from __future__ import annotations

from typing import Any

from mlops_lint.context import Context


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (hand-written files lie about types)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def shared_files(ctx: Context) -> list[str]:
    """Project files, plus (in a monorepo) repository files outside every project."""
    if ctx.project.path == ".":
        return list(ctx.project.files)
    key = f"serving:shared:{ctx.project.path}"
    if key not in ctx.repo.memo:
        outside = ctx.repo.memo.get("serving:outside")
        if outside is None:
            dirs = tuple(p.path + "/" for p in ctx.repo.projects if p.path != ".")
            outside = [f for f in ctx.repo.files if not f.startswith(dirs)]
            ctx.repo.memo["serving:outside"] = outside
        ctx.repo.memo[key] = sorted(set(ctx.project.files) | set(outside))
    files: list[str] = ctx.repo.memo[key]
    return files
