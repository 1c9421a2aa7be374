import keras
import numpy as np
import pytest
from keras import ops

from kgen.metrics import RunningMeans


def test_means_match_numpy_over_several_updates(rng):
    names = ["loss", "norm", "unused"]
    metric = RunningMeans(names)
    observed = {"loss": [], "norm": []}
    for _ in range(3):
        losses = rng.normal(size=2).astype("float32")
        norm = rng.normal(size=(4, 3)).astype("float32")  # its mean is observed
        metric.update_state(
            {"loss": [ops.convert_to_tensor(v) for v in losses], "norm": norm}
        )
        observed["loss"].extend(losses)
        observed["norm"].append(norm.mean())
    result = {k: float(v) for k, v in metric.result().items()}
    assert list(result) == names
    np.testing.assert_allclose(
        result["loss"], np.mean(observed["loss"]), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        result["norm"], np.mean(observed["norm"]), rtol=1e-5, atol=1e-6
    )
    assert result["unused"] == 0.0


def test_values_of_other_dtypes_are_cast():
    metric = RunningMeans(["a", "b"])
    metric.update_state(
        {"a": np.float64(2.5), "b": ops.convert_to_tensor(3, dtype="int32")}
    )
    assert {k: float(v) for k, v in metric.result().items()} == {
        "a": 2.5,
        "b": 3.0,
    }


def test_reset_state_forgets_observations():
    metric = RunningMeans(["a"])
    metric.update_state({"a": 4.0})
    metric.reset_state()
    assert float(metric.result()["a"]) == 0.0
    metric.update_state({"a": 1.0})
    assert float(metric.result()["a"]) == 1.0


def test_bad_names_raise():
    with pytest.raises(ValueError, match="unique"):
        RunningMeans(["a", "a"])
    with pytest.raises(ValueError, match="non-empty"):
        RunningMeans([])
    with pytest.raises(ValueError, match=r"\['c'\], which are not among"):
        RunningMeans(["a", "b"]).update_state({"c": 1.0})


def test_config_round_trips():
    metric = RunningMeans(["a", "b"], name="logs")
    restored = keras.metrics.deserialize(keras.metrics.serialize(metric))
    assert isinstance(restored, RunningMeans)
    assert restored.names == ("a", "b") and restored.name == "logs"
