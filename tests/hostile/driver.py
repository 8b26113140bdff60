"""Run the real command line with an observer: ``python driver.py RECORD.json ARGS...``.

The observer wraps :meth:`Repo.text` and :meth:`Repo.parse` and records every file a
check asked for and got a :class:`ParseError` back (reads made while the inventory is
built, before any rule runs, are not counted: if no rule asks for a file, nobody needs
to hear about it). At exit it writes those files, the rules that read each one, and
the peak RSS to RECORD.json.
The command line itself is untouched: same entry point, arguments, exit code and output.
"""

from __future__ import annotations

import atexit
import json
import resource
import sys
from typing import Any


def main() -> None:
    record_path, args = sys.argv[1], sys.argv[2:]
    from mlops_lint import engine
    from mlops_lint import repo as repo_module
    from mlops_lint.parsers import ParseError

    errors: dict[str, dict[str, Any]] = {}
    state: dict[str, Any] = {"building": 0, "rule": None}
    original_run_check = engine._run_check
    original_init = repo_module.Repo.__init__
    original_text = repo_module.Repo.text
    original_parse = repo_module.Repo.parse

    def init(self: Any, *a: Any, **k: Any) -> None:
        state["building"] += 1
        try:
            original_init(self, *a, **k)
        finally:
            state["building"] -= 1

    def run_check(rule: Any, *a: Any, **k: Any) -> Any:
        state["rule"] = rule.id
        try:
            return original_run_check(rule, *a, **k)
        finally:
            state["rule"] = None

    def note(result: Any) -> Any:
        if isinstance(result, ParseError) and not state["building"]:
            entry = errors.setdefault(result.path, {"message": result.message, "rules": []})
            if state["rule"] and state["rule"] not in entry["rules"]:
                entry["rules"].append(state["rule"])
        return result

    def text(self: Any, path: str) -> Any:
        return note(original_text(self, path))

    def parse(self: Any, path: str, parser: Any) -> Any:
        return note(original_parse(self, path, parser))

    engine._run_check = run_check  # type: ignore[assignment]
    repo_module.Repo.__init__ = init  # type: ignore[method-assign]
    repo_module.Repo.text = text  # type: ignore[method-assign]
    repo_module.Repo.parse = parse  # type: ignore[method-assign]

    def dump() -> None:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open(record_path, "w", encoding="utf-8") as handle:
            json.dump({"parse_errors": errors, "maxrss_kb": peak_kb}, handle,
                      ensure_ascii=True)

    atexit.register(dump)
    from mlops_lint.cli import main as cli_main

    sys.argv = ["mlops-lint", *args]
    cli_main()


if __name__ == "__main__":
    main()
