"""Anomaly detection with GANomaly's latent reconstruction error."""

import keras

from kgen.applications.anomaly.ganomaly import GANomaly
from kgen.applications.anomaly.network_detector import NetworkDetector


class GANomalyDetector(NetworkDetector):
    """Scores samples by GANomaly's latent distance `mean((z - z_hat) ** 2)`.

    See `kgen.applications.anomaly.GANomaly` for the model. With
    `model=None`, `fit` builds `GANomaly.dense(...)` with `latent_dim`,
    `hidden_units` and the loss weights, and trains it with Adam
    (`learning_rate`, `beta_1=0.5`, as in the paper) unless `optimizer` is
    given.

    Reference:
        Akcay, Atapour-Abarghouei and Breckon, "GANomaly: Semi-Supervised
        Anomaly Detection via Adversarial Training", ACCV 2018.

    Args:
        model: a `kgen.applications.anomaly.GANomaly`, or `None`.
        latent_dim: int >= 1, code size of the built model.
        hidden_units: hidden widths of the built model's encoders.
        adversarial_weight: weight of the feature-matching loss.
        contextual_weight: weight of the reconstruction loss.
        encoder_weight: weight of the latent loss.
        **kwargs: `kgen.applications.anomaly.NetworkDetector` options
            (`learning_rate` defaults to 2e-4 here).

    Example:

    ```python
    detector = kgen.applications.anomaly.GANomalyDetector(
        latent_dim=32, epochs=15, seed=0
    ).fit(x_normal)
    scores = detector.decision_function(x_test)
    ```
    """

    def __init__(
        self,
        model=None,
        latent_dim=32,
        hidden_units=(256, 128),
        adversarial_weight=1.0,
        contextual_weight=50.0,
        encoder_weight=1.0,
        **kwargs,
    ):
        kwargs.setdefault("learning_rate", 2e-4)
        super().__init__(model, **kwargs)
        self.latent_dim = latent_dim
        self.hidden_units = tuple(hidden_units)
        self.loss_weights = {
            "adversarial_weight": adversarial_weight,
            "contextual_weight": contextual_weight,
            "encoder_weight": encoder_weight,
        }

    def build_model(self, x):
        return GANomaly.dense(
            x.shape[1:],
            self.latent_dim,
            self.hidden_units,
            seed=self.seed,
            **self.loss_weights,
        )

    def default_optimizer(self):
        return keras.optimizers.Adam(self.learning_rate, beta_1=0.5)

    def _score(self, x):
        return self.model.anomaly_score(x, batch_size=len(x))
