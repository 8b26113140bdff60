"""Where the package's own data lives: the built-in rule catalog and its data files.

A low-level module (it imports nothing of the package), so rules can read their data
files (``rules/_data/*.yaml``) without importing the catalog that imports them.
"""

from __future__ import annotations

from pathlib import Path


def builtin_rules_dir() -> Path:
    """The ``mlops_lint/rules`` package: ``phases.yaml``, ``data/`` and one folder per
    rule family holding each rule's module and metadata.

    Raises ``FileNotFoundError`` when ``phases.yaml`` is missing (a broken install)."""
    candidate = Path(__file__).resolve().parent / "rules"
    if (candidate / "phases.yaml").is_file():
        return candidate
    raise FileNotFoundError(f"the built-in rule catalog was not found in {candidate}")
