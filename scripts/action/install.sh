#!/usr/bin/env bash
# Install mlops-lint for the GitHub Action into a virtualenv of its own, so the job's
# Python environment is left alone.
#   INPUT_VERSION  a released version ("0.1.0" or "v0.1.0"); empty: the action's own
#                  checkout (ACTION_PATH), i.e. exactly the ref named in `uses:`
#   ACTION_PATH    where the runner checked the action out (github.action_path)
#   RUNNER_TEMP    scratch directory of the job
# Writes `exe=<path of the mlops-lint executable>` to $GITHUB_OUTPUT.
set -euo pipefail
# Never start an interpreter where the linted checkout could feed it modules: every
# python call is isolated (-I: no current directory or script directory on sys.path, no
# PYTHON* variables, no user site) and runs from a scratch directory, so a committed
# venv.py, pip.py or json.py is never imported.
scratch="${RUNNER_TEMP:-$(mktemp -d)}"
cd "$scratch"

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then
  echo "::error title=mlops-lint::no python3 on this runner: add actions/setup-python (3.10 or newer) before this action"
  exit 2
fi

venv="$scratch/mlops-lint-venv"
"$python" -I -m venv "$venv"
bin="$venv/bin"
[ -d "$bin" ] || bin="$venv/Scripts"  # Windows runners

version="${INPUT_VERSION:-}"
if [ -n "$version" ]; then
  spec="mlops-lint==${version#v}"
else
  spec="${ACTION_PATH:?ACTION_PATH is not set}"
fi
echo "Installing $spec"
"$bin/python" -I -m pip install --quiet --disable-pip-version-check "$spec"

exe="$bin/mlops-lint"
[ -e "$exe" ] || exe="$bin/mlops-lint.exe"
"$exe" --version
echo "exe=$exe" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
