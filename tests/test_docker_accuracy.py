"""Docker findings say only what the evidence shows: absences reported once, CI job images
not judged as services, compose stacks found wherever they build the project, messages
and fixes built from what the Dockerfile and its context hold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

Runner = Callable[..., list[Result]]
Maker = Callable[..., Path]


def _of(results: list[Result], rule: str, level: int | None = None) -> list[Result]:
    return [r for r in results if r.rule == rule and (level is None or r.level == level)]


# -- an absence is reported once (DOCK001) --------------------------------------------

TEMPLATE = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"


def test_only_template_dockerfiles_skip_the_content_rules(make_repo: Maker,
                                                           results_for: Runner) -> None:
    root = make_repo({"README.md": "# guide\n", "docs/index.md": "# guide\n",
                      "docs/templates/Dockerfile": TEMPLATE,
                      "docs/templates/Dockerfile_template": TEMPLATE})
    results = results_for(root, "DOCK")
    assert set(statuses(_of(results, "DOCK001"))) == {"fail"}
    assert "only templates" in _of(results, "DOCK001")[0].message.en
    for rule in ("DOCK002", "DOCK003", "DOCK004", "DOCK005", "DOCK006", "DOCK007",
                 "DOCK008", "DOCK009"):
        found = _of(results, rule)
        assert found and set(statuses(found)) == {"skip"}, rule
        assert all("DOCK001" in r.message.en for r in found), rule


def test_a_real_dockerfile_is_judged(make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({"Dockerfile": "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r "
                                    "requirements.txt\nCMD [\"python\", \"app.py\"]\n",
                      "docs/templates/Dockerfile": TEMPLATE})
    assert "fail" in statuses(results_for(root, "DOCK007"))


# -- CI job images (DOCK005, DOCK006) ----------------------------------------------------

AGENT_DOCKERFILE = "FROM conda/miniconda3\nCOPY env.yml /setup/\nRUN conda env create -f " \
                   "/setup/env.yml\n"
AZURE_BUILD = """\
trigger: [main]
pool:
  vmImage: ubuntu-latest
variables:
  imageName: 'public/mlops/python'
steps:
  - task: Docker@2
    inputs:
      command: buildAndPush
      repository: '$(imageName)'
      dockerFile: '$(Build.SourcesDirectory)/environment_setup/Dockerfile'
"""
AZURE_CI = """\
resources:
  containers:
  - container: mlops
    image: myregistry.azurecr.io/mlops/python:latest
trigger: [main]
stages:
- stage: ci
  jobs:
  - job: test
    container: mlops
    steps:
    - script: pytest
"""


def test_an_azure_agent_image_is_not_a_service(make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({"environment_setup/Dockerfile": AGENT_DOCKERFILE,
                      "environment_setup/docker-image-pipeline.yml": AZURE_BUILD,
                      ".pipelines/ci.yml": AZURE_CI})
    for rule in ("DOCK005", "DOCK006"):
        found = results_for(root, rule)
        assert set(statuses(found)) == {"skip"}, rule
        assert "CI jobs run in" in found[0].message.en
        assert ".pipelines/ci.yml" in found[0].message.en


def test_dock001_ci_job_image_needs_no_workdir_expose_or_cmd(make_repo: Maker,
                                                            results_for: Runner) -> None:
    root = make_repo({"environment_setup/Dockerfile": AGENT_DOCKERFILE,
                      "environment_setup/docker-image-pipeline.yml": AZURE_BUILD,
                      ".pipelines/ci.yml": AZURE_CI})
    found = results_for(root, "DOCK001")
    assert statuses(found) == ["skip", "pass"], [r.message.en for r in found]
    assert "CI jobs run in" in found[0].message.en
    assert "WORKDIR, EXPOSE and a CMD or ENTRYPOINT are not asked for" in found[0].message.en
    assert "a CI job container, judged as one" in found[1].message.en


def test_dock001_ci_job_image_still_judges_what_it_declares(make_repo: Maker,
                                                             results_for: Runner) -> None:
    """Edge: a broken COPY or a shell-form CMD is a defect in any image."""
    broken = AGENT_DOCKERFILE + "COPY env.yml setup.cfg* /setup/ || true\nCMD conda run pytest\n"
    root = make_repo({"environment_setup/Dockerfile": broken,
                      "environment_setup/docker-image-pipeline.yml": AZURE_BUILD,
                      ".pipelines/ci.yml": AZURE_CI})
    found = results_for(root, "DOCK001")
    assert sorted(statuses(found)) == ["fail", "fail", "skip"], [r.message.en for r in found]
    assert any("shell operators" in r.message.en for r in found)
    assert any("shell form" in r.message.en for r in found)


def test_dock001_same_image_not_used_by_ci_is_judged_as_a_service(make_repo: Maker,
                                                                 results_for: Runner) -> None:
    root = make_repo({"environment_setup/Dockerfile": AGENT_DOCKERFILE,
                      "environment_setup/docker-image-pipeline.yml": AZURE_BUILD})
    found = results_for(root, "DOCK001")
    assert "fail" in statuses(found)
    assert any("has no CMD or ENTRYPOINT" in r.message.en for r in found)


def test_a_github_container_job_image(make_repo: Maker, results_for: Runner) -> None:
    workflow = """\
on: [push]
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          file: ci/Dockerfile
          tags: ghcr.io/acme/ci-runner:latest
  test:
    runs-on: ubuntu-latest
    container: ghcr.io/acme/ci-runner:latest
    steps:
      - run: pytest
"""
    root = make_repo({"ci/Dockerfile": AGENT_DOCKERFILE, ".github/workflows/ci.yml": workflow})
    assert set(statuses(results_for(root, "DOCK005"))) == {"skip"}


def test_a_service_image_built_in_ci_is_still_judged(make_repo: Maker,
                                                     results_for: Runner) -> None:
    # CI builds the Dockerfile, but its jobs run in an unrelated public image
    workflow = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    container: python:3.11
    steps:
      - run: docker build -f docker/Dockerfile -t acme/api .
"""
    root = make_repo({"docker/Dockerfile": AGENT_DOCKERFILE,
                      ".github/workflows/ci.yml": workflow})
    assert set(statuses(results_for(root, "DOCK005"))) == {"fail"}


def test_a_ci_image_name_alone_is_not_enough(make_repo: Maker, results_for: Runner) -> None:
    # the job container has the same name, but no CI file builds this Dockerfile
    root = make_repo({"environment_setup/Dockerfile": AGENT_DOCKERFILE,
                      ".pipelines/ci.yml": AZURE_CI})
    assert set(statuses(results_for(root, "DOCK005"))) == {"fail"}


# -- compose stacks that build the project (DOCK011) --------------------------------------

PROJECT_COMPOSE = """\
services:
  api:
    build: .
    ports: ["8000:8000"]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
"""
ROOT_COMPOSE = """\
services:
  mlflow:
    image: ghcr.io/mlflow/mlflow:v2.14.1
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:5000/health"]
    networks: [ml]
  churn:
    build:
      context: ./churn
    ports: ["8001:8000"]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
    depends_on:
      mlflow:
        condition: service_healthy
    volumes:
      - ./churn/models:/app/models:ro
    networks: [ml]
networks:
  ml: {}
"""
PROJECT = {"pyproject.toml": "[project]\nname = 'x'\nversion = '0.1'\n",
           "src/x/__init__.py": "", "src/x/api.py": "import fastapi\n",
           "Dockerfile": TEMPLATE}


def _monorepo(extra: dict[str, str]) -> dict[str, str]:
    files = {f"churn/{k}": v for k, v in PROJECT.items()}
    files.update({f"fraud/{k}": v for k, v in PROJECT.items()})
    files["churn/docker-compose.yml"] = PROJECT_COMPOSE
    files.update(extra)
    return files


def test_a_root_stack_building_the_project_counts(make_repo: Maker,
                                                  results_for: Runner) -> None:
    root = make_repo(_monorepo({"docker-compose.yml": ROOT_COMPOSE}))
    results = [r for r in results_for(root, "DOCK011") if r.project == "churn"]
    assert set(statuses(results, 3)) == {"pass"}


def test_without_the_root_stack_the_project_stack_is_judged_alone(
        make_repo: Maker, results_for: Runner) -> None:
    root = make_repo(_monorepo({}))
    results = [r for r in results_for(root, "DOCK011") if r.project == "churn"]
    assert set(statuses(results, 3)) == {"fail"}


def test_a_root_stack_of_another_project_does_not_count(make_repo: Maker,
                                                        results_for: Runner) -> None:
    other = ROOT_COMPOSE.replace("./churn", "./fraud")
    root = make_repo(_monorepo({"docker-compose.yml": other}))
    results = [r for r in results_for(root, "DOCK011") if r.project == "churn"]
    assert set(statuses(results, 3)) == {"fail"}


# -- messages say what the evidence shows -----------------------------------------------


def test_dockerignore_message_lists_the_context(make_repo: Maker, results_for: Runner) -> None:
    small = make_repo({"svc/Dockerfile": TEMPLATE, "svc/app.py": "print(1)\n",
                       "svc/requirements.txt": "flask\n"})
    message = results_for(small, "DOCK002")[0].message.en
    assert "all 3 files" in message
    assert "none is data, a virtualenv or a secret" in message
    assert ".git" not in message
    loaded = make_repo({"svc/Dockerfile": TEMPLATE, "svc/app.py": "print(1)\n",
                        "svc/data/train.csv": "a\n1\n", "svc/.env": "X=1\n"})
    message = results_for(loaded, "DOCK002")[0].message.en
    assert "data/ (1 file)" in message and "secrets (.env) (1 file)" in message


def test_single_stage_message_names_only_what_fails(make_repo: Maker,
                                                    results_for: Runner) -> None:
    clean = """\
FROM python:3.12-slim
WORKDIR /app
RUN --mount=type=cache,target=/var/cache/apt apt-get update && \\
    apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "app.py"]
"""
    message = results_for(make_repo({"Dockerfile": clean}), "DOCK004")[0]
    assert message.status.value == "fail"
    assert "cache" not in message.message.en
    dirty = clean.replace("--no-cache-dir ", "").replace("git", "gcc")
    message = results_for(make_repo({"Dockerfile": dirty}), "DOCK004")[0].message.en
    assert "build tooling (gcc)" in message and "package caches (RUN at line 6)" in message


def test_base_image_env_is_known(make_repo: Maker, results_for: Runner) -> None:
    dockerfile = ("FROM pytorch/torchserve:0.12.0-cpu\nWORKDIR /home/model-server\n"
                  "COPY model.mar model-store/\nCMD [\"torchserve\", \"--start\"]\n")
    found = results_for(make_repo({"Dockerfile": dockerfile}), "DOCK008")
    assert statuses(found) == ["fail"]
    assert "does not set PYTHONDONTWRITEBYTECODE (its base" in found[0].message.en
    assert "PYTHONUNBUFFERED" not in found[0].fix.en
    both = dockerfile.replace("WORKDIR", "ENV PYTHONDONTWRITEBYTECODE=1\nWORKDIR")
    assert statuses(results_for(make_repo({"Dockerfile": both}), "DOCK008")) == ["pass"]


def test_exec_form_fix_keeps_shell_expansion(make_repo: Maker, results_for: Runner) -> None:
    dockerfile = ("FROM python:3.11-slim\nWORKDIR /app\nEXPOSE 8089\nENTRYPOINT locust "
                  "--host=\"http://${FRONTEND_ADDR}\" -u \"${USERS:-10}\" 2>&1\n")
    found = [r for r in results_for(make_repo({"Dockerfile": dockerfile}), "DOCK001")
             if r.status.value == "fail"]
    assert len(found) == 1
    assert 'ENTRYPOINT ["/bin/sh", "-c", "exec locust' in found[0].fix.en
    plain = dockerfile.replace("ENTRYPOINT locust --host=\"http://${FRONTEND_ADDR}\" -u "
                               "\"${USERS:-10}\" 2>&1", "CMD uvicorn app:app --port 8089")
    found = [r for r in results_for(make_repo({"Dockerfile": plain}), "DOCK001")
             if r.status.value == "fail"]
    assert 'CMD ["uvicorn", "app:app", "--port", "8089"]' in found[0].fix.en
    chained = plain.replace("CMD uvicorn", "CMD python migrate.py && uvicorn")
    found = [r for r in results_for(make_repo({"Dockerfile": chained}), "DOCK001")
             if r.status.value == "fail"]
    assert "entrypoint script" in found[0].fix.en


DISTROLESS_GO = """\
FROM golang:1.24 AS builder
WORKDIR /app
COPY . .
RUN CGO_ENABLED=0 go build -o /exporter
FROM gcr.io/distroless/base-debian11
WORKDIR /
COPY --from=builder /exporter /exporter
USER nonroot:nonroot
CMD ["/exporter"]
"""


def test_healthcheck_skips_an_image_that_serves_nothing(make_repo: Maker,
                                                        results_for: Runner) -> None:
    found = results_for(make_repo({"Dockerfile": DISTROLESS_GO, "main.go": "package main\n"}),
                        "DOCK006")
    assert set(statuses(found)) == {"skip"}
    assert "nothing shows a server" in found[0].message.en
    assert "a Go program (main.go)" in found[0].message.en
    # the same image whose code listens is a server without a HEALTHCHECK
    server = {"Dockerfile": DISTROLESS_GO,
              "main.go": 'package main\nfunc main() { http.ListenAndServe(":8080", nil) }\n'}
    found = results_for(make_repo(server), "DOCK006")
    assert set(statuses(found)) == {"fail"}
    assert "no shell, curl or Python" in found[0].fix.en
    # a base that runs a web server (php:*-apache) serves without an EXPOSE of its own
    php = "FROM php:7.4-apache-buster\nCOPY . .\n"
    assert set(statuses(results_for(make_repo({"Dockerfile": php}), "DOCK006"))) == {"fail"}


def test_healthcheck_fix_fits_the_image(make_repo: Maker, results_for: Runner) -> None:
    served = DISTROLESS_GO.replace("USER", "EXPOSE 9090\nUSER")
    found = results_for(make_repo({"Dockerfile": served}), "DOCK006")
    assert set(statuses(found)) == {"fail"}
    fix = found[0].fix.en
    assert "python" not in fix and "no shell, curl or Python" in fix
    python = ("FROM python:3.11-slim\nWORKDIR /app\nEXPOSE 5000\n"
              "CMD [\"gunicorn\", \"-b\", \"0.0.0.0:5000\", \"app:app\"]\n")
    fix = results_for(make_repo({"Dockerfile": python}), "DOCK006")[0].fix.en
    assert "urllib.request" in fix and "localhost:5000/health" in fix
    # a Python server without EXPOSE is still expected to have a HEALTHCHECK
    hidden = python.replace("EXPOSE 5000\n", "")
    assert set(statuses(results_for(make_repo({"Dockerfile": hidden}), "DOCK006"))) == {"fail"}


def test_uv_accepts_pips_no_cache_flag(make_repo: Maker, results_for: Runner) -> None:
    dockerfile = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml .\n"
                  "RUN pip install --no-cache-dir uv && uv pip install --system "
                  "--no-cache-dir .\nCOPY src/ src/\nCMD [\"python\", \"-m\", \"app\"]\n")
    assert statuses(results_for(make_repo({"Dockerfile": dockerfile}), "DOCK007")) == ["pass"]
    cached = dockerfile.replace("--system --no-cache-dir", "--system")
    found = results_for(make_repo({"Dockerfile": cached}), "DOCK007")
    assert statuses(found) == ["fail"] and "uv at line 4" in found[0].message.en


# -- what the repository's deployment does with the image (third audit) ---------------

GO_SERVER = """\
FROM golang:1.22 AS builder
WORKDIR /src
COPY *.go ./
RUN go build -o /server
FROM gcr.io/distroless/static
COPY --from=builder /server /server
ENTRYPOINT ["/server"]
"""
GO_MAIN = ('package main\nimport ("net/http"; "os")\nfunc main() {\n'
           '  port := "8080"\n  if p := os.Getenv("PORT"); p != "" { port = p }\n'
           '  http.HandleFunc("/", hello)\n  http.ListenAndServe(":"+port, nil)\n}\n')
SKAFFOLD = """\
apiVersion: skaffold/v3
kind: Config
build:
  artifacts:
  - image: shipping
    context: src/shipping
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: shipping}
spec:
  selector: {matchLabels: {app: shipping}}
  template:
    metadata: {labels: {app: shipping}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
      - name: server
        image: shipping
        ports: [{containerPort: 50051}]
        readinessProbe: {grpc: {port: 50051}}
        livenessProbe: {grpc: {port: 50051}}
"""


def _go_service(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"src/shipping/Dockerfile": GO_SERVER, "src/shipping/main.go": GO_MAIN,
            **(extra or {})}


def test_deployment_running_the_image_as_non_root_turns_the_failure_into_a_warning(
        make_repo: Maker, results_for: Runner) -> None:
    root = make_repo(_go_service({"skaffold.yaml": SKAFFOLD, "k8s/shipping.yaml": DEPLOYMENT}))
    [result] = _of(results_for(root, "DOCK005"), "DOCK005")
    assert result.status.value == "warn"
    assert "the image defaults to root" in result.message.en
    assert "runs it as user 1000" in result.message.en and "k8s/shipping.yaml" in result.message.en
    assert "RUN useradd" not in str(result.fix.en if result.fix else "")  # distroless: no shell
    assert "USER 65532" in str(result.fix.en if result.fix else "")


def test_without_the_deployment_no_user_still_fails(make_repo: Maker,
                                                     results_for: Runner) -> None:
    root = make_repo(_go_service({"skaffold.yaml": SKAFFOLD,
                                  "k8s/shipping.yaml": DEPLOYMENT.replace(
                                      "runAsNonRoot: true, runAsUser: 1000",
                                      "runAsNonRoot: true")}))
    [result] = _of(results_for(root, "DOCK005"), "DOCK005")
    assert result.status.value == "fail"
    assert "the container runs as root" in result.message.en


def test_kubernetes_probes_of_the_deployment_count_as_the_health_check(
        make_repo: Maker, results_for: Runner) -> None:
    root = make_repo(_go_service({"skaffold.yaml": SKAFFOLD, "k8s/shipping.yaml": DEPLOYMENT}))
    results = _of(results_for(root, "DOCK006"), "DOCK006")
    assert statuses(results) == ["pass", "pass"]
    assert "readinessProbe grpc :50051" in results[0].message.en
    # an unrelated manifest (another image) does not count
    other = DEPLOYMENT.replace("image: shipping", "image: payments")
    root = make_repo(_go_service({"skaffold.yaml": SKAFFOLD, "k8s/shipping.yaml": other}))
    assert set(statuses(_of(results_for(root, "DOCK006"), "DOCK006"))) == {"fail"}


def test_a_grpc_server_gets_a_grpc_probe_and_its_own_port(make_repo: Maker,
                                                          results_for: Runner) -> None:
    grpc_main = ('package main\nimport "google.golang.org/grpc"\nfunc main() {\n'
                 '  lis, _ := net.Listen("tcp", ":50051")\n  s := grpc.NewServer()\n'
                 '  s.Serve(lis)\n}\n')
    root = make_repo({"svc/Dockerfile": GO_SERVER, "svc/main.go": grpc_main})
    results = _of(results_for(root, "DOCK006"), "DOCK006", 2)
    fix = str(results[0].fix.en if results[0].fix else "")
    assert "grpc_health_probe" in fix and "-addr=:50051" in fix
    assert "/health" not in fix and "8000" not in fix


def test_expose_and_healthcheck_fixes_use_the_port_and_route_the_code_serves(
        make_repo: Maker, results_for: Runner) -> None:
    ruby = ("FROM ruby:3.3-slim\nWORKDIR /usr/src/app\nCOPY Gemfile ./\nRUN bundle install\n"
            "COPY . ./\nCMD [\"ruby\", \"./app.rb\"]\n")
    app = ("require 'sinatra'\nset :bind, '0.0.0.0'\nset :port, ENV['PORT'] || '8080'\n"
           "get '/' do\n  'hi'\nend\n")
    root = make_repo({"ruby/Dockerfile": ruby, "ruby/app.rb": app, "ruby/Gemfile": "x\n"})
    results = results_for(root, "DOCK")
    expose = [r for r in _of(results, "DOCK001") if "EXPOSE" in r.message.en
              and r.status.value == "fail"]
    assert "EXPOSE 8080" in str(expose[0].fix.en if expose[0].fix else "")
    health = _of(results, "DOCK006", 2)[0]
    fix = str(health.fix.en if health.fix else "")
    assert "http://localhost:8080/ " in fix and "no health route" in fix
    assert "8000" not in fix


def test_unknown_port_is_said_generically(make_repo: Maker, results_for: Runner) -> None:
    text = "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n"
    root = make_repo({"Dockerfile": text, "server.js": "require('http').createServer(h)\n"
                                                       ".listen(process.argv[2])\n"})
    expose = [r for r in _of(results_for(root, "DOCK001"), "DOCK001")
              if r.status.value == "fail"]
    fix = str(expose[0].fix.en if expose[0].fix else "")
    assert "8000" not in fix and "ENV PORT nor its code shows it" in fix


def test_workdir_is_not_asked_when_every_copy_is_absolute_or_the_base_sets_it(
        make_repo: Maker, results_for: Runner) -> None:
    absolute = ("FROM rockylinux:8.9\nCOPY env /opt/env\nCOPY profile.sh /etc/profile.d/x.sh\n"
                "ENTRYPOINT [\"/bin/bash\", \"--rcfile\", \"/etc/profile\", \"-l\"]\n")
    results = _of(results_for(make_repo({"Dockerfile": absolute}), "DOCK001"), "DOCK001")
    assert not any("WORKDIR" in r.message.en and r.status.value == "fail" for r in results)
    assert not any("EXPOSE" in r.message.en and r.status.value == "fail" for r in results)
    torchserve = ("FROM pytorch/torchserve:0.12.0-cpu\nCOPY config.properties ./\n"
                  "COPY --from=0 /store /home/model-server/model-store\n")
    results = _of(results_for(make_repo({"Dockerfile": torchserve}), "DOCK001"), "DOCK001")
    assert "fail" not in statuses(results)
    assert any("/home/model-server" in r.message.en for r in results)
    assert any("runs its own server" in r.message.en for r in results)
    assert not any("nothing shows a service" in r.message.en for r in results)


def test_a_job_manifest_giving_the_command_replaces_cmd(make_repo: Maker,
                                                         results_for: Runner) -> None:
    job = ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: train}\nspec:\n  template:\n"
           "    spec:\n      restartPolicy: Never\n      containers:\n      - name: train\n"
           "        image: ${IMAGE_URI}\n        command: [python, train.py]\n")
    dockerfile = ("FROM python:3.11-slim\nWORKDIR /app\nCOPY train.py .\n"
                  "RUN pip install --no-cache-dir jax\n")
    root = make_repo({"train/Dockerfile": dockerfile, "train/train.py": "print(1)\n",
                      "train/job.yaml": job})
    results = results_for(root, "DOCK")
    assert "fail" not in statuses(_of(results, "DOCK001"))
    assert any("gives the command (python train.py)" in r.message.en
               for r in _of(results, "DOCK001"))
    assert set(statuses(_of(results, "DOCK006"))) == {"skip"}
    # without the manifest, the missing CMD fails with a generic fix (no uvicorn)
    root = make_repo({"train/Dockerfile": dockerfile, "train/train.py": "print(1)\n"})
    failing = [r for r in _of(results_for(root, "DOCK001"), "DOCK001")
               if r.status.value == "fail"]
    assert failing and "uvicorn" not in str(failing[0].fix.en if failing[0].fix else "")


def test_useradd_advice_fits_the_base(make_repo: Maker, results_for: Runner) -> None:
    alpine = "FROM alpine:3.22\nWORKDIR /app\nCOPY app .\nCMD [\"./app\"]\n"
    [result] = _of(results_for(make_repo({"Dockerfile": alpine}), "DOCK005"), "DOCK005")
    fix = str(result.fix.en if result.fix else "")
    assert "adduser -D -u 10001" in fix and "useradd" not in fix
    debian = alpine.replace("alpine:3.22", "debian:12-slim")
    [result] = _of(results_for(make_repo({"Dockerfile": debian}), "DOCK005"), "DOCK005")
    assert "useradd --create-home" in str(result.fix.en if result.fix else "")


def test_a_gpu_base_is_not_told_to_use_a_slim_python_base(make_repo: Maker,
                                                          results_for: Runner) -> None:
    text = ("FROM nvcr.io/nvidia/tensorflow:22.12-tf2-py3\nWORKDIR /app\nCOPY . .\n"
            "RUN pip install --no-cache-dir jax[cuda]==0.4.2\nCMD [\"python\", \"train.py\"]\n")
    [result] = _of(results_for(make_repo({"Dockerfile": text}), "DOCK003"), "DOCK003")
    assert result.status.value == "warn" and "GPU image" in result.message.en
    fix = str(result.fix.en if result.fix else "")
    assert "python:3.11-slim" not in fix and "runtime variant" in fix
    plain = text.replace("nvcr.io/nvidia/tensorflow:22.12-tf2-py3",
                         "continuumio/miniconda3:24.1.2-0").replace("jax[cuda]", "jax")
    [result] = _of(results_for(make_repo({"Dockerfile": plain}), "DOCK003"), "DOCK003")
    fix = str(result.fix.en if result.fix else "")
    # a conda base keeps its family: the fix is to pin or justify it, not python slim
    assert "Keep continuumio/miniconda3" in fix and "CUDA" not in fix


def test_no_dockerignore_message_and_fix_follow_what_copy_copies_and_the_stack(
        make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({"hello/Dockerfile": GO_SERVER, "hello/main.go": GO_MAIN})
    result = _of(results_for(root, "DOCK002"), "DOCK002", 1)[0]
    assert "COPY . puts them" not in result.message.en
    assert "no COPY copies the whole context" in result.message.en
    fix = str(result.fix.en if result.fix else "")
    # hello/ is not the repository root: no .git can be in that context
    assert "mlruns" not in fix and "notebooks" not in fix and ".git" not in fix
    assert ".env" in fix
    python = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    result = _of(results_for(make_repo({"Dockerfile": python}), "DOCK002"), "DOCK002", 1)[0]
    assert "COPY . . (line 3) puts them in the image" in result.message.en
    assert "mlruns" in str(result.fix.en if result.fix else "")
