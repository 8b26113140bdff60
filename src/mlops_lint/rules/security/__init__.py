"""Security (phases 2, 4 and 5): SEC001 ``.env`` files kept out of git, SEC002 no hardcoded
secrets (phase 2); SEC003 secret scanning, SEC004 Bandit SAST, SEC005 dependency
vulnerability management (phase 4); SEC006 no unsafe deserialisation or eval in
serving code (phase 5).

SEC001 and SEC002 are repository-scoped: an ``.env`` or a key anywhere in the repository
leaks the same way. SEC002 scans the tracked text files (without git: the files
``.gitignore`` lets in); binary and oversized files are skipped and counted. Known token
formats are looked for everywhere, documentation included; literals given to
secret-named keys only in code and configuration (Python through its syntax tree,
Dockerfiles through their instructions, other files line by line), judged by
:mod:`._secret_values` and :mod:`._secret_literals`. What the repository's own scanner
configuration allow-lists (``.gitleaks.toml``, ``.secrets.baseline``, inline
``gitleaks:allow`` / ``pragma: allowlist secret``) is not reported. Findings show the
location and a masked excerpt, never the secret.

For SEC003-SEC005 a tool counts when something runs it: a pre-commit hook, a CI step or
action (through ``make``/``pre-commit run`` too, see
:func:`mlops_lint.readers.ci_runs.ci_runs`, shared with the CI rules) or a Makefile
target. A configuration file that nothing runs (``.gitleaks.toml``, ``[tool.bandit]``)
scans nothing, so it earns a warning rather than a pass. SEC003 and SEC005 are repository
rules (rules.md §0.4: the guide's monorepo shares one ``.github/workflows/``); SEC004 is
per project (its ``[tool.bandit]`` lives in the project's ``pyproject.toml``), and reads a
``bandit*.json`` report as evidence when there is one. On CI systems other than GitHub
Actions they read the commands like the command-based CI rules.

SEC006 reads the serving layer of :mod:`mlops_lint.readers.serving`, shared with the API
rules (rules/api).
"""
