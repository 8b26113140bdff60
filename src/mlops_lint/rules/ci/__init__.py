"""Continuous integration (phase 4): CI001 a workflow on push and pull_request, CI002 tests
and lint in CI, CI003 the job graph, CI004 the Python matrix, CI005 dependency caching,
CI006 the coverage gate, CI007 blocking gates, CI008 security scans in CI, CI009 image
delivery, CI010 workflow hardening, CI011 well-formed scripts and current actions, CI012
green and fast (manual).

All CI rules are repository-scoped (rules.md §0.4: the guide's monorepo shares one
``.github/workflows/``). GitHub Actions workflows are read by :mod:`mlops_lint.parsers.ci`
(YAML 1.2; the YAML 1.1 reading of ``on:`` as True is accepted); so are the commands of
GitLab CI, Azure Pipelines, CircleCI, Cloud Build, Bitbucket and Jenkinsfiles. A
repository on another CI system passes CI001, the command-based rules (CI002, CI006,
CI007, CI008 and the script half of CI011) read its commands, and the rules about
GitHub-only concepts (``needs:`` graph, ``strategy.matrix``, ``setup-python`` caching,
image delivery jobs, ``concurrency`` and ``permissions``) are skipped with the reason.

Where CI runs a tool (:func:`mlops_lint.readers.ci_runs.ci_runs`, shared with the
security-scanning rules SEC003-SEC005) is found by reading each command as argument
vectors (``python -m``, ``poetry run``, ``uv run`` unwrapped), following ``make
<target>`` into the Makefile recipes and ``pre-commit run``/``pre-commit/action`` into
the hooks, plus the Marketplace actions that wrap the tool
(:mod:`mlops_lint.readers.ci_tools`). Each run says whether its failure fails the build
and, if not, why: ``continue-on-error``, GitLab ``allow_failure``, ``|| true``/``||
echo``/``set +e``, a flag such as ``--exit-zero`` (trivy without ``--exit-code 1``), or a
pipe into another program under GitHub's default shell, which has no ``pipefail``.

The list of deprecated, retired and archived actions CI011 reads is data:
``rules/_data/deprecated_actions.yaml``.
"""
