"""The level model's data-driven evidence (rules/phases.yaml): presence by a file's
content and by a rule at one level, requirements, and criteria claimed by components."""

from __future__ import annotations

from collections.abc import Iterable

from mlops_lint.catalog import Catalog
from mlops_lint.maturity import assess
from mlops_lint.model import Result, Status, T
from mlops_lint.presence import Inventory


def rows(catalog: Catalog, phase: int, status: Status,
         skip: Iterable[str] = ()) -> list[Result]:
    """One result per criterion of the phase, every one with ``status`` (rules whose id
    starts with a prefix in ``skip`` fail instead)."""
    out = []
    for rule in catalog.rules:
        if rule.phase != phase:
            continue
        for crit in rule.levels:
            st = Status.FAIL if any(rule.id.startswith(p) for p in skip) else status
            out.append(Result(rule.id, phase, crit.level, crit.gate, crit.effective_weight,
                              st, rule.severity, ".", None, None, T.same("m"), T.same("f"),
                              rule.title.t()))
    return out


def inventory(files: dict[str, str]) -> Inventory:
    return Inventory(tuple(files), {".": tuple(files)}, lambda p: len(files.get(p, "")),
                     lambda p: files.get(p, ""))


def level(catalog: Catalog, results: list[Result], files: dict[str, str], phase: int) -> int:
    return assess(results, catalog, ["."], inventory(files)).phases[phase - 1].level


def test_a_model_endpoint_declared_in_terraform_is_phase5_presence(catalog: Catalog) -> None:
    endpoint = {"infra/main.tf": 'resource "aws_sagemaker_endpoint" "e" {}\n'}
    plain = {"infra/main.tf": 'resource "aws_s3_bucket" "b" {}\n'}
    failing = rows(catalog, 5, Status.FAIL)
    report = assess(failing, catalog, ["."], inventory(endpoint)).phases[4]
    assert report.level == 1
    assert [(e.artefact, e.ref) for e in report.presence] == [("managed_endpoint",
                                                                "infra/main.tf")]
    assert level(catalog, failing, plain, 5) == 0


def test_phase5_level3_needs_a_ci_job_that_deploys(catalog: Catalog) -> None:
    passing = rows(catalog, 5, Status.PASS)
    deploy = {".github/workflows/cd.yml": "jobs:\n  d:\n    steps:\n"
                                          "      - run: helm upgrade --install api chart/\n"}
    build = {".github/workflows/ci.yml": "jobs:\n  b:\n    steps:\n"
                                         "      - run: docker build -t api .\n"}
    assert level(catalog, passing, deploy, 5) == 3
    report = assess(passing, catalog, ["."], inventory(build)).phases[4]
    assert report.level == 2
    assert report.reason is not None and "automated deployment" in report.reason.en


def test_criteria_of_an_absent_component_leave_phase6_ratio(catalog: Catalog) -> None:
    # Terraform thorough, no Kubernetes, no observability: the K8S and OBS criteria fail
    # but are about absent components, so "one thorough" reaches level 2, and level 3
    # names what is missing instead.
    results = rows(catalog, 6, Status.PASS, skip=("K8S", "OBS"))
    files = {"infra/main.tf": 'terraform {}\n'}
    report = assess(results, catalog, ["."], inventory(files)).phases[5]
    assert report.level == 2
    assert report.reason is not None and "all three" in report.reason.en
    assert not {b for b in report.blockers if b.startswith(("K8S", "OBS"))}
    counted = {c.rule for d in report.details for c in d.criteria}
    assert not {r for r in counted if r.startswith(("K8S", "OBS"))}


def test_a_rule_at_one_level_is_presence_evidence(catalog: Catalog) -> None:
    # GIT002@2 (mostly conventional commits) is a "releases or conventions" artefact;
    # GIT002 passing only at level 1 (a few conventional commits) is not.
    def git002(levels: dict[int, Status]) -> list[Result]:
        rule = catalog.by_id("GIT002")
        assert rule is not None
        return [Result("GIT002", 2, lvl, False, 1.0, st, "error", ".", None, None,
                       T.same("m"), T.same("f"), rule.title.t()) for lvl, st in levels.items()]

    mostly = assess(git002({1: Status.PASS, 2: Status.PASS, 3: Status.FAIL}), catalog, ["."],
                    inventory({})).phases[1]
    assert ("releases", "rule", "GIT002@2") in {(e.artefact, e.kind, e.ref)
                                                for e in mostly.presence}
    few = assess(git002({1: Status.PASS, 2: Status.FAIL, 3: Status.FAIL}), catalog, ["."],
                 inventory({})).phases[1]
    assert few.level == 0 and not few.presence


def test_a_file_named_like_a_test_is_a_test_only_if_it_tests(catalog: Catalog) -> None:
    """``test_endpoint.py`` that only prints responses, or cookiecutter's
    ``test_environment.py`` that checks the interpreter, is no test; a pytest function, a
    Go ``func TestX``, a Jest ``it(...)`` or a bare assertion is."""
    failing = rows(catalog, 3, Status.FAIL)
    script = {"test_endpoint.py": "import boto3\nprint(boto3.client('s').invoke())\n"}
    assert level(catalog, failing, script, 3) == 0
    for name, text in (("tests/test_api.py", "def test_ok():\n    pass\n"),
                       ("check_test.py", "assert 1 + 1 == 2\n"),
                       ("pkg/api_test.go", "func TestHealth(t *testing.T) {}\n"),
                       ("web/app.test.ts", "it('renders', () => {})\n"),
                       ("src/test/java/ApiTest.java", "@Test\nvoid health() {}\n")):
        assert level(catalog, failing, {name: text}, 3) == 1, name


def test_files_in_a_templates_folder_are_evidence_only_in_a_scaffold(catalog: Catalog) -> None:
    """``docs/templates/docker-compose.yml`` is a template for readers to copy; the same
    file in the scaffold folder a template repository's project lives in is the
    project's own."""
    failing = rows(catalog, 5, Status.FAIL)
    compose = "services:\n  api:\n    image: api\n"
    files = {"docs/templates/docker-compose.yml": compose}
    assert level(catalog, failing, files, 5) == 0
    scaffold = Inventory(tuple(files), {".": tuple(files)}, lambda p: len(compose),
                         lambda p: compose, scaffolds=("docs/templates",))
    assert assess(failing, catalog, ["."], scaffold).phases[4].level == 1
    assert level(catalog, failing, {"deploy/docker-compose.yml": compose}, 5) == 1


def test_documented_rollback_alone_is_no_deployment(catalog: Catalog) -> None:
    """DEP002's level-3 result (a rollback procedure documented with a command) passing
    while no deployment descriptor exists (its level-2 result fails) is no presence."""
    rule = catalog.by_id("DEP002")
    assert rule is not None

    def dep002(l2: Status) -> list[Result]:
        return [Result("DEP002", 5, lvl, False, 1.0, st, "error", ".", None, None,
                       T.same("m"), T.same("f"), rule.title.t())
                for lvl, st in ((2, l2), (3, Status.PASS))]

    assert assess(dep002(Status.FAIL), catalog, ["."], inventory({})).phases[4].level == 0
    assert assess(dep002(Status.PASS), catalog, ["."], inventory({})).phases[4].level >= 1


def test_phase5_level2_needs_a_containerised_or_automated_deployment(catalog: Catalog) -> None:
    """levels.md, phase 5: level 2 is an API with predict and health *and* a containerised
    or CD deployment. A Dockerfile is that evidence but, alone, no serving app (it does
    not make level 1)."""
    passing = rows(catalog, 5, Status.PASS, skip=("DEP",))  # no deployment descriptor
    app_only = assess(passing, catalog, ["."], inventory({})).phases[4]
    assert app_only.level == 1
    assert app_only.reason is not None and "containerised" in app_only.reason.en
    for files in ({"Dockerfile": "FROM python:3.12\n"},
                  {".github/workflows/serve.yml": "jobs:\n  d:\n    steps:\n      - run: "
                                                  "anyscale service rollout -f s.yaml\n"}):
        assert assess(passing, catalog, ["."], inventory(files)).phases[4].level >= 2, files
    failing = rows(catalog, 5, Status.FAIL)
    assert level(catalog, failing, {"Dockerfile": "FROM python:3.12\n"}, 5) == 0
