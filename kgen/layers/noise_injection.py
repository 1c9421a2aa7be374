"""Per-pixel noise with a learned strength (StyleGAN)."""

import keras
from keras import ops

from kgen.utils.validation import seed_generator


@keras.saving.register_keras_serializable(package="kgen")
class NoiseInjection(keras.layers.Layer):
    """Adds Gaussian noise, one value per pixel, scaled by a learned strength.

    `y = x + strength * n` with `n ~ N(0, 1)` of shape `(batch, h, w, 1)`,
    shared by the channels; the strength is one learned scalar (StyleGAN2)
    or one per channel (StyleGAN, `per_channel=True`), initialised to 0.
    The noise gives the generator a source of stochastic detail (hair,
    pores; pen-stroke texture on digits) separate from the style.

    Reference: Karras et al., "A Style-Based Generator Architecture for
    Generative Adversarial Networks", CVPR 2019, section 3.2.

    Args:
        per_channel: one strength per channel instead of one in all.
        seed: int or `None`, seed of the layer's own random stream.
        **kwargs: base layer arguments (e.g. `name`).

    Call arguments:
        inputs: images `(batch, h, w, c)`.
        noise: `True` to add fresh noise, `False` for none (the noise-free,
            deterministic output), or a tensor `(batch, h, w, 1)` of noise
            to use.
        seed: `None` for the layer's own stream, or a
            `keras.random.SeedGenerator` (e.g. the model's) or an int.

    The state of the layer's random stream is saved with its weights, so
    a reloaded layer continues the same stream.

    Example:

    ```python
    x = kgen.layers.NoiseInjection()(x)
    ```
    """

    def __init__(self, per_channel=False, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.per_channel = bool(per_channel)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                "NoiseInjection takes images of shape (batch, height, width, "
                f"channels). Received input shape {tuple(input_shape)}."
            )
        self.strength = self.add_weight(
            shape=(input_shape[-1] if self.per_channel else 1,),
            initializer="zeros",
            name="strength",
        )

    def call(self, inputs, noise=True, seed=None):
        if noise is False:
            return inputs
        if noise is True:
            shape = ops.shape(inputs)
            noise = keras.random.normal(
                (shape[0], shape[1], shape[2], 1),
                seed=seed_generator(seed, default=self.seed_generator),
                dtype=inputs.dtype,
            )
        return inputs + self.strength * ops.cast(noise, inputs.dtype)

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store["seed_state"] = self.seed_generator.state

    def load_own_variables(self, store):
        if "seed_state" in store.keys():
            self.seed_generator.state.assign(store["seed_state"][()])
        super().load_own_variables(
            {k: store[k] for k in store.keys() if k != "seed_state"}
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "per_channel": self.per_channel,
            "seed": self.seed,
        }
