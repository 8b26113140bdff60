"""The stage-aware Dockerfile parser: image references, heredocs, variables, stages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.dockerfile import (
    Dockerfile,
    DockerfileError,
    dockerfile_paths,
    dockerfiles,
    is_dockerfile,
    parse_dockerfile,
    parse_image,
    resolve,
    unresolved,
)
from mlops_lint.repo import Repo

DIGEST = "sha256:" + "b" * 64


@pytest.mark.parametrize(("ref", "registry", "path", "tag", "digest"), [
    ("python", None, "python", None, None),
    ("python:3.11-slim", None, "python", "3.11-slim", None),
    ("docker.io/library/python:3.11", "docker.io", "library/python", "3.11", None),
    ("localhost:5000/team/img", "localhost:5000", "team/img", None, None),
    ("localhost/team/img:1", "localhost", "team/img", "1", None),
    ("registry.example.com:443/a/b/c:v2", "registry.example.com:443", "a/b/c", "v2", None),
    (f"python:latest@{DIGEST}", None, "python", "latest", DIGEST),
    (f"gcr.io/distroless/python3@{DIGEST}", "gcr.io", "distroless/python3", None, DIGEST),
    ("team/img", None, "team/img", None, None),
])
def test_parse_image(ref: str, registry: str | None, path: str, tag: str | None,
                     digest: str | None) -> None:
    image = parse_image(ref)
    assert (image.registry, image.path, image.tag, image.digest) == (registry, path, tag, digest)
    assert str(image) == ref


def test_image_flags() -> None:
    assert parse_image("localhost:5000/team/img").untagged
    assert parse_image("localhost:5000/team/img").floating
    assert parse_image(f"python:latest@{DIGEST}").pinned
    assert not parse_image(f"python:latest@{DIGEST}").floating
    assert parse_image("python:latest").floating
    assert not parse_image("python:3.11").floating
    assert parse_image("docker.io/library/python:3").repository == "python"


def test_heredoc_followed_directly_by_instruction() -> None:
    df = parse_dockerfile("FROM python:3.11-slim\nRUN <<EOF\napt-get update\nuseradd app\nEOF\n"
                          "USER app\nCOPY <<-CFG /etc/app.conf\n\tkey=1\n\tCFG\nCMD [\"x\"]\n")
    cmds = [(i.cmd, i.line) for i in df.instructions]
    assert cmds == [("FROM", 1), ("RUN", 2), ("USER", 6), ("COPY", 7), ("CMD", 10)]
    run = df.instructions[1]
    assert run.heredoc == "apt-get update\nuseradd app"
    assert run.script == "apt-get update\nuseradd app"
    assert df.instructions[3].heredoc == "\tkey=1"


def test_heredoc_with_interpreter_and_quotes() -> None:
    df = parse_dockerfile("FROM alpine:3.19\nRUN <<'EOF' python3\nprint('<<NOT')\nEOF\n"
                          "RUN echo '<<NOPE'\n")
    assert df.instructions[1].heredoc == "print('<<NOT')"
    assert df.instructions[2].heredoc is None


def test_lower_case_and_continuations() -> None:
    df = parse_dockerfile("from python:3.11-slim as Base\nrun apt-get update \\\n\n"
                          "    && apt-get install -y curl\nfrom base\nuser 1000\n")
    assert [s.alias for s in df.stages] == ["Base", None]
    assert df.stages[1].parent == 0
    assert df.stages[0].find("RUN")[0].value.split() == [
        "apt-get", "update", "&&", "apt-get", "install", "-y", "curl"]
    assert df.final is df.stages[1] and df.stages[1].image is None


def test_variables_from_args_and_env() -> None:
    df = parse_dockerfile("ARG PY=3.11\nARG VARIANT\nFROM --platform=$BUILDPLATFORM "
                          "python:${PY}-${VARIANT:-slim} AS b\nARG PY\nENV HOME_DIR=/home/app\n"
                          "WORKDIR ${HOME_DIR}\nFROM b\nUSER $UNKNOWN\n")
    first, second = df.stages
    assert first.base == "python:3.11-slim" and first.platform == "$BUILDPLATFORM"
    assert first.find("WORKDIR")[0].value == "/home/app"
    assert second.env == {"HOME_DIR": "/home/app"}  # ENV is inherited, ARGs are not
    assert unresolved(second.find("USER")[0].value) == ["UNKNOWN"]
    assert resolve("${A:+set}${B:-dflt}", {"A": "1"}) == "setdflt"


def test_lineage_effective_and_stage_named() -> None:
    df = parse_dockerfile("FROM python:3.11-slim AS a\nUSER root\nHEALTHCHECK NONE\n"
                          "FROM a AS b\nUSER 1000\nFROM python:3.11-slim AS c\n"
                          "FROM b\nCOPY --from=c /x /x\n")
    final = df.final
    assert final is not None
    assert [s.name for s in df.lineage(final)] == ["3", "b", "a"]
    assert df.root(final).alias == "a"
    user = df.effective(final, "USER")
    assert user is not None and user.value == "1000"
    assert df.effective(final, "HEALTHCHECK") is not None
    assert df.stage_named("C") is df.stages[2] and df.stage_named("1") is df.stages[1]
    assert df.stage_named("9") is None
    assert final.find("COPY")[0].flags == {"from": "c"}


def test_exec_form_and_mounts() -> None:
    df = parse_dockerfile("FROM python:3.11-slim\nRUN --mount=type=cache,target=/root/.cache "
                          "pip install x\nCMD ['a']\nENTRYPOINT [\"a\", \"b\"]\n")
    run, cmd, entry = df.instructions[1:]
    assert run.mounts() == [{"type": "cache", "target": "/root/.cache"}]
    assert run.args == "pip install x"
    assert cmd.exec_form and cmd.exec_args is None
    assert entry.exec_args == ["a", "b"]


@pytest.mark.parametrize(("text", "line"), [
    ("FROM python:3.11-slim\nRUNN x\n", 2),
    ("RUN echo\nFROM x\n", 1),
    ("FROM python:3.11-slim\nRUN <<EOF\necho\n", 2),
    ("FROM a b\n", 1),
    ("FROM python:3.11-slim\nCOPY onlyone\n", 2),
    ("FROM python:3.11-slim\nHEALTHCHECK curl x\n", 2),
    ("FROM python:3.11-slim\nONBUILD FROM x\n", 2),
    ("FROM python:3.11-slim\nUSER\n", 2),
])
def test_parse_errors_carry_lines(text: str, line: int) -> None:
    with pytest.raises(DockerfileError) as info:
        parse_dockerfile(text)
    assert info.value.line == line


def test_no_from() -> None:
    with pytest.raises(DockerfileError):
        parse_dockerfile("# only a comment\n")


def test_discovery(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"Dockerfile": "FROM a:1\n", "svc/api.Dockerfile": "FROM a:1\n",
                      "svc/Dockerfile.gpu": "FROM a:1\n", "Containerfile": "FROM a:1\n",
                      "docs/Dockerfile.md": "# x\n", "Dockerfile.dockerignore": ".git\n",
                      "bad/Dockerfile": "FROM\n"})
    repo = Repo(root)
    assert sorted(dockerfile_paths(repo)) == ["Containerfile", "Dockerfile", "bad/Dockerfile",
                                              "svc/Dockerfile.gpu", "svc/api.Dockerfile"]
    assert not is_dockerfile("Dockerfile.j2")
    parsed = dockerfiles(repo)
    broken = [p for p in parsed if isinstance(p, ParseError)]
    assert [b.path for b in broken] == ["bad/Dockerfile"]
    good = [p for p in parsed if isinstance(p, Dockerfile)]
    assert {d.path for d in good} == {"Containerfile", "Dockerfile", "svc/Dockerfile.gpu",
                                      "svc/api.Dockerfile"}


def test_inline_comment_after_from_is_explained() -> None:
    with pytest.raises(DockerfileError, match="only at the beginning of a line"):
        parse_dockerfile("FROM python:3.11-slim AS builder   # the builder\n")
