"""Where the package's own data lives: the built-in rule catalog and its data files.

A low-level module (it imports nothing of the package), so checks can read their data
files (``rules/data/*.yaml``) without importing the catalog that imports them.
"""

from __future__ import annotations

from pathlib import Path


def builtin_rules_dir() -> Path:
    """``rules/`` shipped in the wheel, or at the source checkout root when editable.

    Raises ``FileNotFoundError`` when neither exists (a broken install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent.parent / "rules"):
        if (candidate / "phases.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"the built-in rule catalog was not found next to {here}")
