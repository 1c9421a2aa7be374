"""Anomaly detection by autoencoder reconstruction error."""

import numpy as np

from kgen.applications.anomaly.network_detector import NetworkDetector
from kgen.models.autoencoder import Autoencoder


class AutoencoderDetector(NetworkDetector):
    """Scores samples by how badly an autoencoder reconstructs them.

    An autoencoder trained on normal data learns to rebuild what normal
    samples share; samples unlike them reconstruct poorly. The anomaly score
    is the per-sample mean squared error between `x` and the reconstruction
    `model.predict(x)`.

    With `model=None`, `fit` builds `kgen.models.Autoencoder.dense(...)` with
    `latent_dim` and `hidden_units` (binary cross-entropy for data in [0, 1],
    mean squared error otherwise); any `kgen.models.Autoencoder` (dense or
    convolutional, trained or not) can be passed instead.

    Reference:
        Sakurada and Yairi, "Anomaly Detection Using Autoencoders with
        Nonlinear Dimensionality Reduction", MLSDA 2014.

    Args:
        model: a `kgen.models.Autoencoder`, or `None` to build one.
        latent_dim: int >= 1, code size of the built model.
        hidden_units: hidden widths of the built model's encoder.
        **kwargs: `kgen.applications.anomaly.NetworkDetector` options:
            `epochs`, `batch_size`, `learning_rate`, `optimizer`, `seed`,
            `verbose`, `contamination`, `score_batch_size`.

    Example:

    ```python
    detector = kgen.applications.anomaly.AutoencoderDetector(
        latent_dim=8, hidden_units=(64,), epochs=50, seed=0
    )
    detector.fit(x_normal)
    scores = detector.decision_function(x_test)
    ```
    """

    def __init__(
        self, model=None, latent_dim=32, hidden_units=(256, 128), **kwargs
    ):
        super().__init__(model, **kwargs)
        self.latent_dim = latent_dim
        self.hidden_units = tuple(hidden_units)

    def build_model(self, x):
        return Autoencoder.dense(
            x.shape[1:],
            self.latent_dim,
            self.hidden_units,
            seed=self.seed,
        )

    def _score(self, x):
        reconstruction = np.asarray(self.model.predict_on_batch(x))
        squared = np.square(reconstruction - x).reshape(len(x), -1)
        return squared.mean(axis=1)
