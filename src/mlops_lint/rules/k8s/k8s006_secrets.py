"""K8S006: no literal secrets in env, Secret manifests or Helm values, secrets read through
``secretKeyRef``/``secretRef`` (level 2); a secret manager (level 3).

A literal counts as a secret when its value looks like a credential or its name is
sensitive and the value is not an obvious placeholder. Level 3 accepts External Secrets,
Sealed Secrets, Vault (operator or agent injector), SOPS, the Secrets Store CSI driver,
in manifests, Helm templates or Terraform; without any secret in use it is skipped.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers.kubernetes import (
    Container,
    HelmChart,
    K8sObject,
    Manifests,
)
from mlops_lint.parsers.terraform import TfFile, terraform_files
from mlops_lint.rules import rule
from mlops_lint.rules.k8s._shared import (
    NOT_APPLICABLE,
    chart_values,
    complete,
    items,
    manifests,
    mapping,
    quien,
    template_text,
    unread,
    value_finding_line,
    who,
)

_SENSITIVE_NAME = lazy_re.compile(
    r"(?:^|[_\-.])(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"secret[_-]?key|private[_-]?key|credentials?|client[_-]?secret|auth[_-]?token)"
    r"(?:$|[_\-.])", re.IGNORECASE)


_NOT_SENSITIVE_SUFFIX = lazy_re.compile(r"[_\-.](name|file|path|dir|id|arn|ref|url|uri|host|"
                                        r"enabled|length|ttl|expiry)$", re.IGNORECASE)


_SECRET_VALUE = lazy_re.compile(
    r"AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{20,}|"
    r"sk-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|"
    r"AIza[0-9A-Za-z_-]{35}")


_URL_PASSWORD = lazy_re.compile(r"://[^/\s:@]+:([^/\s@]+)@")


_PLACEHOLDER = lazy_re.compile(
    r"^\s*$|^<.*>$|^\$\{.*\}$|^\$\(.*\)$|\{\{.*\}\}|^\$[A-Za-z_]\w*$|^__\w+__$|"
    r"^#\{.*\}#?$|^%\w+%$|^(?:change[-_ ]?me.*|changeit|"
    r"replace[-_ ]?(?:me|with).*|insert[-_ ].*|todo|tbd|x{3,}|\*+|dummy|example|placeholder|"
    r"secret|password|(?:your|my)[-_ ].*|[\w-]*[-_]here|none|null|redacted|fake.*|test|"
    r"base64.*)$", re.IGNORECASE)


SECRET_MANAGER_KINDS = {
    "ExternalSecret": "External Secrets Operator", "ClusterExternalSecret":
        "External Secrets Operator", "SecretStore": "External Secrets Operator",
    "ClusterSecretStore": "External Secrets Operator", "SealedSecret": "Sealed Secrets",
    "VaultStaticSecret": "Vault Secrets Operator", "VaultDynamicSecret":
        "Vault Secrets Operator", "VaultAuth": "Vault Secrets Operator",
    "SecretProviderClass": "Secrets Store CSI driver (cloud secret manager / Vault)",
}


SECRET_MANAGER_TF = ("aws_secretsmanager_secret", "google_secret_manager_secret",
                     "azurerm_key_vault_secret", "vault_kv_secret", "vault_generic_secret")


def sensitive_name(name: str) -> bool:
    return bool(_SENSITIVE_NAME.search(name)) and not _NOT_SENSITIVE_SUFFIX.search(name)


def secret_like_value(value: str) -> bool:
    """A value shaped like a credential (key prefixes, private keys, URL passwords)."""
    if _SECRET_VALUE.search(value):
        return True
    match = _URL_PASSWORD.search(value)
    return bool(match and not _PLACEHOLDER.search(match.group(1))
                and not match.group(1).startswith("$"))


def placeholder_value(name: str, value: str) -> bool:
    """An obvious stand-in rather than a credential: empty, ``<…>``, ``${…}``, ``$VAR``,
    ``changeme``, ``your-key-here``…, or a value that spells its own variable's name
    (``GOOGLE_API_KEY: GOOGLE_API_KEY_VAL``, replaced at deploy time)."""
    text = value.strip()[:200]
    if _PLACEHOLDER.search(text):
        return True
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return len(key) >= 4 and key in re.sub(r"[^a-z0-9]", "", text.lower()) and \
        re.fullmatch(r"[A-Za-z0-9_.-]{1,200}", text) is not None


def _env_findings(container: Container) -> tuple[list[str], list[str], list[str], int]:
    """(leaked literal names, placeholder literal names, names from Secrets, ConfigMap refs)."""
    leaked: list[str] = []
    placeholders: list[str] = []
    from_secret: list[str] = []
    config_refs = 0
    for item in items(container.get("env")):
        if not isinstance(item, dict):
            continue
        name = str(item.get("name", ""))
        value_from = mapping(item.get("valueFrom"))
        if "secretKeyRef" in value_from:
            from_secret.append(name)
        elif "configMapKeyRef" in value_from:
            config_refs += 1
        value = item.get("value")
        if value is None or isinstance(value, (dict, list)):
            continue
        text = str(value)
        if secret_like_value(text):
            leaked.append(name)
        elif sensitive_name(name):
            (placeholders if placeholder_value(name, text) else leaked).append(name)
    for source in items(container.get("envFrom")):
        if isinstance(source, dict) and "secretRef" in source:
            from_secret.append(f"envFrom {mapping(source['secretRef']).get('name', '')}")
        elif isinstance(source, dict) and "configMapRef" in source:
            config_refs += 1
    return leaked, placeholders, from_secret, config_refs


def _decoded(value: Any, encoded: bool) -> str:
    text = str(value) if value is not None else ""
    if not encoded:
        return text
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return text


def _secret_manifest(obj: K8sObject) -> Finding:
    real = []
    for key, encoded in (("data", True), ("stringData", False)):
        for name, value in mapping(obj.doc.get(key)).items():
            text = _decoded(value, encoded).strip()
            if not _PLACEHOLDER.search(text):
                real.append(f"{key}.{name}")
    return verdict(
        not real,
        T(f"Secret {obj.name}: no real-looking values committed (empty or placeholders)",
          f"Secret {obj.name}: sin valores reales versionados (vacíos o marcadores)"),
        T(f"Secret {obj.name} commits real-looking values: {', '.join(real)}",
          f"el Secret {obj.name} versiona valores que parecen reales: {', '.join(real)}"),
        obj.path, obj.line,
        fix=T("Remove the Secret from git (and rotate the values); create it out of band or "
              "use SealedSecrets / External Secrets Operator.",
              "Quita el Secret de git (y rota los valores); créalo fuera del repositorio o usa "
              "SealedSecrets / External Secrets Operator."))


def _values_secrets(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    for path, data in chart_values(chart):
        for key, value in _scalar_leaves(data):
            last = key.rsplit(".", 1)[-1]
            text = str(value)
            if secret_like_value(text) or (sensitive_name(last) and not _PLACEHOLDER.search(
                    text) and not isinstance(value, bool)):
                yield failed(T(f"chart {chart.name} values {key} holds a literal secret",
                               f"chart {chart.name}: values {key} contiene un secreto "
                               "literal"), path, value_finding_line(ctx, path, key))


def _scalar_leaves(data: Any, trail: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _scalar_leaves(value, f"{trail}.{key}" if trail else str(key))
    elif data is not None and not isinstance(data, list):
        yield trail, data


def _secret_manager_evidence(ctx: Context, found: Manifests) -> tuple[str, str, int | None] | None:
    for obj in found.objects:
        tool = SECRET_MANAGER_KINDS.get(obj.kind)
        if tool is not None:
            return f"{tool}: {obj.label}", obj.path, obj.line
        if any(str(k).startswith("vault.hashicorp.com/agent-inject")
               for k in mapping(mapping(pod_meta(obj)).get("annotations"))):
            return f"Vault Agent injector annotations on {obj.label}", obj.path, obj.line
        if "sops" in obj.doc and isinstance(obj.doc["sops"], dict):
            return f"SOPS-encrypted {obj.label}", obj.path, obj.line
    for workload in found.workloads:
        for volume in items(workload.pod_spec.get("volumes")):
            driver = mapping(mapping(volume).get("csi")).get("driver")
            if driver == "secrets-store.csi.k8s.io":
                return (f"Secrets Store CSI volume in {workload.label}", workload.path,
                        workload.line)
    for chart in found.charts:
        for path, text in template_text(ctx, chart).items():
            for kind, tool in SECRET_MANAGER_KINDS.items():
                if re.search(rf"^kind:[ \t]*{kind}[ \t]*$", text, re.M):
                    return f"{tool} in Helm template", path, None
    for tf in terraform_files(ctx.repo):
        if isinstance(tf, TfFile):
            for block in tf.blocks:
                if block.type == "resource" and block.labels and \
                        block.labels[0].startswith(SECRET_MANAGER_TF):
                    return (f"Terraform {block.labels[0]}.{'.'.join(block.labels[1:])}",
                            tf.path, block.line)
    return None


def pod_meta(obj: K8sObject) -> Any:
    """Pod template metadata of a workload object (or the object's own metadata)."""
    template = obj.spec.get("template")
    if obj.kind == "CronJob":
        template = mapping(mapping(obj.spec.get("jobTemplate")).get("spec")).get("template")
    if isinstance(template, dict):
        return {**obj.metadata, "annotations": {**obj.annotations, **mapping(mapping(
            template.get("metadata")).get("annotations"))}}
    return obj.metadata


@rule("K8S006")
@complete(2, 3)
def k8s_secrets(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S006: no literal secrets, secretKeyRef/secretRef (L2); a secret manager (L3)."""
    found = manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from unread(found, level=2)
    uses_secrets = False
    for workload in found.workloads:
        for c in workload.containers:
            leaked, placeholders, from_secret, configs = _env_findings(c)
            uses_secrets = uses_secrets or bool(leaked or placeholders or from_secret)
            where = (workload.path, c.line or workload.line)
            if leaked:
                yield failed(T(f"{who(c, workload)}: literal secret value(s) in env: "
                               f"{', '.join(leaked)}",
                               f"{quien(c, workload)}: valor(es) secreto(s) literal(es) en "
                               f"env: {', '.join(leaked)}"), *where, level=2,
                             fix=T("Move the value into a Secret and reference it with "
                                   "valueFrom.secretKeyRef (or envFrom.secretRef); rotate it.",
                                   "Mueve el valor a un Secret y referéncialo con "
                                   "valueFrom.secretKeyRef (o envFrom.secretRef); rótalo."))
            elif placeholders:
                yield warned(T(f"{who(c, workload)}: sensitive env set to a literal "
                               f"placeholder: {', '.join(placeholders)}",
                               f"{quien(c, workload)}: env sensible con un marcador literal: "
                               f"{', '.join(placeholders)}"), *where, level=2)
            elif from_secret:
                yield passed(T(f"{who(c, workload)}: secrets come from Secrets "
                               f"({', '.join(from_secret)})"
                               + (f"; {configs} ConfigMap reference(s)" if configs else ""),
                               f"{quien(c, workload)}: los secretos vienen de Secrets "
                               f"({', '.join(from_secret)})"
                               + (f"; {configs} referencia(s) a ConfigMap" if configs else "")),
                             *where, level=2)
            else:
                yield passed(T(f"{who(c, workload)}: no sensitive env values",
                               f"{quien(c, workload)}: sin valores de env sensibles"),
                             *where, level=2)
    for obj in found.of_kind("Secret"):
        if obj.api_version == "v1":
            uses_secrets = True
            yield _with_level(_secret_manifest(obj), 2)
    for chart in found.charts:
        yield from (_with_level(f, 2) for f in _values_secrets(ctx, chart))
    evidence = _secret_manager_evidence(ctx, found)
    if evidence is not None:
        what, path, line = evidence
        yield passed(T(f"secrets managed outside git: {what}",
                       f"secretos gestionados fuera de git: {what}"), path, line, level=3)
    elif not uses_secrets:
        yield skipped(T("no secrets used by the manifests: no secret manager needed",
                        "los manifiestos no usan secretos: no hace falta un gestor de "
                        "secretos"), level=3)
    else:
        yield failed(T("no External Secrets Operator, SealedSecrets, Vault or cloud "
                       "secret-manager reference",
                       "no hay External Secrets Operator, SealedSecrets, Vault ni referencia a "
                       "un gestor de secretos cloud"), level=3)


def _with_level(finding: Finding, level: int) -> Finding:
    return Finding(finding.status, finding.message, finding.path, finding.line, level,
                   finding.fix)
