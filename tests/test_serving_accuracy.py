"""Accuracy of the serving rules on real stacks: DEP001 reads the decision records DES001
reads (RFC/KEP-style proposals included), and API001 credits a validated Flask service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.checks._adr import is_record
from mlops_lint.model import Result
from mlops_lint.scaffold import scaffold
from test_phase5_api import project

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]

# -- one definition of where decision records live (DES001, DEP001, init) ----------------

PROPOSAL = """# OCI integration

## Summary
Deploy the stack on Oracle Cloud.

## Motivation
Users run on OCI.

## Proposal
Scripts that create an OKE (Oracle Kubernetes Engine) cluster; GPU shapes such as
VM.GPU.A10.1 for a single GPU.

## Drawbacks
One more provider to maintain.

## Alternatives
OCI Data Science model deployment as a managed path: less control, higher cost per hour.
"""


def test_dep001_reads_rfc_style_proposals_as_des001_does(make_repo: Maker,
                                                         results_for: Results) -> None:
    root = make_repo(project({"proposals/oci-integration.md": PROPOSAL,
                              "proposals/TEMPLATE.md": "# Title\n## Motivation\n## Proposal\n"
                                                       "Kubernetes vs Lambda: costs\n"}))
    des = [r for r in results_for(root, "DES001") if r.level == 2]
    assert statuses(des) == ["pass"] and des[0].path == "proposals/oci-integration.md"
    rows = results_for(root, "DEP001")
    assert statuses(rows) == ["pass"] and rows[0].path == "proposals/oci-integration.md"
    # the platforms the record weighs; an instance shape (VM.GPU...) is no VM platform
    assert "Kubernetes" in rows[0].message.en and "OCI Data Science" in rows[0].message.en
    assert "VM/EC2" not in rows[0].message.en


def test_dep001_template_alone_is_no_record(make_repo: Maker, results_for: Results) -> None:
    template = "# Title\n## Motivation\n## Proposal\nKubernetes vs Lambda: trade-offs, costs\n"
    rows = results_for(make_repo(project({"proposals/TEMPLATE.md": template,
                                          "rfcs/README.md": "Kubernetes vs Cloud Run, cost\n"})),
                       "DEP001")
    assert statuses(rows) == ["fail"]
    assert "no ADR or design record found" in rows[0].message.en
    assert "proposals/" in rows[0].message.en  # says where it looked


def test_dep001_real_vm_still_counts(make_repo: Maker, results_for: Results) -> None:
    adr = "# ADR-1\n## Decision\nA VM with docker compose rather than Kubernetes: lower cost.\n"
    rows = results_for(make_repo(project({"docs/adr/0001-deploy.md": adr})), "DEP001")
    assert statuses(rows) == ["pass"]
    assert "Kubernetes, VM/EC2" in rows[0].message.en


def test_init_counts_the_records_the_rules_count(make_repo: Maker) -> None:
    root = make_repo({"proposals/TEMPLATE.md": "# Title\n", "README.md": "# x\n"})
    adr = [o for o in scaffold(root, {1}, "en") if o.template.source == "adr.md"]
    assert adr[0].written  # a template is not a record: the ADR template is still needed
    root = make_repo({"rfcs/0001-serving.md": "# Serving\n"})
    adr = [o for o in scaffold(root, {1}, "en") if o.template.source == "adr.md"]
    assert not adr[0].written and "rfcs/0001-serving.md" in adr[0].reason.en


def test_is_record() -> None:
    assert is_record("proposals/oci.md") and is_record("docs/adr/0001-x.md")
    assert not is_record("proposals/TEMPLATE.md") and not is_record("docs/adr/README.md")
    assert not is_record("docs/decisions/0000-plantilla.md")
    assert not is_record("docs/adr/index.md")
