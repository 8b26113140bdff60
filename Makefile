.PHONY: help install test lint format typecheck bench check

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

install:  ## editable install with the dev tools
	pip install -e ".[dev]"

test:  ## the test suite with the coverage floor
	pytest --cov=mlops_lint --cov-fail-under=85

lint:  ## ruff and mypy --strict
	ruff check src tests benchmarks
	mypy --strict src

format:  ## format the code
	ruff format src tests benchmarks

typecheck:  ## mypy only
	mypy --strict src

bench:  ## the benchmark suite (synthetic repositories)
	python benchmarks/run.py

check:  ## mlops-lint on itself
	mlops-lint check .
