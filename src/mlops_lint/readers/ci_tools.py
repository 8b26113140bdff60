"""The tools CI may run: how to recognise each one in a command, a pre-commit hook or a
Marketplace action (:class:`ToolSpec`), and the flags and action inputs after which a tool
exits 0 whatever it finds.

Shared by the CI rules (tests and lint, blocking gates, security scans in CI) and the
security-scanning rules (secret scanning, Bandit, dependency audits).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.model import T
from mlops_lint.parsers.ci import ActionRef, Step
from mlops_lint.parsers.pytest_config import PYTEST_PROGRAMS
from mlops_lint.parsers.shell import Simple

_LINT_ENVS = lazy_re.compile(r"^(lint|linting|style|format|fmt|flake8|ruff|black|isort|pylint|"
                             r"pre-commit|precommit|quality|check|checks|typing|type|types|mypy|"
                             r"typecheck|docs|doc|security|bandit|audit)$", re.IGNORECASE)


def _env_names(simple: Simple, flags: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    args = list(simple.args)
    for i, arg in enumerate(args):
        if arg in flags and i + 1 < len(args):
            names.extend(n.strip() for n in args[i + 1].split(","))
        for flag in flags:
            if flag.startswith("--") and arg.startswith(flag + "="):
                names.extend(n.strip() for n in arg.split("=", 1)[1].split(","))
    return [n for n in names if n]


def _is_test(simple: Simple) -> bool:
    program, args = simple.program, simple.args
    if program in PYTEST_PROGRAMS or program == "unittest":
        return True
    if program == "coverage" and args[:1] == ("run",):
        return any(a in PYTEST_PROGRAMS or a == "unittest" for a in args)
    if program == "hatch" and args[:1] == ("test",):
        return True
    if program in ("tox", "nox"):
        envs = _env_names(simple, ("-e", "-s", "--sessions", "--session", "--env"))
        return not envs or any(not _LINT_ENVS.match(e) for e in envs)
    return False


def _is_lint(simple: Simple) -> bool:
    program, args = simple.program, simple.args
    if program == "ruff":
        if args[:1] == ("format",):
            return "--check" in args or "--diff" in args
        return True  # `ruff check`, or `ruff .` before ruff 0.1
    if program == "black":
        return "--check" in args
    if program == "isort":
        return any(a in ("--check-only", "--check", "-c", "--diff") for a in args)
    if program in ("flake8", "pylint", "pycodestyle", "pyflakes", "prospector", "pylama"):
        return True
    if program in ("tox", "nox"):
        envs = _env_names(simple, ("-e", "-s", "--sessions", "--session", "--env"))
        return any(_LINT_ENVS.match(e) and e.lower() not in ("docs", "doc", "typing", "type",
                                                            "types", "mypy", "typecheck",
                                                            "security", "bandit", "audit")
                   for e in envs)
    return False


_JS_RUNNERS = ("npm", "yarn", "pnpm", "bun")
_JS_TEST_SCRIPT = lazy_re.compile(r"^(test|tests|unit|e2e)([:_-][\w:-]{0,40})?$")
_JS_LINT_SCRIPT = lazy_re.compile(r"^(lint|eslint|format:check|fmt:check|prettier:check|"
                                  r"check:format|style)([:_-][\w:-]{0,40})?$")
_GRADLE = ("gradle", "gradlew", "gradlew.bat")


def _script_name(simple: Simple) -> str | None:
    """``npm test``/``npm run test:unit``/``yarn lint``: the package script a JS runner
    runs."""
    if simple.program not in _JS_RUNNERS or not simple.args:
        return None
    args = [a for a in simple.args if not a.startswith("-")]
    if args[:1] in (["run"], ["run-script"]):
        args = args[1:]
    return args[0] if args else None


def _is_other_test(simple: Simple) -> bool:
    """The test runner of another language: go test, npm/yarn/pnpm test, jest, vitest,
    mocha, mvn test/verify, gradle test/check, cargo test, dotnet test, ctest, rspec…"""
    program, args = simple.program, simple.args
    if program in ("go", "cargo", "dotnet", "swift", "mix", "deno", "bazel", "bazelisk") \
            and args[:1] == ("test",):
        return True
    if program in ("mvn", "mvnw", "mvnw.cmd"):
        return any(a in ("test", "verify", "install", "integration-test") for a in args)
    if program in _GRADLE:
        return any(a in ("test", "check", "build") or a.endswith(":test") for a in args)
    if program in ("jest", "vitest", "mocha", "karma", "ava", "ctest", "rspec", "phpunit",
                   "gotestsum", "ginkgo", "sbt") and (program != "sbt" or "test" in args):
        return True
    if program == "bundle" and args[:2] in (("exec", "rspec"), ("exec", "rake")):
        return True
    name = _script_name(simple)
    return bool(name and (name == "t" or _JS_TEST_SCRIPT.match(name)))


def _is_other_lint(simple: Simple) -> bool:
    """The linter of another language: eslint, golangci-lint, go vet, staticcheck, cargo
    clippy, cargo fmt --check, prettier --check, npm run lint, shellcheck, rubocop…"""
    program, args = simple.program, simple.args
    if program in ("eslint", "golangci-lint", "staticcheck", "revive", "tslint", "stylelint",
                   "ktlint", "rubocop", "shellcheck", "biome", "oxlint", "standard",
                   "clang-tidy", "cpplint", "checkstyle", "swiftlint", "detekt", "tflint"):
        return program != "biome" or args[:1] in (("check",), ("lint",), ("ci",))
    if program == "go":
        return args[:1] == ("vet",)
    if program == "cargo":
        return args[:1] == ("clippy",) or (args[:1] == ("fmt",) and "--check" in args)
    if program == "prettier":
        return "--check" in args or "-c" in args or "--list-different" in args
    if program == "dotnet":
        return args[:1] == ("format",) and "--verify-no-changes" in args
    if program in ("gofmt",):
        return "-l" in args or "-d" in args
    if program in ("mvn", "mvnw") or program in _GRADLE:
        return any(a.startswith(("checkstyle", "spotless", "pmd", "spotbugs"))
                   or a.startswith(("spotlessCheck", "ktlintCheck", "detekt")) for a in args)
    name = _script_name(simple)
    return bool(name and _JS_LINT_SCRIPT.match(name))


def _is_typecheck(simple: Simple) -> bool:
    return simple.program in ("mypy", "pyright", "basedpyright", "pytype", "pyre") or (
        simple.program == "dmypy" and "run" in simple.args)


def _is_bandit(simple: Simple) -> bool:
    return simple.program == "bandit"


def _is_semgrep(simple: Simple) -> bool:
    return simple.program == "semgrep"


def _is_codeql(simple: Simple) -> bool:
    return simple.program == "codeql" and "analyze" in " ".join(simple.args)


def is_checkov_sast(simple: Simple) -> bool:
    """Checkov run with one of its SAST frameworks (``--framework sast`` or
    ``sast_python``, ``sast_golang``, ...), not only on infrastructure code."""
    return simple.program == "checkov" and any("sast" in arg for arg in simple.args)


def _is_gitleaks(simple: Simple) -> bool:
    return simple.program == "gitleaks"


def _is_trufflehog(simple: Simple) -> bool:
    return simple.program == "trufflehog"


def _is_detect_secrets(simple: Simple) -> bool:
    return simple.program in ("detect-secrets-hook",) or (
        simple.program == "detect-secrets" and simple.args[:1] in (("scan",), ("audit",)))


def _is_other_secrets(simple: Simple) -> bool:
    return simple.program in ("ggshield", "git-secrets") or (
        simple.program == "git" and simple.args[:1] == ("secrets",))


def _is_pip_audit(simple: Simple) -> bool:
    return simple.program == "pip-audit"


def _is_safety(simple: Simple) -> bool:
    return simple.program == "safety" and simple.args[:1] in (("check",), ("scan",))


def _is_dep_scanner(simple: Simple) -> bool:
    program, args = simple.program, simple.args
    if program == "osv-scanner":
        return True
    if program == "trivy":
        return args[:1] in (("fs",), ("filesystem",), ("repo",), ("repository",),
                            ("rootfs",))
    if program == "snyk":
        return args[:1] == ("test",)
    return program == "grype" and any(a.startswith(("dir:", "file:")) or a == "."
                                      for a in args)


def _is_image_scan(simple: Simple) -> bool:
    program, args = simple.program, simple.args
    if program == "trivy":
        return args[:1] in (("image",), ("i",))
    if program == "grype":
        return not any(a.startswith(("dir:", "file:")) or a == "." for a in args)
    if program == "docker":
        return args[:1] == ("scout",)
    if program == "snyk":
        return args[:2] == ("container", "test")
    return False


def _is_snyk_code(simple: Simple) -> bool:
    return simple.program == "snyk" and simple.args[:2] == ("code", "test")


SNYK_ACTIONS = "snyk/actions/"


def snyk_action_family(action: ActionRef, step: Step) -> str | None:
    """What a Snyk action (``snyk/actions/<language>``) scans, by its ``command`` input
    (``test`` by default): ``deps`` for ``test``, ``sast`` for ``code test``,
    ``image-scan`` for ``container test`` or the docker action; None otherwise (setup,
    monitor, iac)."""
    if not action.name.startswith(SNYK_ACTIONS):
        return None
    variant = action.name[len(SNYK_ACTIONS):]
    command = " ".join(str(step.with_.get("command") or "test").split())
    if variant in ("setup", "iac") or command.startswith(("iac", "monitor")):
        return None
    if variant == "docker" or command.startswith("container"):
        return "image-scan"
    if command.startswith("code"):
        return "sast"
    return "deps" if command.startswith("test") else None


def _is_coverage_upload(simple: Simple) -> bool:
    return simple.program in ("codecov", "coveralls", "codecovcli") or (
        simple.program == "curl" and any("codecov" in a for a in simple.args))


def _is_coverage_report(simple: Simple) -> bool:
    return simple.program == "coverage" and simple.args[:1] == ("report",)


@dataclass(frozen=True)
class ToolSpec:
    """How to recognise a tool: a command, pre-commit hook ids, Marketplace actions."""

    name: str
    family: str
    command: Callable[[Simple], bool]
    hook_ids: frozenset[str] = frozenset()
    actions: tuple[str, ...] = ()  # owner/repo[/path] prefixes, lower case
    snyk: bool = False  # a Snyk action whose command scans this family counts


TESTS = ToolSpec("pytest", "test", _is_test)
LINT = ToolSpec("lint", "lint", _is_lint, frozenset({
    "ruff", "ruff-check", "ruff-format", "black", "black-jupyter", "flake8", "isort",
    "pylint", "pycodestyle", "pyflakes"}), (
    "astral-sh/ruff-action", "chartboost/ruff-action", "psf/black", "py-actions/flake8",
    "jamescurtin/isort-action", "isort/isort-action", "ricardochaves/python-lint",
    "suo/flake8-github-action", "wearerequired/lint-action", "reviewdog/action-flake8",
    "reviewdog/action-black", "trunk-io/trunk-action", "super-linter/super-linter",
    "github/super-linter"))
TYPECHECK = ToolSpec("type check", "typecheck", _is_typecheck,
                     frozenset({"mypy", "pyright", "basedpyright"}),
                     ("jakebailey/pyright-action", "tsuyoshicho/action-mypy"))
BANDIT = ToolSpec("bandit", "sast", _is_bandit, frozenset({"bandit"}),
                  ("pycqa/bandit-action", "mdegis/bandit-action", "jpetrucciani/bandit-check",
                   "tj-actions/bandit", "shundor/python-bandit-scan"))
CODEQL = ToolSpec("CodeQL", "sast", _is_codeql, frozenset(),
                  ("github/codeql-action/analyze", "github/codeql-action/init"))
SEMGREP = ToolSpec("semgrep", "sast", _is_semgrep, frozenset({"semgrep"}),
                   ("returntocorp/semgrep-action", "semgrep/semgrep-action"))
SNYK_CODE = ToolSpec("Snyk Code", "sast", _is_snyk_code, snyk=True)
# its pre-commit hook id ("checkov") does not say which frameworks it scans: a hook counts
# only with a SAST framework in its arguments (read as the command its id names; SEC004)
CHECKOV_SAST = ToolSpec("checkov (SAST)", "sast", is_checkov_sast)
GITLEAKS = ToolSpec("gitleaks", "secrets", _is_gitleaks,
                    frozenset({"gitleaks", "gitleaks-docker", "gitleaks-system"}),
                    ("gitleaks/gitleaks-action", "zricethezav/gitleaks-action"))
TRUFFLEHOG = ToolSpec("trufflehog", "secrets", _is_trufflehog, frozenset({"trufflehog"}),
                      ("trufflesecurity/trufflehog",))
DETECT_SECRETS = ToolSpec("detect-secrets", "secrets", _is_detect_secrets,
                          frozenset({"detect-secrets"}), ("reviewdog/action-detect-secrets",))
OTHER_SECRETS = ToolSpec("ggshield/git-secrets", "secrets", _is_other_secrets,
                         frozenset({"ggshield", "git-secrets"}),
                         ("gitguardian/ggshield-action", "gitguardian/ggshield/actions"))
PIP_AUDIT = ToolSpec("pip-audit", "deps", _is_pip_audit, frozenset({"pip-audit"}),
                     ("pypa/gh-action-pip-audit",))
SAFETY = ToolSpec("safety", "deps", _is_safety,
                  frozenset({"python-safety-dependencies-check", "safety"}),
                  ("pyupio/safety-action", "pyupio/safety", "aufdenpunkt/python-safety-check"))
DEP_SCANNERS = ToolSpec("dependency scanner", "deps", _is_dep_scanner, frozenset(),
                        ("google/osv-scanner-action", "actions/dependency-review-action"),
                        snyk=True)
IMAGE_SCAN = ToolSpec("image scan", "image-scan", _is_image_scan, frozenset(),
                      ("aquasecurity/trivy-action", "anchore/scan-action",
                       "docker/scout-action", "crazy-max/ghaction-container-scan",
                       "azure/container-scan"), snyk=True)
COVERAGE_UPLOAD = ToolSpec("coverage upload", "coverage-upload", _is_coverage_upload,
                           frozenset(), (
                               "codecov/codecov-action", "coverallsapp/github-action",
                               "py-cov-action/python-coverage-comment-action",
                               "orgoro/coverage", "mishakav/pytest-coverage-comment",
                               "irongut/codecoveragesummary", "5monkeys/cobertura-action"))
COVERAGE_REPORT = ToolSpec("coverage report", "coverage", _is_coverage_report)
# a polyglot repository's CI is still CI with tests and lint: the tests and linters of
# other languages count for CI002/CI003/CI007 (never for Python-only rules: the Python
# matrix, the pytest coverage gate)
OTHER_TESTS = ToolSpec("tests (other languages)", "test", _is_other_test)
OTHER_LINT = ToolSpec("lint (other languages)", "lint", _is_other_lint,
                      frozenset({"eslint", "golangci-lint", "go-vet", "go-fmt", "prettier",
                                 "shellcheck", "rubocop", "clippy", "tflint"}),
                      ("golangci/golangci-lint-action", "reviewdog/action-eslint",
                       "reviewdog/action-golangci-lint", "reviewdog/action-shellcheck",
                       "ludeeus/action-shellcheck", "actions-rs/clippy-check",
                       "creyd/prettier_action", "sibiraj-s/action-eslint"))
ALL_TESTS = (TESTS, OTHER_TESTS)
ALL_LINT = (LINT, OTHER_LINT)
SECRET_TOOLS = (GITLEAKS, TRUFFLEHOG, DETECT_SECRETS, OTHER_SECRETS)
SAST_TOOLS = (BANDIT, CODEQL, SEMGREP, SNYK_CODE, CHECKOV_SAST)
DEP_TOOLS = (PIP_AUDIT, SAFETY, DEP_SCANNERS)
# flags after which a tool always exits 0
_EXIT_ZERO = {"flake8": ("--exit-zero",), "pylint": ("--exit-zero",),
              "ruff": ("--exit-zero",), "bandit": ("--exit-zero",),
              "safety": ("--continue-on-error",), "semgrep": (),
              "checkov": ("--soft-fail",)}


def exit_zero(simple: Simple) -> T | None:
    """Why ``simple`` exits 0 whatever it finds, if it does."""
    for flag in _EXIT_ZERO.get(simple.program, ()):
        if flag in simple.args:
            return T.same(flag)
    if simple.program == "trivy" and simple.args[:1] in (("image",), ("i",), ("fs",),
                                                          ("config",), ("repo",)):
        code = option(simple.args, "--exit-code")
        if code == "0":
            return T.same("--exit-code 0")
        if code is None:
            return T("no --exit-code (trivy exits 0)", "sin --exit-code (trivy sale con 0)")
    if simple.program == "grype" and option(simple.args, "--fail-on", "-f") is None:
        return T("no --fail-on (grype exits 0)", "sin --fail-on (grype sale con 0)")
    if simple.program == "semgrep" and simple.args[:1] != ("ci",) and \
            "--error" not in simple.args:
        return T("no --error (semgrep scan exits 0)", "sin --error (semgrep scan sale con 0)")
    if simple.program == "detect-secrets" and simple.args[:1] == ("scan",):
        return T("detect-secrets scan only writes a baseline",
                 "detect-secrets scan solo escribe una baseline")
    return None


def option(args: Iterable[str], *names: str) -> str | None:
    items = list(args)
    for i, arg in enumerate(items):
        for name in names:
            if arg == name and i + 1 < len(items):
                return items[i + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def action_blocking(action: ActionRef, step: Step) -> T | None:
    """Why a scanning action never fails the build, if it does not."""
    name = action.name
    if name.startswith("aquasecurity/trivy-action"):
        code = str(step.with_.get("exit-code", "0")).strip("'\" ")
        return None if code not in ("0", "") else T("exit-code is 0 (the default)",
                                                    "exit-code es 0 (el valor por defecto)")
    flags = {"anchore/scan-action": ("fail-build", "false"),
             "hadolint/hadolint-action": ("no-fail", "true"),
             "pyupio/safety": ("continue-on-error", "true")}
    for prefix, (key, value) in flags.items():
        if name.startswith(prefix) and str(step.with_.get(key, "")).lower() == value:
            return T.same(f"{key}: {value}")
    return None
