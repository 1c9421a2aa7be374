"""The denoising autoencoder model."""

import keras
from keras import ops

from kgen.models.autoencoder.autoencoder import Autoencoder
from kgen.utils.validation import check_array
from kgen.utils.validation import check_number

_CORRUPTIONS = ("gaussian", "masking", "salt_and_pepper")


@keras.saving.register_keras_serializable(package="kgen")
class DenoisingAutoencoder(Autoencoder):
    """An autoencoder trained to rebuild clean samples from corrupted ones.

    With `fit(x_clean)`, every training step corrupts the batch afresh with
    the model's seeded random stream and learns to map the corrupted batch
    back to the clean one, so the code must capture the structure of the
    data rather than copy pixels. With `fit(x_noisy, x_clean)` it learns
    from given pairs and adds no corruption. `evaluate(x_clean)` corrupts
    too, so its loss is the denoising loss; `reconstruct` (and `predict`)
    denoise their input as given.

    Corruptions (`noise_level` is their strength):

    - `"gaussian"`: `x + noise_level * N(0, 1)`;
    - `"masking"`: each value set to 0 with probability `noise_level`;
    - `"salt_and_pepper"`: each value set to 0 or 1 (equally likely) with
      probability `noise_level`;
    - a function `corrupt(x, seed)` in `keras.ops` that draws its noise with
      `keras.random` and `seed` (register it with
      `keras.saving.register_keras_serializable` to save the model).

    Reference:
        Vincent et al., "Extracting and Composing Robust Features with
        Denoising Autoencoders", ICML 2008.

    Args:
        encoder: `keras.Model` mapping samples to codes of `latent_dim`.
        decoder: `keras.Model` mapping codes to samples, linear output.
        corruption: one of the names above, or a function.
        noise_level: float >= 0, strength of a named corruption.
        reconstruction_loss: `"binary_crossentropy"`, `"mse"` or `"auto"`
            (see `kgen.models.Autoencoder`).
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (x_train, _), (x_test, _) = kgen.datasets.load_digits()
    model = kgen.models.DenoisingAutoencoder.dense(
        (64,), latent_dim=32, corruption="gaussian", noise_level=0.3, seed=0
    )
    model.compile(optimizer="adam")
    model.fit(x_train, epochs=100, batch_size=64, verbose=0)
    denoised = model.reconstruct(model.corrupt(x_test, seed=1))
    ```
    """

    nested = ("encoder", "decoder", "corruption")

    def __init__(
        self,
        encoder,
        decoder,
        corruption="gaussian",
        noise_level=0.3,
        reconstruction_loss="auto",
        seed=None,
        **kwargs,
    ):
        if not callable(corruption) and corruption not in _CORRUPTIONS:
            raise ValueError(
                f"`corruption` must be one of {_CORRUPTIONS} or a function "
                f"`corrupt(x, seed)`. Received: corruption={corruption!r}."
            )
        self.corruption = corruption
        self.noise_level = check_number(noise_level, "noise_level", low=0)
        super().__init__(
            encoder, decoder, reconstruction_loss, seed=seed, **kwargs
        )

    def corrupt(self, x, seed=None):
        """Returns a corrupted copy of `x`, as the training step corrupts.

        Args:
            x: array of samples.
            seed: int for a reproducible draw, or `None` to advance the
                model's own random stream.

        Returns:
            NumPy array of the shape of `x`.
        """
        x = check_array(x, "x", feature_shape=self.feature_shape)
        return ops.convert_to_numpy(self._corrupt(x, self._seed_for(seed)))

    def _corrupt(self, x, seed):
        x = ops.convert_to_tensor(x)
        if callable(self.corruption):
            return self.corruption(x, seed)
        if self.corruption == "gaussian":
            noise = keras.random.normal(ops.shape(x), dtype=x.dtype, seed=seed)
            return x + self.noise_level * noise
        uniform = keras.random.uniform(ops.shape(x), dtype=x.dtype, seed=seed)
        hit = uniform < self.noise_level
        if self.corruption == "masking":
            return ops.where(hit, ops.zeros_like(x), x)
        salt = ops.cast(uniform < 0.5 * self.noise_level, x.dtype)
        return ops.where(hit, salt, x)

    def _pairs(self, x, y):
        if y is None:
            return self._corrupt(x, self.seed_generator), x
        return x, y

    def get_config(self):
        return {**super().get_config(), "noise_level": self.noise_level}
