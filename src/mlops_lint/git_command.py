"""The one subprocess mlops-lint runs: ``git``, with a fixed argument list, on the
target repository, never executing anything the repository controls.

``core.fsmonitor`` names a command git would run from the target's own ``.git/config``
(e.g. during ``ls-files``): it is turned off. Variables that point git at another
repository or index (set by a calling hook, or inherited) are removed. Output is read as
bytes and decoded here: text mode would turn a ``\\r`` in a file name into a newline.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

GIT_TIMEOUT_S = 60
# variables that would make git read another repository, work tree or index than the
# one asked for (a pre-commit hook runs with GIT_INDEX_FILE set, for instance)
GIT_LOCATION_ENV = frozenset({
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
    "GIT_SHALLOW_FILE", "GIT_GRAFT_FILE", "GIT_REPLACE_REF_BASE", "GIT_NO_REPLACE_OBJECTS",
})


def run_git(root: Path, args: Sequence[str], stdin: str | None = None,
            errors: str = "replace") -> tuple[str | None, str, str]:
    """``git -C <root> <args>``: (stdout or ``None`` when git fails or is absent, stderr,
    the error line that says why it failed)."""
    env = {key: value for key, value in os.environ.items() if key not in GIT_LOCATION_ENV}
    env.update({"GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    try:
        done = subprocess.run(
            # log output in UTF-8 whatever i18n.logOutputEncoding the repository sets
            ["git", "-C", str(root), "-c", "core.fsmonitor=false",
             "-c", "i18n.logOutputEncoding=UTF-8", *args],
            input=stdin.encode("utf-8") if stdin is not None else None,
            capture_output=True, timeout=GIT_TIMEOUT_S, check=False, env=env,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, "", f"git could not run: {type(exc).__name__}"
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        error = next((line for line in lines if line.startswith("fatal:")),
                     lines[0] if lines else f"git exited {done.returncode}")
        return None, stderr, error
    return done.stdout.decode("utf-8", errors), stderr, ""
