"""Phase 3 modelling rules: DATA005 and ML001-ML007 on small generated projects."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from mlops_lint.maturity import combine
from mlops_lint.model import Result

Build = Callable[..., Path]
Results = Callable[..., list[Result]]


def project(files: dict[str, str], deps: Iterable[str] = ("scikit-learn>=1.3",),
            dev: Iterable[str] = ("pytest>=8", "pytest-cov>=5")) -> dict[str, str]:
    pyproject = (
        '[project]\nname = "demo"\nversion = "0.1.0"\n'
        f"dependencies = {json.dumps(list(deps))}\n"
        f"[project.optional-dependencies]\ndev = {json.dumps(list(dev))}\n")
    return {"pyproject.toml": pyproject, "src/demo/__init__.py": "", **files}


def verdict(results: list[Result], level: int | None = None) -> str:
    rows = [r for r in results if level is None or r.level == level]
    return combine(r.status for r in rows).value


def messages(results: list[Result]) -> str:
    return " | ".join(r.message.en for r in results)


# -- ML001 --------------------------------------------------------------------------------

PIPE_ALIAS = """\
from sklearn.pipeline import Pipeline as P
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import RandomForestClassifier


def train(x, y):
    model = P([("scale", StandardScaler()), ("model", RandomForestClassifier(random_state=1))])
    model.fit(x, y)
    return model
"""


def test_ml001_passes_with_aliased_pipeline(make_repo: Build, results_for: Results) -> None:
    root = make_repo(project({"src/demo/train.py": PIPE_ALIAS}))
    results = results_for(root, "ML001")
    assert verdict(results) == "pass", messages(results)
    assert results[0].path == "src/demo/train.py" and results[0].line == 7


def test_ml001_module_alias_and_builder_fitted_in_another_file(make_repo: Build,
                                                               results_for: Results) -> None:
    builder = """\
import sklearn.pipeline as skp
from sklearn import linear_model


def build_pipeline(cfg):
    steps = [("scale", cfg.scaler())]
    steps.append(("clf", linear_model.LogisticRegression(random_state=cfg.seed)))
    return skp.Pipeline(steps)
"""
    trainer = """\
from demo.pipeline import build_pipeline


def main(cfg, x, y):
    pipe = build_pipeline(cfg)
    pipe.fit(x, y)
"""
    root = make_repo(project({"src/demo/pipeline.py": builder, "src/demo/train.py": trainer}))
    results = results_for(root, "ML001")
    assert verdict(results) == "pass", messages(results)
    assert "fitted at src/demo/train.py:6" in results[0].message.en


def test_ml001_make_pipeline_handed_to_grid_search(make_repo: Build,
                                                   results_for: Results) -> None:
    code = """\
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.model_selection import GridSearchCV


def tune(x, y):
    search = GridSearchCV(make_pipeline(StandardScaler(), SVC()), {"svc__C": [1, 10]}, cv=3)
    search.fit(x, y)
"""
    root = make_repo(project({"src/demo/tune.py": code}))
    assert verdict(results_for(root, "ML001")) == "pass"


def test_ml001_pipeline_stored_on_self(make_repo: Build, results_for: Results) -> None:
    code = """\
from sklearn.pipeline import Pipeline
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge


class Trainer:
    def __init__(self):
        self.pipeline = Pipeline([("impute", SimpleImputer()), ("model", Ridge())])

    def run(self, x, y):
        self.pipeline.fit(x, y)
"""
    root = make_repo(project({"src/demo/trainer.py": code}))
    assert verdict(results_for(root, "ML001")) == "pass"


def test_ml001_fails_when_scaler_and_model_are_fitted_separately(make_repo: Build,
                                                                 results_for: Results) -> None:
    code = """\
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import RandomForestClassifier


def train(x, y):
    scaler = StandardScaler()
    xs = scaler.fit_transform(x)
    model = RandomForestClassifier(random_state=0)
    model.fit(xs, y)
    return scaler, model
"""
    root = make_repo(project({"src/demo/train.py": code}))
    results = results_for(root, "ML001")
    assert verdict(results) == "fail"
    assert "fitted separately" in results[0].message.en
    assert (results[0].path, results[0].line) == ("src/demo/train.py", 7)


def test_ml001_preprocessing_only_pipeline_fails(make_repo: Build, results_for: Results) -> None:
    code = """\
from sklearn.pipeline import Pipeline
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler

prep = Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())])
"""
    root = make_repo(project({"src/demo/prep.py": code}))
    results = results_for(root, "ML001")
    assert verdict(results) == "fail"
    assert "does not end in an estimator" in results[0].message.en


def test_ml001_pipeline_never_fitted_warns(make_repo: Build, results_for: Results) -> None:
    code = """\
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression

PIPE = Pipeline([("s", StandardScaler()), ("m", LogisticRegression())])
"""
    root = make_repo(project({"src/demo/model.py": code}))
    assert verdict(results_for(root, "ML001")) == "warn"


def test_ml001_reads_imports_not_text(make_repo: Build, results_for: Results) -> None:
    code = """\
# We should use a sklearn Pipeline here: Pipeline([...]).fit(X, y)


class Pipeline:
    def __init__(self, steps):
        self.steps = steps

    def fit(self, x, y):
        return self


def train(x, y):
    Pipeline([("a", 1), ("b", 2)]).fit(x, y)
"""
    root = make_repo(project({"src/demo/train.py": code}))
    results = results_for(root, "ML001")
    assert verdict(results) == "fail"
    assert "no sklearn Pipeline" in results[0].message.en


def test_ml001_broken_file_is_listed_not_fatal(make_repo: Build, results_for: Results) -> None:
    root = make_repo(project({"src/demo/train.py": PIPE_ALIAS,
                              "src/demo/broken.py": "def oops(:\n"}))
    results = results_for(root, "ML001")
    assert verdict(results) == "pass"
    skipped = [r for r in results if r.status.value == "skip"]
    assert skipped and skipped[0].path == "src/demo/broken.py" and skipped[0].line == 1


def test_ml001_tests_do_not_count(make_repo: Build, results_for: Results) -> None:
    """Training only in tests is not the project's: nothing to judge (the reason says where
    training was seen)."""
    root = make_repo(project({"tests/test_model.py": PIPE_ALIAS}))
    results = results_for(root, "ML001")
    assert verdict(results) == "skip" and "tests/test_model.py" in results[0].message.en


# -- ML002 --------------------------------------------------------------------------------

CT_GOOD = """\
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.ensemble import RandomForestClassifier


def build_preprocessor(num, cat):
    numeric = Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())])
    return ColumnTransformer([
        ("num", numeric, num),
        ("cat", OneHotEncoder(handle_unknown="ignore"), cat),
    ])


def build(num, cat):
    return Pipeline([("prep", build_preprocessor(num, cat)),
                     ("model", RandomForestClassifier(random_state=0))])
"""


def test_ml002_column_transformer_inside_pipeline(make_repo: Build, results_for: Results) -> None:
    root = make_repo(project({"src/demo/features.py": CT_GOOD}))
    results = results_for(root, "ML002")
    assert verdict(results) == "pass", messages(results)
    assert "2 column groups" in results[0].message.en


def test_ml002_one_hot_without_handle_unknown_warns(make_repo: Build,
                                                    results_for: Results) -> None:
    code = CT_GOOD.replace('OneHotEncoder(handle_unknown="ignore")', "OneHotEncoder()")
    root = make_repo(project({"src/demo/features.py": code}))
    results = results_for(root, "ML002")
    assert verdict(results) == "warn"
    warn = next(r for r in results if r.status.value == "warn")
    assert warn.line == 12 and "handle_unknown" in warn.message.en


def test_ml002_fitted_alone_fails_and_absent_fails(make_repo: Build,
                                                   results_for: Results) -> None:
    alone = """\
from sklearn.compose import make_column_transformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def prepare(x, num, cat):
    ct = make_column_transformer((StandardScaler(), num),
                                 (OneHotEncoder(handle_unknown="ignore"), cat))
    return ct.fit_transform(x)
"""
    root = make_repo(project({"src/demo/prep.py": alone}))
    assert verdict(results_for(root, "ML002")) == "fail"
    root = make_repo(project({"src/demo/train.py": PIPE_ALIAS}))
    results = results_for(root, "ML002")
    assert verdict(results) == "fail" and "no ColumnTransformer" in results[0].message.en


def test_ml002_single_group_warns(make_repo: Build, results_for: Results) -> None:
    code = """\
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import Ridge

ct = ColumnTransformer([("num", StandardScaler(), ["a", "b"])])
pipe = Pipeline([("ct", ct), ("m", Ridge())])
"""
    root = make_repo(project({"src/demo/model.py": code}))
    assert verdict(results_for(root, "ML002")) == "warn"


# -- ML003 --------------------------------------------------------------------------------

TRANSFORMER = """\
from sklearn.base import BaseEstimator, TransformerMixin


class FeatureEngineer(BaseEstimator, TransformerMixin):
    def __init__(self, clip: float = 3.0, add_ratio: bool = True):
        self.clip = clip
        self.add_ratio = add_ratio

    def fit(self, X, y=None):
        self.mean_ = X.mean()
        return self

    def transform(self, X):
        X = X.copy()
        X["ratio"] = X["a"] / (X["b"] + 1)
        return X
"""
USE = """\
from sklearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from demo.features import FeatureEngineer


def build():
    return Pipeline([("fe", FeatureEngineer()), ("m", LogisticRegression(random_state=0))])
"""


def transformer_repo(make_repo: Build, code: str, use: str = USE) -> Path:
    return make_repo(project({"src/demo/features.py": code, "src/demo/model.py": use}))


def test_ml003_correct_transformer_passes(make_repo: Build, results_for: Results) -> None:
    results = results_for(transformer_repo(make_repo, TRANSFORMER), "ML003")
    assert verdict(results) == "pass", messages(results)
    assert results[0].path == "src/demo/features.py" and results[0].line == 4


def test_ml003_fit_forgets_return_self(make_repo: Build, results_for: Results) -> None:
    code = TRANSFORMER.replace("        return self\n", "")
    results = results_for(transformer_repo(make_repo, code), "ML003")
    assert verdict(results) == "fail"
    assert "fit does not return self" in results[0].message.en
    assert results[0].line == 9


def test_ml003_fit_returning_something_else(make_repo: Build, results_for: Results) -> None:
    code = TRANSFORMER.replace("        return self\n", "        return self.mean_\n")
    results = results_for(transformer_repo(make_repo, code), "ML003")
    assert verdict(results) == "fail" and results[0].line == 11


def test_ml003_transform_mutates_input(make_repo: Build, results_for: Results) -> None:
    code = TRANSFORMER.replace("        X = X.copy()\n", "")
    results = results_for(transformer_repo(make_repo, code), "ML003")
    assert verdict(results) == "fail"
    assert "mutates its input" in results[0].message.en and results[0].line == 14


def test_ml003_mutation_through_aliases(make_repo: Build, results_for: Results) -> None:
    for body in ("        df = X\n        df.loc[:, 'a'] = 0\n        return df\n",
                 "        arr = np.asarray(X)\n        arr[0] = 1\n        return arr\n",
                 "        X.fillna(0, inplace=True)\n        return X\n",
                 "        X += 1\n        return X\n",
                 "        np.copyto(X, 0)\n        return X\n"):
        code = "import numpy as np\n" + TRANSFORMER.split("    def transform")[0] + \
            "    def transform(self, X):\n" + body
        results = results_for(transformer_repo(make_repo, code), "ML003")
        assert verdict(results) == "fail", body


def test_ml003_copies_are_fine(make_repo: Build, results_for: Results) -> None:
    body = ("        out = np.asarray(X, dtype=float).copy()\n        out[0] = 1\n"
            "        frame = pd.DataFrame(X, copy=True)\n        frame['z'] = 0\n"
            "        return out\n")
    code = "import numpy as np\nimport pandas as pd\n" + \
        TRANSFORMER.split("    def transform")[0] + "    def transform(self, X):\n" + body
    assert verdict(results_for(transformer_repo(make_repo, code), "ML003")) == "pass"


def test_ml003_init_with_logic_warns(make_repo: Build, results_for: Results) -> None:
    code = TRANSFORMER.replace("        self.clip = clip\n", "        self.clip = abs(clip)\n")
    results = results_for(transformer_repo(make_repo, code), "ML003")
    assert verdict(results) == "warn" and "__init__" in results[0].message.en


def test_ml003_unused_transformer_warns(make_repo: Build, results_for: Results) -> None:
    results = results_for(transformer_repo(make_repo, TRANSFORMER, "X = 1\n"), "ML003")
    assert verdict(results) == "warn" and "never used" in results[0].message.en


def test_ml003_missing_base_estimator_fails(make_repo: Build, results_for: Results) -> None:
    code = TRANSFORMER.replace("(BaseEstimator, TransformerMixin)", "(TransformerMixin)")
    results = results_for(transformer_repo(make_repo, code), "ML003")
    assert verdict(results) == "fail" and "BaseEstimator" in results[0].message.en


def test_ml003_subclass_inherits_fit(make_repo: Build, results_for: Results) -> None:
    code = TRANSFORMER + """

class RatioOnly(FeatureEngineer):
    def transform(self, X):
        return X[["a"]].copy()
"""
    use = USE.replace("FeatureEngineer()", "RatioOnly()").replace(
        "import FeatureEngineer", "import RatioOnly")
    results = results_for(transformer_repo(make_repo, code, use + "\nfrom demo.features "
                                           "import FeatureEngineer\nFE = Pipeline([('f', "
                                           "FeatureEngineer()), ('m', 1)])\n"), "ML003")
    assert [r.status.value for r in results] == ["pass", "pass"], messages(results)


def test_ml003_no_custom_transformer_fails(make_repo: Build, results_for: Results) -> None:
    root = make_repo(project({"src/demo/train.py": PIPE_ALIAS}))
    assert verdict(results_for(root, "ML003")) == "fail"


# -- ML004 --------------------------------------------------------------------------------


def seeds_code(calls: list[str]) -> str:
    return ("from sklearn.model_selection import train_test_split as tts, KFold, "
            "StratifiedKFold\nfrom sklearn.ensemble import RandomForestClassifier\n"
            "from sklearn.linear_model import LogisticRegression\n\n\ndef go(x, y, cfg):\n" +
            "".join(f"    {c}\n" for c in calls))


def test_ml004_all_seeded_passes(make_repo: Build, results_for: Results) -> None:
    code = seeds_code(["tts(x, y, random_state=cfg.seed)",
                       "RandomForestClassifier(random_state=42)",
                       "KFold(n_splits=5)"])  # unshuffled KFold draws nothing
    results = results_for(make_repo(project({"src/demo/t.py": code})), "ML004")
    assert verdict(results) == "pass" and "all 2" in results[0].message.en


def test_ml004_ratio_thresholds(make_repo: Build, results_for: Results) -> None:
    seeded = ["RandomForestClassifier(random_state=1)"] * 9
    warn = seeds_code([*seeded, "LogisticRegression()"])
    results = results_for(make_repo(project({"src/demo/t.py": warn})), "ML004")
    assert verdict(results) == "warn" and results[0].line == 16
    fail = seeds_code(["tts(x, y)", "StratifiedKFold(shuffle=True)",
                       "RandomForestClassifier(random_state=None)", "LogisticRegression(C=1)",
                       "RandomForestClassifier(random_state=3)"])
    results = results_for(make_repo(project({"src/demo/t.py": fail})), "ML004")
    assert verdict(results) == "fail" and "1/5" in results[0].message.en


def test_ml004_central_seed_and_nothing_random(make_repo: Build, results_for: Results) -> None:
    code = seeds_code(["set_seed(42)", "RandomForestClassifier()"]).replace(
        "def go", "def set_seed(n):\n    pass\n\n\ndef go")
    results = results_for(make_repo(project({"src/demo/t.py": code})), "ML004")
    assert verdict(results) == "pass" and "central seed" in results[0].message.en
    results = results_for(make_repo(project({"src/demo/t.py": "x = 1\n"})), "ML004")
    assert verdict(results) == "skip"


# -- ML005 --------------------------------------------------------------------------------

LEAK_CONFIG = {"configs/config.yaml": "target: churned\ndrop_columns: [customer_id]\n"}


def test_ml005_clean_training_passes(make_repo: Build, results_for: Results) -> None:
    code = """\
from sklearn.model_selection import train_test_split


def train(pipe, x, y):
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, random_state=0)
    pipe.fit(x_tr, y_tr)
    train_score = pipe.score(x_tr, y_tr)
    test_score = pipe.score(x_te, y_te)
    return train_score, test_score
"""
    root = make_repo(project({"src/demo/train.py": code, **LEAK_CONFIG}))
    results = results_for(root, "ML005")
    assert verdict(results) == "pass", messages(results)
    assert "configs/config.yaml" in results[0].message.en


def test_ml005_fit_before_split_and_train_evaluation_warn(make_repo: Build,
                                                          results_for: Results) -> None:
    code = """\
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler, LabelEncoder


def train(model, x, y):
    y = LabelEncoder().fit_transform(y)
    scaler = StandardScaler()
    x = scaler.fit_transform(x)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, random_state=0)
    model.fit(x_tr, y_tr)
    return model.score(x_tr, y_tr)
"""
    root = make_repo(project({"src/demo/train.py": code, **LEAK_CONFIG}))
    results = results_for(root, "ML005")
    warns = sorted((r.line, r.message.en) for r in results if r.status.value == "warn")
    assert [w[0] for w in warns] == [8, 11], warns
    assert "before the split at line 9" in warns[0][1]
    assert all(r.level == 2 and not r.gate for r in results)  # weighed, not a gate


def test_ml005_no_split_fails_and_missing_drop_list_warns(make_repo: Build,
                                                          results_for: Results) -> None:
    code = "def train(model, x, y):\n    model.fit(x, y)\n"
    results = results_for(make_repo(project({"src/demo/t.py": code})), "ML005")
    assert verdict(results) == "fail" and "never split" in results[0].message.en
    code = ("from sklearn.model_selection import cross_val_score\n\n"
            "def evaluate(m, x, y):\n    return cross_val_score(m, x, y)\n")
    results = results_for(make_repo(project({"src/demo/t.py": code})), "ML005")
    assert verdict(results) == "warn" and "drop_columns" in results[0].message.en


def test_ml005_drop_list_in_config_model_and_no_training(make_repo: Build,
                                                         results_for: Results) -> None:
    config = ("from pydantic import BaseModel\n\nclass Cfg(BaseModel):\n"
              "    columns_to_drop: list[str] = []\n")
    code = ("from sklearn.model_selection import train_test_split\n\n"
            "def split(x, y):\n    return train_test_split(x, y, random_state=1)\n")
    root = make_repo(project({"src/demo/config.py": config, "src/demo/data.py": code}))
    assert verdict(results_for(root, "ML005")) == "pass"
    assert verdict(results_for(make_repo(project({})), "ML005")) == "skip"


# -- ML006 --------------------------------------------------------------------------------


def test_ml006_explicit_splitter_passes(make_repo: Build, results_for: Results) -> None:
    code = """\
from sklearn.model_selection import StratifiedKFold, cross_validate


def evaluate(pipe, x, y, seed):
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return cross_validate(pipe, x, y, cv=cv, scoring=["f1", "roc_auc"])
"""
    results = results_for(make_repo(project({"src/demo/cv.py": code})), "ML006")
    assert verdict(results) == "pass" and results[0].line == 6


def test_ml006_fold_loop_and_search(make_repo: Build, results_for: Results) -> None:
    loop = """\
from sklearn.model_selection import KFold


def evaluate(pipe, x, y):
    for train_idx, test_idx in KFold(5, shuffle=True, random_state=0).split(x):
        pipe.fit(x[train_idx], y[train_idx])
"""
    assert verdict(results_for(make_repo(project({"src/demo/cv.py": loop})), "ML006")) == "pass"
    search = """\
from sklearn.model_selection import GridSearchCV, StratifiedKFold as SKF


def tune(pipe, grid):
    return GridSearchCV(pipe, grid, cv=SKF(5, shuffle=True, random_state=0))
"""
    assert verdict(results_for(make_repo(project({"src/demo/s.py": search})),
                               "ML006")) == "pass"


def test_ml006_default_folds_unused_splitter_and_nothing(make_repo: Build,
                                                         results_for: Results) -> None:
    default = ("from sklearn.model_selection import cross_val_score\n\n"
               "def ev(m, x, y):\n    return cross_val_score(m, x, y, cv=5)\n")
    results = results_for(make_repo(project({"src/demo/cv.py": default})), "ML006")
    assert verdict(results) == "warn" and "default folds" in results[0].message.en
    unused = ("from sklearn.model_selection import StratifiedKFold\n"
              "CV = StratifiedKFold(5)\n")
    results = results_for(make_repo(project({"src/demo/cv.py": unused})), "ML006")
    assert verdict(results) == "warn" and "never used" in results[0].message.en
    trained = ("from sklearn.linear_model import Ridge\n\ndef fit(x, y):\n"
               "    return Ridge().fit(x, y)\n")
    assert verdict(results_for(make_repo(project({"src/demo/t.py": trained})),
                               "ML006")) == "fail"
    assert verdict(results_for(make_repo(project({})), "ML006")) == "skip"


# -- ML007 --------------------------------------------------------------------------------

SAVE = """\
import json

import joblib
from sklearn.metrics import f1_score


def save(pipeline, x, y):
    joblib.dump(pipeline, "models/pipeline.joblib")
    metrics = {"f1": f1_score(y, pipeline.predict(x))}
    with open("artifacts/metrics.json", "w") as handle:
        json.dump(metrics, handle)
"""
IGNORE = {".gitignore": "models/\nartifacts/\nmlruns/\n"}


def test_ml007_pipeline_and_metrics_saved(make_repo: Build, results_for: Results) -> None:
    root = make_repo(project({"src/demo/save.py": SAVE, **IGNORE}))
    results = results_for(root, "ML007")
    assert verdict(results) == "pass", messages(results)
    assert results[0].line == 8


def test_ml007_folder_not_ignored_warns_dvc_counts(make_repo: Build,
                                                   results_for: Results) -> None:
    results = results_for(make_repo(project({"src/demo/save.py": SAVE})), "ML007")
    assert verdict(results) == "warn" and "neither gitignored" in results[0].message.en
    root = make_repo(project({"src/demo/save.py": SAVE, "models.dvc": "outs:\n- path: models\n"}))
    assert verdict(results_for(root, "ML007")) == "pass"


def test_ml007_pickle_preprocessor_and_missing_metrics(make_repo: Build,
                                                       results_for: Results) -> None:
    code = """\
import pickle

import joblib
from sklearn.preprocessing import StandardScaler


def save(model):
    scaler = StandardScaler()
    joblib.dump(scaler, "models/scaler.joblib")
    with open("models/model.pkl", "wb") as f:
        pickle.dump(model, f)
"""
    results = results_for(make_repo(project({"src/demo/save.py": code, **IGNORE})), "ML007")
    warns = {r.message.en.split(" (")[0][:30] for r in results if r.status.value == "warn"}
    assert verdict(results) == "warn" and len(warns) == 3, warns
    pickled = "import pickle\n\ndef save(m, x, y, f):\n    m.fit(x, y)\n    pickle.dump(m, f)\n"
    results = results_for(make_repo(project({"src/demo/save.py": pickled})), "ML007")
    assert verdict(results) == "warn" and "pickle" in results[0].message.en


def test_ml007_mlflow_model_and_nothing_saved(make_repo: Build, results_for: Results) -> None:
    code = """\
import mlflow
from sklearn.metrics import roc_auc_score


def log(pipe, x, y):
    mlflow.sklearn.log_model(pipe, "model")
    mlflow.log_dict({"auc": roc_auc_score(y, pipe.predict_proba(x)[:, 1])}, "metrics.json")
"""
    root = make_repo(project({"src/demo/log.py": code, **IGNORE}))
    assert verdict(results_for(root, "ML007")) == "pass"
    results = results_for(make_repo(project({"src/demo/train.py": PIPE_ALIAS})), "ML007")
    assert verdict(results) == "fail" and "never saved" in results[0].message.en


# -- DATA005 ------------------------------------------------------------------------------

SCHEMA = """\
import pandera.pandas as pa


class RawData(pa.DataFrameModel):
    age: int = pa.Field(ge=18)
"""


def test_data005_pandera_model_declared(make_repo: Build, results_for: Results) -> None:
    root = make_repo(project({"src/demo/schemas.py": SCHEMA},
                             deps=("pandas>=2", "pandera>=0.18")))
    results = results_for(root, "DATA005")
    assert verdict(results) == "pass" and results[0].line == 4


def test_data005_dependency_problems(make_repo: Build, results_for: Results) -> None:
    results = results_for(make_repo(project({"src/demo/schemas.py": SCHEMA})), "DATA005")
    assert verdict(results) == "fail" and "not declared" in results[0].message.en
    root = make_repo(project({"src/demo/schemas.py": SCHEMA},
                             dev=("pytest", "pandera[io]>=0.18")))
    assert verdict(results_for(root, "DATA005")) == "warn"


def test_data005_schema_object_decorator_and_ge(make_repo: Build, results_for: Results) -> None:
    code = ("import pandera as pa\nfrom pandera import check_types\n\n"
            "SCHEMA = pa.DataFrameSchema({'age': pa.Column(int)})\n")
    root = make_repo(project({"src/demo/s.py": code}, deps=("pandera",)))
    assert verdict(results_for(root, "DATA005")) == "pass"
    ge = "import great_expectations as gx\n\ncontext = gx.get_context()\n"
    root = make_repo(project({"src/demo/s.py": ge}, deps=("great-expectations>=0.18",)))
    assert verdict(results_for(root, "DATA005")) == "pass"
    root = make_repo(project({"src/demo/s.py": "import pandera\n"}, deps=("pandera",)))
    assert verdict(results_for(root, "DATA005")) == "fail"


def test_data005_requirements_file_counts(make_repo: Build, results_for: Results) -> None:
    root = make_repo({"setup.cfg": "[metadata]\nname = demo\n", "src/demo/__init__.py": "",
                      "src/demo/schemas.py": SCHEMA,
                      "requirements.txt": "pandas==2.1.0\npandera==0.18.0  # schemas\n"})
    assert verdict(results_for(root, "DATA005")) == "pass"


def test_ml001_nested_pipelines_and_unresolved_steps(make_repo: Build,
                                                     results_for: Results) -> None:
    nested = """\
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import GradientBoostingRegressor


def build():
    inner = make_pipeline(StandardScaler(), GradientBoostingRegressor(random_state=0))
    return Pipeline([("noop", "passthrough"), ("inner", inner)])


def fit(x, y):
    build().fit(x, y)
"""
    assert verdict(results_for(make_repo(project({"src/demo/m.py": nested})), "ML001")) == "pass"
    dynamic = """\
from sklearn.pipeline import Pipeline, make_pipeline


def build(steps, extra):
    first = Pipeline(steps)
    second = make_pipeline(*extra)
    first.fit(1, 2)
    return second
"""
    results = results_for(make_repo(project({"src/demo/m.py": dynamic})), "ML001")
    assert verdict(results) == "pass" and "its steps" in results[0].message.en


def test_ml001_direct_transformer_fit_counts_as_separate(make_repo: Build,
                                                         results_for: Results) -> None:
    code = """\
from sklearn.preprocessing import MinMaxScaler
from sklearn.linear_model import LinearRegression


def train(x, y):
    xs = MinMaxScaler().fit_transform(x)
    return LinearRegression().fit(xs, y)
"""
    results = results_for(make_repo(project({"src/demo/t.py": code})), "ML001")
    assert verdict(results) == "fail" and results[0].line == 6


def test_ml006_enumerated_fold_loop_and_string_split(make_repo: Build,
                                                     results_for: Results) -> None:
    loop = """\
from sklearn.model_selection import StratifiedKFold


class Trainer:
    def __init__(self, seed):
        self.cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)

    def run(self, pipe, x, y):
        for fold, (tr, va) in enumerate(self.cv.split(x, y), 1):
            pipe.fit(x[tr], y[tr])
"""
    assert verdict(results_for(make_repo(project({"src/demo/cv.py": loop})), "ML006")) == "pass"
    strings = """\
from sklearn.model_selection import KFold

CV = KFold(5)


def parse(lines):
    for part in lines.split(","):
        yield part
"""
    assert verdict(results_for(make_repo(project({"src/demo/cv.py": strings})),
                               "ML006")) == "warn"


def test_ml001_separate_fits_win_over_a_pipeline_built_only_to_save(
        make_repo: Build, results_for: Results) -> None:
    code = """\
import joblib
from sklearn.pipeline import Pipeline


class Trainer:
    def train(self, x, y):
        xt = self.preprocessor_.fit_transform(x)
        self.model_.fit(xt, y)
        joblib.dump(Pipeline([("prep", self.preprocessor_), ("model", self.model_)]), "m.joblib")
"""
    results = results_for(make_repo(project({"src/demo/train.py": code})), "ML001")
    assert verdict(results) == "fail" and "fitted separately" in results[0].message.en


def test_ml002_handle_unknown_from_config_is_trusted(make_repo: Build,
                                                     results_for: Results) -> None:
    code = CT_GOOD.replace('OneHotEncoder(handle_unknown="ignore")',
                           "OneHotEncoder(handle_unknown=cfg.handle_unknown)")
    root = make_repo(project({"src/demo/features.py": code}))
    assert verdict(results_for(root, "ML002")) == "pass"


# -- other modelling frameworks: scikit-learn-only rules are not applicable ----------------

TORCH_TRAIN = """\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc(x)


def train(loader, epochs):
    torch.manual_seed(0)
    model = Net()
    optimizer = torch.optim.AdamW(model.parameters())
    for _ in range(epochs):
        for x, y in loader:
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
    torch.save(model.state_dict(), "models/model.pt")
    return model
"""


def test_sklearn_only_rules_not_applicable_to_pytorch(make_repo: Build,
                                                      results_for: Results) -> None:
    root = make_repo(project({"src/demo/train.py": TORCH_TRAIN}, deps=("torch",)))
    for rule in ("ML001", "ML002", "ML003", "ML006"):
        results = results_for(root, rule)
        assert verdict(results) == "skip", (rule, messages(results))
        text = results[0].message.en
        assert "no scikit-learn estimator in this project; the model is trained with PyTorch" \
            in text and "(src/demo/train.py:17)" in text, text
    mixed = TORCH_TRAIN + "\nfrom sklearn.linear_model import Ridge\n\nBASE = Ridge()\n"
    root = make_repo(project({"src/demo/train.py": mixed}))
    assert verdict(results_for(root, "ML001")) == "fail"


def test_sklearn_only_rules_name_the_framework(make_repo: Build,
                                               results_for: Results) -> None:
    cases = {
        "XGBoost": "import xgboost as xgb\n\ndef fit(d, p):\n    return xgb.train(p, d)\n",
        "Keras": ("from tensorflow import keras\n\nmodel = keras.Sequential([])\n"
                  "model.compile(optimizer='adam', loss='mse')\n"),
        "Hugging Face Transformers": ("from transformers import Trainer\n\n"
                                      "def fit(m, a, d):\n    Trainer(m, a, train_dataset=d)"
                                      ".train()\n"),
        "Lightning": ("import lightning as L\n\nclass M(L.LightningModule):\n"
                      "    pass\n"),
    }
    for label, code in cases.items():
        results = results_for(make_repo(project({"src/demo/m.py": code})), "ML001")
        assert verdict(results) == "skip" and f"trained with {label}" in results[0].message.en, \
            (label, messages(results))
    pretrained = ("from transformers import AutoModel\n\n"
                  "MODEL = AutoModel.from_pretrained('bert-base-uncased')\n")
    results = results_for(make_repo(project({"src/demo/m.py": pretrained})), "ML002")
    # pretrained weights loaded, nothing trained: no training to judge
    assert verdict(results) == "skip" and "no training code" in results[0].message.en


def test_ml001_separate_fits_message_says_only_what_is_saved(make_repo: Build,
                                                             results_for: Results) -> None:
    base = """\
import joblib
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler


def train(x, y):
    scaler = StandardScaler()
    xs = scaler.fit_transform(x)
    model = LinearRegression()
    model.fit(xs, y)
"""
    saved = {"together": base + '    joblib.dump((scaler, model), "models/m.joblib")\n',
             "alone": base + '    joblib.dump(scaler, "models/s.joblib")\n',
             "none": base}
    expected = {"together": "both are saved in one file at src/demo/train.py:11",
                "alone": "the transformer is saved on its own at src/demo/train.py:11",
                "none": "no saving of the fitted transformer was found"}
    for case, code in saved.items():
        results = results_for(make_repo(project({"src/demo/train.py": code})), "ML001")
        text = results[0].message.en
        assert verdict(results) == "fail" and expected[case] in text, (case, text)
        assert "not saved with the model" not in text and "leaks" not in text


def test_ml004_framework_seeds_and_splits(make_repo: Build, results_for: Results) -> None:
    trains = "\n\ndef train(model, x, y):\n    model.fit(x, y)\n"
    for seed in ("import random\nrandom.seed(7)\n",
                 "import tensorflow as tf\ntf.random.set_seed(7)\n",
                 "from transformers import set_seed\nset_seed(7)\n",
                 "import lightning as L\nL.seed_everything(7)\n"):
        root = make_repo(project({"src/demo/seed.py": seed + trains}))
        results = results_for(root, "ML004")
        assert verdict(results) == "pass" and "central seed" in results[0].message.en, seed
    split = """\
import torch
from torch.utils.data import random_split


def split(ds):
    train, val = random_split(ds, [0.8, 0.2], generator=torch.Generator().manual_seed(1))
    a, b = ds.train_test_split(test_size=0.1, seed=1).values()
    return train, val, a, b
"""
    results = results_for(make_repo(project({"src/demo/split.py": split})), "ML004")
    assert verdict(results) == "pass" and "all 2 randomized" in results[0].message.en
    unseeded = split.replace(", generator=torch.Generator().manual_seed(1)", "").replace(
        ", seed=1", "")
    results = results_for(make_repo(project({"src/demo/split.py": unseeded})), "ML004")
    assert verdict(results) == "fail" and "0/2" in results[0].message.en


def test_ml005_framework_splits(make_repo: Build, results_for: Results) -> None:
    cases = {
        "random_split": TORCH_TRAIN + "\nfrom torch.utils.data import random_split\n\n"
                        "def split(ds):\n    return random_split(ds, [0.8, 0.2])\n",
        "validation_split=": ("from tensorflow import keras\n\ndef fit(x, y):\n"
                              "    m = keras.Sequential([])\n"
                              "    m.fit(x, y, validation_split=0.2)\n"),
        "val_dataloader()": ("import lightning as L\n\nclass Data(L.LightningDataModule):\n"
                             "    def val_dataloader(self):\n        return self.val\n"
                             "\nclass M(L.LightningModule):\n    pass\n"),
        ".train_test_split": ("def split(ds):\n    return ds.train_test_split(test_size=0.2, "
                              "seed=1)\n\ndef fit(m, ds):\n    m.fit(ds)\n"),
    }
    for how, code in cases.items():
        root = make_repo(project({"src/demo/m.py": code, **LEAK_CONFIG}))
        results = results_for(root, "ML005")
        assert verdict(results) == "pass" and how in results[0].message.en, \
            (how, messages(results))
    results = results_for(make_repo(project({"src/demo/train.py": TORCH_TRAIN})), "ML005")
    assert verdict(results) == "fail" and "random_split" in results[0].message.en
    assert results[0].line == 21  # loss.backward(): training without .fit()


def test_ml005_split_by_hand_in_a_prepare_step(make_repo: Build, results_for: Results) -> None:
    seeded = """\
import random
import sys


def main(lines, ratio, seed):
    random.seed(seed)
    train = open("data/train.tsv", "w")
    test = open("data/test.tsv", "w")
    for line in lines:
        out = train if random.random() > ratio else test
        out.write(line)
"""
    sliced = """\
def split(data):
    n = int(0.9 * len(data))
    train_data = data[:n]
    val_data = data[n:]
    return train_data, val_data
"""
    fit = "def fit(model, x, y):\n    model.fit(x, y)\n"
    for code in (seeded, sliced):
        root = make_repo(project({"src/demo/prepare.py": code, "src/demo/train.py": fit,
                                  **LEAK_CONFIG}))
        results = results_for(root, "ML005")
        assert verdict(results) == "pass" and "by hand" in results[0].message.en, \
            messages(results)


def test_ml005_columns_to_drop_only_for_tables(make_repo: Build, results_for: Results) -> None:
    code = TORCH_TRAIN + "\nfrom torch.utils.data import random_split\n\n" \
        "def split(ds):\n    return random_split(ds, [0.8, 0.2])\n"
    results = results_for(make_repo(project({"src/demo/train.py": code})), "ML005")
    assert verdict(results) == "pass" and "no list of columns to drop applies" in \
        results[0].message.en
    tabular = code + "\nimport pandas as pd\n\ndef load(p):\n    return pd.read_csv(p)\n"
    results = results_for(make_repo(project({"src/demo/train.py": tabular})), "ML005")
    assert verdict(results) == "warn" and "drop_columns" in results[0].message.en
    dropped = tabular + "\ndef clean(df):\n    return df.drop(columns=['id', 'created'])\n"
    results = results_for(make_repo(project({"src/demo/train.py": dropped})), "ML005")
    assert verdict(results) == "pass" and "columns dropped in code" in results[0].message.en


def test_ml006_boosting_cv_and_task_neutral_fix(make_repo: Build, results_for: Results) -> None:
    code = "import xgboost as xgb\n\ndef tune(p, d):\n    return xgb.cv(p, d, nfold=5)\n"
    results = results_for(make_repo(project({"src/demo/t.py": code})), "ML006")
    assert verdict(results) == "pass" and "xgboost.cv" in results[0].message.en
    regression = ("from sklearn.linear_model import Ridge\n\ndef fit(x, y):\n"
                  "    return Ridge().fit(x, y)\n")
    results = results_for(make_repo(project({"src/demo/t.py": regression})), "ML006")
    assert verdict(results) == "fail"
    fix = results[0].fix
    assert fix is not None and "KFold(" in fix.en and "Stratified" not in fix.en


def test_ml007_framework_saves_and_checkpoints(make_repo: Build, results_for: Results) -> None:
    metrics = "\nimport json\n\ndef report(m):\n    json.dump(m, open('eval/metrics.json', 'w'))\n"
    cases = {
        "torch.save": TORCH_TRAIN,
        "model.save_pretrained": ("def save(model, trainer):\n    trainer.fit(model)\n"
                                  "    model.save_pretrained('out')\n"),
        "model.save": ("from tensorflow import keras\n\ndef save(model):\n"
                       "    model.save('model.keras')\n"),
        "booster.save_model": "def save(booster):\n    booster.save_model('m.json')\n",
    }
    for what, code in cases.items():
        root = make_repo(project({"src/demo/m.py": code + metrics, **IGNORE}))
        results = results_for(root, "ML007")
        assert verdict(results) == "pass" and f"model saved with {what}" in \
            results[0].message.en, (what, messages(results))
    checkpoint = ("checkpoint:\n  _target_: lightning.pytorch.callbacks.ModelCheckpoint\n"
                  "  monitor: val/loss\n")
    root = make_repo(project({"configs/callbacks/default.yaml": checkpoint,
                              "src/demo/r.py": metrics, **IGNORE}))
    results = results_for(root, "ML007")
    assert verdict(results) == "pass" and "ModelCheckpoint" in results[0].message.en


def test_ml007_pickle_reads_are_not_model_saves(make_repo: Build,
                                                results_for: Results) -> None:
    code = """\
import pickle

import torch


def run(model, vocab):
    with open("meta.pkl", "wb") as f:
        pickle.dump(vocab, f)
    with open("meta.pkl", "rb") as f:
        pickle.load(f)
    torch.save(model.state_dict(), "out/ckpt.pt")
"""
    results = results_for(make_repo(project({"src/demo/m.py": code, **IGNORE})), "ML007")
    warns = [r.message.en for r in results if r.status.value == "warn"]
    text = " | ".join(warns)
    assert "writes: src/demo/m.py:8; reads: src/demo/m.py:10" in text, text
    assert "the model is saved with pickle" not in text


def test_ml007_pickled_features_are_not_cited_as_model_saves(make_repo: Build,
                                                             results_for: Results) -> None:
    """Only pickle.dump of a fitted estimator (or an object named like a model) is cited as
    the model save; a pickled feature matrix is not."""
    featurize = """\
import pickle


def featurize(matrix, names, output):
    with open(output, "wb") as fd:
        pickle.dump((matrix, names), fd)
"""
    train = """\
import pickle

from sklearn.ensemble import RandomForestClassifier


def train(matrix, labels):
    clf = RandomForestClassifier(n_estimators=10)
    clf.fit(matrix, labels)
    return clf


def main(matrix, labels, output):
    clf = train(matrix, labels)
    with open(output, "wb") as fd:
        pickle.dump(clf, fd)
"""
    root = make_repo(project({"src/demo/featurization.py": featurize,
                              "src/demo/train.py": train, **IGNORE}))
    results = results_for(root, "ML007")
    text = messages(results)
    assert "no model save other than pickle.dump (src/demo/train.py:15)" in text, text
    assert "featurization.py:6)" not in text.split("pickle is used")[0]
    only_features = make_repo(project({"src/demo/featurization.py": featurize, **IGNORE}))
    assert verdict(results_for(only_features, "ML007")) == "skip"  # nothing trains
    trains = "\n\ndef fit(model, x, y):\n    model.fit(x, y)\n"
    only_features = make_repo(project({"src/demo/featurization.py": featurize + trains,
                                       **IGNORE}))
    results = results_for(only_features, "ML007")
    text = messages(results)
    assert verdict(results) == "warn", text
    assert "no model save other than pickle.dump" not in text
    assert "not recognised as a fitted model (src/demo/featurization.py:6)" in text


def test_ml007_metrics_recorded_without_a_json_dump(make_repo: Build,
                                                    results_for: Results) -> None:
    save = "import joblib\n\ndef save(m):\n    joblib.dump(m, 'models/m.joblib')\n"
    helper = "def evaluate(m, x, y, save_dict):\n    metrics = m.score(x, y)\n" \
        "    save_dict(d=metrics, path='out.json')\n"
    dvc = "stages:\n  evaluate:\n    cmd: python evaluate.py\n    metrics:\n" \
        "    - eval/metrics.json\n"
    cases = {"helper": {"src/demo/e.py": helper}, "dvc": {"dvc.yaml": dvc},
             "tracker": {"src/demo/e.py": "import wandb\n\nwandb.init(config={})\n"
                         "wandb.log({'acc': 1.0})\n"}}
    for name, extra in cases.items():
        root = make_repo(project({"src/demo/save.py": save, **IGNORE, **extra}))
        results = results_for(root, "ML007")
        assert verdict(results) == "pass", (name, messages(results))


def test_pretrained_weights_are_not_called_training(make_repo: Build,
                                                    results_for: Results) -> None:
    code = TORCH_TRAIN + ("\nfrom transformers import GPT2LMHeadModel\n\n"
                          "def load_weights():\n"
                          "    return GPT2LMHeadModel.from_pretrained('gpt2')\n")
    results = results_for(make_repo(project({"src/demo/train.py": code})), "ML001")
    text = results[0].message.en
    assert verdict(results) == "skip" and "trained with PyTorch (src/demo/train.py:17), with " \
        "pretrained weights from Hugging Face Transformers (src/demo/train.py:29)" in text, text
