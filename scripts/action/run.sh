#!/usr/bin/env bash
# Run the mlops-lint gate for the GitHub Action, in one pass over the repository:
# annotations on stdout and the Markdown job summary (format github), the SARIF file,
# an optional extra report in the log, and the outputs level, score and passed.
#   MLOPS_LINT        the mlops-lint executable (from the install step)
#   INPUT_PATH        repository to lint (default .)
#   INPUT_MIN_LEVEL   "2", "4=2", "4=2,6=1" or "4=2 6=1" (empty: the repo's configuration)
#   INPUT_FAIL_UNDER  overall score gate (empty: the repo's configuration)
#   INPUT_FORMAT      extra report(s) printed to the log: text (default), json, markdown, none
#   INPUT_SARIF_FILE  where to write SARIF (empty: no SARIF)
#   INPUT_LANG        en or es (empty: the repo's configuration)
#   INPUT_BASELINE    a baseline file: only new failures count (empty: none)
# Exit status: mlops-lint's (0 gate holds, 1 gate fails, 2 usage or configuration error).
set -uo pipefail

exe="${MLOPS_LINT:?MLOPS_LINT is not set}"
python="$(dirname "$exe")/python"
[ -e "$python" ] || python="$(dirname "$exe")/python.exe"
work="$(mktemp -d)"
json="$work/report.json"

# Inputs are validated, never globbed, and never read as options.
set -f
bad_input() {  # the message names the input, never its (untrusted) value
  echo "::error title=mlops-lint::invalid input '$1': $2"
  exit 2
}
no_newline() { case "$2" in *$'\n'*|*$'\r'*) bad_input "$1" "it holds a line break" ;; esac; }
as_path() { case "$1" in -*) printf './%s' "$1" ;; *) printf '%s' "$1" ;; esac; }
for name in INPUT_PATH INPUT_SARIF_FILE INPUT_BASELINE; do no_newline "$name" "${!name:-}"; done

args=(check "$(as_path "${INPUT_PATH:-.}")")
for item in ${INPUT_MIN_LEVEL//,/ }; do
  [[ "$item" =~ ^([1-7]=)?[0-3]$ ]] || bad_input min-level "expected N or PHASE=N (e.g. 2, 4=2)"
  args+=(--min-level "$item")
done
if [ -n "${INPUT_FAIL_UNDER:-}" ]; then
  [[ "$INPUT_FAIL_UNDER" =~ ^[0-9]{1,3}(\.[0-9]+)?$ ]] || bad_input fail-under "expected a number 0-100"
  args+=(--fail-under "$INPUT_FAIL_UNDER")
fi
if [ -n "${INPUT_LANG:-}" ]; then
  [[ "$INPUT_LANG" =~ ^(en|es)$ ]] || bad_input lang "expected en or es"
  args+=(--lang "$INPUT_LANG")
fi
if [ -n "${INPUT_BASELINE:-}" ]; then args+=(--baseline "$(as_path "$INPUT_BASELINE")"); fi
# --output files pair with the first --format options, in order: file reports first.
args+=(--format json --output "$json")
sarif="${INPUT_SARIF_FILE:-}"
# "auto" (the default): outside the linted tree, in the job's scratch directory.
if [ "$sarif" = "auto" ]; then sarif="${RUNNER_TEMP:-$work}/mlops-lint.sarif"; fi
sarif="$(as_path "$sarif")"
if [ -n "$sarif" ]; then
  mkdir -p "$(dirname "$sarif")"
  args+=(--format sarif --output "$sarif")
fi
# Repository text (the report, a directory name, a commit subject, stderr) must never
# become a workflow command: everything printed here except the annotations runs inside
# ::stop-commands::<random token> ... ::<token>::, and the annotations (format github,
# written to a file) are printed after, their data escaped by mlops-lint.
annotations="$work/annotations.txt"
log="$work/log.txt"
args+=(--format github --output "$annotations")
formats="${INPUT_FORMAT-text}"
for fmt in ${formats//,/ }; do
  case "$fmt" in
    ""|none|github) ;;
    *) args+=(--format "$fmt") ;;
  esac
done

"$exe" "${args[@]}" > "$log" 2>&1
status=$?

token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
echo "::stop-commands::$token"
printf 'mlops-lint'; printf ' %q' "${args[@]}"; echo
cat "$log"
echo "::$token::"
[ -f "$annotations" ] && cat "$annotations"

out="${GITHUB_OUTPUT:-/dev/null}"
if [ -f "$json" ]; then
  # -I and a scratch working directory: a json.py in the linted checkout is never imported.
  (cd "$work" && "$python" -I - "$json") >> "$out" <<'PY'
import json
import sys

summary = json.load(open(sys.argv[1], encoding="utf-8"))["summary"]
print(f"level={summary['level']}")
print(f"score={summary['score']}")
print(f"passed={'true' if summary['gate']['passed'] else 'false'}")
PY
fi
if [ -n "$sarif" ] && [ -f "$sarif" ]; then echo "sarif-file=$sarif" >> "$out"; fi
rm -rf "$work"
exit "$status"
