"""What the operations rules share: the code of a project plus, in a monorepo, the shared
code outside every project (OBS001-OBS003, OBS005, OBS006, OBS008), the logging config
files (OBS001, OBS002), whether the code serves requests (OBS002, OBS003), the Prometheus
alert rules of the repository (OBS004, OBS007) and the drift detectors (OBS005, OBS006).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.fastapi_app import Module, ServingModel, serving_model
from mlops_lint.parsers.yaml_file import line_of, load_yaml, load_yaml_rt
from mlops_lint.readers.project_files import shared_files
from mlops_lint.readers.unread import noted


def code_model(ctx: Context) -> ServingModel:
    files = [f for f in shared_files(ctx) if f.endswith(".py")]
    return serving_model(ctx.repo, files, ctx.project.path)


def calls(model: ServingModel) -> Iterator[tuple[Module, str, ast.Call]]:
    for module in model.modules.values():
        for qual, call in module.calls():
            yield module, qual, call


def last(qual: str) -> str:
    return qual.rsplit(".", 1)[-1]


LOGGING_CONFIG_FILES = ("**/logging*.yaml", "**/logging*.yml", "**/logging*.conf",
                        "**/logging*.ini", "**/logging*.json", "**/log_config*.y*ml")


def service_of(model: ServingModel) -> str | None:
    """Where the project's code serves requests (a web app or its routes), or None: a
    request id only has a subject in a service."""
    if model.apps:
        app = model.apps[0]
        return f"{app.framework} app ({app.path}:{app.line})"
    if model.routes:
        route = model.routes[0]
        return f"route {route.path} ({route.file}:{route.line})"
    return None


def yaml_docs(ctx: Context, needles: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """YAML documents of files whose text contains one of ``needles`` (Helm templates out)."""
    for path in ctx.files(["**/*.yml", "**/*.yaml"]):
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or not any(n in text for n in needles) or "{{ ." in text:
            continue
        docs = noted(ctx.repo.yaml_all(path))
        if isinstance(docs, ParseError):
            continue
        for doc in docs:
            yield path, doc
            if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" and isinstance(
                    doc.get("data"), dict):
                for value in doc["data"].values():  # prometheus.yml embedded in a ConfigMap
                    if isinstance(value, str) and any(n in value for n in needles):
                        try:
                            yield path, load_yaml(value)
                        except ValueError:
                            continue


def rule_groups(doc: Any) -> list[Any]:
    if not isinstance(doc, dict):
        return []
    if doc.get("kind") == "PrometheusRule" and isinstance(doc.get("spec"), dict):
        doc = doc["spec"]
    groups = doc.get("groups")
    if not isinstance(groups, list):
        return []
    return [g for g in groups if isinstance(g, dict) and isinstance(g.get("rules"), list)]


@dataclass(frozen=True)
class Alert:
    name: str
    path: str
    line: int | None
    missing: tuple[str, ...]
    runbook: str | None


def alert_rules(ctx: Context) -> list[Alert]:
    """Every Prometheus alert of the repository, with what it lacks."""
    key = f"obs:alerts:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: list[Alert] = cached
        return result
    alerts: list[Alert] = []
    lines: dict[str, Any] = {}
    for path, doc in yaml_docs(ctx, ("alert:",)):
        for group_index, group in enumerate(rule_groups(doc)):
            for rule_index, rule in enumerate(group["rules"]):
                if not isinstance(rule, dict) or "alert" not in rule:
                    continue
                missing = []
                if not rule.get("for"):
                    missing.append("for:")
                labels = rule["labels"] if isinstance(rule.get("labels"), dict) else {}
                if not labels.get("severity"):
                    missing.append("labels.severity")
                notes = rule["annotations"] if isinstance(rule.get("annotations"),
                                                          dict) else {}
                runbook = notes.get("runbook_url") or notes.get("runbook")
                if not runbook:
                    missing.append("annotations.runbook_url")
                alerts.append(Alert(str(rule["alert"]), path,
                                    _alert_line(ctx, lines, path, group_index, rule_index),
                                    tuple(missing), str(runbook) if runbook else None))
    ctx.repo.memo[key] = alerts
    return alerts


def _alert_line(ctx: Context, cache: dict[str, Any], path: str, group: int,
                rule: int) -> int | None:
    """Line of a rule item, from a round-trip parse done only for alert files."""
    if path not in cache:
        cache[path] = noted(ctx.repo.parse(path, load_yaml_rt))
    doc = cache[path]
    try:
        if isinstance(doc, dict) and doc.get("kind") == "PrometheusRule":
            doc = doc["spec"]
        rules = doc["groups"][group]["rules"]
    except (KeyError, IndexError, TypeError):
        return None
    return line_of(rules, index=rule)


PSI_NAME = lazy_re.compile(r"(^|_)psi($|_)|population_stability", re.IGNORECASE)


def drift_detector(model: ServingModel, module: Module) -> str | None:
    if module.index.imports("evidently"):
        return "Evidently"
    for lib, label in (("nannyml", "NannyML"), ("alibi_detect", "alibi-detect")):
        if module.index.imports(lib):
            return label
    for qual, _ in module.index.calls_to("ks_2samp"):
        return f"KS test ({qual})"
    for func in module.functions():
        if PSI_NAME.search(func.name):
            return f"PSI ({func.name})"
    return None
