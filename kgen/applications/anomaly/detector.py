"""The base class of kgen's anomaly detectors: scores, thresholds, checks."""

import numpy as np
from sklearn.exceptions import NotFittedError

from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer


class Detector:
    """Base class of kgen's anomaly detectors (PyOD / scikit-learn API).

    A detector is fitted on (mostly) normal data and gives every sample an
    anomaly score, higher meaning more anomalous:

    - `fit(x)` trains the underlying model (if any), scores the training
      data into `decision_scores_` and sets `threshold_` so that exactly
      `round(contamination * len(x))` training samples score above it
      (`labels_` marks them);
    - `decision_function(x)` scores new data, `batch_size` samples at a time,
      so arbitrarily large arrays fit in memory;
    - `predict(x)` returns 1 where the score exceeds `threshold_`, else 0;
    - `predict_proba(x)` returns `[P(normal), P(anomalous)]` per sample, the
      scores min-max scaled by the training scores (PyOD's `"linear"`
      method) and clipped to [0, 1];
    - `calibrate(x_validation)` moves `threshold_` to a quantile of the
      scores of held-out normal data instead.

    Subclasses implement `_score(x)` (scores of one batch, as a NumPy array)
    and, when they train a model, `_fit(x)`. Inputs are checked once here:
    empty arrays, NaN or infinite values and, after `fit`, samples of
    another shape get a `ValueError` saying what was received; methods
    called before `fit` raise scikit-learn's `NotFittedError`.

    Args:
        contamination: float in (0, 0.5], the expected fraction of anomalies
            in the training data; it sets `threshold_`.
        batch_size: int >= 1, samples scored at once.

    Example:

    ```python
    detector = kgen.applications.anomaly.AutoencoderDetector(
        latent_dim=8, epochs=20, contamination=0.05, seed=0
    )
    detector.fit(x_train)
    scores = detector.decision_function(x_test)  # higher = more anomalous
    flags = detector.predict(x_test)             # 0 normal, 1 anomalous
    ```
    """

    def __init__(self, contamination=0.1, batch_size=1024):
        self.contamination = check_contamination(contamination)
        self.batch_size = check_integer(batch_size, "batch_size")

    # ------------------------------------------------------------ public API

    def fit(self, x, y=None):
        """Trains the detector on `x` and sets the threshold.

        Args:
            x: array `(num_samples, *feature_shape)` of (mostly) normal data.
            y: ignored (present for scikit-learn compatibility).

        Returns:
            The detector itself.
        """
        x = check_array(x, "x")
        self.feature_shape_ = x.shape[1:]
        self._fit(x)
        self.decision_scores_ = self._scores(x)
        self.threshold_ = contamination_threshold(
            self.decision_scores_, self.contamination
        )
        self.labels_ = self._labels(self.decision_scores_)
        return self

    def decision_function(self, x):
        """Anomaly scores of `x`: higher means more anomalous.

        Args:
            x: array `(num_samples, *feature_shape)`.

        Returns:
            float64 NumPy array of shape `(num_samples,)`.
        """
        return self._scores(self._check_fitted_input(x))

    def predict(self, x):
        """Labels `x`: 1 where the score exceeds `threshold_`, 0 elsewhere.

        Args:
            x: array `(num_samples, *feature_shape)`.

        Returns:
            int NumPy array of shape `(num_samples,)`.
        """
        return self._labels(self.decision_function(x))

    def fit_predict(self, x, y=None):
        """Fits on `x` and returns its labels (`labels_`)."""
        return self.fit(x).labels_

    def predict_proba(self, x):
        """Probabilities `[P(normal), P(anomalous)]` of each sample.

        The scores are min-max scaled by the training scores (0 at the
        lowest, 1 at the highest) and clipped to [0, 1], as PyOD's
        `"linear"` method does: a cheap, monotone calibration, not a
        probability model.

        Args:
            x: array `(num_samples, *feature_shape)`.

        Returns:
            NumPy array of shape `(num_samples, 2)`.
        """
        scores = self.decision_function(x)
        low, high = self.decision_scores_.min(), self.decision_scores_.max()
        anomalous = np.clip((scores - low) / max(high - low, 1e-12), 0.0, 1.0)
        return np.stack([1.0 - anomalous, anomalous], axis=1)

    def calibrate(self, x, contamination=None):
        """Sets `threshold_` from held-out data instead of the training data.

        The new threshold is the `1 - contamination` quantile of the scores
        of `x`: on normal validation data, about that fraction of normal
        samples is then flagged (the false-positive rate).

        Args:
            x: array of held-out samples, usually all normal.
            contamination: float in (0, 0.5]; default: the detector's.

        Returns:
            The detector itself.
        """
        contamination = check_contamination(
            self.contamination if contamination is None else contamination
        )
        scores = self.decision_function(x)
        self.threshold_ = contamination_threshold(scores, contamination)
        self.labels_ = self._labels(self.decision_scores_)
        return self

    # ------------------------------------------------------------ subclasses

    def _fit(self, x):
        """Trains the underlying model on checked data (default: nothing)."""

    def _score(self, x):
        """Scores of one batch of checked data, shape `(len(x),)`."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_score(x)`."
        )

    # ------------------------------------------------------------ internals

    def _scores(self, x):
        parts = [
            np.asarray(self._score(x[i : i + self.batch_size]), "float64")
            for i in range(0, len(x), self.batch_size)
        ]
        scores = np.concatenate(parts).reshape(-1)
        if len(scores) != len(x) or not np.isfinite(scores).all():
            raise ValueError(
                f"{type(self).__name__} produced {int((~np.isfinite(scores)).sum())}"
                f" non-finite scores (of {len(scores)} for {len(x)} samples). "
                "The underlying model may have diverged: retrain it with a "
                "smaller learning rate, or check its inputs' scale."
            )
        return scores

    def _labels(self, scores):
        return (scores > self.threshold_).astype("int64")

    def _check_fitted_input(self, x):
        if not hasattr(self, "threshold_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet. Call "
                "`fit(x_train)` before scoring or predicting."
            )
        shape = tuple(self.feature_shape_)
        return check_array(x, "x", feature_shape=shape)


def check_contamination(contamination):
    """Returns `contamination` as a float after checking it is in (0, 0.5]."""
    if (
        isinstance(contamination, bool)
        or not isinstance(contamination, (int, float, np.floating))
        or not 0.0 < contamination <= 0.5
    ):
        raise ValueError(
            "`contamination` must be a number in (0, 0.5], the expected "
            "fraction of anomalies in the training data. Received: "
            f"contamination={contamination!r}."
        )
    return float(contamination)


def contamination_threshold(scores, contamination):
    """The threshold above which `round(contamination * n)` scores lie.

    It is the largest score that is not flagged, so that with distinct
    scores exactly that many samples of `scores` exceed it (ties at the
    threshold are not flagged).
    """
    ordered = np.sort(np.asarray(scores, "float64"))
    flagged = int(round(contamination * len(ordered)))
    return float(ordered[len(ordered) - flagged - 1])
