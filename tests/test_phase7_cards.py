"""DOC004-DOC007: model cards and dataset cards, per project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result
from mlops_lint.parsers.markdown import parse_markdown
from mlops_lint.rules.docs._placeholders import placeholders
from mlops_lint.rules.docs.doc006_model_card_complete import subgroup_gaps

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

# A card following the guide's template (TPL/model_card_template.md, rules.md §3.1), filled in.
SPANISH_TEMPLATE_CARD = """\
# Model Card — BankChurn Predictor

> Plantilla basada en Model Cards for Model Reporting (Mitchell et al., 2019)

---

## 1. Información General

| Campo | Valor |
|:------|:------|
| **Nombre del modelo** | BankChurn Predictor |
| **Versión** | 1.2.3 |
| **Fecha de creación** | 2024-01-15 |
| **Autor(es)** | Ana Pérez |
| **Licencia** | MIT |

## 2. Propósito del Modelo

### 2.1 Objetivo Principal
Identificar clientes con alta probabilidad de abandonar el banco.

### 2.2 Uso Previsto
- **Contexto de uso**: Producción
- **Usuarios objetivo**: Equipo de retención

### 2.3 Usos NO Recomendados
- Decisiones crediticias.

## 3. Datos de Entrenamiento

### 3.1 Fuente de Datos
CRM interno, 2022-01-01 a 2023-12-31.

### 3.2 Estadísticas del Dataset
| Métrica | Valor |
|:--------|:------|
| **Registros totales** | 10000 |
| **Features** | 10 |

## 4. Arquitectura del Modelo

### 4.2 Hiperparámetros Principales
```yaml
n_estimators: 200
max_depth: 8
```

## 5. Métricas de Rendimiento

### 5.1 Métrica Principal
| Métrica | Train | Validation | Test |
|:--------|:-----:|:----------:|:----:|
| **AUC-ROC** | 0.89 | 0.88 | 0.87 |

### 5.3 Matriz de Confusión (Test Set)
```
              Predicted
              Neg    Pos
Actual Neg    1500   90
       Pos    120    290
```

## 6. Análisis de Sesgos y Fairness

### 6.1 Grupos Demográficos Analizados
| Grupo | AUC-ROC | Recall |
|:------|:--------|:-------|
| Mujeres | 0,88 | 75% |
| Hombres | 0,86 | 73% |

## 7. Limitaciones

### 7.1 Limitaciones Técnicas
- Solo válido para Francia, Alemania y España.

### 7.2 Limitaciones Éticas
- Puede perpetuar sesgos históricos.

### 7.3 Casos donde NO Usar
- Clientes corporativos.

## 8. Consideraciones de Despliegue

### 8.2 Latencia Esperada
- **Inferencia unitaria**: 20 ms

## 9. Monitoreo y Mantenimiento

### 9.2 Umbrales de Alerta
| Métrica | Umbral Warning | Umbral Crítico |
|:--------|:--------------:|:--------------:|
| PSI | 0.1 | 0.2 |

### 9.3 Plan de Reentrenamiento
- **Frecuencia**: Trimestral

## 10. Versionamiento y Artefactos

| Item | Referencia |
|:-----|:-----------|
| **Código** | commit a1b2c3d |
| **MLflow Run ID** | 4f5e6d |
| **DVC Hash** | 9a8b7c |

## 11. Changelog

| Versión | Fecha | Cambios |
|:--------|:------|:--------|
| 1.0.0 | 2023-06-01 | Versión inicial |

## 12. Contacto y Soporte

| Rol | Nombre | Contacto |
|:----|:-------|:---------|
| **Responsable técnico** | Ana Pérez | ana@example.com |
"""

# EX5 Ej.3 "Model Card Completo": English, Mitchell et al. 2019 shape.
MITCHELL_CARD = """\
# Model Card: BankChurn Predictor

## Model Details
- **Model Type**: Ensemble (Random Forest + Logistic Regression)
- **Version**: 1.0.0
- **Contact**: ml-team@company.com

## Intended Use
- **Primary Use**: Predict customer churn probability
- **Out-of-Scope**: Do not use for credit decisions

## Training Data
- **Source**: Customer database (10,000 records)
- **Class Distribution**: 20% churned, 80% retained

## Evaluation Data
- **Split**: 80% train, 20% test (stratified)

## Metrics
| Metric | Value |
|--------|-------|
| Accuracy | 0.847 |
| ROC-AUC | 0.892 |

## Ethical Considerations
- **Fairness**: evaluated by Age and Gender
- **Privacy**: no PII in features

## Limitations
- Does not work well for new customers (<6 months)

## Caveats and Recommendations
- Monitor feature drift monthly
"""

# The same facts, written with bold labels instead of headings.
BOLD_LABEL_CARD = """\
# Model Card — churn

**Model Details:** Random forest v1.2 trained with scikit-learn 1.3.

**Intended Use:** Rank customers by churn risk for the retention team.

**Out-of-Scope Uses:** Credit decisions or automated account closure.

**Training Data:** 10,000 CRM records from 2022-2023.

**Metrics:**

| Metric | Test |
|---|---|
| AUC | 0.87 |

**Limitations:** Only valid for customers in France, Germany and Spain.

**Ethical Considerations:** No PII in the features; performance monitored by gender.
"""

# A card copied from the template and left half-filled.
PLACEHOLDER_CARD = """\
# Model Card — {model_name}

## 1. Información General
| Campo | Valor |
|:------|:------|
| **Versión** | 1.0 |
| **Fecha de creación** | {YYYY-MM-DD} |
| **Autor(es)** | [Tu nombre] |

## 2. Propósito del Modelo
Predecir churn.
<!-- {instrucciones: borrar este comentario} -->

## 5. Métricas de Rendimiento
| Métrica | Test |
|:--------|:----:|
| Accuracy | XX% |
| F1 | X.XX |

```python
print(f"{model_name}")
```

```yaml
{hyperparameter_1}: {value}
```

Export ${MODEL_PATH} before serving. [More Information Needed]
"""

PROJECT = {"pyproject.toml": "[project]\nname = 'x'\n", "src/x/__init__.py": ""}


def drop_section(card: str, heading: str) -> str:
    """``card`` without the H2 section starting with ``heading``."""
    start = card.index("\n" + heading) + 1
    end = card.find("\n## ", start)
    return card[:start] + (card[end + 1:] if end != -1 else "")


def card_repo(make_repo: MakeRepo, card: str, path: str = "docs/model_card.md") -> Path:
    return make_repo({**PROJECT, path: card})


# -- DOC004 ----------------------------------------------------------------------------

def test_doc004_locations_case_insensitive(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    for path in ("docs/model_card.md", "docs/MODEL_CARD.md", "MODEL_CARD.md", "model_card.md",
                 "docs/model/model-card.md", "docs/models/model_card_churn.md"):
        results = results_for(card_repo(make_repo, "# Card\n", path), "DOC004")
        assert statuses(results) == ["pass"], path
        assert results[0].path == path


def test_doc004_missing_template_only_and_empty_fail(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    missing = results_for(make_repo({**PROJECT, "README.md": "# x\n"}), "DOC004")
    assert statuses(missing) == ["fail"]
    assert "docs/model_card.md" in missing[0].fix.en
    template = results_for(card_repo(make_repo, "# {model_name}\n",
                                     "docs/templates/model_card_template.md"), "DOC004")
    assert statuses(template) == ["fail"] and "template" in template[0].message.en
    empty = results_for(card_repo(make_repo, "  \n"), "DOC004")
    assert statuses(empty) == ["fail"] and "empty" in empty[0].message.en


def test_doc004_hugging_face_readme_is_a_model_card(make_repo: MakeRepo,
                                                    results_for: ResultsFor) -> None:
    hf = ("---\nlicense: mit\ndatasets:\n  - bank-churn\nmetrics:\n  - roc_auc\nmodel-index:\n"
          "  - name: churn\n    results:\n      - metrics:\n          - type: roc_auc\n"
          "            value: 0.87\n---\n# churn\n")
    results = results_for(make_repo({**PROJECT, "README.md": hf}), "DOC004")
    assert statuses(results) == ["pass"] and "Hugging Face" in results[0].message.en
    not_a_card = "---\ntitle: My project\n---\n# x\n"
    assert statuses(results_for(make_repo({**PROJECT, "README.md": not_a_card}),
                                "DOC004")) == ["fail"]
    dataset = "---\nlicense: mit\ntask_categories: [tabular-classification]\n---\n# data\n"
    assert statuses(results_for(make_repo({**PROJECT, "README.md": dataset}),
                                "DOC004")) == ["fail"]
    broken = "---\nlicense: [mit\n---\n# x\n"
    assert statuses(results_for(make_repo({**PROJECT, "README.md": broken}),
                                "DOC004")) == ["fail"]


def test_doc004_per_project_in_a_monorepo(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({
        "churn/pyproject.toml": "[project]\nname='churn'\n", "churn/src/churn/__init__.py": "",
        "churn/docs/MODEL_CARD.md": "# Churn card\n",
        "fraud/pyproject.toml": "[project]\nname='fraud'\n", "fraud/tests/test_x.py": "",
        "docs/model_card.md": "# a root card is not fraud's card\n",
    })
    by_project = {r.project: r for r in results_for(root, "DOC004")}
    assert by_project["churn"].status.value == "pass"
    assert by_project["churn"].path == "churn/docs/MODEL_CARD.md"
    assert by_project["fraud"].status.value == "fail"
    assert "fraud/docs/model_card.md" in by_project["fraud"].fix.en


# -- DOC005 ----------------------------------------------------------------------------

def test_doc005_english_mitchell_card_passes(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    results = results_for(card_repo(make_repo, MITCHELL_CARD), "DOC005")
    assert statuses(results) == ["pass"], results[0].message.en


def test_doc005_spanish_template_card_passes(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    results = results_for(card_repo(make_repo, SPANISH_TEMPLATE_CARD), "DOC005")
    assert statuses(results) == ["pass"], results[0].message.en


def test_doc005_bold_label_card_passes(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    results = results_for(card_repo(make_repo, BOLD_LABEL_CARD), "DOC005")
    assert statuses(results) == ["pass"], results[0].message.en


def test_doc005_module_19_card_setext_and_unnumbered(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    card = ("Model Card\n==========\n\nInformación del Modelo\n----------------------\n"
            "Random forest.\n\n## Propósito\n### Uso Previsto\n- retención\n"
            "### Cuándo NO Usar\n- crédito\n## Datos de Entrenamiento\nCRM.\n"
            "## Métricas de Performance\n| Métrica | Test |\n|---|---|\n| AUC | 0.87 |\n"
            "## Limitaciones\n- Solo Europa\n## Consideraciones Éticas\n- sin PII\n")
    assert statuses(results_for(card_repo(make_repo, card), "DOC005")) == ["pass"]


def test_doc005_incomplete_card_names_missing_sections(make_repo: MakeRepo,
                                                       results_for: ResultsFor) -> None:
    # EX5 Ej.3 "Model Card Incompleto": Usage with code is not "intended use".
    card = ("# Model Card: BankChurn\n\n## Model Details\n- Random Forest classifier\n\n"
            "## Usage\n```python\nmodel.predict(data)\n```\n")
    (result,) = results_for(card_repo(make_repo, card), "DOC005")
    assert result.status.value == "fail"
    assert result.message.en.startswith("1 of 7 core sections")
    for name in ("Intended use", "Out-of-scope uses", "Training data", "Metrics",
                 "Limitations", "Ethical considerations"):
        assert name in result.message.en
    assert "present: Model details" in result.message.en
    assert "Usos no previstos" in result.message.es and "presentes: Información del modelo" \
        in result.message.es


def test_doc005_metrics_need_a_numeric_table(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    card = BOLD_LABEL_CARD.replace("| AUC | 0.87 |", "| AUC | high |")
    (result,) = results_for(card_repo(make_repo, card), "DOC005")
    assert result.status.value == "fail"
    assert "Metrics (no table with numeric values)" in result.message.en


def test_doc005_headings_inside_code_do_not_count(make_repo: MakeRepo,
                                                  results_for: ResultsFor) -> None:
    card = "# Card\n```markdown\n" + MITCHELL_CARD + "```\n"
    (result,) = results_for(card_repo(make_repo, card), "DOC005")
    assert result.status.value == "fail" and result.message.en.startswith("0 of 7")


def test_doc005_empty_sections_do_not_count(make_repo: MakeRepo,
                                            results_for: ResultsFor) -> None:
    card = MITCHELL_CARD.replace("- **Out-of-Scope**: Do not use for credit decisions\n", "")
    card = card.replace("## Limitations\n- Does not work well for new customers (<6 months)\n",
                        "## Limitations\n\n---\n").replace("## Caveats and", "## Tips and")
    (result,) = results_for(card_repo(make_repo, card), "DOC005")
    assert result.status.value == "fail"
    assert "Limitations" in result.message.en.split("present:")[0]
    assert "Out-of-scope uses" in result.message.en.split("present:")[0]


def test_doc005_out_of_scope_as_a_sentence_in_intended_use(make_repo: MakeRepo,
                                                           results_for: ResultsFor) -> None:
    card = MITCHELL_CARD.replace("- **Out-of-Scope**: Do not use for credit decisions",
                                 "- It should not be used for credit decisions")
    assert statuses(results_for(card_repo(make_repo, card), "DOC005")) == ["pass"]


def test_doc005_hugging_face_model_index_counts_as_metrics(make_repo: MakeRepo,
                                                           results_for: ResultsFor) -> None:
    front = ("---\nlicense: mit\nmodel-index:\n  - name: churn\n    results:\n"
             "      - metrics:\n          - type: roc_auc\n            value: 0.87\n---\n")
    card = front + MITCHELL_CARD.replace(
        "## Metrics\n| Metric | Value |\n|--------|-------|\n| Accuracy | 0.847 |\n"
        "| ROC-AUC | 0.892 |\n", "")
    root = make_repo({**PROJECT, "README.md": card})
    assert statuses(results_for(root, "DOC005")) == ["pass"]


def test_doc005_and_doc006_without_card_fail(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    root = make_repo(PROJECT)
    assert statuses(results_for(root, "DOC005")) == ["fail"]
    assert statuses(results_for(root, "DOC006")) == ["fail"]


# -- DOC006 ----------------------------------------------------------------------------

def test_doc006_complete_spanish_card_passes(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    results = results_for(card_repo(make_repo, SPANISH_TEMPLATE_CARD), "DOC006")
    assert statuses(results) == ["pass"], [r.message.en for r in results]
    assert results[0].message.en.startswith("12 of 12 template sections")


def test_doc006_mitchell_card_is_not_complete(make_repo: MakeRepo,
                                              results_for: ResultsFor) -> None:
    (result,) = results_for(card_repo(make_repo, MITCHELL_CARD), "DOC006")
    assert result.status.value == "fail"
    assert "required: Bias and fairness" in result.message.en
    missing = result.message.en.split("missing:")[-1]
    assert "Changelog" in missing and "Contact" not in missing  # a **Contact** label


def test_doc006_two_missing_sections_still_pass(make_repo: MakeRepo,
                                                results_for: ResultsFor) -> None:
    card = drop_section(drop_section(SPANISH_TEMPLATE_CARD, "## 4."), "## 8.")
    results = results_for(card_repo(make_repo, card), "DOC006")
    assert statuses(results) == ["pass"]
    assert "10 of 12" in results[0].message.en
    assert "Model architecture" in results[0].message.en


def test_doc006_required_section_details(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    no_retraining = SPANISH_TEMPLATE_CARD.replace(
        "### 9.3 Plan de Reentrenamiento\n- **Frecuencia**: Trimestral\n", "")
    (result,) = results_for(card_repo(make_repo, no_retraining), "DOC006")
    assert result.status.value == "fail"
    assert "Monitoring and maintenance (no retraining plan)" in result.message.en
    no_mlflow = SPANISH_TEMPLATE_CARD.replace("| **MLflow Run ID** | 4f5e6d |\n", "").replace(
        "| **DVC Hash** | 9a8b7c |\n", "")
    (result,) = results_for(card_repo(make_repo, no_mlflow), "DOC006")
    assert result.status.value == "fail" and "MLflow run id" in result.message.en
    no_subgroups = SPANISH_TEMPLATE_CARD.replace("| Hombres | 0,86 | 73% |\n", "")
    (result,) = results_for(card_repo(make_repo, no_subgroups), "DOC006")
    assert result.status.value == "fail"
    assert "no subgroup metrics table" in result.message.en


HEADER_BULLET_CARD = """\
# Model Card — Churn Predictor

- Model: VotingClassifier (LogReg + RandomForest) with Platt calibration
- Target: `Exited` (1=churn, 0=retained)
- **Version:** 1.0.0

## Intended Use
- Anticipar abandono de clientes.

## Data
- Fuente: dataset sintético (10k filas).
"""


def test_doc006_header_bullets_count_as_details_architecture_and_version(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    """Label bullets under the card's title (``- Model: VotingClassifier ...``,
    ``- **Version:** 1.0.0``) are its model details, architecture and version."""
    (result,) = results_for(card_repo(make_repo, HEADER_BULLET_CARD), "DOC006")
    missing = result.message.en.split("missing: ", 1)[1]
    assert "Model details" not in missing and "Model architecture" not in missing, missing
    # the version bullet is there, but says nothing of the code commit or the run id
    assert "Versioning and artifacts (needs the code commit/tag" in missing
    assert result.message.en.startswith("4 of 12 template sections"), result.message.en
    primary = HEADER_BULLET_CARD.replace("- Model: VotingClassifier (LogReg + RandomForest) "
                                         "with Platt calibration\n",
                                         "- **Primary model**: Gradient Boosting Classifier\n")
    (result,) = results_for(card_repo(make_repo, primary), "DOC006")
    assert "Model architecture" not in result.message.en.split("missing: ", 1)[1]
    plain = HEADER_BULLET_CARD.replace("- Model: VotingClassifier (LogReg + RandomForest) with "
                                       "Platt calibration\n", "- Owner: data team\n")
    (result,) = results_for(card_repo(make_repo, plain), "DOC006")
    assert "Model architecture" in result.message.en.split("missing: ", 1)[1]


def test_doc006_slo_section_counts_for_monitoring(make_repo: MakeRepo,
                                                  results_for: ResultsFor) -> None:
    """An SLO section with thresholds and a retraining cadence is part of monitoring and
    maintenance."""
    card = HEADER_BULLET_CARD + ("\n## SLO\n- Latencia P95: < 50 ms\n"
                                 "- Reentrenamiento: mensual o ante drift\n\n"
                                 "## Maintenance\n- Artefactos en `models/`.\n")
    (result,) = results_for(card_repo(make_repo, card), "DOC006")
    assert "Monitoring and maintenance" not in result.message.en.split("missing: ", 1)[1]
    no_slo = drop_section(card, "## SLO")
    (result,) = results_for(card_repo(make_repo, no_slo), "DOC006")
    assert "Monitoring and maintenance (no alert thresholds, retraining plan)" in \
        result.message.en


def test_doc006_placeholders_fail_with_their_lines(make_repo: MakeRepo,
                                                   results_for: ResultsFor) -> None:
    results = results_for(card_repo(make_repo, PLACEHOLDER_CARD), "DOC006")
    holes = {r.line: r.message.en for r in results if r.line is not None}
    assert all(r.status.value == "fail" for r in results)
    lines = PLACEHOLDER_CARD.splitlines()
    expected = {i + 1 for i, text in enumerate(lines) if any(
        p in text for p in ("{model_name}", "{YYYY-MM-DD}", "[Tu nombre]", "XX%", "X.XX",
                            "{hyperparameter_1}", "[More Information Needed]"))
        and "print" not in text}
    assert set(holes) == expected
    assert holes[1] == "unfilled placeholder: {model_name}"
    assert holes[7] == "unfilled placeholder: {YYYY-MM-DD}"
    assert "{hyperparameter_1}, {value}" in holes[lines.index("{hyperparameter_1}: {value}") + 1]
    assert "${MODEL_PATH}" not in " ".join(holes.values())


def test_doc006_placeholder_findings_are_capped(make_repo: MakeRepo,
                                                results_for: ResultsFor) -> None:
    card = SPANISH_TEMPLATE_CARD + "".join(f"- {{item_{i}}}\n" for i in range(20))
    results = results_for(card_repo(make_repo, card), "DOC006")
    fails = [r for r in results if r.status.value == "fail"]
    assert len(fails) == 16 and fails[-1].message.en == "5 more lines with placeholders"


def test_doc006_subgroup_gap_above_five_points_warns(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    card = SPANISH_TEMPLATE_CARD.replace("| Hombres | 0,86 | 73% |", "| Hombres | 0,80 | 73% |")
    results = results_for(card_repo(make_repo, card), "DOC006")
    assert sorted(statuses(results)) == ["pass", "warn"]
    warn = next(r for r in results if r.status.value == "warn")
    assert "AUC-ROC" in warn.message.en and "0.080" in warn.message.en
    assert warn.line == card.splitlines().index("| Grupo | AUC-ROC | Recall |") + 1


def test_placeholders_policy_in_code_and_prose() -> None:
    doc = parse_markdown(
        "Date: {YYYY-MM-DD} and `{ruta}/model.pkl`\n"
        "Math $x^{2}$, jinja {{ var }}, attrs {: .note}, json {\"a\": 1}\n"
        "Autor: tu.email@company.com, TBD, siglo XX\n"
        "Labels {0, 1}, levels {low, medium, high}, `{a: 1}`, `{x, y}`\n"
        "```json\n{\"key\": \"{value}\"}\n```\n"
        "```\n{package_1}=={version}\nsettings = {a: 1}\n```\n")
    found = {p.line: p.text for p in placeholders(doc)}
    assert found == {1: "{YYYY-MM-DD}, {ruta}", 3: "tu.email, TBD", 9: "{package_1}, {version}"}


def test_subgroup_gaps_scales_and_mixed_columns() -> None:
    table = parse_markdown("| g | AUC | Recall | n | F1 |\n|---|---|---|---|---|\n"
                           "| a | 0.90 | 80% | 100 | 0.7 |\n| b | 0.84 | 77% | 900 | 71% |\n"
                           ).tables[0]
    gaps = dict(subgroup_gaps(table))
    assert set(gaps) == {"AUC", "Recall"}
    assert abs(gaps["AUC"] - 0.06) < 1e-9 and abs(gaps["Recall"] - 0.03) < 1e-9


# -- DOC007 ----------------------------------------------------------------------------

FULL_DATA_CARD = """\
# Dataset Card — bank-churn

## 1. Información General
| Campo | Valor |
|:------|:------|
| **Nombre del dataset** | bank-churn |
| **Licencia** | CC BY 4.0 |

## 2. Motivación
Estudiar el abandono de clientes.

## 3. Composición

### 3.2 Descripción de Features
| Feature | Tipo | Descripción | Ejemplo |
|:--------|:-----|:------------|:--------|
| CreditScore | int | Score crediticio | 650 |
| Age | int | Edad | 42 |

### 3.3 Variable Target
| Campo | Valor |
|:------|:------|
| **Nombre** | Exited |
| **Distribución** | 80% clase 0, 20% clase 1 |

### 3.5 ¿Contiene datos sensibles?
- **PII**: No

## 4. Proceso de Recolección
Exportación del CRM.

## 5. Preprocesamiento y Limpieza
Duplicados eliminados.

## 6. Splits de Datos
70/15/15 estratificado.

## 7. Usos del Dataset
Clasificación de churn.

## 8. Sesgos y Limitaciones
Pocos clientes menores de 25 años.

## 9. Consideraciones Éticas
Datos pseudonimizados.

## 10. Mantenimiento
Equipo de datos, trimestral.

## 11. Distribución
Interna.

## 12. Changelog
- 1.0: versión inicial.
"""


def test_doc007_full_spanish_data_card_passes_both_levels(make_repo: MakeRepo,
                                                          results_for: ResultsFor) -> None:
    results = results_for(card_repo(make_repo, FULL_DATA_CARD, "docs/data_card.md"), "DOC007")
    assert statuses(results, 2) == ["pass"] and statuses(results, 3) == ["pass"]
    level2 = next(r for r in results if r.level == 2)
    assert level2.line == FULL_DATA_CARD.splitlines().index(
        "| Feature | Tipo | Descripción | Ejemplo |") + 1


def test_doc007_minimal_card_is_level_2_only(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    card = ("# Data card\n\n| Column | Description |\n|---|---|\n| age | customer age |\n\n"
            "**Target distribution**: 20% churn, 80% retained.\n")
    results = results_for(card_repo(make_repo, card, "DATA_CARD.md"), "DOC007")
    assert statuses(results, 2) == ["pass"] and statuses(results, 3) == ["fail"]
    level3 = next(r for r in results if r.level == 3)
    assert "Collection process" in level3.message.en and "Licencia" in level3.message.es


def test_doc007_feature_list_and_target_sentence(make_repo: MakeRepo,
                                                 results_for: ResultsFor) -> None:
    card = ("# Dataset card\n## Data Fields\n- `age`: int\n- `balance`: float\n\n"
            "The target label `exited` is imbalanced: 20% positives.\n")
    results = results_for(card_repo(make_repo, card, "docs/dataset_card.md"), "DOC007")
    assert statuses(results, 2) == ["pass"]


def test_doc007_level_2_needs_features_and_target(make_repo: MakeRepo,
                                                  results_for: ResultsFor) -> None:
    card = "# Data card\n\n| Column | Description |\n|---|---|\n| age | customer age |\n"
    results = results_for(card_repo(make_repo, card, "docs/data_card.md"), "DOC007")
    level2 = next(r for r in results if r.level == 2)
    assert level2.status.value == "fail" and "target distribution" in level2.message.en
    no_table = "# Data card\nTarget: 20% churn.\n"
    results = results_for(card_repo(make_repo, no_table, "docs/data_card.md"), "DOC007")
    level2 = next(r for r in results if r.level == 2)
    assert level2.status.value == "fail" and "feature-description table" in level2.message.en


def test_doc007_missing_card_fails_both_levels(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    trains = {**PROJECT, "src/x/train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n"}
    results = results_for(make_repo(trains), "DOC007")
    assert statuses(results, 2) == ["fail"] and statuses(results, 3) == ["fail"]
    # a project with no dataset at all (no training, DataFrames or data files) has no subject
    assert set(statuses(results_for(make_repo(PROJECT), "DOC007"))) == {"skip"}
    template_only = results_for(make_repo({
        **trains, "docs/templates/dataset_card_template.md": FULL_DATA_CARD}), "DOC007")
    assert set(statuses(template_only)) == {"fail"}


def test_doc007_placeholders_fail_level_3(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    card = FULL_DATA_CARD.replace("| **Licencia** | CC BY 4.0 |", "| **Licencia** | {licencia} |")
    results = results_for(card_repo(make_repo, card, "docs/data_card.md"), "DOC007")
    level3 = [r for r in results if r.level == 3]
    assert sorted(statuses(level3)) == ["fail", "pass"]
    hole = next(r for r in level3 if r.status.value == "fail")
    assert hole.line == card.splitlines().index("| **Licencia** | {licencia} |") + 1


def test_doc007_hugging_face_dataset_readme(make_repo: MakeRepo,
                                            results_for: ResultsFor) -> None:
    readme = ("---\nlicense: cc-by-4.0\ntask_categories: [tabular-classification]\n---\n"
              "# bank-churn\n## Dataset Structure\n| Field | Type |\n|---|---|\n| age | int |\n"
              "## Class distribution\n20% churned\n")
    results = results_for(make_repo({**PROJECT, "data/README.md": readme}), "DOC007")
    assert statuses(results, 2) == ["pass"]
    assert results[0].path == "data/README.md"


def test_doc007_per_project(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({
        "a/pyproject.toml": "", "a/src/a/__init__.py": "", "a/docs/data_card.md": FULL_DATA_CARD,
        "b/pyproject.toml": "", "b/tests/test_b.py": "", "b/data/raw.csv": "a,b\n1,2\n",
    })
    results = results_for(root, "DOC007")
    assert {(r.project, r.level, r.status.value) for r in results} == {
        ("a", 2, "pass"), ("a", 3, "pass"), ("b", 2, "fail"), ("b", 3, "fail")}


def test_card_section_data_is_consistent() -> None:
    from mlops_lint.rules.docs._sections import card_data, responsible_ai_areas, section_set

    for kind in ("model_card", "dataset_card", "readme"):
        spec = section_set(kind)
        for section in spec.sections.values():
            assert section.name.en and section.name.es and section.patterns
        for keys in spec.lists.values():
            assert set(keys) <= set(spec.sections)
    assert len(section_set("model_card").lists["template"]) == 12
    assert len(section_set("dataset_card").lists["template"]) == 12
    assert len(section_set("model_card").lists["core"]) == 7
    assert [a.key for a in responsible_ai_areas()] == [
        "fairness", "transparency", "privacy", "accountability"]
    assert set(card_data()) == {"model_card", "dataset_card", "readme", "responsible_ai"}


# -- template repositories: what the scaffold ships is the project's own ---------------

SCAFFOLD = {"pyproject.toml": "[project]\nname = 'gen'\n",
            "templates/service/pyproject.toml": "[project]\nname = '{service}'\n",
            "templates/service/src/svc/__init__.py": "",
            "templates/service/tests/test_x.py": "def test_x():\n    assert True\n"}


def test_doc004_card_template_shipped_by_a_scaffold_is_the_card(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    """A template repository ships its model card as a template beside the scaffolded
    project (``templates/docs/model-card-template.md``): every generated project starts
    with it, so it is the card, and its placeholders are the point, not unfilled."""
    card = MITCHELL_CARD.replace("## Model details", "## Model details\n\n{ServiceName}", 1)
    root = make_repo({**SCAFFOLD, "templates/docs/model-card-template.md": card,
                      "templates/docs/dataset-card-template.md": FULL_DATA_CARD})
    found = results_for(root, "DOC004")
    assert statuses(found) == ["pass"] and found[0].path == "templates/docs/model-card-template.md"
    assert "scaffold" in found[0].message.en and "plantilla" in found[0].message.es
    assert statuses(results_for(root, "DOC005")) == ["pass"]
    assert not [r for r in results_for(root, "DOC006") if "placeholder" in r.message.en]
    assert "fail" not in statuses(results_for(root, "DOC007"))


def test_doc004_card_template_outside_a_scaffold_is_still_only_a_template(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    """The same file in an ordinary repository (no project under ``templates/``) is a
    template nobody filled in."""
    root = make_repo({**PROJECT, "templates/docs/model-card-template.md": MITCHELL_CARD})
    assert statuses(results_for(root, "DOC004")) == ["fail"]


def test_doc008_mkdocs_shipped_by_a_scaffold_is_the_site(make_repo: MakeRepo,
                                                          results_for: ResultsFor) -> None:
    mkdocs = "site_name: S\nnav:\n  - Home: index.md\ntheme:\n  name: material\n"
    root = make_repo({**SCAFFOLD, "templates/docs/mkdocs.yml": mkdocs,
                      "templates/docs/docs/index.md": "# S\n"})
    level2 = [r for r in results_for(root, "DOC008") if r.level == 2]
    assert statuses(level2) == ["pass"] and level2[0].path == "templates/docs/mkdocs.yml"
    plain = make_repo({**PROJECT, "templates/docs/mkdocs.yml": mkdocs})
    assert "pass" not in statuses(results_for(plain, "DOC008"))
