"""StyleGAN's generator: mapping network, synthesis network, average style."""

import keras
from keras import ops

from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network


@keras.saving.register_keras_serializable(package="kgen")
class StyleGenerator(keras.Model):
    """A mapping network `z -> w` feeding a `SynthesisNetwork`'s styles.

    Latent vectors `z` of shape `(batch, latent_dim)` are mapped to one style
    `w` used by every synthesis layer; latents of shape `(batch,
    num_styles, latent_dim)` give each layer the style of its own latent
    vector (style mixing). The generator also keeps `style_average`, the
    tracked mean of `w` (a non-trainable weight that `kgen.models.StyleGAN`
    updates during training, saved with the model), for the truncation
    trick: `w' = w_avg + truncation * (w - w_avg)`.

    Reference: Karras et al., "A Style-Based Generator Architecture for
    Generative Adversarial Networks", CVPR 2019.

    Args:
        mapping: a `keras.Model` from `(batch, latent_dim)` to `(batch,
            style_dim)`, e.g. from `kgen.models.build_mapping_network`.
        synthesis: a `kgen.models.SynthesisNetwork` with the same
            `style_dim`.
        **kwargs: base model arguments (e.g. `name`).

    Call arguments:
        latents: `(batch, latent_dim)` or `(batch, num_styles, latent_dim)`.
        truncation: float, the truncation `psi` (1: none; 0: the average
            style).
        noise: `True` for fresh noise, `False` for noise-free images.
        seed: `None`, a `keras.random.SeedGenerator` or an int, for the
            noise.

    Example:

    ```python
    generator = kgen.models.build_style_generator(32, (32, 32, 1))
    images = generator(keras.random.normal((4, 32)), truncation=0.7)
    ```
    """

    def __init__(self, mapping, synthesis, **kwargs):
        super().__init__(**kwargs)
        self.mapping = deserialize_network(mapping, "mapping")
        self.synthesis = deserialize_network(synthesis, "synthesis")
        self.latent_dim, self.style_dim = self._check_networks()
        self.num_styles = self.synthesis.num_styles
        self.style_average = self.add_weight(
            shape=(self.style_dim,),
            initializer="zeros",
            trainable=False,
            name="style_average",
        )
        self.built = True

    def _check_networks(self):
        if not hasattr(self.synthesis, "num_styles"):
            raise ValueError(
                "`synthesis` must be a `kgen.models.SynthesisNetwork` (or "
                "have `num_styles` and `style_dim`). Received "
                f"{type(self.synthesis).__name__}."
            )
        inputs = getattr(self.mapping, "inputs", None)
        if not inputs or len(inputs[0].shape) != 2:
            raise ValueError(
                "`mapping` must be a functional or Sequential model taking "
                "latent vectors (batch, latent_dim), e.g. "
                "`kgen.models.build_mapping_network`."
            )
        latent_dim = inputs[0].shape[-1]
        style_dim = self.mapping.outputs[0].shape[-1]
        if style_dim != self.synthesis.style_dim:
            raise ValueError(
                f"The mapping network outputs styles of size {style_dim} but "
                f"the synthesis network takes {self.synthesis.style_dim}. "
                "Build both with the same `style_dim`."
            )
        return latent_dim, style_dim

    def styles(self, latents, training=False, truncation=1.0):
        """The per-layer styles `(batch, num_styles, style_dim)` of latents."""
        latents = ops.convert_to_tensor(latents)
        if len(latents.shape) == 2:
            w = self.mapping(latents, training=training)
            w = ops.repeat(w[:, None], self.num_styles, axis=1)
        else:
            flat = ops.reshape(latents, (-1, self.latent_dim))
            w = ops.reshape(
                self.mapping(flat, training=training),
                (-1, self.num_styles, self.style_dim),
            )
        if truncation != 1.0:
            average = ops.cast(self.style_average, w.dtype)
            w = average + truncation * (w - average)
        return w

    def call(
        self, latents, training=False, truncation=1.0, noise=True, seed=None
    ):
        return self.synthesis(
            self.styles(latents, training, truncation),
            training=training,
            noise=noise,
            seed=seed,
        )

    def compute_output_spec(self, latents, **kwargs):
        return keras.KerasTensor(
            (latents.shape[0], *self.synthesis.image_shape)
        )

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "mapping": serialize_network(self.mapping),
            "synthesis": serialize_network(self.synthesis),
        }
