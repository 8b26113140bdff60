"""PY006 Pydantic config loaded from YAML, PY007 config validation quality."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

CONFIG = '''\
"""Configuration."""
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field


class ModelConfig(BaseModel):
    n_estimators: int = Field(100, ge=1)
    kind: Literal["rf", "gb"] = "rf"


class TrainConfig(ModelConfig):
    test_size: float = 0.2
    features: list[str] = Field(default_factory=list)

    @classmethod
    def from_yaml(cls, path: Path) -> "TrainConfig":
        return cls.model_validate(yaml.safe_load(path.read_text()))
'''
PYPROJECT = '[project]\nname = "p"\ndependencies = ["pydantic>=2.5", "pyyaml>=6"]\n'
FILES = {"pyproject.toml": PYPROJECT, "src/p/__init__.py": "", "src/p/config.py": CONFIG,
         "configs/config.yaml": "n_estimators: 10\n"}


def test_py006_passes_with_model_yaml_and_pydantic2(make_repo: MakeRepo,
                                                    results_for: Results) -> None:
    results = results_for(make_repo(FILES), "PY006")
    assert statuses(results) == ["pass"]
    assert "validated from configs/config.yaml" in results[0].message.en
    assert (results[0].path, results[0].line) == ("src/p/config.py", 9)


def test_py006_no_model_fails(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"src/p/config.py": "CONFIG = {'lr': 0.1}\n"})
    results = results_for(root, "PY006")
    assert statuses(results) == ["fail"]
    assert "no typed configuration object" in results[0].message.en


@pytest.mark.parametrize(("change", "words"), [
    ({"configs/config.yaml": None}, "no external YAML config file"),
    ({"src/p/config.py": CONFIG.replace("yaml.safe_load(path.read_text())", "{}")},
     "no YAML loading"),
    ({"src/p/config.py": CONFIG.replace("yaml.safe_load(", "yaml.load(")},
     "use yaml.safe_load"),
    ({"src/p/config.py": CONFIG.replace("cls.model_validate(", "dict(")},
     "not fed to a model"),
    ({"pyproject.toml": '[project]\nname = "p"\ndependencies = []\n'},
     "pydantic is not declared"),
])
def test_py006_partial_setups_warn(make_repo: MakeRepo, results_for: Results,
                                   change: dict[str, str | None], words: str) -> None:
    files = {k: v for k, v in {**FILES, **change}.items() if v is not None}
    results = results_for(make_repo(files), "PY006")
    assert statuses(results) == ["warn"] and words in results[0].message.en


@pytest.mark.parametrize(("spec", "expected"), [
    ("pydantic<2", "fail"), ("pydantic==1.10.13", "fail"), ("pydantic~=2.5", "pass"),
    ("pydantic>=1.10,<3", "pass"), ("pydantic", "pass"), ("pydantic-settings>=2", "pass"),
])
def test_py006_pydantic_major(make_repo: MakeRepo, results_for: Results, spec: str,
                              expected: str) -> None:
    pyproject = f'[project]\nname = "p"\ndependencies = ["{spec}"]\n'
    results = results_for(make_repo({**FILES, "pyproject.toml": pyproject}), "PY006")
    assert statuses(results) == [expected]


def test_py006_settings_and_requirements(make_repo: MakeRepo, results_for: Results) -> None:
    settings = ("from pydantic_settings import BaseSettings, SettingsConfigDict\n\n"
                "class Settings(BaseSettings):\n"
                "    model_config = SettingsConfigDict(yaml_file='configs/app.yaml')\n"
                "    port: int = 8000\n")
    root = make_repo({"src/p/settings.py": settings, "configs/app.yaml": "port: 1\n",
                      "requirements.txt": "pydantic-settings==2.1.0\n"})
    assert statuses(results_for(root, "PY006")) == ["pass"]


# -- PY007 ---------------------------------------------------------------------------------


def test_py007_constrained_config_passes(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo(FILES), "PY007")
    assert statuses(results) == ["pass"] and "ModelConfig, TrainConfig" in results[0].message.en


def test_py007_defects(make_repo: MakeRepo, results_for: Results) -> None:
    bad = '''\
import yaml
from typing import Dict
from pydantic import BaseModel


class AppConfig(BaseModel):
    tags: list = []
    weights: Dict = {}
    extra: dict[str, list] = Field(default=[])

    def load(self, path):
        return yaml.safe_load(open(path))
'''
    results = results_for(make_repo({"src/p/config.py": bad}), "PY007")
    # mutable defaults warn: Pydantic copies them per instance (the guide's convention)
    assert sorted(statuses(results)) == ["fail"] * 5 + ["warn"] * 3
    text = " | ".join(f"{r.line}:{r.message.en}" for r in results)
    assert "7:AppConfig.tags has a mutable default" in text
    assert "7:AppConfig.tags is annotated with a bare 'list'" in text
    assert "8:AppConfig.weights is annotated with a bare 'Dict'" in text
    assert "8:AppConfig.weights has a mutable default" in text
    assert "9:AppConfig.extra has a mutable default" in text
    assert "9:AppConfig.extra is annotated with a bare 'list'" in text  # dict[str, list]
    assert "11:AppConfig.load loads YAML as an instance method" in text
    assert "no constrained field in AppConfig" in text


def test_py007_validators_count_as_constraints(make_repo: MakeRepo,
                                               results_for: Results) -> None:
    source = ("from pydantic import BaseModel, field_validator\n\n"
              "class Settings(BaseModel):\n    lr: float = 0.1\n\n"
              "    @field_validator('lr')\n    @classmethod\n"
              "    def positive(cls, v: float) -> float:\n        return v\n")
    assert statuses(results_for(make_repo({"src/p/s.py": source}), "PY007")) == ["pass"]
    typed = ("from pydantic import BaseModel, PositiveInt\n\n"
             "class Params(BaseModel):\n    epochs: PositiveInt = 3\n")
    assert statuses(results_for(make_repo({"src/p/s.py": typed}), "PY007")) == ["pass"]


def test_py007_prefers_config_models_and_needs_one(make_repo: MakeRepo,
                                                   results_for: Results) -> None:
    api = ("from pydantic import BaseModel\n\nclass Request(BaseModel):\n    x: list = []\n")
    root = make_repo({**FILES, "src/p/api.py": api})
    assert statuses(results_for(root, "PY007")) == ["pass"]  # API schemas are not config
    results = results_for(make_repo({"src/p/c.py": "X = 1\n"}), "PY007")
    assert statuses(results) == ["fail"] and "see PY006" in results[0].message.en
