"""`Detector.save` / `load_detector`: one file, the same scores and state."""

import keras
import numpy as np
import pytest

from kgen.applications.anomaly import AutoencoderDetector
from kgen.applications.anomaly import Detector
from kgen.applications.anomaly import GANomalyDetector
from kgen.applications.anomaly import ModelDetector
from kgen.applications.anomaly import RBMDetector
from kgen.applications.anomaly import VAEDetector
from kgen.applications.anomaly import load_detector

FIT = dict(epochs=1, batch_size=16, seed=0, contamination=0.2)
SMALL = dict(latent_dim=2, hidden_units=(8,))


class _Distance(Detector):
    """A model-free detector defined outside kgen (no `_fit`)."""

    def __init__(self, center, **kwargs):
        super().__init__(**kwargs)
        self.center = np.asarray(center, "float32")

    def _score(self, x):
        return np.square(x - self.center).sum(axis=1)


@pytest.fixture
def binary(rng):
    return (rng.random((32, 6)) < 0.3).astype("float32")


def _assert_same_detector(loaded, detector, x):
    assert type(loaded) is type(detector)
    assert loaded.threshold_ == detector.threshold_
    assert loaded.contamination == detector.contamination
    assert loaded.feature_shape_ == detector.feature_shape_
    np.testing.assert_array_equal(
        loaded.decision_scores_, detector.decision_scores_
    )
    np.testing.assert_array_equal(loaded.labels_, detector.labels_)
    np.testing.assert_allclose(
        loaded.decision_function(x),
        detector.decision_function(x),
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_array_equal(loaded.predict(x), detector.predict(x))


@pytest.mark.parametrize(
    "make",
    [
        lambda: AutoencoderDetector(**SMALL, **FIT),
        lambda: VAEDetector(num_samples=2, score_seed=4, **SMALL, **FIT),
        lambda: RBMDetector(
            num_hidden=3, score="negative_log_likelihood", **FIT
        ),
        lambda: GANomalyDetector(**SMALL, **FIT),
        lambda: AutoencoderDetector(
            trim=0.25, preprocessing="robust_arcsinh", **SMALL, **FIT
        ),
        lambda: RBMDetector(num_hidden=3, num_bins=3, trim=0.25, **FIT),
    ],
    ids=[
        "autoencoder",
        "vae",
        "rbm",
        "ganomaly",
        "trimmed_preprocessed",
        "binned_rbm",
    ],
)
def test_round_trip_keeps_model_threshold_and_scores(binary, tmp_path, make):
    detector = make().fit(binary)
    detector.calibrate(binary[:10], contamination=0.3)  # a moved threshold
    path = tmp_path / "detector.zip"
    detector.save(path)
    loaded = load_detector(path)
    _assert_same_detector(loaded, detector, binary[::-1])
    if isinstance(detector, RBMDetector):
        assert loaded.num_hidden == detector.num_hidden
        assert loaded.log_partition_ == detector.log_partition_
    else:
        assert loaded.hidden_units == detector.hidden_units == (8,)
    np.testing.assert_array_equal(loaded.trimmed_, detector.trimmed_)
    # The model comes back compiled, with its optimizer state.
    iterations = int(loaded.model.optimizer.iterations.numpy())
    assert iterations == int(detector.model.optimizer.iterations.numpy()) > 0
    if isinstance(detector, AutoencoderDetector):  # training goes on
        loaded.fit(binary)
        assert int(loaded.model.optimizer.iterations.numpy()) > iterations


def test_model_detector_round_trip_and_unsavable_functions(binary, tmp_path):
    inputs = keras.Input((6,))
    model = keras.Model(inputs, keras.layers.Dense(6, "sigmoid")(inputs))
    detector = ModelDetector(model, contamination=0.25).fit(binary)
    detector.save(tmp_path / "model.zip")
    _assert_same_detector(
        load_detector(tmp_path / "model.zip"), detector, binary
    )

    function = ModelDetector(lambda x: x.sum(axis=1)).fit(binary)
    with pytest.raises(ValueError, match="plain function"):
        function.save(tmp_path / "function.zip")
    scorer = ModelDetector(model, score=lambda m, x: x.sum(axis=1))
    with pytest.raises(ValueError, match="`score`"):
        scorer.fit(binary).save(tmp_path / "scorer.zip")


def test_detectors_defined_outside_kgen_need_custom_objects(binary, tmp_path):
    detector = _Distance(binary.mean(axis=0), contamination=0.1).fit(binary)
    path = tmp_path / "distance.zip"
    detector.save(path)
    with pytest.raises(ValueError, match="custom_objects"):
        load_detector(path)
    loaded = load_detector(path, custom_objects={"_Distance": _Distance})
    _assert_same_detector(loaded, detector, binary)
    np.testing.assert_array_equal(loaded.center, detector.center)


def test_unfitted_detectors_round_trip_and_bad_files_are_named(tmp_path):
    AutoencoderDetector(**SMALL, **FIT).save(tmp_path / "unfitted.zip")
    loaded = load_detector(tmp_path / "unfitted.zip")
    assert loaded.model is None and loaded.hidden_units == (8,)
    with pytest.raises(Exception, match="not fitted"):
        loaded.predict(np.zeros((2, 6), "float32"))
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(
        tmp_path / "model.keras"
    )
    with pytest.raises(ValueError, match="not a detector file"):
        load_detector(tmp_path / "model.keras")
