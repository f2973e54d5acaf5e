"""The training rows logged to MLflow as a dataset: PokeWatch sets the schema MLflow would infer, computed per
column (MLflow's own inference walks every value in Python: 2.7 s on the demo's fit rows)."""

import warnings

import numpy as np
import pandas as pd
from mlflow.types.utils import _infer_schema

from pokewatch import registry
from pokewatch.features import FEATURES


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = 500
    data = {name: rng.normal(size=rows) for name in FEATURES}
    data[FEATURES[0]][3] = np.nan  # one missing value makes a column optional
    return pd.DataFrame({**data, "target": rng.normal(size=rows), "count": np.arange(rows),
                         "small": np.arange(rows, dtype="int32"), "ratio": np.ones(rows, dtype="float32"),
                         "flag": np.ones(rows, dtype=bool), "label": ["x"] * rows})


def test_the_schema_is_the_one_mlflow_infers_and_the_rest_of_the_dataset_is_mlflows():
    rows = frame()
    dataset = registry.training_dataset(rows, {"table": "pokewatch.landed_prices"}, name="fit rows")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLflow's hint about integer columns
        assert dataset.schema == _infer_schema(rows)
    assert dataset.schema.input_dict()[FEATURES[0]].required is False
    assert dataset.schema.input_dict()["target"].required is True
    assert dataset.profile["num_rows"] == len(rows) and dataset.targets == "target"
    assert dataset.to_dict()["schema"]  # what log_input stores
