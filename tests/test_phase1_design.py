"""DES001 Architecture Decision Records, DES002 architecture document and ML Canvas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

ADR_ES = """\
# ADR-001: Servir con FastAPI

## Estado
Aceptado

## Contexto
Necesitamos una API.

## Decisión
FastAPI.

## Consecuencias
Más rápido.

## Alternativas Consideradas
| Opción | Pros |
|---|---|
| Flask | simple |
"""
ADR_EN_MINIMAL = """\
# Architecture Decision Record: use DVC

**Context:** data grows.

**Decision:** DVC.

**Consequences:** a remote is needed.
"""


def rows(results: list[Result]) -> list[tuple[int, str]]:
    return [(r.level, r.status.value) for r in results]


def test_des001_levels(make_repo: MakeRepo, results_for: Results) -> None:
    one = make_repo({"docs/decisions/ADR-001-api.md": ADR_ES})
    results = results_for(one, "DES001")
    assert rows(results) == [(2, "pass"), (3, "fail")]
    assert "1 complete ADR(s); level 3 needs at least 2" in results[1].message.en
    two = make_repo({"docs/decisions/ADR-001-api.md": ADR_ES,
                     "docs/decisions/ADR-002-dvc.md": ADR_ES.replace("FastAPI", "DVC"),
                     "docs/decisions/template.md": "# ADR template\n",
                     "docs/decisions/README.md": "# Index\n"})
    assert rows(results_for(two, "DES001")) == [(2, "pass"), (3, "pass")]


def test_des001_incomplete_adrs(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"docs/adr/0001-x.md": "# ADR 1\n\n## Context\nx\n"})
    results = results_for(root, "DES001")
    assert rows(results) == [(2, "fail"), (3, "fail")]
    assert "lacks consequences, decision sections" in results[0].message.en
    mixed = make_repo({"docs/adr/0001-dvc.md": ADR_EN_MINIMAL,
                       "docs/adr/0002-api.md": ADR_ES})
    results = results_for(mixed, "DES001")
    assert rows(results) == [(2, "pass"), (3, "fail")]
    assert "lacks alternatives, status" in results[1].message.en
    assert results[1].path == "docs/adr/0001-dvc.md"


def test_des001_title_is_not_a_section(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"ADR-007.md": "# Architecture Decision: context and consequences\n\n"
                                    "Some text.\n"})
    assert rows(results_for(root, "DES001"))[0] == (2, "fail")


def test_des001_sections_inside_architecture_doc(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    doc = ("# Architecture\n\n## ADR-001: API\n### Status\nAccepted\n### Context\nx\n"
           "### Decision\ny\n### Consequences\nz\n### Alternatives\nw\n\n"
           "## ADR-002: Data\nStatus: proposed\n### Context\nx\n### Decision\ny\n"
           "### Consequences\nz\n### Trade-offs\nw\n")
    results = results_for(make_repo({"docs/ARCHITECTURE.md": doc}), "DES001")
    assert rows(results) == [(2, "pass"), (3, "pass")]
    assert "2 ADRs" in results[1].message.en


def test_des001_none_and_front_matter(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"README.md": "# x\n"}), "DES001")
    assert rows(results) == [(2, "fail"), (3, "fail")]
    madr = ("---\nstatus: accepted\n---\n# Use X\n\n## Context\na\n## Decision\nb\n"
            "## Consequences\nc\n## Considered Options\nd\n")
    root = make_repo({"docs/decisions/0001.md": madr, "docs/decisions/0002.md": madr})
    assert rows(results_for(root, "DES001")) == [(2, "pass"), (3, "pass")]


CANVAS = """\
# ML Canvas

## 1. Problema de Negocio
El banco pierde $2M/año por churn.
## 2. Propuesta de Valor
Retener el 10 % de clientes en riesgo.
## 3. Datos Disponibles
10000 clientes.
## 4. Features Candidatas
edad, saldo
## 5. Modelo
Random forest
## 6. Métricas de Éxito
AUC > 0.85, latencia < 100 ms
## 7. Riesgos y Mitigaciones
drift
## 8. Plan de Despliegue
API
"""
ARCH = "# Arquitectura\n\n```mermaid\nflowchart LR\n  A --> B\n```\n"


TRAINS = {"src/train.py": "from sklearn.linear_model import LinearRegression\n"
                          "LinearRegression().fit([[0]], [0])\n"}


def test_des002_levels(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"docs/ARCHITECTURE.md": ARCH,
                                     "docs/ML_CANVAS.md": CANVAS}), "DES002")
    assert rows(results) == [(2, "pass"), (3, "pass")]
    assert "mermaid diagram" in results[0].message.en and "8/8" in results[1].message.en
    only_arch = results_for(make_repo({"docs/ARCHITECTURE.md": ARCH, **TRAINS}), "DES002")
    assert rows(only_arch) == [(2, "pass"), (3, "fail")]
    # no model anywhere: the canvas has no subject
    no_model = results_for(make_repo({"docs/ARCHITECTURE.md": ARCH}), "DES002")
    assert rows(no_model) == [(2, "pass"), (3, "skip")]


def test_des002_readme_section_and_diagram_kinds(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    readme = "# Proj\n\n## Architecture\n\n![diagram](docs/arch.png)\n\n## Usage\n```mermaid\n" \
             "graph\n```\n"
    assert rows(results_for(make_repo({"README.md": readme}), "DES002"))[0] == (2, "pass")
    usage_only = "# Proj\n\n## Architecture\nText only.\n\n## Usage\n```mermaid\ngraph\n```\n"
    results = results_for(make_repo({"README.md": usage_only}), "DES002")
    assert rows(results)[0] == (2, "fail") and "has no diagram" in results[0].message.en
    puml = "# Design\n\n```\n@startuml\nA -> B\n@enduml\n```\n"
    assert rows(results_for(make_repo({"docs/design.md": puml}), "DES002"))[0] == (2, "pass")
    boxes = "# Architecture\n\n```text\n┌───┐\n│ A │\n└───┘\n```\n"
    assert rows(results_for(make_repo({"ARCHITECTURE.md": boxes}), "DES002"))[0] == (2, "pass")


def test_des002_image_just_above_the_architecture_section(make_repo: MakeRepo,
                                                          results_for: Results) -> None:
    """An image right above the README's Architecture heading exists: the message must not
    say there is no image; it is not identified as the architecture diagram (warn)."""
    readme = ("# Proj\n\n[![Build](https://ci.example/b.svg)](https://ci.example)\n\n"
              "Intro text.\n\n![ML lifecycle](/docs/images/ml-lifecycle.png)\n\nMore text.\n\n"
              "## Architecture and Features\n\nText only.\n\n## Usage\nRun it.\n")
    results = results_for(make_repo({"README.md": readme}), "DES002")
    assert rows(results)[0] == (2, "warn"), results[0].message.en
    message = results[0].message.en
    assert "or an image" not in message
    assert "/docs/images/ml-lifecycle.png (README.md:7)" in message
    assert "not identified as an architecture diagram" in message
    assert "no se identifica" in results[0].message.es
    # a badge above the section is not a diagram: the section still has none
    badge_only = readme.replace("![ML lifecycle](/docs/images/ml-lifecycle.png)\n\n", "")
    results = results_for(make_repo({"README.md": badge_only}), "DES002")
    assert rows(results)[0] == (2, "fail") and "has no diagram" in results[0].message.en


def test_des002_canvas_problems(make_repo: MakeRepo, results_for: Results) -> None:
    thin = "# Canvas\n\n## Problema de Negocio\nchurn\n## Modelo\nrf\n"
    results = results_for(make_repo({"docs/ARCHITECTURE.md": ARCH, "docs/ml_canvas.md": thin}),
                          "DES002")
    assert rows(results)[1] == (3, "fail")
    assert "only 2/8 canvas sections" in results[1].message.en
    assert "not quantified" in results[1].message.en
    embedded = make_repo({"docs/ARCHITECTURE.md": ARCH, "docs/project.md": CANVAS,
                          "docs/model_card.md": CANVAS})
    results = results_for(embedded, "DES002")
    assert rows(results)[1] == (3, "pass") and "docs/project.md" in results[1].message.en
    nothing = results_for(make_repo({"README.md": "# x\n", **TRAINS}), "DES002")
    assert rows(nothing) == [(2, "fail"), (3, "fail")]
