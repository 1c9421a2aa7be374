"""The threshold logic, checks and wrapper shared by every detector."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from kgen.applications.anomaly import ModelDetector


def _distance_detector(center, **kwargs):
    return ModelDetector(lambda x: np.square(x - center).sum(axis=1), **kwargs)


@pytest.mark.parametrize("contamination", [0.05, 0.1, 0.25, 0.5])
def test_contamination_flags_that_fraction_of_the_training_data(
    rng, contamination
):
    x = rng.normal(size=(200, 3)).astype("float32")
    detector = _distance_detector(0.0, contamination=contamination).fit(x)
    expected = np.square(x).sum(axis=1)
    np.testing.assert_allclose(detector.decision_scores_, expected, rtol=1e-6)
    assert detector.labels_.sum() == round(contamination * len(x))
    # The flagged samples are exactly the highest-scoring ones.
    top = np.argsort(expected)[len(x) - detector.labels_.sum() :]
    assert set(np.flatnonzero(detector.labels_)) == set(top)
    np.testing.assert_array_equal(detector.predict(x), detector.labels_)
    assert detector.fit_predict(x).sum() == detector.labels_.sum()


def test_predict_compares_scores_with_the_threshold(rng):
    x = rng.normal(size=(100, 2))
    detector = _distance_detector(0.0, contamination=0.1).fit(x)
    test = rng.normal(size=(50, 2)) * 2
    scores = np.square(test).sum(axis=1)
    np.testing.assert_array_equal(
        detector.predict(test), (scores > detector.threshold_).astype(int)
    )


def test_batch_scoring_matches_scoring_at_once(rng):
    x = rng.normal(size=(103, 4))
    calls = []

    def score(v):
        calls.append(len(v))
        return np.abs(v).sum(axis=1)

    detector = ModelDetector(score, batch_size=10).fit(x)
    assert max(calls) == 10 and len(calls) == 11
    np.testing.assert_allclose(detector.decision_scores_, np.abs(x).sum(1))


def test_predict_proba_scales_by_the_training_scores(rng):
    x = rng.normal(size=(50, 2))
    detector = _distance_detector(0.0).fit(x)
    scores = detector.decision_scores_
    proba = detector.predict_proba(x)
    expected = (scores - scores.min()) / (scores.max() - scores.min())
    np.testing.assert_allclose(proba[:, 1], expected)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    far = detector.predict_proba(np.full((1, 2), 100.0))
    np.testing.assert_allclose(far, [[0.0, 1.0]])


def test_calibrate_sets_the_threshold_from_validation_data(rng):
    x = rng.normal(size=(100, 2))
    validation = rng.normal(size=(40, 2)) * 3
    detector = _distance_detector(0.0, contamination=0.1).fit(x)
    detector.calibrate(validation, contamination=0.25)
    assert detector.predict(validation).sum() == 10
    assert detector.contamination == 0.1


@pytest.mark.parametrize("contamination", [0.0, -0.1, 0.51, 1, "0.1", True])
def test_contamination_outside_the_range_is_rejected(contamination):
    with pytest.raises(ValueError, match="contamination"):
        _distance_detector(0.0, contamination=contamination)


def test_methods_before_fit_raise_not_fitted():
    detector = _distance_detector(0.0)
    for method in (
        detector.predict,
        detector.decision_function,
        detector.predict_proba,
        detector.calibrate,
    ):
        with pytest.raises(NotFittedError, match="fit"):
            method(np.zeros((2, 2)))


def test_bad_inputs_are_rejected(rng):
    detector = _distance_detector(0.0)
    with pytest.raises(ValueError, match="empty"):
        detector.fit(np.zeros((0, 3)))
    bad = rng.normal(size=(10, 3))
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        detector.fit(bad)
    detector.fit(rng.normal(size=(10, 3)))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        detector.predict(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="NaN"):
        detector.predict(bad)


def test_model_detector_checks_its_arguments(rng):
    with pytest.raises(ValueError, match="model"):
        ModelDetector("not a model")
    with pytest.raises(ValueError, match="score"):
        ModelDetector(len, score="energy")
    with pytest.raises(ValueError, match="one value per sample"):
        ModelDetector(lambda x: x).fit(rng.normal(size=(5, 2)))
