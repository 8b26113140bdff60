"""Allow ``python -m mlops_lint``."""

from mlops_lint.cli import main

main()
