"""The scikit-learn baselines and the evaluation helper."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import KernelDensity
from sklearn.neighbors import NearestNeighbors

from kgen.applications.anomaly import BASELINES
from kgen.applications.anomaly import baseline_scores
from kgen.applications.anomaly import evaluate_scores
from kgen.applications.anomaly.baselines import _gaussian_kde_log_density


def test_kde_matches_scikit_learn(rng):
    train, test = rng.normal(size=(300, 5)), rng.normal(size=(50, 5))
    expected = KernelDensity(bandwidth=0.7).fit(train).score_samples(test)
    np.testing.assert_allclose(
        _gaussian_kde_log_density(train, test, 0.7, chunk_size=7),
        expected,
        rtol=1e-9,
    )


def test_every_baseline_ranks_outliers_first(rng):
    train = rng.normal(size=(200, 4))
    test = np.concatenate(
        [rng.normal(size=(40, 4)), 6 + rng.normal(size=(10, 4))]
    )
    labels = np.repeat([0, 1], [40, 10])
    scores = baseline_scores(train, test, seed=0)
    assert list(scores) == list(BASELINES)
    for name, values in scores.items():
        assert values.shape == (50,)
        assert roc_auc_score(labels, values) > 0.95, name
    distances = NearestNeighbors(n_neighbors=5).fit(train).kneighbors(test)[0]
    np.testing.assert_allclose(scores["knn"], distances[:, -1])


def test_unknown_baseline_and_metrics(rng):
    with pytest.raises(ValueError, match="Unknown baselines"):
        baseline_scores(np.zeros((5, 2)), np.zeros((2, 2)), ["svdd"])
    metrics = evaluate_scores([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert metrics["roc_auc"] == pytest.approx(0.75)
    assert metrics["average_precision"] == pytest.approx((1 + 2 / 3) / 2)
