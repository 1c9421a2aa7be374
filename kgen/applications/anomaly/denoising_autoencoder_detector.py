"""Anomaly detection by denoising-autoencoder reconstruction error."""

from kgen.applications.anomaly.autoencoder_detector import AutoencoderDetector
from kgen.models.autoencoder import DenoisingAutoencoder


class DenoisingAutoencoderDetector(AutoencoderDetector):
    """Reconstruction error of a denoising autoencoder as anomaly score.

    The model learns to map corrupted normal samples back to clean ones, a
    regulariser that keeps it from learning the identity, so that anomalies
    reconstruct worse than with a plain autoencoder of the same size. Scores
    are computed on the clean inputs: the per-sample mean squared error
    between `x` and `model.predict(x)`.

    Reference:
        Vincent et al., "Extracting and Composing Robust Features with
        Denoising Autoencoders", ICML 2008.

    Args:
        model: a `kgen.models.DenoisingAutoencoder`, or `None` to build one.
        latent_dim: int >= 1, code size of the built model.
        hidden_units: hidden widths of the built model's encoder.
        corruption: corruption of the built model (`"gaussian"`,
            `"masking"` or `"salt_and_pepper"`).
        noise_level: float >= 0, strength of the corruption.
        **kwargs: `kgen.applications.anomaly.NetworkDetector` options.

    Example:

    ```python
    detector = kgen.applications.anomaly.DenoisingAutoencoderDetector(
        corruption="masking", noise_level=0.25, epochs=50, seed=0
    ).fit(x_normal)
    ```
    """

    def __init__(
        self,
        model=None,
        latent_dim=32,
        hidden_units=(256, 128),
        corruption="gaussian",
        noise_level=0.2,
        **kwargs,
    ):
        super().__init__(model, latent_dim, hidden_units, **kwargs)
        self.corruption = corruption
        self.noise_level = noise_level

    def build_model(self, x):
        return DenoisingAutoencoder.dense(
            x.shape[1:],
            self.latent_dim,
            self.hidden_units,
            corruption=self.corruption,
            noise_level=self.noise_level,
            seed=self.seed,
        )
