"""Environments (phase 2): ENV001 dependencies declared and versioned, ENV002 a committed
lockfile that CI installs from, ENV003 one Python version everywhere.

All three are project-scoped (rules.md §0.4): a monorepo's projects each declare their
own dependencies, lockfile and ``requires-python``. Lockfiles and ``.python-version`` are
looked for in the project directory, then at the repository root (uv and Poetry
workspaces lock at the root); CI configuration is repository-wide.
"""
