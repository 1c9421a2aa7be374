"""The base class of kgen's anomaly detectors: scores, thresholds, checks."""

import importlib
import json
import os
import tempfile
import zipfile

import keras
import numpy as np
from sklearn.exceptions import NotFittedError

from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


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
      scores of held-out normal data instead;
    - `save(path)` writes the detector to one zip file: its settings, the
      fitted state (`threshold_`, `decision_scores_`, `labels_`, ...) and
      its Keras model, if any, as a `.keras` archive inside;
      `kgen.applications.anomaly.load_detector(path)` reads it back, ready
      to score, predict or continue training.

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
        x = self._fit_preprocessing(x)
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
        return self._scores(self._preprocess(self._check_fitted_input(x)))

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

    def save(self, path):
        """Saves the detector, its fitted state and its model to `path`.

        One zip file holds `detector.json` (the class, the settings and the
        scalar fitted state), `arrays.npz` (array attributes such as
        `decision_scores_` and `labels_`) and, for detectors built on a
        Keras model, `model.keras` (the model with its optimizer state, so
        that a reloaded detector continues training). The training
        `history_` is not saved. Reload with
        `kgen.applications.anomaly.load_detector(path)`.

        Args:
            path: file path (any name; `.zip` is a good suffix).

        Raises:
            ValueError: if the detector holds something that cannot be
                written: a plain function as `model` or `score` (wrap it in
                a `keras.Model`, or keep the fitted threshold and rebuild
                the detector around the function).
        """
        state, arrays = {}, {}
        for key, value in vars(self).items():
            if key == "history_" or (key == "model" and value is not None):
                continue
            if isinstance(value, np.ndarray):
                arrays[key] = value
            else:
                state[key] = _encode(key, value, type(self).__name__)
        model = getattr(self, "model", None)
        if model is not None and not isinstance(model, keras.Model):
            raise ValueError(
                f"Cannot save this {type(self).__name__}: its `model` is a "
                f"plain function ({model!r}), which has no file format. "
                "Wrap the scoring in a `keras.Model` to save it."
            )
        header = {
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
            "state": state,
            "has_model": model is not None,
        }
        with tempfile.TemporaryDirectory() as folder:
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr(_HEADER, json.dumps(header, indent=1))
                arrays_path = os.path.join(folder, _ARRAYS)
                np.savez(arrays_path, **arrays)
                archive.write(arrays_path, _ARRAYS)
                if model is not None:
                    model_path = os.path.join(folder, _MODEL)
                    model.save(model_path)
                    archive.write(model_path, _MODEL)

    # ------------------------------------------------------------ subclasses

    def _fit_preprocessing(self, x):
        """Fits the input transform on checked training data; returns `x`
        transformed (default: no transform)."""
        return x

    def _preprocess(self, x):
        """Applies the fitted input transform (default: none)."""
        return x

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


_HEADER, _ARRAYS, _MODEL = "detector.json", "arrays.npz", "model.keras"


def load_detector(path, custom_objects=None):
    """Loads a detector written by `Detector.save(path)`.

    The detector comes back with its settings, its fitted state
    (`threshold_`, `decision_scores_`, `labels_`, a calibrated threshold,
    an RBM's `log_partition_`, ...) and its Keras model with the optimizer
    state: it scores and predicts as before saving, and `fit` continues
    training the same model.

    Args:
        path: a file written by `Detector.save`.
        custom_objects: optional dict of your own classes by name: detector
            subclasses defined outside kgen, and custom layers or models
            (passed on to `keras.saving.load_model`).

    Returns:
        The detector.

    Example:

    ```python
    detector = kgen.applications.anomaly.AutoencoderDetector(epochs=5)
    detector.fit(x_normal).save("detector.zip")
    detector = kgen.applications.anomaly.load_detector("detector.zip")
    flags = detector.predict(x_new)
    ```
    """
    custom_objects = dict(custom_objects or {})
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if _HEADER not in names:
            raise ValueError(
                f"{path!r} is not a detector file written by "
                f"`Detector.save`: it holds no {_HEADER} (it holds "
                f"{sorted(names)})."
            )
        header = json.loads(archive.read(_HEADER))
        cls = _detector_class(header["class"], custom_objects)
        detector = cls.__new__(cls)
        for key, value in header["state"].items():
            setattr(detector, key, _decode(value))
        with tempfile.TemporaryDirectory() as folder:
            archive.extract(_ARRAYS, folder)
            with np.load(os.path.join(folder, _ARRAYS)) as arrays:
                for key in arrays.files:
                    setattr(detector, key, arrays[key])
            if header["has_model"]:
                archive.extract(_MODEL, folder)
                detector.model = keras.saving.load_model(
                    os.path.join(folder, _MODEL), custom_objects=custom_objects
                )
    return detector


def _detector_class(qualified_name, custom_objects):
    module_name, _, name = qualified_name.rpartition(".")
    if name in custom_objects:
        cls = custom_objects[name]
    elif module_name.split(".")[0] == "kgen":
        cls = getattr(importlib.import_module(module_name), name, None)
    else:
        raise ValueError(
            f"The saved detector is a {qualified_name}, defined outside "
            f"kgen: pass its class, `custom_objects={{{name!r}: {name}}}`."
        )
    if not (isinstance(cls, type) and issubclass(cls, Detector)):
        raise ValueError(
            f"The saved detector's class {qualified_name} is not a "
            f"kgen.applications.anomaly.Detector (found {cls!r})."
        )
    return cls


def _encode(key, value, owner):
    """A JSON-ready form of a detector attribute (tuples and optimizers)."""
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(key, v, owner) for v in value]}
    if isinstance(value, keras.optimizers.Optimizer):
        return {"__keras__": keras.saving.serialize_keras_object(value)}
    if isinstance(value, np.generic):
        return value.item()
    try:
        json.dumps(value)
    except TypeError:
        raise ValueError(
            f"Cannot save this {owner}: its attribute `{key}` holds "
            f"{value!r}, which has no file format (a function?). Use a "
            "named option or a `keras.Model` instead."
        ) from None
    return value


def _decode(value):
    if isinstance(value, dict) and "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if isinstance(value, dict) and "__keras__" in value:
        return keras.saving.deserialize_keras_object(value["__keras__"])
    return value


def check_contamination(contamination):
    """Returns `contamination` as a float after checking it is in (0, 0.5]."""
    return check_number(
        contamination,
        "contamination",
        low=0,
        high=0.5,
        low_open=True,
        hint="It is the expected fraction of anomalies in the training data.",
    )


def contamination_threshold(scores, contamination):
    """The threshold above which `round(contamination * n)` scores lie.

    It is the largest score that is not flagged, so that with distinct
    scores exactly that many samples of `scores` exceed it (ties at the
    threshold are not flagged).
    """
    ordered = np.sort(np.asarray(scores, "float64"))
    flagged = int(round(contamination * len(ordered)))
    return float(ordered[len(ordered) - flagged - 1])
