"""Wraps a trained model or a scoring function as an anomaly detector."""

import keras
import numpy as np
from keras import ops

from kgen.applications.anomaly.detector import Detector

_SCORES = ("reconstruction_error", "output")


class ModelDetector(Detector):
    """Turns any trained model, or a scoring function, into a detector.

    Nothing is trained: `fit(x)` scores `x` and sets the threshold from
    `contamination`. The score of a sample is, by `score`:

    - `"reconstruction_error"` (default): the mean squared error between
      the sample and `model.predict_on_batch(x)`, for any model that maps a
      sample to a reconstruction (a `keras.Model` of your own, a kgen
      autoencoder or VAE, a reloaded `.keras` file);
    - `"output"`: the model's output itself, one value per sample (an
      energy, a critic's score, a classifier's anomaly logit);
    - a function `score(model, x)` returning one value per sample.

    When `model` is a plain function (not a `keras.Model`), the scores are
    `model(x)`, one value per sample, higher meaning more anomalous.

    Args:
        model: a `keras.Model`, or a function `x -> scores`.
        score: `"reconstruction_error"`, `"output"` or a function
            `score(model, x)`; ignored for a plain function `model`.
        contamination: float in (0, 0.5], see `Detector`.
        batch_size: int >= 1, samples scored at once.

    Example:

    ```python
    model = keras.models.load_model("my_autoencoder.keras")
    detector = kgen.applications.anomaly.ModelDetector(model).fit(x_normal)
    flags = detector.predict(x_new)

    # Any scoring function: distance to the training mean.
    center = x_normal.mean(axis=0)
    detector = kgen.applications.anomaly.ModelDetector(
        lambda x: ((x - center) ** 2).sum(axis=1)
    ).fit(x_normal)
    ```
    """

    def __init__(
        self,
        model,
        score="reconstruction_error",
        contamination=0.1,
        batch_size=1024,
    ):
        if not callable(model):
            raise ValueError(
                "`model` must be a `keras.Model` or a function returning one "
                f"score per sample. Received: {model!r}."
            )
        if not callable(score) and score not in _SCORES:
            raise ValueError(
                f"`score` must be one of {_SCORES} or a function "
                f"`score(model, x)`. Received: score={score!r}."
            )
        super().__init__(contamination, batch_size)
        self.model = model
        self.score = score

    def _score(self, x):
        if not isinstance(self.model, keras.Model):
            return _as_scores(self.model(x), len(x))
        if callable(self.score):
            return _as_scores(self.score(self.model, x), len(x))
        output = np.asarray(self.model.predict_on_batch(x))
        if self.score == "output":
            return _as_scores(output, len(x))
        if output.shape != x.shape:
            raise ValueError(
                "score='reconstruction_error' needs a model whose output has "
                f"the input's shape {x.shape}; this model returned shape "
                f"{output.shape}. Pass score='output' or a function "
                "`score(model, x)`."
            )
        return np.square(output - x).reshape(len(x), -1).mean(axis=1)


def _as_scores(values, count):
    values = np.asarray(ops.convert_to_numpy(values))
    if values.size != count:
        raise ValueError(
            f"The score function must return one value per sample: {count} "
            f"values. Received an array of shape {values.shape}."
        )
    return values.reshape(count)
