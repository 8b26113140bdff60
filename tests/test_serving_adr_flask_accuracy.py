"""Accuracy of the serving rules on real stacks: DEP001 reads the decision records DES001
reads (RFC/KEP-style proposals included), and API001 credits a validated Flask service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result
from mlops_lint.readers.adr import is_record
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


# serving code: something is deployed, so DEP001 has a subject
SERVED = {"src/svc/api.py": "from fastapi import FastAPI\napp = FastAPI()\n"}


def test_dep001_reads_rfc_style_proposals_as_des001_does(make_repo: Maker,
                                                         results_for: Results) -> None:
    root = make_repo(project({"proposals/oci-integration.md": PROPOSAL, **SERVED,
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
                                          "rfcs/README.md": "Kubernetes vs Cloud Run, cost\n",
                                          **SERVED})),
                       "DEP001")
    assert statuses(rows) == ["fail"]
    assert "no ADR or design record found" in rows[0].message.en
    assert "proposals/" in rows[0].message.en  # says where it looked


def test_dep001_real_vm_still_counts(make_repo: Maker, results_for: Results) -> None:
    adr = "# ADR-1\n## Decision\nA VM with docker compose rather than Kubernetes: lower cost.\n"
    rows = results_for(make_repo(project({"docs/adr/0001-deploy.md": adr, **SERVED})),
                       "DEP001")
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


# -- API001: a model served with another web framework earns the credit -------------------

FLASK_PREDICT = """\
import pickle

from flask import Flask, jsonify, request

with open("model.bin", "rb") as f:
    model = pickle.load(f)

app = Flask(__name__)


@app.route("/predict", methods=["POST"])
def predict():
    return jsonify({"duration": float(model.predict([request.get_json()])[0])})
"""
MARSHMALLOW = """\
from marshmallow import Schema, fields


class Ride(Schema):
    distance = fields.Float(required=True)
"""
PLAIN = '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["flask"]\n'


def flask_project(files: dict[str, str]) -> dict[str, str]:
    return {"pyproject.toml": PLAIN, "src/svc/__init__.py": "", **files}


def test_api001_flask_model_service_passes_with_advice(make_repo: Maker,
                                                      results_for: Results) -> None:
    rows = results_for(make_repo(flask_project({"src/svc/web.py": FLASK_PREDICT})), "API001")
    assert statuses(rows) == ["pass"]
    text = rows[0].message.en
    assert text.startswith("Flask service (src/svc/web.py:8) serving a model: prediction "
                           "route POST /predict at src/svc/web.py:11"), text
    assert "no request validation library (pydantic, marshmallow, webargs...) is imported" \
        in text and "well-known equivalent" in text
    assert rows[0].fix is not None and "pydantic" in rows[0].fix.en


def test_api001_flask_with_validation_names_it(make_repo: Maker,
                                               results_for: Results) -> None:
    root = make_repo(flask_project({"src/svc/web.py": FLASK_PREDICT,
                                    "src/svc/schemas.py": MARSHMALLOW}))
    rows = results_for(root, "API001")
    assert statuses(rows) == ["pass"]
    assert "validated with marshmallow (imported at src/svc/schemas.py:1)" in rows[0].message.en
    assert rows[0].fix is not None and "OpenAPI" in rows[0].fix.en


def test_api001_flask_model_used_without_predict_route(make_repo: Maker,
                                                       results_for: Results) -> None:
    """Edge: the route is not named for prediction, but its handler runs the model: it is
    the prediction route whatever its path."""
    code = FLASK_PREDICT.replace('"/predict"', '"/duration"')
    rows = results_for(make_repo(flask_project({"src/svc/web.py": code})), "API001")
    assert statuses(rows) == ["pass"]
    assert "prediction route POST /duration at src/svc/web.py" in rows[0].message.en
    assert "(its handler predict calls " in rows[0].message.en


def test_api001_flask_without_a_model_still_warns(make_repo: Maker,
                                                  results_for: Results) -> None:
    web = ("from flask import Flask\napp = Flask(__name__)\n\n\n@app.route('/cart')\n"
           "def cart():\n    return 'ok'\n")
    rows = results_for(make_repo(flask_project({"src/svc/web.py": web})), "API001")
    assert statuses(rows) == ["warn"]
    assert "no prediction route and the project's modules load no model" in rows[0].message.en
