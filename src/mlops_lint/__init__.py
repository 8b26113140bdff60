"""mlops-lint: a linter and maturity checker for machine-learning repositories."""

__version__ = "0.1.0"
